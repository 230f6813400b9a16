//! The checks, one module per family of rules. Each module exposes `check(&Ctx)` returning
//! findings; [`run_all`] runs them in rule order.
//!
//! Theory of operation: the tree is walked once ([`Repo`]), the compose file is parsed once
//! ([`Compose`]); every check reads from those and from the files it needs. A check that
//! cannot run (no compose file, not a git repository) says "skip" with the reason; a file
//! that cannot be parsed is itself a failing finding, never a panic.

pub mod compose;
pub mod dockerfile;
pub mod docs;
pub mod env;
pub mod git;
pub mod nginx;
pub mod scripts;

use crate::finding::{Evidence, Finding};
use crate::model::{Compose, ComposeError};
use crate::repo::Repo;

/// Everything the checks read.
#[derive(Debug)]
pub struct Ctx {
    /// The tree.
    pub repo: Repo,
    /// Relative path of the compose file, if one was found.
    pub compose_file: Option<String>,
    /// The parsed compose file, or why it could not be parsed.
    pub compose: Option<Result<Compose, ComposeError>>,
    /// The 42 login given on the command line.
    pub login: Option<String>,
}

impl Ctx {
    /// Walks and parses the tree at `repo`.
    #[must_use]
    pub fn new(repo: Repo, login: Option<String>) -> Self {
        let compose_file = repo.compose_file();
        let compose = compose_file.as_deref().map(|f| Compose::load(&repo, f));
        Self {
            repo,
            compose_file,
            compose,
            login,
        }
    }

    /// The parsed compose file, when there is one that parsed.
    #[must_use]
    pub fn compose(&self) -> Option<&Compose> {
        self.compose.as_ref().and_then(|c| c.as_ref().ok())
    }

    /// A "skip" finding for a check that needs the compose file.
    #[must_use]
    pub fn no_compose(&self, id: &'static str, rule: &str) -> Finding {
        match (&self.compose_file, &self.compose) {
            (Some(f), Some(Err(e))) => {
                Finding::skip(id, rule, f, &format!("compose file unusable: {e}"))
            }
            _ => Finding::skip(id, rule, "srcs/docker-compose.yml", "no compose file found"),
        }
    }
}

/// Runs every check, in rule order (M1..M16, then B1..B5).
#[must_use]
pub fn run_all(ctx: &Ctx) -> Vec<Finding> {
    let mut all = Vec::new();
    all.extend(compose::check(ctx));
    all.extend(dockerfile::check(ctx));
    all.extend(nginx::check(ctx));
    all.extend(scripts::check(ctx));
    all.extend(env::check(ctx));
    all.extend(git::check(ctx));
    all.extend(docs::check(ctx));
    all.extend(compose::check_bonus(ctx));
    all.sort_by_key(|f| rule_order(f.id));
    all
}

/// Sort key of a rule id: M1..M17 first, then B1..B5.
#[must_use]
pub fn rule_order(id: &str) -> (u8, u32) {
    let family = u8::from(!id.starts_with('M'));
    let n = id.get(1..).and_then(|n| n.parse().ok()).unwrap_or(99);
    (family, n)
}

/// Every line (1-based) of `text` on which `pred` holds, as evidence for `file`; comments
/// (`#` first) are skipped.
pub fn grep(file: &str, text: &str, pred: impl Fn(&str) -> bool) -> Vec<Evidence> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with('#') && pred(l))
        .map(|(i, l)| Evidence::line(file, i + 1, l))
        .collect()
}
