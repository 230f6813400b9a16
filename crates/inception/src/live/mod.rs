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

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use probes::{probe_tls, HttpsClient, TlsVersion};

use crate::check::env::parse_env;
use crate::finding::{Evidence, Finding};
use rules::{ev, Container};

/// Deadline of one docker command.
const DOCKER_TIMEOUT: Duration = Duration::from_secs(10);
/// Deadline of one network probe.
const NET_TIMEOUT: Duration = Duration::from_secs(4);

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

/// `docker args...` returning stdout and stderr together (for `docker logs`).
pub fn docker_both(args: &[&str]) -> Out {
    run_with_deadline("docker", args, None, DOCKER_TIMEOUT).map(|(o, e)| o + &e)
}

fn run_with_deadline(
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

/// What was gathered from inside one container.
#[derive(Debug, Clone)]
struct Inside {
    debian: Option<String>,
    alpine: Option<String>,
    release_err: Option<String>,
    cmdline: Out,
    procs: Option<Vec<(u32, u32, String)>>,
    logs: Out,
}

impl Default for Inside {
    fn default() -> Self {
        let lost = || Err("gathering thread panicked".to_string());
        Self {
            debian: None,
            alpine: None,
            release_err: None,
            cmdline: lost(),
            procs: None,
            logs: lost(),
        }
    }
}

fn gather_inside(name: &str) -> Inside {
    let debian = docker(&["exec", name, "cat", "/etc/debian_version"], None);
    let (mut alpine, mut release_err) = (None, None);
    if debian.is_err() {
        match docker(&["exec", name, "cat", "/etc/alpine-release"], None) {
            Ok(a) => alpine = Some(a),
            Err(e) => release_err = Some(e),
        }
    }
    let cmdline = docker(&["exec", name, "cat", "/proc/1/cmdline"], None);
    let procs = docker(
        &[
            "exec",
            name,
            "sh",
            "-c",
            "for s in /proc/[0-9]*/stat; do cat \"$s\" 2>/dev/null; echo; done",
        ],
        None,
    )
    .ok()
    .map(|t| rules::parse_proc_stats(&t));
    let logs = docker_both(&["logs", name]);
    Inside {
        debian: debian.ok(),
        alpine,
        release_err,
        cmdline,
        procs,
        logs,
    }
}

/// The network half: TLS versions, port 80, front page.
struct Net {
    tls: Finding,
    port80: Finding,
    front: Finding,
}

/// M6: TLS 1.0 and 1.1 refused, 1.2 and 1.3 accepted at `addr` with SNI `domain`.
/// Inconclusive probes fail with their reason.
#[must_use]
pub fn tls_finding(addr: SocketAddr, domain: &str, timeout: Duration) -> Finding {
    let results: Vec<(TlsVersion, probes::Verdict)> = thread::scope(|s| {
        let handles: Vec<_> = TlsVersion::ALL
            .iter()
            .map(|&v| s.spawn(move || (v, probe_tls(addr, domain, v, timeout))))
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
    });
    tls_verdicts_finding(addr, domain, &results)
}

/// Maps the four probe verdicts to the M6 TLS finding.
#[must_use]
pub fn tls_verdicts_finding(
    addr: SocketAddr,
    domain: &str,
    results: &[(TlsVersion, probes::Verdict)],
) -> Finding {
    const RULE: &str = "nginx accepts TLSv1.2 and TLSv1.3 only";
    let cmd = format!("probe_tls {addr} (SNI {domain})");
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
        evidence.push(ev(cmd.clone(), format!("{v}: {verdict} ({want}: {mark})")));
    }
    if ok {
        Finding::pass("M6", RULE).with_all(evidence)
    } else {
        Finding::fail(
            "M6",
            RULE,
            "Set `ssl_protocols TLSv1.2 TLSv1.3;` in nginx and make sure it listens on 443 with ssl.",
        )
        .with_all(evidence)
    }
}

fn port80_finding(domain: &str) -> Finding {
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

fn front_page_finding(addr: SocketAddr, domain: &str) -> Finding {
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

fn domain_from_repo(repo: &Path) -> Option<String> {
    let text = std::fs::read_to_string(repo.join("srcs/.env")).ok()?;
    parse_env(&text)
        .into_iter()
        .find(|(k, _, _)| k == "DOMAIN_NAME")
        .map(|(_, v, _)| v)
        .filter(|v| !v.is_empty())
}

/// Secret values: the files of `<repo>/secrets/` and the host files bind-mounted under
/// `/run/secrets` in the containers (when readable). (name, value).
fn secret_values(repo: Option<&Path>, containers: &[Container]) -> Vec<(String, String)> {
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
    let mut findings = Vec::new();
    let ps_cmd = "docker ps --format {{.Names}}\\t{{.Label \"com.docker.compose.project\"}}";
    let ps = docker(
        &[
            "ps",
            "--format",
            "{{.Names}}\t{{.Label \"com.docker.compose.project\"}}",
        ],
        None,
    );
    let ps = match ps {
        Ok(p) => p,
        Err(e) => {
            findings.push(engine_unreachable(ps_cmd, &e));
            return sorted(findings);
        }
    };
    let project = match choose_project(&ps, opts.project.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            findings.push(engine_unreachable(ps_cmd, &e));
            return sorted(findings);
        }
    };
    let names: Vec<String> = ps
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter(|(_, p)| p.trim() == project)
        .map(|(n, _)| n.trim().to_string())
        .collect();
    let mut inspect_args = vec!["inspect"];
    inspect_args.extend(names.iter().map(String::as_str));
    let inspect_cmd = format!("docker inspect {}", names.join(" "));
    let (inspect_raw, containers) = match docker(&inspect_args, None)
        .and_then(|raw| rules::parse_containers(&raw).map(|c| (raw, c)))
    {
        Ok(x) => x,
        Err(e) => {
            findings.push(engine_unreachable(&inspect_cmd, &e));
            return sorted(findings);
        }
    };
    let nginx = containers.iter().find(|c| c.service_or_name() == "nginx");
    let domain = opts
        .domain
        .clone()
        .or_else(|| opts.repo.as_deref().and_then(domain_from_repo))
        .or_else(|| {
            nginx
                .and_then(|c| c.env_var("DOMAIN_NAME"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "localhost".to_string());
    let login = opts.login.clone().or_else(|| {
        containers
            .iter()
            .find_map(|c| c.env_var("LOGIN"))
            .map(str::to_string)
    });

    // Gather everything in parallel.
    let (net, insides, volumes, networks, images) = thread::scope(|s| {
        let net = s.spawn(|| Net {
            tls: tls_finding(opts.addr, &domain, NET_TIMEOUT),
            port80: port80_finding(&domain),
            front: front_page_finding(opts.addr, &domain),
        });
        let insides: Vec<_> = containers
            .iter()
            .map(|c| {
                let name = c.name.clone();
                s.spawn(move || gather_inside(&name))
            })
            .collect();
        let volumes = s.spawn(|| {
            let filter = format!("label=com.docker.compose.project={project}");
            let ls = docker(&["volume", "ls", "-q", "--filter", &filter], None)?;
            let vols: Vec<&str> = ls.split_whitespace().collect();
            if vols.is_empty() {
                return Ok(Vec::new());
            }
            let mut args = vec!["volume", "inspect"];
            args.extend(vols);
            rules::parse_volumes(&docker(&args, None)?)
        });
        let networks = s.spawn(|| {
            rules::shared_networks(&containers)
                .into_iter()
                .filter_map(|n| {
                    docker(&["network", "inspect", "-f", "{{.Driver}}", &n], None)
                        .ok()
                        .map(|d| (n, d.trim().to_string()))
                })
                .collect::<Vec<_>>()
        });
        let images = s.spawn(|| {
            let mut imgs: Vec<&str> = containers.iter().map(|c| c.image.as_str()).collect();
            imgs.sort_unstable();
            imgs.dedup();
            imgs.into_iter()
                .map(|i| {
                    (
                        i.to_string(),
                        docker(&["image", "inspect", i], None),
                        docker(&["history", "--no-trunc", i], None),
                    )
                })
                .collect::<Vec<_>>()
        });
        let join_err = "gathering thread panicked".to_string();
        (
            net.join().map_err(|_| join_err.clone()),
            insides
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect::<Vec<Inside>>(),
            volumes.join().unwrap_or_else(|_| Err(join_err.clone())),
            networks.join().unwrap_or_default(),
            images.join().unwrap_or_default(),
        )
    });

    // M6
    match net {
        Ok(n) => findings.extend([n.tls, n.port80, n.front]),
        Err(e) => findings.push(Finding::fail("M6", "Network probes", "").with(ev("probes", e))),
    }
    findings.push(rules::ports_finding(&containers));
    // M4 / M5
    findings.push(rules::names_finding(&containers));
    findings.push(rules::images_finding(&containers));
    findings.push(os_finding(&containers, &insides));
    // M9
    findings.push(match &volumes {
        Ok(v) => rules::volumes_finding(v, login.as_deref()),
        Err(e) => Finding::skip(
            "M9",
            "Named volumes store their data under /home/<login>/data",
            "docker volume inspect",
            e,
        ),
    });
    // M10, M11
    findings.push(rules::network_finding(&containers, &networks));
    findings.push(rules::restart_finding(&containers));
    // M12
    findings.push(pid1_finding(&containers, &insides));
    // M13
    findings.extend(users_findings(&containers));
    // M15
    findings.push(rules::env_secrets_finding(&containers));
    findings.push(secrets_leak_finding(
        opts.repo.as_deref(),
        &containers,
        &inspect_raw,
        &insides,
        &images,
    ));
    if opts.destructive {
        eprintln!("read-only live checks done; running destructive checks on project {project}...");
        findings.extend(destructive::run(&project, &containers));
    }
    sorted(findings)
}

fn sorted(mut f: Vec<Finding>) -> Vec<Finding> {
    f.sort_by_key(|f| crate::check::rule_order(f.id));
    f
}

fn engine_unreachable(cmd: &str, err: &str) -> Finding {
    Finding::fail(
        "M4",
        "The stack is running and the engine answers",
        "Start the stack (`make`) and make sure this user may talk to Docker.",
    )
    .with(ev(cmd, err))
}

fn os_finding(containers: &[Container], insides: &[Inside]) -> Finding {
    const RULE: &str = "Every container runs Debian 12 (bookworm) or Alpine 3.21/3.22";
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (c, i) in containers.iter().zip(insides) {
        let file = if i.debian.is_none() && i.alpine.is_some() {
            "/etc/alpine-release"
        } else {
            "/etc/debian_version"
        };
        let cmd = format!("docker exec {} cat {file}", c.name);
        if i.debian.is_none() && i.alpine.is_none() {
            bad.push(ev(
                cmd,
                i.release_err
                    .clone()
                    .unwrap_or_else(|| "no release file".into()),
            ));
            continue;
        }
        match rules::os_verdict(i.debian.as_deref(), i.alpine.as_deref()) {
            Ok(d) => good.push(ev(cmd, d)),
            Err(e) => bad.push(ev(cmd, e)),
        }
    }
    if bad.is_empty() {
        Finding::pass("M5", RULE).with_all(good)
    } else {
        Finding::fail(
            "M5",
            RULE,
            "Build every image FROM debian:bookworm (or alpine:3.21/3.22).",
        )
        .with_all(bad)
    }
}

fn pid1_finding(containers: &[Container], insides: &[Inside]) -> Finding {
    const RULE: &str = "PID 1 is a real init or the daemon (no shell, tail or sleep), the daemon in the foreground";
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (c, i) in containers.iter().zip(insides) {
        let cmd = format!("docker exec {} cat /proc/1/cmdline", c.name);
        let argv = match &i.cmdline {
            Ok(raw) => rules::split_cmdline(raw),
            Err(e) => {
                bad.push(ev(cmd, e.clone()));
                continue;
            }
        };
        match rules::pid1_container_verdict(c.service_or_name(), &argv, i.procs.as_deref()) {
            Ok(d) => good.push(ev(cmd, d)),
            Err(e) => bad.push(ev(cmd, e)),
        }
    }
    if bad.is_empty() {
        Finding::pass("M12", RULE).with_all(good)
    } else {
        Finding::fail(
            "M12",
            RULE,
            "exec the daemon in the foreground (`exec nginx -g 'daemon off;'`) or run it under a real init.",
        )
        .with_all(bad)
    }
}

fn users_findings(containers: &[Container]) -> Vec<Finding> {
    const RULE: &str =
        "WordPress has two users, one administrator whose login contains no \"admin\"";
    let Some(db) = containers.iter().find(|c| c.service_or_name() == "mariadb") else {
        return vec![Finding::skip(
            "M13",
            RULE,
            "docker ps",
            "no mariadb container",
        )];
    };
    let probe_cmd = format!("docker exec {} test -x /usr/local/bin/initd", db.name);
    if let Err(e) = docker(
        &["exec", &db.name, "test", "-x", "/usr/local/bin/initd"],
        None,
    ) {
        return vec![Finding::skip(
            "M13",
            RULE,
            &probe_cmd,
            &format!(
                "no /usr/local/bin/initd sql in {} (cannot read users without credentials): {e}",
                db.name
            ),
        )];
    }
    let database = db.env_var("MYSQL_DATABASE").unwrap_or("wordpress");
    let cmd = format!("docker exec -i {} /usr/local/bin/initd sql", db.name);
    match docker(
        &["exec", "-i", &db.name, "/usr/local/bin/initd", "sql"],
        Some(&rules::users_sql(database)),
    ) {
        Ok(out) => rules::users_findings(&rules::parse_users(&out), &cmd),
        Err(e) => vec![Finding::fail(
            "M13",
            RULE,
            "Make sure WordPress is installed and the database is reachable.",
        )
        .with(ev(cmd, e))],
    }
}

fn secrets_leak_finding(
    repo: Option<&Path>,
    containers: &[Container],
    inspect_raw: &str,
    insides: &[Inside],
    images: &[(String, Out, Out)],
) -> Finding {
    const RULE: &str = "Secret values appear nowhere in docker inspect, image history or logs";
    let secrets = secret_values(repo, containers);
    if secrets.is_empty() {
        return Finding::skip(
            "M15",
            RULE,
            "secrets/",
            "no readable secret file (give --repo with a secrets/ directory)",
        );
    }
    let mut sources: Vec<(String, String)> = vec![(
        "docker inspect (containers)".into(),
        inspect_raw.to_string(),
    )];
    let mut errors: Vec<Evidence> = Vec::new();
    for (c, i) in containers.iter().zip(insides) {
        match &i.logs {
            Ok(l) => sources.push((format!("docker logs {}", c.name), l.clone())),
            Err(e) => errors.push(ev(format!("docker logs {}", c.name), e.clone())),
        }
    }
    for (img, inspect, history) in images {
        match inspect {
            Ok(t) => sources.push((format!("docker image inspect {img}"), t.clone())),
            Err(e) => errors.push(ev(format!("docker image inspect {img}"), e.clone())),
        }
        match history {
            Ok(t) => sources.push((format!("docker history --no-trunc {img}"), t.clone())),
            Err(e) => errors.push(ev(format!("docker history --no-trunc {img}"), e.clone())),
        }
    }
    let leaks = rules::secret_leaks(&secrets, &sources);
    if !leaks.is_empty() {
        return Finding::fail(
            "M15",
            RULE,
            "Never pass secrets as build args or env values and never echo them; read them from /run/secrets at run time.",
        )
        .with_all(
            leaks
                .into_iter()
                .map(|(name, src)| ev(src, format!("contains the value of {name}"))),
        );
    }
    let names: Vec<&str> = secrets.iter().map(|(n, _)| n.as_str()).collect();
    let summary = ev(
        format!("{} sources searched", sources.len()),
        format!(
            "{} secret values absent: {}",
            secrets.len(),
            names.join(", ")
        ),
    );
    if errors.is_empty() {
        Finding::pass("M15", RULE).with(summary)
    } else {
        Finding::warn(
            "M15",
            RULE,
            "Some sources could not be read; rerun when the engine answers.",
        )
        .with(summary)
        .with_all(errors)
    }
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
