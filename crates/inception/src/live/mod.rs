//! `inception check --live`: audits a *running* stack through the engine, by shelling out
//! to the `docker` CLI (`ps`, `inspect`, `exec`, `history`, `logs`, `volume inspect`,
//! `network inspect`), plus network probes (TLS versions, port 80, the front page).
//!
//! Theory of operation: everything the rules need is gathered first (container commands run
//! in parallel, one thread per container, plus one thread for the network probes), then
//! [`rules`] turns the raw data into findings. A docker command that fails, hangs (each
//! has a deadline) or says something unparseable becomes a failing or skipped finding with
//! the command and its error as evidence, never a panic.

pub mod destructive;
pub mod rules;
pub mod snapshot;

pub use snapshot::Snapshot;

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use probes::{probe_tls, HttpsClient, TlsVersion};

use crate::check::env::parse_env;
use crate::finding::Finding;
use rules::{ev, Container};

/// Deadline of one docker command.
pub(crate) const DOCKER_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline of one network probe.
pub(crate) const NET_TIMEOUT: Duration = Duration::from_secs(4);

/// Options of the live audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveOpts {
    /// SNI / Host name; default from the repository's `srcs/.env` or nginx's env.
    pub domain: Option<String>,
    /// Where nginx listens.
    pub addr: SocketAddr,
    /// Compose project to audit; default: the project of the `nginx` container.
    pub project: Option<String>,
    /// The repository, when `--repo` was given (for `srcs/.env` and `secrets/`).
    pub repo: Option<PathBuf>,
    /// The 42 login, for M9.
    pub login: Option<String>,
    /// `--destructive` was asked for.
    pub destructive: bool,
}

impl Default for LiveOpts {
    fn default() -> Self {
        Self {
            domain: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 443)),
            project: None,
            repo: None,
            login: None,
            destructive: false,
        }
    }
}

/// The output of one docker command, or why it failed.
pub type Out = Result<String, String>;

/// Runs `docker args...` with `stdin` (if any) and a deadline; stdout on success, a message
/// naming the command and quoting stderr otherwise.
pub fn docker(args: &[&str], stdin: Option<&str>) -> Out {
    run_with_deadline("docker", args, stdin, DOCKER_TIMEOUT).map(|(out, _)| out)
}

/// Runs SQL (`input`) as root in the database container through `initd sql`, which keeps
/// the root password in a mode-0600 option file, out of every process's arguments.
pub fn initd_sql(container: &str, input: &str) -> Out {
    docker(
        &["exec", "-i", container, "/usr/local/bin/initd", "sql"],
        Some(input),
    )
}

/// `docker args...` with an explicit deadline, for callers whose commands may run long
/// (the e2e suite's `make`-driven checks).
pub fn docker_with(args: &[&str], stdin: Option<&str>, timeout: Duration) -> Out {
    run_with_deadline("docker", args, stdin, timeout).map(|(out, _)| out)
}

/// `docker args...` returning stdout and stderr together (for `docker logs`).
pub fn docker_both(args: &[&str]) -> Out {
    run_with_deadline("docker", args, None, DOCKER_TIMEOUT).map(|(o, e)| o + &e)
}

/// Runs `program args...` with `stdin` (if any), killing it after `timeout`: (stdout,
/// stderr) on success, a message naming the command and quoting stderr otherwise.
///
/// # Errors
/// When the program cannot start, times out or exits non-zero.
pub fn run_with_deadline(
    program: &str,
    args: &[&str],
    stdin: Option<&str>,
    timeout: Duration,
) -> Result<(String, String), String> {
    let shown = format!("{program} {}", args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{shown}` could not start: {e}"))?;
    if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let input = input.to_string();
        thread::spawn(move || {
            let _ = pipe.write_all(input.as_bytes());
        });
    }
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out_t = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err_t = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Ok(st),
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("`{shown}` timed out after {}s", timeout.as_secs()));
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => break Err(format!("`{shown}`: {e}")),
        }
    };
    let out = out_t.join().unwrap_or_default();
    let err = err_t.join().unwrap_or_default();
    let status = status?;
    if status.success() {
        Ok((out, err))
    } else {
        let msg = err.trim();
        let msg = if msg.is_empty() { out.trim() } else { msg };
        Err(format!(
            "`{shown}` failed ({status}): {}",
            msg.lines().next().unwrap_or("no output")
        ))
    }
}

/// The network findings: TLS versions (M6), port 80 refused (M6), the front page (M7),
/// probed in parallel.
#[must_use]
pub fn network_findings(addr: SocketAddr, domain: &str) -> Vec<Finding> {
    thread::scope(|s| {
        let tls = s.spawn(|| tls_finding(addr, domain, NET_TIMEOUT));
        let port80 = s.spawn(|| port80_finding(domain));
        let front = s.spawn(|| front_page_finding(addr, domain));
        [tls.join(), port80.join(), front.join()]
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|_| {
                    Finding::fail("M6", "Network probes", "")
                        .with(ev("probes", "probe thread panicked"))
                })
            })
            .collect()
    })
}

/// Runs `probe` for the four TLS versions in parallel; a panicking probe is inconclusive.
fn probe_all_versions(
    probe: impl Fn(TlsVersion) -> probes::Verdict + Sync,
) -> Vec<(TlsVersion, probes::Verdict)> {
    let probe = &probe;
    thread::scope(|s| {
        let handles: Vec<_> = TlsVersion::ALL
            .iter()
            .map(|&v| s.spawn(move || (v, probe(v))))
            .collect();
        handles
            .into_iter()
            .zip(TlsVersion::ALL)
            .map(|(h, v)| {
                h.join().unwrap_or_else(|_| {
                    (
                        v,
                        probes::Verdict::Inconclusive {
                            reason: "probe thread panicked".into(),
                        },
                    )
                })
            })
            .collect()
    })
}

/// M6: TLS 1.0 and 1.1 refused, 1.2 and 1.3 accepted at `addr` with SNI `domain`.
/// Inconclusive probes fail with their reason.
#[must_use]
pub fn tls_finding(addr: SocketAddr, domain: &str, timeout: Duration) -> Finding {
    let results = probe_all_versions(|v| probe_tls(addr, domain, v, timeout));
    tls_verdicts_finding(addr, domain, &results)
}

/// Maps the four probe verdicts to the M6 TLS finding.
#[must_use]
pub fn tls_verdicts_finding(
    addr: SocketAddr,
    domain: &str,
    results: &[(TlsVersion, probes::Verdict)],
) -> Finding {
    versions_finding(
        ("M6", "nginx accepts TLSv1.2 and TLSv1.3 only"),
        &format!("probe_tls {addr} (SNI {domain})"),
        results,
        "Set `ssl_protocols TLSv1.2 TLSv1.3;` in nginx and make sure it listens on 443 with ssl.",
    )
}

/// B2: the FTP server at `addr` speaks explicit TLS (`AUTH TLS`) and accepts TLS 1.2 and
/// 1.3 only: the same four-version verdict as nginx's, over FTP.
#[must_use]
pub fn ftps_finding(addr: SocketAddr, timeout: Duration) -> Finding {
    let results = probe_all_versions(|v| probes::probe_ftps(addr, v, timeout));
    versions_finding(
        ("B2", "FTP requires explicit TLS and accepts TLSv1.2 and TLSv1.3 only"),
        &format!("probe_ftps {addr} (AUTH TLS)"),
        &results,
        "Require TLS (vsftpd: `ssl_enable=YES`, `force_local_logins_ssl=YES`) and set the image's OpenSSL MinProtocol to TLSv1.2.",
    )
}

/// The verdict on four probes: 1.2 and 1.3 must be accepted (positive controls), 1.0 and
/// 1.1 refused; anything inconclusive fails.
fn versions_finding(
    (id, rule): (&'static str, &str),
    cmd: &str,
    results: &[(TlsVersion, probes::Verdict)],
    fix: &str,
) -> Finding {
    let mut ok = true;
    let mut evidence = Vec::new();
    for (v, verdict) in results {
        let must_accept = matches!(v, TlsVersion::Tls12 | TlsVersion::Tls13);
        let good = if must_accept {
            verdict.is_accepted()
        } else {
            verdict.is_refused()
        };
        ok &= good;
        let want = if must_accept {
            "must be accepted"
        } else {
            "must be refused"
        };
        let mark = if good { "ok" } else { "WRONG" };
        evidence.push(ev(cmd, format!("{v}: {verdict} ({want}: {mark})")));
    }
    if ok {
        Finding::pass(id, rule).with_all(evidence)
    } else {
        Finding::fail(id, rule, fix).with_all(evidence)
    }
}

/// M6: nothing answers plain HTTP on port 80 of this machine: the connection is refused.
#[must_use]
pub fn port80_finding(domain: &str) -> Finding {
    const RULE: &str = "Plain HTTP (port 80) is refused, not served or redirected";
    let addr = SocketAddr::from(([127, 0, 0, 1], 80));
    let cmd = "GET http://127.0.0.1:80/";
    match probes::http_plain_get(addr, domain, NET_TIMEOUT) {
        Err(e) if e.is_connection_refused() => {
            Finding::pass("M6", RULE).with(ev(cmd, "connection refused"))
        }
        Ok(status) => Finding::fail(
            "M6",
            RULE,
            "Do not publish port 80 and do not listen on it (no redirect either).",
        )
        .with(ev(cmd, format!("answered HTTP {status}"))),
        Err(e) => Finding::fail(
            "M6",
            RULE,
            "Nothing may answer on port 80: find what holds the port.",
        )
        .with(ev(cmd, format!("not refused: {e}"))),
    }
}

/// The path part of a `Location` (absolute URLs are reduced to their path).
fn location_path(loc: &str) -> String {
    if let Some(rest) = loc
        .strip_prefix("https://")
        .or_else(|| loc.strip_prefix("http://"))
    {
        return rest
            .find('/')
            .map_or_else(|| "/".to_string(), |i| rest[i..].to_string());
    }
    if loc.starts_with('/') {
        loc.to_string()
    } else {
        format!("/{loc}")
    }
}

/// M7: the front page answers 200 (after at most 3 redirects) and is not the installer.
#[must_use]
pub fn front_page_finding(addr: SocketAddr, domain: &str) -> Finding {
    const RULE: &str =
        "WordPress is installed: the front page answers 200 and is not the installer";
    let fix = "Install WordPress at container start (wp core install) and check nginx's fastcgi_pass to wordpress:9000.";
    let mut client = match HttpsClient::new(addr, domain, NET_TIMEOUT) {
        Ok(c) => c,
        Err(e) => {
            return Finding::fail("M7", RULE, fix)
                .with(ev(format!("GET https://{domain}/"), e.to_string()))
        }
    };
    let mut path = "/".to_string();
    for _ in 0..=3 {
        let cmd = format!("GET https://{domain}{path} via {addr}");
        let resp = match client.get(&path) {
            Ok(r) => r,
            Err(e) => return Finding::fail("M7", RULE, fix).with(ev(cmd, e.to_string())),
        };
        if (300..400).contains(&resp.status) {
            if let Some(loc) = resp.location() {
                path = location_path(loc);
                continue;
            }
        }
        let body = resp.text();
        if resp.status != 200 {
            return Finding::fail("M7", RULE, fix).with(ev(cmd, format!("HTTP {}", resp.status)));
        }
        if body.contains("wp-admin/install.php") || body.contains("setup-config.php") {
            return Finding::fail("M7", RULE, fix)
                .with(ev(cmd, "HTTP 200, but the body is the WordPress installer"));
        }
        let title = body
            .split_once("<title>")
            .and_then(|(_, t)| t.split_once("</title>"))
            .map_or("", |(t, _)| t.trim());
        return Finding::pass("M7", RULE).with(ev(cmd, format!("HTTP 200, title {title:?}")));
    }
    Finding::fail("M7", RULE, fix).with(ev(
        format!("GET https://{domain}/"),
        "more than 3 redirects",
    ))
}

/// Which compose project to audit, from `docker ps` lines `name\tproject`.
///
/// # Errors
/// When no project can be chosen.
pub fn choose_project(ps: &str, wanted: Option<&str>) -> Result<String, String> {
    let rows: Vec<(&str, &str)> = ps
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(n, p)| (n.trim(), p.trim()))
        .collect();
    if let Some(w) = wanted {
        return if rows.iter().any(|(_, p)| *p == w) {
            Ok(w.to_string())
        } else {
            Err(format!("no running container of compose project {w:?}"))
        };
    }
    if let Some((_, p)) = rows.iter().find(|(n, p)| *n == "nginx" && !p.is_empty()) {
        return Ok((*p).to_string());
    }
    let mut projects: Vec<&str> = rows
        .iter()
        .map(|(_, p)| *p)
        .filter(|p| !p.is_empty())
        .collect();
    projects.sort_unstable();
    projects.dedup();
    match projects.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => Err("no running compose container (is the stack up? `make`)".into()),
        many => Err(format!(
            "several compose projects are running ({}); choose one with --project",
            many.join(", ")
        )),
    }
}

pub(crate) fn domain_from_repo(repo: &Path) -> Option<String> {
    let text = std::fs::read_to_string(repo.join("srcs/.env")).ok()?;
    parse_env(&text)
        .into_iter()
        .find(|(k, _, _)| k == "DOMAIN_NAME")
        .map(|(_, v, _)| v)
        .filter(|v| !v.is_empty())
}

/// Secret values: the files of `<repo>/secrets/` and the host files bind-mounted under
/// `/run/secrets` in the containers (when readable). (name, value).
pub(crate) fn secret_values(
    repo: Option<&Path>,
    containers: &[Container],
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |name: String, path: &Path| {
        if let Ok(text) = std::fs::read_to_string(path) {
            let v = rules::secret_value(&text);
            if !v.is_empty() && !out.iter().any(|(_, o)| *o == v) {
                out.push((name, v));
            }
        }
    };
    if let Some(dir) = repo.map(|r| r.join("secrets")) {
        if let Ok(rd) = std::fs::read_dir(&dir) {
            let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths.iter().filter(|p| p.is_file()) {
                let name = format!(
                    "secrets/{}",
                    p.file_name().unwrap_or_default().to_string_lossy()
                );
                push(name, p);
            }
        }
    }
    for c in containers {
        for (kind, src, dest) in &c.mounts {
            if kind == "bind" && dest.starts_with("/run/secrets/") {
                push(format!("{dest} ({})", c.name), Path::new(src));
            }
        }
    }
    out
}

/// Runs the live audit; findings in rule order.
#[must_use]
pub fn audit_live(opts: &LiveOpts) -> Vec<Finding> {
    let snap = match Snapshot::gather(opts, true) {
        Ok(s) => s,
        Err(f) => return vec![f],
    };
    let mut findings = snap.findings();
    if opts.destructive {
        eprintln!(
            "read-only live checks done; running destructive checks on project {}...",
            snap.project
        );
        findings.extend(destructive::run(
            &snap.project,
            &snap.containers,
            opts.repo.as_deref(),
        ));
    }
    findings.sort_by_key(|f| crate::check::rule_order(f.id));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_choice() {
        let ps = "nginx\tsrcs\nwordpress\tsrcs\nother\tzzz\nplain\t\n";
        assert_eq!(choose_project(ps, None).as_deref(), Ok("srcs"));
        assert_eq!(choose_project(ps, Some("zzz")).as_deref(), Ok("zzz"));
        assert!(choose_project(ps, Some("nope")).is_err());
        assert!(choose_project("a\tp1\nb\tp2\n", None).is_err());
        assert_eq!(choose_project("a\tp1\n", None).as_deref(), Ok("p1"));
        assert!(choose_project("", None).is_err());
    }

    #[test]
    fn redirect_locations() {
        assert_eq!(location_path("https://a.42.fr/wp-admin/"), "/wp-admin/");
        assert_eq!(location_path("https://a.42.fr"), "/");
        assert_eq!(location_path("/x?y=1"), "/x?y=1");
    }

    #[test]
    fn failing_command_is_an_error_not_a_panic() {
        let r = run_with_deadline("sh", &["-c", "echo oops >&2; exit 3"], None, DOCKER_TIMEOUT);
        let e = r.expect_err("exit 3 fails");
        assert!(e.contains("oops"), "{e}");
        let r = run_with_deadline("/nonexistent/docker", &[], None, DOCKER_TIMEOUT);
        assert!(r.is_err());
        let r = run_with_deadline("cat", &[], Some("hello"), DOCKER_TIMEOUT);
        assert_eq!(r.map(|(o, _)| o).as_deref(), Ok("hello"));
        let start = Instant::now();
        let r = run_with_deadline("sleep", &["5"], None, Duration::from_millis(200));
        assert!(r.is_err_and(|e| e.contains("timed out")));
        assert!(start.elapsed() < Duration::from_secs(3));
    }
}
