//! `initd check-env`: the whole of `srcs/.env` checked before anything starts.
//!
//! `make` runs it (inside the build image, so the host needs no Rust) before creating data
//! directories or containers, and reports every problem at once, each with its line and its
//! fix. The per-service checks used at container start are the same functions.

use crate::{services, settings, sql};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Variables the stack cannot start without.
pub const REQUIRED: &[&str] = &[
    "LOGIN",
    "DOMAIN_NAME",
    "WP_TITLE",
    "WP_ADMIN_USER",
    "WP_ADMIN_EMAIL",
    "WP_USER",
    "WP_USER_EMAIL",
    "MYSQL_DATABASE",
    "MYSQL_USER",
];

/// Parses `KEY=VALUE` lines the way both compose v1 and v2 read them (values literal);
/// returns the values or the list of malformed lines.
pub fn parse(text: &str) -> (BTreeMap<String, (usize, String)>, Vec<String>) {
    let mut values = BTreeMap::new();
    let mut problems = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            problems.push(format!(
                "line {line_no}: expected KEY=VALUE, found {line:?}"
            ));
            continue;
        };
        let valid_key = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_key {
            problems.push(format!(
                "line {line_no}: {key:?} is not a variable name (letters, digits, '_'; no spaces or 'export')"
            ));
            continue;
        }
        if value.starts_with(['"', '\'']) {
            problems.push(format!(
                "line {line_no}: {key} is quoted; values are taken literally by Docker Compose, remove the quotes"
            ));
        }
        if values
            .insert(key.to_owned(), (line_no, value.to_owned()))
            .is_some()
        {
            problems.push(format!("line {line_no}: {key} is set twice; keep one"));
        }
    }
    (values, problems)
}

/// Every rule a `.env` must satisfy; returns the list of problems (empty when valid).
pub fn problems(text: &str, expected_login: Option<&str>) -> Vec<String> {
    let (values, mut problems) = parse(text);
    let get = |key: &str| {
        values
            .get(key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    for key in REQUIRED {
        match values.get(*key) {
            None => problems.push(format!(
                "{key} is missing; add {key}=... (see srcs/.env.example)"
            )),
            Some((line, v)) if v.trim().is_empty() => {
                problems.push(format!("line {line}: {key} is empty; give it a value"))
            }
            Some(_) => {}
        }
    }
    for (key, (line, _)) in &values {
        let upper = key.to_ascii_uppercase();
        if ["PASSWORD", "PASSWD", "SECRET", "TOKEN"]
            .iter()
            .any(|w| upper.contains(w))
        {
            problems.push(format!(
                "line {line}: {key} looks like a credential; passwords live in secrets/ (Docker secrets), not in .env"
            ));
        }
    }
    let mut check = |result: Result<()>| {
        if let Err(err) = result {
            problems.push(err.to_string());
        }
    };
    if let Some(login) = get("LOGIN") {
        let ok = login.len() <= 32
            && login.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && login
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            check(Err(anyhow::anyhow!(
                "LOGIN={login:?} must be a 42 login: lowercase letters, digits and '-' (it becomes <login>.42.fr)"
            )));
        }
        if let Some(expected) = expected_login.filter(|e| *e != login) {
            check(Err(anyhow::anyhow!(
                "LOGIN={login:?} in .env but make was given LOGIN={expected:?}; make them agree"
            )));
        }
        if let Some(domain) = get("DOMAIN_NAME") {
            check(services::check_domain(domain));
            if domain != format!("{login}.42.fr") {
                check(Err(anyhow::anyhow!(
                    "DOMAIN_NAME={domain:?} must be {login}.42.fr (rule M14)"
                )));
            }
        }
    }
    if let Some(admin) = get("WP_ADMIN_USER") {
        check(settings::check_admin_name(admin));
        if get("WP_USER").is_some_and(|u| u.eq_ignore_ascii_case(admin)) {
            check(Err(anyhow::anyhow!(
                "WP_USER must differ from WP_ADMIN_USER: the site needs two users"
            )));
        }
    }
    for key in ["WP_ADMIN_USER", "WP_USER"] {
        if let Some(v) = get(key) {
            if v.len() > 60 || v.chars().any(|c| c.is_control() || c == '<' || c == '>') {
                check(Err(anyhow::anyhow!(
                    "{key}={v:?} is not a usable WordPress login"
                )));
            }
        }
    }
    for key in ["WP_ADMIN_EMAIL", "WP_USER_EMAIL"] {
        if let Some(v) = get(key) {
            let ok = v
                .split_once('@')
                .is_some_and(|(a, d)| !a.is_empty() && d.contains('.'))
                && !v.contains(char::is_whitespace);
            if !ok {
                check(Err(anyhow::anyhow!("{key}={v:?} is not an e-mail address")));
            }
        }
    }
    if let (Some(a), Some(b)) = (get("WP_ADMIN_EMAIL"), get("WP_USER_EMAIL")) {
        if a.eq_ignore_ascii_case(b) {
            check(Err(anyhow::anyhow!(
                "WP_ADMIN_EMAIL and WP_USER_EMAIL must differ"
            )));
        }
    }
    for key in ["MYSQL_DATABASE", "MYSQL_USER"] {
        if let Some(v) = get(key) {
            check(sql::check_name(key, v));
        }
    }
    if let Some(user) = get("FTP_USER") {
        check(services::ftp::check_user(user));
    }
    if let Some(user) = get("WEB_TOOLS_USER") {
        if user.contains([':', ' ']) {
            check(Err(anyhow::anyhow!(
                "WEB_TOOLS_USER={user:?} must not contain ':' or spaces"
            )));
        }
    }
    if get("MYSQL_USER") == Some("root") {
        check(Err(anyhow::anyhow!(
            "MYSQL_USER must not be root: WordPress gets its own user"
        )));
    }
    problems
}

/// `initd check-env FILE [--login NAME]`: prints every problem and fails if there is one.
pub fn check_file(path: &Path, expected_login: Option<&str>) -> Result<i32> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let problems = problems(&text, expected_login);
    if problems.is_empty() {
        return Ok(0);
    }
    eprintln!(
        "error: srcs/.env has {} problem(s); nothing was changed:",
        problems.len()
    );
    for p in &problems {
        eprintln!("  - {p}");
    }
    bail!("fix srcs/.env and run make again")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# comment\nLOGIN=jdoe\nDOMAIN_NAME=jdoe.42.fr\nWP_TITLE=My site\n\
WP_ADMIN_USER=jdoe_chief\nWP_ADMIN_EMAIL=jdoe@student.42.fr\nWP_USER=writer\n\
WP_USER_EMAIL=w@student.42.fr\nMYSQL_DATABASE=wordpress\nMYSQL_USER=wp_user\n";

    fn with(replace: &str, by: &str) -> Vec<String> {
        problems(&GOOD.replace(replace, by), Some("jdoe"))
    }

    #[test]
    fn a_good_file_passes() {
        assert_eq!(problems(GOOD, Some("jdoe")), Vec::<String>::new());
    }

    #[test]
    fn each_rule_names_the_problem() {
        let cases = [
            (
                "WP_ADMIN_USER=jdoe_chief",
                "WP_ADMIN_USER=SiteAdmin",
                "admin",
            ),
            ("MYSQL_USER=wp_user\n", "", "MYSQL_USER is missing"),
            ("WP_TITLE=My site", "WP_TITLE=", "WP_TITLE is empty"),
            ("WP_TITLE=My site", "WP_TITLE My site", "expected KEY=VALUE"),
            (
                "WP_TITLE=My site",
                "WP_TITLE=\"My site\"",
                "remove the quotes",
            ),
            (
                "DOMAIN_NAME=jdoe.42.fr",
                "DOMAIN_NAME=other.42.fr",
                "must be jdoe.42.fr",
            ),
            ("LOGIN=jdoe", "LOGIN=J Doe", "42 login"),
            ("MYSQL_USER=wp_user", "MYSQL_USER=wp user", "MYSQL_USER"),
            ("WP_USER=writer", "WP_USER=jdoe_chief", "two users"),
            (
                "WP_USER_EMAIL=w@student.42.fr",
                "WP_USER_EMAIL=nope",
                "e-mail",
            ),
            (
                "MYSQL_USER=wp_user",
                "MYSQL_USER=wp_user\nDB_PASSWORD=x",
                "credential",
            ),
            ("LOGIN=jdoe", "LOGIN=jdoe\nLOGIN=jdoe", "set twice"),
            ("LOGIN=jdoe", "LOGIN=jdoe\nFTP_USER=Root", "FTP_USER"),
        ];
        for (from, to, expect) in cases {
            let found = with(from, to);
            assert!(
                found.iter().any(|p| p.contains(expect)),
                "{to:?}: expected a problem containing {expect:?}, got {found:?}"
            );
        }
    }

    #[test]
    fn login_mismatch_with_make_is_reported() {
        let found = problems(GOOD, Some("other"));
        assert!(
            found.iter().any(|p| p.contains("make was given")),
            "{found:?}"
        );
    }
}
