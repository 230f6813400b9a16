//! Settings come from the environment, secrets from files.
//!
//! A secret is never in the environment itself: the container gets `NAME_FILE=/run/secrets/x`
//! and we read the file, stripping one trailing newline (editors add one). A missing or empty
//! variable is an error that names it, so a bad `.env` is reported in plain words.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;

/// Reads a required, non-empty environment variable.
pub fn var(name: &str) -> Result<String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        Ok(_) => bail!("{name} is empty; set it in srcs/.env"),
        Err(std::env::VarError::NotPresent) => bail!("{name} is not set; add it to srcs/.env"),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{name} is not valid UTF-8"),
    }
}

/// Reads an optional environment variable, with a default.
pub fn var_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The path a `NAME_FILE` variable points at.
pub fn secret_path(name: &str) -> Result<PathBuf> {
    Ok(PathBuf::from(var(&format!("{name}_FILE"))?))
}

/// Reads the secret `NAME` from the file named by `NAME_FILE`.
pub fn secret(name: &str) -> Result<String> {
    let path = secret_path(name)?;
    let raw = std::fs::read(&path)
        .with_context(|| format!("reading secret {name} from {}", path.display()))?;
    let text = String::from_utf8(raw)
        .with_context(|| format!("secret {name} in {} is not UTF-8", path.display()))?;
    let value = strip_newline(&text);
    if value.is_empty() {
        bail!(
            "secret {name} in {} is empty; put a password in it",
            path.display()
        );
    }
    Ok(value.to_owned())
}

/// Strips exactly one trailing `\n` or `\r\n`: other whitespace is part of the secret.
pub fn strip_newline(text: &str) -> &str {
    text.strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text)
}

/// The administrator's name must not contain "admin" in any letter case (rule M13); the
/// check also catches look-alikes built from fullwidth letters by case-folding first.
pub fn check_admin_name(name: &str) -> Result<()> {
    let folded: String = name
        .chars()
        .map(|c| match c {
            // Fullwidth Latin letters fold onto ASCII, so "ａｄｍｉｎ" is caught too.
            '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            _ => c,
        })
        .collect::<String>()
        .to_lowercase();
    if folded.contains("admin") {
        bail!(
            "WP_ADMIN_USER={name:?} contains \"admin\"; the subject forbids it. \
             Pick another administrator name in srcs/.env"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_one_newline_only() {
        assert_eq!(strip_newline("pw\n"), "pw");
        assert_eq!(strip_newline("pw\r\n"), "pw");
        assert_eq!(strip_newline("pw \n\n"), "pw \n");
        assert_eq!(strip_newline(" p w "), " p w ");
    }

    #[test]
    fn admin_in_any_case_is_rejected() {
        for bad in [
            "admin",
            "Admin",
            "ADMIN",
            "superAdMin",
            "the_admin_1",
            "ａｄｍｉｎ",
        ] {
            assert!(check_admin_name(bad).is_err(), "{bad} should be rejected");
        }
        for good in ["boss", "adm", "a-d-m-i-n", "wpchief"] {
            assert!(check_admin_name(good).is_ok(), "{good} should pass");
        }
    }

    #[test]
    fn missing_variable_is_named() {
        let err = var("INITD_TEST_SURELY_UNSET")
            .expect_err("unset")
            .to_string();
        assert!(err.contains("INITD_TEST_SURELY_UNSET"), "{err}");
    }
}
