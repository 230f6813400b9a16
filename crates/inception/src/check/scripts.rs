//! Shell scripts: M12 keep-alive hacks (in every script under `srcs/` and in each script a
//! Dockerfile's ENTRYPOINT/CMD runs), M15 leaks (`set -x` in a script reading secrets,
//! `echo $PASSWORD`), and M7 runtime downloads in entrypoints (WordPress and wp-cli belong
//! in the image, installed at build time).

use crate::check::{dockerfile, Ctx};
use crate::finding::{Evidence, Finding};

/// Daemons whose backgrounding (`php-fpm8.2 &`) or foreground run without `exec` matters.
const DAEMONS: &[&str] = &[
    "php-fpm",
    "php8",
    "php7",
    "mysqld",
    "mariadbd",
    "mysqld_safe",
    "mariadbd-safe",
    "mariadb",
    "nginx",
    "vsftpd",
    "redis-server",
    "httpd",
    "apache2",
    "apachectl",
    "proftpd",
    "pure-ftpd",
];

/// The keep-alive hack on a line, if any: `tail -f`, `sleep infinity`, an endless loop,
/// `daemon on`.
#[must_use]
pub fn hack_in_line(line: &str) -> Option<&'static str> {
    let l = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if l.contains("tail -f") || l.contains("tail -F") || l.contains("tail --follow") {
        return Some("`tail -f` keeps the container alive instead of the daemon");
    }
    if l.contains("sleep infinity") || l.contains("sleep inf ") || l.ends_with("sleep inf") {
        return Some("`sleep infinity` keeps the container alive instead of the daemon");
    }
    let endless = [
        "while true",
        "while :",
        "while [ 1 ]",
        "while [ true ]",
        "while ((1))",
        "for ((;;))",
        "for (( ; ; ))",
        "for (;;)",
        "until false",
    ];
    if endless.iter().any(|e| l.contains(e)) {
        return Some("an endless loop keeps the container alive");
    }
    if l.contains("daemon on") {
        return Some("nginx `daemon on` sends nginx to the background");
    }
    None
}

fn strip_comment(line: &str) -> &str {
    let t = line.trim();
    if t.starts_with('#') {
        return "";
    }
    match t.find(" #") {
        Some(i) => t[..i].trim_end(),
        None => t,
    }
}

/// The words of a command, past `exec`, `nohup`, env assignments and `gosu/su-exec user`.
fn command_of(line: &str) -> Vec<&str> {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    loop {
        match words.first() {
            Some(w)
                if *w == "nohup" || *w == "command" || w.contains('=') && !w.starts_with('-') =>
            {
                words.remove(0);
            }
            Some(w) if *w == "gosu" || *w == "su-exec" => {
                words.drain(..2.min(words.len()));
            }
            _ => return words,
        }
    }
}

fn is_daemon(word: &str) -> bool {
    let base = word.rsplit('/').next().unwrap_or(word);
    DAEMONS.iter().any(|d| base.starts_with(d))
}

/// Audits one script; `entrypoint` is set when a Dockerfile runs it as ENTRYPOINT/CMD.
#[must_use]
pub fn analyze(file: &str, text: &str, entrypoint: Option<&Evidence>) -> Vec<Finding> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, strip_comment(l)))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    for (n, l) in &lines {
        if let Some(why) = hack_in_line(l) {
            fails.push(Evidence::line(file, *n, format!("{l} ({why})")));
        }
    }
    // Daemons sent to the background.
    for (idx, (n, l)) in lines.iter().enumerate() {
        let Some(body) = l.strip_suffix('&') else {
            continue;
        };
        if body.ends_with('&') {
            continue;
        }
        let words = command_of(body.trim_start_matches("exec "));
        let Some(first) = words.first() else { continue };
        let later = &lines[idx + 1..];
        let waits = later
            .iter()
            .any(|(_, x)| x.split_whitespace().next() == Some("wait"));
        if !is_daemon(first) && !waits {
            continue;
        }
        let stopped = later
            .iter()
            .any(|(_, x)| x.contains("shutdown") || x.starts_with("kill") || x.contains(" stop"));
        let execs = later.iter().any(|(_, x)| {
            x.starts_with("exec ") && command_of(&x[5..]).first().is_some_and(|w| is_daemon(w))
        });
        if stopped && execs && !waits {
            warns.push(Evidence::line(file, *n, format!("{l} (temporary bootstrap server in the background: fine only if it is stopped before `exec`)")));
        } else {
            fails.push(Evidence::line(
                file,
                *n,
                format!(
                    "{l} (daemon started in the background{})",
                    if waits { ", then `wait`" } else { "" }
                ),
            ));
        }
    }
    // Unbounded retry loops.
    for (idx, (n, l)) in lines.iter().enumerate() {
        let starts_loop =
            l.starts_with("until ") || (l.starts_with("while ") && !l.starts_with("while read"));
        if !starts_loop || hack_in_line(l).is_some() {
            continue;
        }
        let body: Vec<&str> = lines[idx..]
            .iter()
            .take(30)
            .map(|(_, x)| *x)
            .take_while(|x| !x.starts_with("done"))
            .collect();
        let joined = body.join("\n");
        let single_line = l.contains("done");
        let joined = if single_line {
            (*l).to_string()
        } else {
            joined
        };
        let sleeps = joined.contains("sleep");
        let bounded = [
            "-lt", "-le", "-gt", "-ge", "((", "let ", "expr ", "seq ", "timeout", "tries",
            "retries", "attempt", "max",
        ]
        .iter()
        .any(|m| joined.contains(m));
        if sleeps && !bounded {
            warns.push(Evidence::line(
                file,
                *n,
                format!(
                    "{l} (retry loop with no bound: hangs forever if the dependency never comes)"
                ),
            ));
        }
    }
    // The entrypoint's last command should be `exec daemon`.
    if entrypoint.is_some() {
        let last = lines.iter().rev().find(|(_, l)| {
            !matches!(*l, "fi" | "done" | "}" | "esac" | ";;") && !l.starts_with("exit")
        });
        if let Some((n, l)) = last {
            let words = command_of(l);
            let runs_daemon = words
                .first()
                .is_some_and(|w| is_daemon(w) || *w == "\"$@\"" || *w == "$@");
            if !l.starts_with("exec ") && runs_daemon && !l.ends_with('&') {
                warns.push(Evidence::line(file, *n, format!("{l} (last command without `exec`: the shell stays PID 1 and signals never reach the daemon)")));
            }
        }
    }
    let rule = format!("{file}: no keep-alive hack (tail -f, sleep infinity, endless loop, daemon in the background)");
    let mut out = Vec::new();
    let ep: Vec<Evidence> = entrypoint.cloned().into_iter().collect();
    if fails.is_empty() && warns.is_empty() {
        out.push(
            Finding::pass("M12", rule)
                .with(Evidence::file(
                    file,
                    if entrypoint.is_some() {
                        "entrypoint script: no hack found"
                    } else {
                        "no hack found"
                    },
                ))
                .with_all(ep.clone()),
        );
    } else {
        if !fails.is_empty() {
            out.push(Finding::fail("M12", rule.clone(), "Start the daemon in the foreground as the script's last command: `exec php-fpm8.2 -F`, `exec mysqld`, `exec nginx -g 'daemon off;'`.").with_all(fails).with_all(ep.clone()));
        }
        if !warns.is_empty() {
            out.push(Finding::warn("M12", rule, "End the entrypoint with `exec <daemon>` in the foreground; bound every wait loop (a counter and an error after N tries).").with_all(warns).with_all(ep.clone()));
        }
    }
    out.extend(m15_leaks(file, text, &lines));
    if entrypoint.is_some() {
        out.extend(m7_downloads(file, &lines, &ep));
    }
    out
}

fn m15_leaks(file: &str, text: &str, lines: &[(usize, &str)]) -> Vec<Finding> {
    let mut bad = Vec::new();
    let reads_secrets = {
        let u = text.to_ascii_uppercase();
        u.contains("/RUN/SECRETS")
            || u.contains("PASSWORD")
            || u.contains("_PASS")
            || u.contains("SECRET")
    };
    let first = text.lines().next().unwrap_or_default();
    if reads_secrets
        && first.starts_with("#!")
        && first
            .split_whitespace()
            .any(|w| w.starts_with('-') && w.contains('x'))
    {
        bad.push(Evidence::line(
            file,
            1,
            format!("{first} (traces every command, secrets included, to the logs)"),
        ));
    }
    for (n, l) in lines {
        let words: Vec<&str> = l.split_whitespace().collect();
        let set_x = words.windows(2).any(|w| {
            w[0] == "set"
                && ((w[1].starts_with('-') && w[1].contains('x') && !w[1].starts_with("--"))
                    || w[1] == "-o" && l.contains("xtrace"))
        });
        if set_x && reads_secrets {
            bad.push(Evidence::line(
                file,
                *n,
                format!("{l} (traces every command, secrets included, to the logs)"),
            ));
        }
        let echoes = words
            .first()
            .is_some_and(|w| *w == "echo" || *w == "printf");
        if echoes && !l.contains('|') && !l.contains('>') {
            let u = l.to_ascii_uppercase();
            let leaks = u.match_indices('$').any(|(i, _)| {
                let var: String = u[i + 1..]
                    .trim_start_matches('{')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                var.contains("PASS") || var.contains("SECRET")
            });
            if leaks {
                bad.push(Evidence::line(
                    file,
                    *n,
                    format!("{l} (prints a password to the logs)"),
                ));
            }
        }
    }
    if bad.is_empty() {
        vec![]
    } else {
        vec![Finding::fail(
            "M15",
            format!("{file}: no secret printed to the logs"),
            "Remove `set -x` from scripts that handle secrets and never echo a password.",
        )
        .with_all(bad)]
    }
}

fn m7_downloads(file: &str, lines: &[(usize, &str)], ep: &[Evidence]) -> Vec<Finding> {
    let mut hits = Vec::new();
    for (n, l) in lines {
        let piped_shell = (l.contains("curl") || l.contains("wget"))
            && ["| sh", "| bash", "|sh", "|bash"]
                .iter()
                .any(|p| l.contains(p));
        let download = l.contains("wp core download")
            || piped_shell
            || ((l.contains("curl") || l.contains("wget"))
                && (l.contains("wp-cli.phar") || l.contains("wordpress.org/")))
            || l.contains("apt-get install")
            || l.contains("apk add");
        if download {
            hits.push(Evidence::line(file, *n, *l));
        }
    }
    if hits.is_empty() {
        vec![]
    } else {
        vec![Finding::warn("M7", format!("{file}: WordPress and its tools are installed at build time, not downloaded at each start"), "Move downloads and package installs into the Dockerfile (RUN at build time); the entrypoint only configures.").with_all(hits).with_all(ep.iter().cloned())]
    }
}

/// Runs the script checks on every script under `srcs/` and every entrypoint script.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let entry = dockerfile::entrypoint_scripts(ctx);
    let mut files = ctx.repo.scripts();
    for (s, _) in &entry {
        if !files.contains(s) {
            files.push(s.clone());
        }
    }
    let mut out = Vec::new();
    for f in &files {
        let ep = entry.iter().find(|(s, _)| s == f).map(|(_, e)| e);
        match ctx.repo.read(f) {
            Ok(t) => out.extend(analyze(f, &t, ep)),
            Err(e) => out.push(
                Finding::fail(
                    "M12",
                    format!("{f}: readable"),
                    "Fix the file's permissions.",
                )
                .with(Evidence::file(f.as_str(), e.to_string())),
            ),
        }
    }
    if files.is_empty() {
        out.push(
            Finding::pass("M12", "No shell script keeps a container alive")
                .with(Evidence::file("srcs", "no shell scripts under srcs/")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(text: &str, entry: bool) -> Vec<(&'static str, crate::finding::Verdict)> {
        let ev = Evidence::file("Dockerfile", "ENTRYPOINT");
        analyze("x.sh", text, entry.then_some(&ev))
            .into_iter()
            .map(|f| (f.id, f.verdict))
            .collect()
    }

    #[test]
    fn hacks() {
        use crate::finding::Verdict::*;
        assert_eq!(
            verdicts("#!/bin/sh\nphp-fpm8.2 &\nwait\n", true)[0],
            ("M12", Fail)
        );
        assert_eq!(
            verdicts("#!/bin/sh\nexec php-fpm8.2 -F\n", true),
            vec![("M12", Pass)]
        );
        assert_eq!(
            verdicts("#!/bin/sh\nphp-fpm8.2 -F\n", true),
            vec![("M12", Warn)]
        );
        assert_eq!(
            verdicts(
                "#!/bin/sh\nuntil nc -z db 3306; do sleep 1; done\nexec nginx\n",
                true
            ),
            vec![("M12", Warn)]
        );
        assert_eq!(verdicts("#!/bin/sh\ni=0\nuntil nc -z db 3306; do\n i=$((i+1))\n sleep 1\ndone\nexec nginx\n", true), vec![("M12", Pass)]);
        assert_eq!(
            verdicts("#!/bin/sh\nwhile true; do sleep 1; done\n", false),
            vec![("M12", Fail)]
        );
        assert!(
            verdicts("#!/bin/sh\nset -eux\ncat /run/secrets/db\nexec x\n", false)
                .contains(&("M15", Fail))
        );
        assert!(verdicts("#!/bin/sh\necho $DB_PASSWORD\n", false).contains(&("M15", Fail)));
        assert!(
            verdicts("#!/bin/sh\nwp core download\nexec php-fpm8.2 -F\n", true)
                .contains(&("M7", Warn))
        );
    }
}
