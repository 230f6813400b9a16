//! M13: the WordPress administrator's name contains no form of "admin". Read from the
//! values of `*ADMIN*USER*`/`WP_ADMIN*` keys in `.env` and `.env.example`-like files.

use crate::check::Ctx;
use crate::finding::{Evidence, Finding};
use crate::repo::basename;

/// Parses `KEY=value` lines (optional `export`, quotes stripped) into (key, value, line).
#[must_use]
pub fn parse_env(text: &str) -> Vec<(String, String, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let l = l.trim();
            if l.starts_with('#') {
                return None;
            }
            let l = l.strip_prefix("export ").unwrap_or(l);
            let (k, v) = l.split_once('=')?;
            let k = k.trim();
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.to_string(), v.to_string(), i + 1))
        })
        .collect()
}

/// Whether a key names the administrator's user name.
#[must_use]
pub fn is_admin_user_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    if ["PASS", "MAIL", "PWD", "SECRET"]
        .iter()
        .any(|x| k.contains(x))
    {
        return false;
    }
    (k.contains("ADMIN") && (k.contains("USER") || k.contains("NAME") || k.contains("LOGIN")))
        || k == "WP_ADMIN"
        || k.starts_with("WP_ADMIN")
}

/// Env files of the tree (`.env`, `.env.example`, `.env.sample`, ...).
#[must_use]
pub fn env_files(ctx: &Ctx) -> Vec<String> {
    ctx.repo
        .files()
        .iter()
        .filter(|f| {
            let b = basename(f);
            b == ".env" || b.starts_with(".env.") || b == "env.example"
        })
        .cloned()
        .collect()
}

/// Runs the M13 check.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "The WordPress administrator's name contains no form of \"admin\"";
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for f in env_files(ctx) {
        let Some(t) = ctx.repo.text(&f) else { continue };
        for (k, v, n) in parse_env(&t) {
            if !is_admin_user_key(&k) {
                continue;
            }
            let ev = Evidence::line(&f, n, format!("{k}={v}"));
            if v.to_ascii_lowercase().contains("admin") {
                bad.push(ev);
            } else {
                good.push(ev);
            }
        }
    }
    if !bad.is_empty() {
        vec![Finding::fail("M13", RULE, "Pick an administrator name without \"admin\", \"Admin\", \"administrator\"... (e.g. <login>_chief).").with_all(bad)]
    } else if good.is_empty() {
        vec![Finding::skip(
            "M13",
            RULE,
            "srcs/.env.example",
            "no administrator user setting (*ADMIN*USER*, WP_ADMIN*) in any .env file",
        )]
    } else {
        vec![Finding::pass("M13", RULE).with_all(good)]
    }
}
