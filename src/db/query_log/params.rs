//! A statement's parameters as SQL literals. sqlx keeps bound values private and
//! shows them only through `Debug` (`SqliteArguments { values: [Text("normal"),
//! Int64(5)] }`), so that form is read back here into `'normal'` and `5`.

/// The parameters in `debug` (a `SqliteArguments` debug string), each as a literal;
/// what cannot be read is shown as it came rather than lost.
#[must_use]
pub fn literals(debug: &str) -> Vec<String> {
    let Some(list) = debug
        .strip_prefix("SqliteArguments { values: [")
        .and_then(|rest| rest.strip_suffix("] }"))
    else {
        return vec![debug.to_owned()];
    };
    let mut values = Vec::new();
    let mut rest = list.trim_start();
    while !rest.is_empty() {
        let Some((value, after)) = literal(rest) else {
            values.push(rest.to_owned());
            break;
        };
        values.push(value);
        rest = after
            .trim_start()
            .strip_prefix(',')
            .unwrap_or(after)
            .trim_start();
    }
    values
}

/// The first value of `text` as a literal, and what follows it.
fn literal(text: &str) -> Option<(String, &str)> {
    if let Some(rest) = text.strip_prefix("Null") {
        return Some(("NULL".to_owned(), rest));
    }
    if let Some(rest) = text.strip_prefix("Text(\"") {
        let (value, rest) = quoted(rest)?;
        return Some((
            format!("'{}'", value.replace('\'', "''")),
            rest.strip_prefix(')')?,
        ));
    }
    if let Some(rest) = text.strip_prefix("Blob([") {
        let end = rest.find("])")?;
        let bytes = rest[..end]
            .split(',')
            .filter(|b| !b.trim().is_empty())
            .count();
        return Some((format!("<{bytes} bytes>"), &rest[end + 2..]));
    }
    let open = text.find('(')?;
    let close = open + text[open..].find(')')?;
    matches!(&text[..open], "Int" | "Int64" | "Double")
        .then(|| (text[open + 1..close].to_owned(), &text[close + 1..]))
}

/// A Rust debug string's contents up to its closing quote, unescaped.
fn quoted(text: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((value, &text[at + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                'r' => value.push('\r'),
                't' => value.push('\t'),
                '0' => value.push('\0'),
                'u' => {
                    let (start, _) = chars.next().filter(|(_, c)| *c == '{')?;
                    let (end, _) = chars.find(|(_, c)| *c == '}')?;
                    let code = u32::from_str_radix(&text[start + 1..end], 16).ok()?;
                    value.push(char::from_u32(code)?);
                }
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::literals;

    #[test]
    fn every_kind_of_value_reads_as_a_literal() {
        let debug = r#"SqliteArguments { values: [Text("normal"), Int64(5), Int(-2), Double(1.5), Null, Blob([1, 2, 3]), Text("it's \"x\"\n\u{301}")] }"#;
        assert_eq!(
            literals(debug),
            [
                "'normal'",
                "5",
                "-2",
                "1.5",
                "NULL",
                "<3 bytes>",
                "'it''s \"x\"\n\u{301}'"
            ]
        );
    }

    #[test]
    fn no_values_and_unknown_forms_are_kept() {
        assert!(literals("SqliteArguments { values: [] }").is_empty());
        assert_eq!(literals("Something else"), ["Something else"]);
        assert_eq!(
            literals("SqliteArguments { values: [Int(1), Mystery] }"),
            ["1", "Mystery"]
        );
    }
}
