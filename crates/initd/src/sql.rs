//! Quoting for the SQL we send to MariaDB during bootstrap.
//!
//! Passwords may hold quotes, `$`, backticks, backslashes, spaces and any Unicode: they go in
//! string literals with every character MariaDB treats specially escaped (we never change
//! `sql_mode`, so backslash escapes are active). Names go in backtick-quoted identifiers.

use anyhow::{bail, Result};

/// A single-quoted SQL string literal holding exactly `value`.
pub fn literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1a}' => out.push_str("\\Z"),
            _ => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// A backtick-quoted identifier.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The database-name pattern for `GRANT ... ON db.*`, where `_` and `%` are wildcards and
/// must be escaped to grant on this database only.
pub fn grant_db(name: &str) -> String {
    ident(
        &name
            .replace('\\', "\\\\")
            .replace('_', "\\_")
            .replace('%', "\\%"),
    )
}

/// Database and user names are restricted to what every tool handles without quoting.
pub fn check_name(var: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        bail!("{var}={value:?} must be 1-64 letters, digits, '_' or '-'; fix it in srcs/.env");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_everything_special() {
        assert_eq!(literal("a'b"), r"'a\'b'");
        assert_eq!(literal(r"c:\x"), r"'c:\\x'");
        assert_eq!(literal("$`\" é 日本"), "'$`\" é 日本'");
        assert_eq!(literal("\0\n"), r"'\0\n'");
    }

    #[test]
    fn identifiers_and_grants() {
        assert_eq!(ident("word`press"), "`word``press`");
        assert_eq!(grant_db("wp_db"), r"`wp\_db`");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("MYSQL_USER", "wp_user-1").is_ok());
        for bad in ["", "a b", "a'b", "a;b", "é"] {
            assert!(check_name("MYSQL_USER", bad).is_err(), "{bad:?}");
        }
    }
}
