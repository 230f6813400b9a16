//! File-system steps that must survive being killed half-way.
//!
//! Every file we generate is written to a temporary name in the same directory, synced, and
//! renamed into place, so a crash leaves either the old file or the new one, never half.
//! Bootstrap markers are written last, after everything they vouch for.

use anyhow::{Context, Result};
use nix::unistd::{Gid, Uid};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Writes `data` to `dest` atomically with permissions `mode`.
pub fn write_atomic(dest: &Path, data: &[u8], mode: u32) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        file.set_permissions(fs::Permissions::from_mode(mode))?;
        file.write_all(data)?;
        file.sync_all()?;
        fs::rename(&tmp, dest)
    };
    write().with_context(|| format!("writing {}", dest.display()))?;
    if let Ok(d) = fs::File::open(dir) {
        // Best effort: makes the rename itself durable.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Looks up a system user's uid and gid (www-data, mysql) from the image's passwd database.
pub fn user_ids(name: &str) -> Result<(Uid, Gid)> {
    let user = nix::unistd::User::from_name(name)
        .with_context(|| format!("looking up user {name}"))?
        .with_context(|| format!("user {name} does not exist in this image"))?;
    Ok((user.uid, user.gid))
}

/// Changes the owner of one path (not recursive).
pub fn chown(path: &Path, user: &str) -> Result<()> {
    let (uid, gid) = user_ids(user)?;
    nix::unistd::chown(path, Some(uid), Some(gid))
        .with_context(|| format!("chown {user} {}", path.display()))
}

/// Creates a directory (and parents) owned by `user` with `mode`.
pub fn ensure_dir(path: &Path, user: &str, mode: u32) -> Result<()> {
    fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
    chown(path, user)?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {mode:o} {}", path.display()))
}

/// Writes a secret for a daemon that does not run as root: owned by `user`, mode 0400, on
/// the container's tmpfs (never in an image layer or a volume).
pub fn install_secret(dest: &Path, value: &str, user: &str) -> Result<()> {
    write_atomic(dest, value.as_bytes(), 0o400)?;
    chown(dest, user)
}

/// True when the directory holds nothing but the names in `ignore`.
pub fn dir_is_empty_except(path: &Path, ignore: &[&str]) -> Result<bool> {
    let entries = match fs::read_dir(path) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(err) => return Err(err).with_context(|| format!("listing {}", path.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", path.display()))?;
        let name = entry.file_name();
        if !ignore.iter().any(|i| name == *i) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes everything inside `path`, keeping `path` itself (it may be a mount point).
pub fn empty_dir(path: &Path) -> Result<()> {
    for entry in fs::read_dir(path).with_context(|| format!("listing {}", path.display()))? {
        let entry = entry?;
        let p = entry.path();
        let result = if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        result.with_context(|| format!("removing {}", p.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_sets_mode_and_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dest = dir.path().join("sub/f.conf");
        write_atomic(&dest, b"one", 0o640).expect("write");
        write_atomic(&dest, b"two", 0o600).expect("rewrite");
        assert_eq!(fs::read(&dest).expect("read"), b"two");
        let mode = fs::metadata(&dest).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let leftovers = fs::read_dir(dest.parent().expect("parent"))
            .expect("ls")
            .count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn emptiness_ignores_listed_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(dir_is_empty_except(dir.path(), &[]).expect("ls"));
        fs::write(dir.path().join("lost+found"), b"").expect("touch");
        assert!(dir_is_empty_except(dir.path(), &["lost+found"]).expect("ls"));
        fs::write(dir.path().join("ibdata1"), b"").expect("touch");
        assert!(!dir_is_empty_except(dir.path(), &["lost+found"]).expect("ls"));
        empty_dir(dir.path()).expect("empty");
        assert!(dir_is_empty_except(dir.path(), &[]).expect("ls"));
    }
}
