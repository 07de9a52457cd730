-- The catalogue: one row per National Pokédex number, seeded from data/pokemon.csv.
CREATE TABLE pokemon (
    pokedex_id     INTEGER PRIMARY KEY CHECK (pokedex_id > 0),
    name           TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    secondary_type TEXT,
    height         INTEGER NOT NULL CHECK (height >= 0),  -- decimetres
    weight         INTEGER NOT NULL CHECK (weight >= 0),  -- hectograms
    hp             INTEGER NOT NULL,
    attack         INTEGER NOT NULL,
    defense        INTEGER NOT NULL,
    sp_atk         INTEGER NOT NULL,
    sp_def         INTEGER NOT NULL,
    speed          INTEGER NOT NULL,
    generation     INTEGER NOT NULL
) STRICT;

-- The home page's "first five of a type by name" and the type page read these in
-- order, without a sort; /all walks the name index.
CREATE INDEX pokemon_type_name ON pokemon (type, name);
CREATE INDEX pokemon_secondary_type_name ON pokemon (secondary_type, name);
CREATE INDEX pokemon_name ON pokemon (name);
