//! `initd gen-secrets DIR NAME...`: creates each missing secret file with a strong random
//! value (mode 0600). Existing secrets are never overwritten: the database was bootstrapped
//! with them. Values are never printed.

use anyhow::{bail, Result};
use std::path::Path;

/// Length of generated passwords: 32 characters from an 87-symbol alphabet (~206 bits).
const LENGTH: usize = 32;

/// Generates the missing secrets in `dir`.
pub fn generate(dir: &Path, names: &[String]) -> Result<i32> {
    if names.is_empty() {
        bail!("gen-secrets: name at least one secret");
    }
    for name in names {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            bail!("gen-secrets: {name:?} is not a valid secret name");
        }
        let path = dir.join(name);
        let present = std::fs::metadata(&path)
            .map(|m| m.len() > 0)
            .unwrap_or(false);
        if present {
            continue;
        }
        let value = crate::services::random_token(LENGTH)?;
        crate::files::write_atomic(&path, format!("{value}\n").as_bytes(), 0o600)?;
        eprintln!("generated secret {} (mode 600)", path.display());
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn generates_missing_and_keeps_existing() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("kept"), "mine\n").expect("write");
        generate(dir.path(), &["kept".into(), "fresh".into()]).expect("generate");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("kept")).expect("read"),
            "mine\n"
        );
        let fresh = std::fs::read_to_string(dir.path().join("fresh")).expect("read");
        assert_eq!(fresh.trim_end().len(), LENGTH);
        let mode = std::fs::metadata(dir.path().join("fresh"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(generate(dir.path(), &["../x".into()]).is_err());
    }
}
