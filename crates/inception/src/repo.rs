//! Locating things in an Inception tree whose layout varies from one student to the next:
//! the compose file may be `srcs/docker-compose.yml`, `srcs/compose.yaml` or at the root,
//! services sit under `srcs/requirements/<svc>/` or `srcs/requirements/bonus/<svc>/`, and
//! the Makefile may be missing. The walk skips build outputs and VCS metadata.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// Errors opening a repository.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RepoError {
    /// The path given is not a directory.
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    /// Listing the tree failed.
    #[error("cannot list {path}: {source}")]
    Walk {
        /// Directory being listed.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

/// Directories never walked into.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules", ".build", ".cache"];

/// Files bigger than this are not read as text.
const MAX_TEXT: u64 = 1024 * 1024;

/// Compose file names, in the order docker compose itself prefers them.
pub const COMPOSE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// An audited tree: its root and the list of its files.
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
    files: Vec<String>,
}

impl Repo {
    /// Walks the tree at `root`.
    ///
    /// # Errors
    /// When `root` is not a directory or cannot be listed.
    pub fn open(root: &Path) -> Result<Self, RepoError> {
        if !root.is_dir() {
            return Err(RepoError::NotADirectory(root.to_path_buf()));
        }
        let mut files = Vec::new();
        walk(root, "", &mut files)?;
        files.sort();
        Ok(Self {
            root: root.to_path_buf(),
            files,
        })
    }

    /// The root directory.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every file, as a `/`-separated path relative to the root.
    #[must_use]
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Absolute path of a relative one.
    #[must_use]
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Whether the tree holds this relative file.
    #[must_use]
    pub fn has(&self, rel: &str) -> bool {
        let rel = normalize(rel);
        self.files.binary_search(&rel).is_ok()
    }

    /// Reads a file as text (lossy UTF-8).
    ///
    /// # Errors
    /// When the file cannot be read or is too big to be a config file.
    pub fn read(&self, rel: &str) -> std::io::Result<String> {
        let path = self.path(rel);
        let meta = std::fs::metadata(&path)?;
        if meta.len() > MAX_TEXT {
            return Err(std::io::Error::other(format!(
                "{} bytes, too big for a configuration file",
                meta.len()
            )));
        }
        let bytes = std::fs::read(&path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Reads a file that is known to exist; `None` when unreadable.
    #[must_use]
    pub fn text(&self, rel: &str) -> Option<String> {
        self.read(rel).ok()
    }

    /// The compose file: under `srcs/` first, then at the root.
    #[must_use]
    pub fn compose_file(&self) -> Option<String> {
        for dir in ["srcs/", ""] {
            for name in COMPOSE_NAMES {
                let rel = format!("{dir}{name}");
                if self.has(&rel) {
                    return Some(rel);
                }
            }
        }
        // Anywhere else (e.g. srcs/docker/compose.yml): found, but in an odd place.
        self.files
            .iter()
            .find(|f| COMPOSE_NAMES.contains(&basename(f)))
            .cloned()
    }

    /// The root Makefile, if any.
    #[must_use]
    pub fn makefile(&self) -> Option<String> {
        ["Makefile", "makefile", "GNUmakefile"]
            .iter()
            .find(|n| self.has(n))
            .map(|n| (*n).to_string())
    }

    /// Every Dockerfile in the tree (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`).
    #[must_use]
    pub fn dockerfiles(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| {
                let b = basename(f);
                b == "Dockerfile" || b.starts_with("Dockerfile.") || b.ends_with(".Dockerfile")
            })
            .cloned()
            .collect()
    }

    /// Every shell script under `srcs/` (by extension, or by a shell shebang).
    #[must_use]
    pub fn scripts(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| f.starts_with("srcs/"))
            .filter(|f| {
                let b = basename(f);
                if b.ends_with(".sh") || b.ends_with(".bash") {
                    return true;
                }
                if b.contains('.') {
                    return false;
                }
                self.text(f).is_some_and(|t| is_shell_shebang(&t))
            })
            .cloned()
            .collect()
    }

    /// Files under `srcs/` (text candidates for configuration searches).
    #[must_use]
    pub fn srcs_files(&self) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| f.starts_with("srcs/"))
            .cloned()
            .collect()
    }
}

/// Whether a text starts with a shell shebang.
#[must_use]
pub fn is_shell_shebang(text: &str) -> bool {
    let first = text.lines().next().unwrap_or_default();
    first.starts_with("#!")
        && ["sh", "bash", "dash", "ash", "zsh"].iter().any(|s| {
            first.ends_with(&format!("/{s}"))
                || first.contains(&format!("/{s} "))
                || first.ends_with(&format!(" {s}"))
                || first.contains(&format!(" {s} "))
        })
}

/// The last component of a `/`-separated path.
#[must_use]
pub fn basename(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// The directory part of a `/`-separated path (`""` for the root).
#[must_use]
pub fn dirname(rel: &str) -> &str {
    match rel.rfind('/') {
        Some(i) => &rel[..i],
        None => "",
    }
}

/// Joins a relative directory and a relative path, resolving `.` and `..` lexically.
#[must_use]
pub fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        normalize(rel)
    } else {
        normalize(&format!("{dir}/{rel}"))
    }
}

/// Resolves `.`, `..` and repeated slashes lexically; a path escaping the root keeps its
/// leading `..` components.
#[must_use]
pub fn normalize(rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn walk(root: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), RepoError> {
    let dir = if prefix.is_empty() {
        root.to_path_buf()
    } else {
        root.join(prefix)
    };
    let entries = std::fs::read_dir(&dir).map_err(|source| RepoError::Walk {
        path: dir.clone(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if SKIPPED_DIRS.contains(&name.as_str()) {
                continue;
            }
            // An unreadable subdirectory is not fatal: it is simply not audited.
            let _ = walk(root, &rel, out);
        } else if kind.is_file() || kind.is_symlink() {
            out.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("srcs/./a/../b//c"), "srcs/b/c");
        assert_eq!(join("srcs", "../secrets/x"), "secrets/x");
        assert_eq!(join("", "../x"), "../x");
    }

    #[test]
    fn shebangs() {
        assert!(is_shell_shebang("#!/bin/sh\n"));
        assert!(is_shell_shebang("#!/usr/bin/env bash\n"));
        assert!(!is_shell_shebang("#!/usr/bin/env python3\n"));
    }
}
