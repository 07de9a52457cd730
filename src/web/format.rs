//! Small display helpers the templates call.

use std::borrow::Borrow;
use std::fmt;

/// A whole number of tenths shown as a decimal: 69 hectograms are "6.9" kg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenths(u32);

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Decimetres as metres, hectograms as kilograms. Templates pass fields by
/// reference, hence `Borrow`.
#[must_use]
pub fn tenths(value: impl Borrow<u32>) -> Tenths {
    Tenths(*value.borrow())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_keep_one_decimal() {
        assert_eq!(tenths(7).to_string(), "0.7");
        assert_eq!(tenths(9999).to_string(), "999.9");
        assert_eq!(tenths(40).to_string(), "4.0");
    }
}
