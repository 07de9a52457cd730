//! Small display helpers the templates call.

use std::borrow::Borrow;
use std::fmt;

use askama::FastWritable;
use askama::filters::HtmlSafe;

/// Implements `Display` and askama's `FastWritable` (templates then write the value
/// without `core::fmt`'s machinery) for a type with
/// `fn write_to<W: std::fmt::Write + ?Sized>(&self or self, out: &mut W) -> std::fmt::Result`.
macro_rules! written_by_write_to {
    ($type:ty) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.write_to(f)
            }
        }

        impl askama::FastWritable for $type {
            fn write_into<W: std::fmt::Write + ?Sized>(
                &self,
                dest: &mut W,
                _: &dyn askama::Values,
            ) -> askama::Result<()> {
                Ok(self.write_to(dest)?)
            }
        }
    };
}

pub(crate) use written_by_write_to;

/// A whole number of tenths shown as a decimal: 69 hectograms are "6.9" kg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenths(u32);

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// How templates write it: two integers and a dot, with no `core::fmt` (twice a row
/// of a table, where `Display` cost more than the row's text).
impl FastWritable for Tenths {
    fn write_into<W: fmt::Write + ?Sized>(
        &self,
        dest: &mut W,
        values: &dyn askama::Values,
    ) -> askama::Result<()> {
        (self.0 / 10).write_into(dest, values)?;
        dest.write_char('.')?;
        (self.0 % 10).write_into(dest, values)
    }
}

/// Digits and a dot: nothing to escape.
impl HtmlSafe for Tenths {}

/// Decimetres as metres, hectograms as kilograms. Templates pass fields by
/// reference, hence `Borrow`.
#[must_use]
pub fn tenths(value: impl Borrow<u32>) -> Tenths {
    Tenths(*value.borrow())
}

/// A word with its first letter upper case and the rest lower case ("poison" is
/// "Poison"): askama's `capitalize`, without the two strings it allocates each time,
/// for the type of every row of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capitalized<'a>(&'a str);

/// `word` capitalized, as askama's `capitalize` does it.
#[must_use]
pub fn capitalized(word: &str) -> Capitalized<'_> {
    Capitalized(word)
}

impl Capitalized<'_> {
    fn write_to<W: fmt::Write + ?Sized>(self, dest: &mut W) -> fmt::Result {
        let mut chars = self.0.chars();
        let Some(first) = chars.next() else {
            return Ok(());
        };
        for upper in first.to_uppercase() {
            dest.write_char(upper)?;
        }
        let rest = chars.as_str();
        // `to_lowercase` of anything but ASCII may depend on the letters around.
        if rest
            .bytes()
            .all(|byte| byte.is_ascii() && !byte.is_ascii_uppercase())
        {
            dest.write_str(rest)
        } else {
            dest.write_str(&rest.to_lowercase())
        }
    }
}

written_by_write_to!(Capitalized<'_>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_keep_one_decimal() {
        assert_eq!(tenths(7).to_string(), "0.7");
        assert_eq!(tenths(9999).to_string(), "999.9");
        assert_eq!(tenths(40).to_string(), "4.0");
        for value in [0, 7, 40, 69, 9999, u32::MAX] {
            let mut fast = String::new();
            tenths(value)
                .write_into(&mut fast, askama::NO_VALUES)
                .unwrap();
            assert_eq!(fast, tenths(value).to_string());
        }
    }

    #[test]
    fn capitalized_is_askamas_capitalize() {
        for word in ["poison", "", "x", "gRASS", "éclair", "ΣΑΣ", "ǆemal", "a😀B"] {
            let askama = askama::filters::capitalize(word).unwrap().to_string();
            assert_eq!(capitalized(word).to_string(), askama, "{word}");
            let mut fast = String::new();
            capitalized(word)
                .write_into(&mut fast, askama::NO_VALUES)
                .unwrap();
            assert_eq!(fast, askama, "{word}");
        }
    }
}
