//! Filling an empty catalogue from the CSV embedded in the binary.

use sqlx::SqlitePool;

use super::pokemon::{self, Pokemon};

/// `data/pokemon.csv`, embedded so that the binary needs no data files.
pub const POKEMON_CSV: &str = include_str!("../../data/pokemon.csv");

/// Why seeding failed; in every case the table is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A CSV row could not be read; nothing was inserted.
    #[error("data/pokemon.csv: {0}")]
    Csv(#[from] csv::Error),
    /// An insert failed and the transaction was rolled back.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What seeding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedOutcome {
    /// The table was empty and now holds this many rows.
    Seeded(u64),
    /// The table already held this many rows; nothing was written.
    AlreadySeeded(u64),
}

/// Inserts every row of `csv` in one transaction when the `pokemon` table is empty,
/// so that a crash or a bad row mid-seed leaves the table empty rather than half full.
/// The transaction takes the write lock before it counts (`BEGIN IMMEDIATE`), so
/// that of two servers started together on a new file, one seeds and the other,
/// waiting its turn, finds the rows there.
pub async fn seed_if_empty(pool: &SqlitePool, csv: &str) -> Result<SeedOutcome, SeedError> {
    let rows = parse(csv)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let existing = pokemon::count(&mut *tx).await?;
    if existing > 0 {
        tracing::debug!(rows = existing, "catalogue already seeded");
        return Ok(SeedOutcome::AlreadySeeded(existing));
    }
    for row in &rows {
        pokemon::insert(&mut *tx, row).await?;
    }
    tx.commit().await?;
    tracing::info!(
        rows = rows.len(),
        "seeded the catalogue from data/pokemon.csv"
    );
    Ok(SeedOutcome::Seeded(rows.len() as u64))
}

/// Puts every row back as `csv` has it, in one transaction, writing only the rows
/// that differ; returns how many did.
pub async fn restore(pool: &SqlitePool, csv: &str) -> Result<u64, SeedError> {
    let rows = parse(csv)?;
    let mut tx = pool.begin().await?;
    let mut restored = 0;
    for row in &rows {
        restored += u64::from(pokemon::restore(&mut *tx, row).await?);
    }
    tx.commit().await?;
    tracing::info!(rows = restored, "restored the seeded catalogue");
    Ok(restored)
}

fn parse(csv: &str) -> Result<Vec<Pokemon>, csv::Error> {
    csv::Reader::from_reader(csv.as_bytes())
        .deserialize()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_csv_holds_every_national_dex_number_once() {
        let rows = parse(POKEMON_CSV).unwrap();
        let ids: Vec<u32> = rows.iter().map(|row| row.pokedex_id).collect();
        assert_eq!(ids, (1..=1025).collect::<Vec<_>>());
    }

    #[test]
    fn empty_secondary_type_reads_as_none() {
        let rows = parse(POKEMON_CSV).unwrap();
        assert_eq!(rows[0].secondary_type.as_deref(), Some("poison"));
        assert_eq!(rows[24].name, "Pikachu");
        assert_eq!(rows[24].secondary_type, None);
    }
}
