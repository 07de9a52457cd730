//! The edit form's fields, as typed, and the rules they must follow before anything
//! is written: each broken rule is a message beside its field.

use crate::db::pokemon::{Changes, Pokemon};
use crate::web::format::tenths;

/// The 18 types, as the catalogue spells them.
pub const TYPES: [&str; 18] = [
    "normal", "fire", "water", "electric", "grass", "ice", "fighting", "poison", "ground",
    "flying", "psychic", "bug", "rock", "ghost", "dragon", "dark", "steel", "fairy",
];

/// The longest name a Pokémon may have.
const NAME_MAX: usize = 40;
/// The largest height, in metres (Eternamax Eternatus is 100 m).
const HEIGHT_MAX: f64 = 1000.0;
/// The largest weight, in kilograms (the heaviest Pokémon weigh 999.9 kg).
const WEIGHT_MAX: f64 = 10_000.0;

/// The six base stats: form field and label.
pub const STATS: [(&str, &str); 6] = [
    ("hp", "HP"),
    ("attack", "Attack"),
    ("defense", "Defense"),
    ("sp_atk", "Special attack"),
    ("sp_def", "Special defense"),
    ("speed", "Speed"),
];

/// The form's values as typed, named as the original Django model names its fields,
/// plus the row version the form was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditForm {
    /// `(field, value)` as given; a field given twice keeps its last value.
    values: Vec<(String, String)>,
}

/// A rule a field broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

impl EditForm {
    /// The form holding `pokemon` as it is.
    #[must_use]
    pub fn of(pokemon: &Pokemon) -> Self {
        let stats = [
            pokemon.hp,
            pokemon.attack,
            pokemon.defense,
            pokemon.sp_atk,
            pokemon.sp_def,
            pokemon.speed,
        ];
        let mut values = vec![
            ("name".to_owned(), pokemon.name.clone()),
            ("type".to_owned(), pokemon.primary_type.clone()),
            (
                "secondary_type".to_owned(),
                pokemon.secondary_type.clone().unwrap_or_default(),
            ),
            ("height".to_owned(), tenths(pokemon.height).to_string()),
            ("weight".to_owned(), tenths(pokemon.weight).to_string()),
            ("version".to_owned(), pokemon.version.to_string()),
        ];
        for ((field, _), value) in STATS.iter().zip(stats) {
            values.push(((*field).to_owned(), value.to_string()));
        }
        Self { values }
    }

    /// The form as a form-encoded body gives it (extra fields are kept, and ignored).
    #[must_use]
    pub fn parse(body: &[u8]) -> Self {
        Self {
            values: form_urlencoded::parse(body)
                .map(|(field, value)| (field.into_owned(), value.into_owned()))
                .collect(),
        }
    }

    /// The value of `field` as typed, empty when not given.
    #[must_use]
    pub fn value(&self, field: &str) -> &str {
        self.given(field).unwrap_or_default()
    }

    fn given(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }

    /// The row version the form was made from, and the changes it asks for; or every
    /// rule it breaks.
    pub fn validate(&self) -> Result<(u32, Changes), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut check = |field: &'static str, result: Result<(), String>| {
            if let Err(message) = result {
                errors.push(FieldError { field, message });
            }
        };
        let name = self.value("name").trim().to_owned();
        check("name", name_rule(self.given("name"), &name));
        let primary = self.value("type").to_owned();
        check("type", type_rule(self.given("type"), &primary));
        let secondary = self.value("secondary_type").to_owned();
        check("secondary_type", secondary_rule(&secondary, &primary));
        let mut stats = [0; 6];
        for ((field, label), stat) in STATS.iter().zip(&mut stats) {
            match stat_rule(self.given(field), label) {
                Ok(value) => *stat = value,
                Err(message) => check(field, Err(message)),
            }
        }
        let height = size_rule(self.given("height"), "Height", "m", HEIGHT_MAX);
        let weight = size_rule(self.given("weight"), "Weight", "kg", WEIGHT_MAX);
        let version = self.value("version").parse::<u32>().map_err(|_| {
            "The form lacks the row version it was made from: open the form again.".to_owned()
        });
        check("height", height.as_ref().map(|_| ()).map_err(Clone::clone));
        check("weight", weight.as_ref().map(|_| ()).map_err(Clone::clone));
        check(
            "version",
            version.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let (Ok(height), Ok(weight), Ok(version), true) =
            (height, weight, version, errors.is_empty())
        else {
            return Err(errors);
        };
        let [hp, attack, defense, sp_atk, sp_def, speed] = stats;
        Ok((
            version,
            Changes {
                name,
                primary_type: primary,
                secondary_type: (!secondary.is_empty()).then_some(secondary),
                height,
                weight,
                hp,
                attack,
                defense,
                sp_atk,
                sp_def,
                speed,
            },
        ))
    }
}

fn name_rule(given: Option<&str>, name: &str) -> Result<(), String> {
    if given.is_none() || name.is_empty() {
        return Err("Give it a name.".to_owned());
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("At most {NAME_MAX} characters."));
    }
    if name.chars().any(char::is_control) {
        return Err("A name has no control characters.".to_owned());
    }
    Ok(())
}

fn type_rule(given: Option<&str>, primary: &str) -> Result<(), String> {
    match given {
        None | Some("") => Err("Choose its type.".to_owned()),
        Some(_) if !TYPES.contains(&primary) => Err(format!("“{primary}” is not a type.")),
        Some(_) => Ok(()),
    }
}

fn secondary_rule(secondary: &str, primary: &str) -> Result<(), String> {
    if secondary.is_empty() {
        return Ok(());
    }
    if !TYPES.contains(&secondary) {
        return Err(format!("“{secondary}” is not a type."));
    }
    if secondary == primary {
        return Err("The secondary type must differ from the type.".to_owned());
    }
    Ok(())
}

fn stat_rule(given: Option<&str>, label: &str) -> Result<u32, String> {
    let text = given.unwrap_or_default().trim();
    if text.is_empty() {
        return Err(format!("{label} is required."));
    }
    text.parse()
        .ok()
        .filter(|stat| (1..=255).contains(stat))
        .ok_or_else(|| format!("{label} is a whole number from 1 to 255."))
}

/// A size in metres or kilograms, as tenths (decimetres, hectograms).
fn size_rule(given: Option<&str>, label: &str, unit: &str, max: f64) -> Result<u32, String> {
    let text = given.unwrap_or_default().trim();
    if text.is_empty() {
        return Err(format!("{label} is required."));
    }
    let bad = || format!("{label} is a positive number of {unit}, at most {max}.");
    let value: f64 = text.parse().map_err(|_| bad())?;
    if !value.is_finite() || value <= 0.0 || value > max {
        return Err(bad());
    }
    // Within bounds, tenths fit easily in a u32.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "bounded above"
    )]
    let tenths = (value * 10.0).round() as u32;
    if tenths == 0 {
        return Err(format!("{label} is at least 0.1 {unit}."));
    }
    Ok(tenths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pikachu() -> EditForm {
        EditForm::parse(
            b"name=Pikachu&type=electric&secondary_type=&hp=35&attack=55&defense=40\
              &sp_atk=50&sp_def=50&speed=90&height=0.4&weight=6&version=1&csrf=ignored",
        )
    }

    fn errors_of(form: &EditForm) -> Vec<&'static str> {
        form.validate()
            .unwrap_err()
            .into_iter()
            .map(|error| error.field)
            .collect()
    }

    fn with(field: &str, value: &str) -> EditForm {
        let mut form = pikachu();
        form.values.push((field.to_owned(), value.to_owned()));
        form
    }

    #[test]
    fn a_good_form_gives_the_changes_in_tenths_and_extra_fields_are_ignored() {
        let (version, changes) = pikachu().validate().unwrap();
        assert_eq!(version, 1);
        assert_eq!((changes.height, changes.weight, changes.speed), (4, 60, 90));
        assert_eq!(changes.secondary_type, None);
        let (_, trimmed) = with("name", "  Raichu ").validate().unwrap();
        assert_eq!(trimmed.name, "Raichu");
    }

    #[test]
    fn every_broken_rule_names_its_field() {
        for (field, value) in [
            ("name", ""),
            ("name", "   "),
            ("name", &"x".repeat(41)),
            ("type", "plasma"),
            ("type", ""),
            ("secondary_type", "electric"),
            ("secondary_type", "plasma"),
            ("hp", "0"),
            ("hp", "256"),
            ("attack", "12.5"),
            ("defense", "lots"),
            ("height", "0"),
            ("height", "-1"),
            ("height", "1e9"),
            ("weight", "NaN"),
            ("weight", "0.01"),
            ("version", "x"),
        ] {
            assert_eq!(errors_of(&with(field, value)), [field], "{field}={value:?}");
        }
        let empty = EditForm::parse(b"");
        assert_eq!(errors_of(&empty).len(), 11, "every field is required");
    }
}
