//! Rules read from Dockerfiles: M5 (FROM the penultimate Debian/Alpine, never `latest`),
//! M15 (no password in a Dockerfile) and M12 for ENTRYPOINT/CMD. Also resolves the script an
//! ENTRYPOINT/CMD runs (`COPY tools/x.sh /usr/local/bin/` + `ENTRYPOINT ["x.sh"]`) back to
//! its file in the tree, so [`crate::check::scripts`] can read it as an entrypoint.

use std::collections::{BTreeSet, HashMap};

use crate::check::{scripts, Ctx};
use crate::finding::{Evidence, Finding};
use crate::model::{interpolate, Compose};
use crate::repo::{basename, dirname, join};

/// Debian releases accepted as "penultimate stable": bookworm (12) since trixie (13)
/// became stable in August 2025. Tags match as `bookworm`, `bookworm-slim`, `12`, `12.x`.
pub const DEBIAN_ACCEPTED: &[&str] = &["bookworm", "12"];

/// Alpine branches accepted as "penultimate stable". Alpine ships a branch every six months
/// (3.23 in December 2025), so the penultimate is 3.22; 3.21 stays accepted because it was
/// the penultimate one until then and peers still submit it during the transition. Edit
/// this list when Alpine releases again; tags match as `3.22` or `3.22.x`.
pub const ALPINE_ACCEPTED: &[&str] = &["3.21", "3.22"];

/// One Dockerfile instruction, continuation lines joined.
#[derive(Debug, Clone)]
pub struct Instruction {
    /// 1-based line where it starts.
    pub line: usize,
    /// Upper-case keyword (`FROM`, `RUN`, ...).
    pub keyword: String,
    /// The rest, continuation lines joined with spaces.
    pub args: String,
    /// The first physical line, for evidence.
    pub raw: String,
}

/// Splits a Dockerfile into instructions.
#[must_use]
pub fn parse(text: &str) -> Vec<Instruction> {
    let mut out = Vec::new();
    let mut current: Option<Instruction> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if current.is_some() && trimmed.starts_with('#') {
            continue;
        }
        let (body, cont) = match trimmed.strip_suffix('\\') {
            Some(b) => (b.trim_end(), true),
            None => (trimmed, false),
        };
        match current.as_mut() {
            Some(ins) => {
                ins.args.push(' ');
                ins.args.push_str(body);
            }
            None => {
                let (kw, rest) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
                current = Some(Instruction {
                    line: i + 1,
                    keyword: kw.to_ascii_uppercase(),
                    args: rest.trim().to_string(),
                    raw: trimmed.to_string(),
                });
            }
        }
        if !cont {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out
}

/// Runs the Dockerfile checks.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    let files = ctx.repo.dockerfiles();
    if files.is_empty() {
        out.push(
            Finding::fail(
                "M5",
                "Images are built FROM the penultimate stable Debian or Alpine",
                "Write one Dockerfile per service.",
            )
            .with(Evidence::file(
                "srcs/requirements",
                "no Dockerfile in the tree",
            )),
        );
        return out;
    }
    let local = locally_built(ctx);
    let mut secrets = Vec::new();
    for f in &files {
        let Some(text) = ctx.repo.text(f) else {
            out.push(
                Finding::fail(
                    "M5",
                    "Dockerfile is readable",
                    "Fix the file's permissions.",
                )
                .with(Evidence::file(f.as_str(), "unreadable")),
            );
            continue;
        };
        let ins = parse(&text);
        out.push(m5_from(f, &ins, &local));
        secrets.extend(m15_passwords(f, &ins));
        out.extend(m12_cmd(f, &ins));
    }
    const RULE: &str = "No password in any Dockerfile (ENV/ARG values, IDENTIFIED BY literals)";
    if secrets.is_empty() {
        out.push(Finding::pass("M15", RULE).with(Evidence::file(
            "srcs",
            format!("{} Dockerfile(s) checked", files.len()),
        )));
    } else {
        out.push(Finding::fail("M15", RULE, "Pass passwords at run time through Docker secrets (files under /run/secrets) or srcs/.env, never in the image.").with_all(secrets));
    }
    out
}

/// Images the tree builds itself, as (repository, tag): compose services with `build:` and
/// `image:`, and `docker build -t NAME` in the Makefile or scripts (Make variables resolved).
fn locally_built(ctx: &Ctx) -> BTreeSet<(String, Option<String>)> {
    let mut names = BTreeSet::new();
    if let Some(c) = ctx.compose() {
        for s in &c.services {
            if let (Some(_), Some(img)) = (&s.build, &s.image) {
                let (expanded, _) = interpolate(img, &c.env);
                names.insert(crate::check::compose::split_image(&expanded));
            }
        }
    }
    let mut files = ctx.repo.scripts();
    files.extend(ctx.repo.makefile());
    for f in files {
        let Some(t) = ctx.repo.text(&f) else { continue };
        let vars = assignments(&t);
        for l in t.lines() {
            let words: Vec<&str> = l.split_whitespace().collect();
            for w in words.windows(2) {
                let tag = if w[0] == "-t" || w[0] == "--tag" {
                    w[1]
                } else if let Some(v) = w[0].strip_prefix("--tag=") {
                    v
                } else {
                    continue;
                };
                let tag = tag.trim_matches(|c| c == '"' || c == '\'');
                let resolved = resolve_var(tag, &vars).unwrap_or_else(|| tag.to_string());
                names.insert(crate::check::compose::split_image(&resolved));
            }
        }
    }
    names
}

fn assignments(text: &str) -> HashMap<String, String> {
    let mut vars = HashMap::new();
    for l in text.lines() {
        for op in [":=", "?=", "::=", "="] {
            if let Some((k, v)) = l.split_once(op) {
                let k = k.trim().trim_start_matches("export ").trim();
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    vars.entry(k.to_string())
                        .or_insert_with(|| v.trim().to_string());
                }
                break;
            }
        }
    }
    vars
}

fn resolve_var(word: &str, vars: &HashMap<String, String>) -> Option<String> {
    let name = word
        .strip_prefix("$(")
        .and_then(|w| w.strip_suffix(')'))
        .or_else(|| word.strip_prefix("${").and_then(|w| w.strip_suffix('}')))
        .or_else(|| word.strip_prefix('$'))?;
    vars.get(name).cloned()
}

/// Verdict on one FROM image reference (after ARG expansion).
#[derive(Debug, PartialEq, Eq)]
enum From {
    Ok,
    Latest,
    TooOld,
    Foreign,
    Unknown,
}

fn classify(image: &str, stages: &[String], local: &BTreeSet<(String, Option<String>)>) -> From {
    if stages.iter().any(|s| s.eq_ignore_ascii_case(image)) || image == "scratch" {
        return From::Ok;
    }
    let (repo, tag) = crate::check::compose::split_image(image);
    // An image built in the tree, same tag (or a tag set by a variable on either side).
    let own = local.iter().any(|(r, t)| {
        *r == repo
            && match (&tag, t) {
                (Some(a), Some(b)) => a == b || a.contains('$') || b.contains('$'),
                _ => false,
            }
    });
    if own {
        return From::Ok;
    }
    let short = repo
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let Some(tag) = tag else {
        return if image.contains('@') {
            From::Unknown
        } else {
            From::Latest
        };
    };
    if tag == "latest" || tag.is_empty() {
        return From::Latest;
    }
    if tag.contains('$') {
        return From::Unknown;
    }
    let accepted = match short {
        "debian" => DEBIAN_ACCEPTED,
        "alpine" => ALPINE_ACCEPTED,
        _ => return From::Foreign,
    };
    let ok = accepted.iter().any(|a| {
        tag == *a
            || tag
                .strip_prefix(a)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('-'))
    });
    if ok {
        From::Ok
    } else {
        From::TooOld
    }
}

fn m5_from(file: &str, ins: &[Instruction], local: &BTreeSet<(String, Option<String>)>) -> Finding {
    let rule = format!(
        "{file}: FROM the penultimate stable Debian (bookworm) or Alpine ({}), never `latest`",
        ALPINE_ACCEPTED.join("/")
    );
    let mut args: HashMap<String, String> = HashMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut unknown = Vec::new();
    for i in ins {
        match i.keyword.as_str() {
            "ARG" => {
                if let Some((k, v)) = i.args.split_once('=') {
                    args.entry(k.trim().to_string())
                        .or_insert_with(|| v.trim().trim_matches('"').to_string());
                }
            }
            "FROM" => {
                let words: Vec<&str> = i
                    .args
                    .split_whitespace()
                    .filter(|w| !w.starts_with("--"))
                    .collect();
                let Some(image) = words.first() else { continue };
                let (expanded, _) = interpolate(image, &args);
                let ev = Evidence::line(file, i.line, &i.raw);
                // The raw reference decides "own image built in the tree" before expansion too.
                let verdict = match classify(image, &stages, local) {
                    From::Ok => From::Ok,
                    _ => classify(&expanded, &stages, local),
                };
                match verdict {
                    From::Ok => good.push(ev),
                    From::Unknown => unknown.push(ev),
                    From::Latest => bad.push(Evidence::line(
                        file,
                        i.line,
                        format!("{} (untagged or latest)", i.raw),
                    )),
                    From::TooOld => bad.push(Evidence::line(
                        file,
                        i.line,
                        format!("{} (not the penultimate stable release)", i.raw),
                    )),
                    From::Foreign => bad.push(Evidence::line(
                        file,
                        i.line,
                        format!("{} (ready-made image)", i.raw),
                    )),
                }
                if let (Some(as_kw), Some(name)) = (words.get(1), words.get(2)) {
                    if as_kw.eq_ignore_ascii_case("as") {
                        stages.push((*name).to_string());
                    }
                }
            }
            _ => {}
        }
    }
    if !bad.is_empty() {
        Finding::fail("M5", rule, "Use `FROM debian:bookworm` (or an accepted Alpine tag), with an explicit tag, and install services with the package manager.")
            .with_all(bad)
            .with_all(unknown)
    } else if !unknown.is_empty() {
        Finding::warn(
            "M5",
            rule,
            "Give the ARG used in FROM a default the audit can check, or use a literal tag.",
        )
        .with_all(unknown)
    } else if good.is_empty() {
        Finding::fail(
            "M5",
            rule,
            "Start the Dockerfile with `FROM debian:bookworm`.",
        )
        .with(Evidence::file(file, "no FROM instruction"))
    } else {
        Finding::pass("M5", rule).with_all(good)
    }
}

fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    (k.contains("PASS") || k.contains("SECRET") || k.contains("PWD"))
        && !k.ends_with("_FILE")
        && !k.ends_with("_PATH")
        && !k.ends_with("_DIR")
}

fn m15_passwords(file: &str, ins: &[Instruction]) -> Vec<Evidence> {
    let mut out = Vec::new();
    for i in ins {
        match i.keyword.as_str() {
            "ENV" | "ARG" => {
                let pairs: Vec<(String, String)> = if i.args.contains('=') {
                    i.args
                        .split_whitespace()
                        .filter_map(|w| {
                            w.split_once('=')
                                .map(|(k, v)| (k.to_string(), v.to_string()))
                        })
                        .collect()
                } else {
                    let mut it = i.args.splitn(2, char::is_whitespace);
                    match (it.next(), it.next()) {
                        (Some(k), Some(v)) => vec![(k.to_string(), v.trim().to_string())],
                        _ => vec![],
                    }
                };
                for (k, v) in pairs {
                    let v = v.trim_matches(|c| c == '"' || c == '\'');
                    if is_secret_key(&k)
                        && !v.is_empty()
                        && !v.starts_with('$')
                        && !v.starts_with("/run/secrets")
                    {
                        out.push(Evidence::line(file, i.line, &i.raw));
                    }
                }
            }
            "RUN" => {
                if let Some(lit) = identified_by_literal(&i.args) {
                    out.push(Evidence::line(
                        file,
                        i.line,
                        format!("{} … IDENTIFIED BY '{lit}'", i.keyword),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// The literal password of an `IDENTIFIED BY '...'` clause, if it is not a variable.
#[must_use]
pub fn identified_by_literal(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    let i = upper.find("IDENTIFIED BY")?;
    let rest = text[i + "IDENTIFIED BY".len()..].trim_start();
    let rest = rest.trim_start_matches('\\');
    let quote = rest.chars().next()?;
    if !matches!(quote, '\'' | '"' | '`') {
        return None;
    }
    let body = &rest[1..];
    let end = body.find(quote)?;
    let lit = &body[..end];
    (!lit.is_empty() && !lit.contains('$')).then(|| lit.to_string())
}

/// The command of an ENTRYPOINT/CMD: words of the exec form, or the shell form as one word
/// list.
fn command_words(args: &str) -> (Vec<String>, bool) {
    if args.trim_start().starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Vec<String>>(args) {
            return (v, true);
        }
    }
    (args.split_whitespace().map(str::to_string).collect(), false)
}

fn is_bare_shell(words: &[String]) -> bool {
    let shells = [
        "bash",
        "sh",
        "/bin/bash",
        "/bin/sh",
        "/usr/bin/bash",
        "ash",
        "/bin/ash",
        "zsh",
    ];
    match words {
        [one] => shells.contains(&one.as_str()),
        [one, flag] => shells.contains(&one.as_str()) && (flag == "-l" || flag == "-i"),
        _ => false,
    }
}

fn m12_cmd(file: &str, ins: &[Instruction]) -> Vec<Finding> {
    let rule = format!("{file}: ENTRYPOINT/CMD run the daemon in the foreground (no keep-alive hack, no bare shell)");
    let has_entrypoint = ins.iter().any(|i| i.keyword == "ENTRYPOINT");
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for i in ins
        .iter()
        .filter(|i| i.keyword == "ENTRYPOINT" || i.keyword == "CMD")
    {
        let (words, _) = command_words(&i.args);
        let joined = words.join(" ");
        let ev = Evidence::line(file, i.line, &i.raw);
        if let Some(why) = scripts::hack_in_line(&joined) {
            bad.push(Evidence::line(file, i.line, format!("{} ({why})", i.raw)));
        } else if (i.keyword == "ENTRYPOINT" || !has_entrypoint) && is_bare_shell(&words) {
            bad.push(Evidence::line(
                file,
                i.line,
                format!("{} (a bare shell as the long-running process)", i.raw),
            ));
        } else {
            good.push(ev);
        }
    }
    if !bad.is_empty() {
        vec![Finding::fail("M12", rule, "Run the daemon in the foreground as PID 1 (e.g. `CMD [\"nginx\", \"-g\", \"daemon off;\"]`, or `exec php-fpm8.2 -F` at the end of the entrypoint).").with_all(bad)]
    } else if good.is_empty() {
        vec![]
    } else {
        vec![Finding::pass("M12", rule).with_all(good)]
    }
}

/// The build context used for a Dockerfile: the compose service's context when a service
/// builds it, else the Dockerfile's directory.
fn context_of(dockerfile: &str, compose: Option<&Compose>) -> String {
    compose
        .and_then(|c| {
            c.services.iter().find_map(|s| {
                s.build
                    .as_ref()
                    .filter(|b| b.dockerfile == dockerfile)
                    .map(|b| b.context.clone())
            })
        })
        .unwrap_or_else(|| dirname(dockerfile).to_string())
}

/// The files in the tree that a Dockerfile's ENTRYPOINT/CMD runs, as (script, evidence of
/// the instruction).
#[must_use]
pub fn entrypoint_scripts(ctx: &Ctx) -> Vec<(String, Evidence)> {
    let mut out = Vec::new();
    for f in ctx.repo.dockerfiles() {
        let Some(text) = ctx.repo.text(&f) else {
            continue;
        };
        let context = context_of(&f, ctx.compose());
        let ins = parse(&text);
        let mut copies: Vec<(Vec<String>, String)> = Vec::new();
        let mut workdir = "/".to_string();
        for i in &ins {
            match i.keyword.as_str() {
                "FROM" => copies.clear(),
                "WORKDIR" => {
                    let w = i.args.trim();
                    workdir = if w.starts_with('/') {
                        w.to_string()
                    } else {
                        format!("{}/{w}", workdir.trim_end_matches('/'))
                    };
                }
                "COPY" | "ADD" => {
                    let (words, _) = command_words(&i.args);
                    if words.iter().any(|w| w.starts_with("--from")) {
                        continue;
                    }
                    let words: Vec<String> =
                        words.into_iter().filter(|w| !w.starts_with("--")).collect();
                    if let Some((dest, srcs)) = words.split_last() {
                        let dest = if dest.starts_with('/') {
                            dest.clone()
                        } else {
                            format!("{}/{dest}", workdir.trim_end_matches('/'))
                        };
                        copies.push((srcs.to_vec(), dest));
                    }
                }
                "ENTRYPOINT" | "CMD" => {
                    let (words, _) = command_words(&i.args);
                    for w in words.iter().take(3) {
                        let looks_like_script = w.contains('/') || w.ends_with(".sh");
                        if !looks_like_script {
                            continue;
                        }
                        let path = if w.starts_with('/') {
                            w.clone()
                        } else {
                            format!(
                                "{}/{}",
                                workdir.trim_end_matches('/'),
                                w.trim_start_matches("./")
                            )
                        };
                        if let Some(src) = resolve_copy(ctx, &context, &copies, &path) {
                            let ev = Evidence::line(&f, i.line, &i.raw);
                            if !out.iter().any(|(s, _): &(String, Evidence)| *s == src) {
                                out.push((src, ev));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn resolve_copy(
    ctx: &Ctx,
    context: &str,
    copies: &[(Vec<String>, String)],
    path: &str,
) -> Option<String> {
    for (srcs, dest) in copies.iter().rev() {
        for src in srcs {
            let in_tree = join(context, src);
            let candidate = if dest == path {
                Some(in_tree.clone())
            } else if dest.ends_with('/') || srcs.len() > 1 || is_dir(ctx, &in_tree) {
                let d = dest.trim_end_matches('/');
                path.strip_prefix(&format!("{d}/")).map(|rest| {
                    if is_dir(ctx, &in_tree) {
                        join(&in_tree, rest)
                    } else if rest == basename(src) {
                        in_tree.clone()
                    } else {
                        String::new()
                    }
                })
            } else {
                None
            };
            if let Some(c) = candidate.filter(|c| !c.is_empty() && ctx.repo.has(c)) {
                return Some(c);
            }
        }
    }
    // Fallback: a unique file with the same name in the build context.
    let name = basename(path);
    let mut hits = ctx
        .repo
        .files()
        .iter()
        .filter(|f| f.starts_with(&format!("{context}/")) && basename(f) == name);
    match (hits.next(), hits.next()) {
        (Some(one), None) => Some(one.clone()),
        _ => None,
    }
}

fn is_dir(ctx: &Ctx, rel: &str) -> bool {
    let prefix = format!("{}/", rel.trim_end_matches('/'));
    ctx.repo.files().iter().any(|f| f.starts_with(&prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_froms() {
        let local: BTreeSet<(String, Option<String>)> =
            [("inception-build".to_string(), Some("1.0".to_string()))].into();
        let stages = vec!["build".to_string()];
        assert_eq!(classify("debian:bookworm", &stages, &local), From::Ok);
        assert_eq!(classify("debian:12.5-slim", &stages, &local), From::Ok);
        assert_eq!(classify("debian", &stages, &local), From::Latest);
        assert_eq!(classify("debian:latest", &stages, &local), From::Latest);
        assert_eq!(classify("debian:buster", &stages, &local), From::TooOld);
        assert_eq!(classify("alpine:3.22.1", &stages, &local), From::Ok);
        assert_eq!(classify("alpine:3.18", &stages, &local), From::TooOld);
        assert_eq!(classify("nginx:1.25", &stages, &local), From::Foreign);
        assert_eq!(classify("build", &stages, &local), From::Ok);
        assert_eq!(classify("inception-build:${V}", &stages, &local), From::Ok);
    }

    #[test]
    fn identified_by() {
        assert_eq!(
            identified_by_literal("CREATE USER u IDENTIFIED BY 'pw1'").as_deref(),
            Some("pw1")
        );
        assert_eq!(identified_by_literal("IDENTIFIED BY '${DB_PASS}'"), None);
    }

    #[test]
    fn continuation() {
        let ins = parse("FROM debian:bookworm\nRUN a \\\n  # c\n  b\nCMD [\"x\"]\n");
        assert_eq!(ins.len(), 3);
        assert_eq!(ins[1].args, "a b");
        assert_eq!(ins[2].line, 5);
    }
}
