//! M15 in version control: no credential tracked by git now (`.env`, `secrets/*`, `*.key`,
//! `*.pem`) and none ever added in the history (then it must be rewritten: deleting the
//! file leaves the secret in every clone). Uses the `git` command; when the tree is not a
//! repository, or git is missing, the checks are skipped with the reason.

use std::process::Command;

use crate::check::Ctx;
use crate::finding::{Evidence, Finding};
use crate::repo::basename;

/// Whether a tracked path is a credential file.
#[must_use]
pub fn is_credential(path: &str) -> bool {
    let b = basename(path);
    let lower = b.to_ascii_lowercase();
    let harmless = lower.starts_with("readme")
        || lower == ".gitignore"
        || lower == ".gitkeep"
        || lower.ends_with(".example")
        || lower.ends_with(".sample")
        || lower.ends_with(".template")
        || lower.ends_with(".dist")
        || lower.ends_with(".md");
    if b == ".env" {
        return true;
    }
    if let Some(suffix) = b.strip_prefix(".env.") {
        return !["example", "sample", "template", "dist", "tpl", "defaults"].contains(&suffix);
    }
    let dirs: Vec<&str> = path.split('/').collect();
    let in_secrets = dirs[..dirs.len().saturating_sub(1)].contains(&"secrets");
    if in_secrets && !harmless {
        return true;
    }
    lower.ends_with(".key") || lower.ends_with(".pem")
}

fn git(ctx: &Ctx, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(ctx.repo.root())
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Runs the git checks.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    const TRACKED: &str = "No credential tracked by git (.env, secrets/*, *.key, *.pem)";
    const HISTORY: &str = "No credential ever committed (git history)";
    let inside = git(ctx, &["rev-parse", "--is-inside-work-tree"]);
    if inside.as_deref().map(str::trim) != Ok("true") {
        let why = match inside {
            Err(e) => format!("not a git repository ({e})"),
            Ok(_) => "not a git work tree".to_string(),
        };
        return vec![
            Finding::skip("M15", TRACKED, ".", &why),
            Finding::skip("M15", HISTORY, ".", &why),
        ];
    }
    let mut out = Vec::new();
    match git(ctx, &["ls-files", "-z"]) {
        Ok(list) => {
            let bad: Vec<Evidence> = list
                .split('\0')
                .filter(|p| !p.is_empty() && is_credential(p))
                .map(|p| Evidence::file(p, "tracked by git"))
                .collect();
            if bad.is_empty() {
                out.push(
                    Finding::pass("M15", TRACKED)
                        .with(Evidence::file(".", "git ls-files lists no credential file")),
                );
            } else {
                out.push(Finding::fail("M15", TRACKED, "`git rm --cached` the files, add them to .gitignore, rotate the credentials, and rewrite history (git filter-repo).").with_all(bad));
            }
        }
        Err(e) => out.push(Finding::skip(
            "M15",
            TRACKED,
            ".",
            &format!("git ls-files failed: {e}"),
        )),
    }
    match git(
        ctx,
        &[
            "log",
            "--all",
            "--diff-filter=A",
            "--name-only",
            "--format=",
            "--relative",
        ],
    ) {
        Ok(list) => {
            let mut seen = std::collections::BTreeSet::new();
            for p in list
                .lines()
                .map(str::trim)
                .filter(|p| !p.is_empty() && is_credential(p))
            {
                seen.insert(p.to_string());
            }
            if seen.is_empty() {
                out.push(Finding::pass("M15", HISTORY).with(Evidence::file(
                    ".",
                    "no credential file added in any commit",
                )));
            } else {
                out.push(
                    Finding::fail("M15", HISTORY, "The file is in history even if deleted since: rewrite it (git filter-repo --invert-paths --path <file>), force-push, and rotate the credentials.")
                        .with_all(seen.into_iter().map(|p| Evidence::file(p, "added in git history"))),
                );
            }
        }
        Err(e) if e.contains("does not have any commits") => {
            out.push(Finding::pass("M15", HISTORY).with(Evidence::file(".", "no commits yet")))
        }
        Err(e) => out.push(Finding::skip(
            "M15",
            HISTORY,
            ".",
            &format!("git log failed: {e}"),
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_credential;

    #[test]
    fn credentials() {
        assert!(is_credential("srcs/.env"));
        assert!(!is_credential("srcs/.env.example"));
        assert!(is_credential("secrets/db_password.txt"));
        assert!(!is_credential("secrets/README.md"));
        assert!(!is_credential("secrets/.gitignore"));
        assert!(is_credential("srcs/requirements/nginx/tools/server.key"));
        assert!(!is_credential("tests/src/checks/secrets.rs"));
    }
}
