//! The pure half of the live audit: parsing what the engine says (`docker inspect` JSON,
//! `/proc` text, SQL output) and turning it into findings. Nothing here runs a command, so
//! every rule is unit-tested from fixtures.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::finding::{Evidence, Finding};

/// What the live audit needs from `docker inspect` of one container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// Container name, without the leading `/`.
    pub name: String,
    /// `com.docker.compose.service` label.
    pub service: Option<String>,
    /// `com.docker.compose.project` label.
    pub project: Option<String>,
    /// `Config.Image` (the reference it was started from).
    pub image: String,
    /// `Config.Env`, split at the first `=`.
    pub env: Vec<(String, String)>,
    /// `HostConfig.RestartPolicy.Name` (empty when unset).
    pub restart: String,
    /// `HostConfig.NetworkMode`.
    pub network_mode: String,
    /// `HostConfig.Links` plus per-network `Links`.
    pub links: Vec<String>,
    /// Names of the networks the container is attached to.
    pub networks: Vec<String>,
    /// Published ports: (`443/tcp`, host port).
    pub published: Vec<(String, String)>,
    /// Mounts: (type, volume name or source, destination).
    pub mounts: Vec<(String, String, String)>,
}

impl Container {
    /// The value of environment variable `key`, if set.
    #[must_use]
    pub fn env_var(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The compose service name, falling back to the container name.
    #[must_use]
    pub fn service_or_name(&self) -> &str {
        self.service.as_deref().unwrap_or(&self.name)
    }
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Parses the JSON array printed by `docker inspect <container>...`.
///
/// # Errors
/// When the text is not a JSON array.
pub fn parse_containers(json: &str) -> Result<Vec<Container>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let arr = v.as_array().ok_or("not a JSON array")?;
    Ok(arr.iter().map(parse_container).collect())
}

fn parse_container(c: &Value) -> Container {
    let labels = &c["Config"]["Labels"];
    let label = |k: &str| labels[k].as_str().map(str::to_string);
    let env = c["Config"]["Env"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|e| match e.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (e.to_string(), String::new()),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut links: Vec<String> = c["HostConfig"]["Links"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    let mut networks = Vec::new();
    if let Some(nets) = c["NetworkSettings"]["Networks"].as_object() {
        for (name, n) in nets {
            networks.push(name.clone());
            if let Some(l) = n["Links"].as_array() {
                links.extend(l.iter().map(s));
            }
        }
    }
    let mut published = Vec::new();
    if let Some(ports) = c["NetworkSettings"]["Ports"].as_object() {
        for (port, bindings) in ports {
            for b in bindings.as_array().into_iter().flatten() {
                published.push((port.clone(), s(&b["HostPort"])));
            }
        }
    }
    published.sort();
    published.dedup();
    let mounts = c["Mounts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| {
                    let name = m["Name"]
                        .as_str()
                        .map_or_else(|| s(&m["Source"]), str::to_string);
                    (s(&m["Type"]), name, s(&m["Destination"]))
                })
                .collect()
        })
        .unwrap_or_default();
    Container {
        name: s(&c["Name"]).trim_start_matches('/').to_string(),
        service: label("com.docker.compose.service"),
        project: label("com.docker.compose.project"),
        image: s(&c["Config"]["Image"]),
        env,
        restart: s(&c["HostConfig"]["RestartPolicy"]["Name"]),
        network_mode: s(&c["HostConfig"]["NetworkMode"]),
        links,
        networks,
        published,
        mounts,
    }
}

/// A named volume of the stack: name and `Options.device`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Volume name.
    pub name: String,
    /// `Options.device`, when set.
    pub device: Option<String>,
}

/// Parses the JSON array printed by `docker volume inspect <volume>...`.
///
/// # Errors
/// When the text is not a JSON array.
pub fn parse_volumes(json: &str) -> Result<Vec<Volume>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let arr = v.as_array().ok_or("not a JSON array")?;
    Ok(arr
        .iter()
        .map(|v| Volume {
            name: s(&v["Name"]),
            device: v["Options"]["device"].as_str().map(str::to_string),
        })
        .collect())
}

/// Evidence from a command: the command as "file", an excerpt of what it said.
#[must_use]
pub fn ev(cmd: impl Into<String>, excerpt: impl Into<String>) -> Evidence {
    Evidence::file(cmd, excerpt)
}

// ---------------------------------------------------------------------------------------
// M6: published ports
// ---------------------------------------------------------------------------------------

const PORTS_RULE: &str = "Only nginx publishes a port, and only 443";

/// M6: the set of published host ports. nginx:443 is required and allowed; the bonus FTP
/// ports (21, 21000-21010) are a warning; anything else fails.
#[must_use]
pub fn ports_finding(containers: &[Container]) -> Finding {
    let mut bad = Vec::new();
    let mut ftp = Vec::new();
    let mut nginx_443 = false;
    let mut all = Vec::new();
    for c in containers {
        let svc = c.service_or_name();
        for (port, host) in &c.published {
            let line = format!("{}: {host}->{port}", c.name);
            all.push(line.clone());
            let container_port = port.split('/').next().unwrap_or_default();
            if svc == "nginx" && host == "443" && container_port == "443" {
                nginx_443 = true;
            } else if svc == "ftp"
                && host
                    .parse::<u16>()
                    .is_ok_and(|p| p == 21 || (21000..=21010).contains(&p))
            {
                ftp.push(host.clone());
            } else {
                bad.push(line);
            }
        }
    }
    let cmd = "docker inspect (NetworkSettings.Ports)";
    if !bad.is_empty() {
        return Finding::fail(
            "M6",
            PORTS_RULE,
            "Remove every `ports:` entry except nginx's \"443:443\" (services talk over the docker network).",
        )
        .with_all(bad.into_iter().map(|b| ev(cmd, b)));
    }
    if !nginx_443 {
        return Finding::fail(
            "M6",
            PORTS_RULE,
            "Publish nginx on 443 (`ports: [\"443:443\"]`).",
        )
        .with(ev(cmd, format!("published: {}", join_or_none(&all))));
    }
    if !ftp.is_empty() {
        return Finding::warn(
            "M6",
            "Only nginx:443 is published (bonus FTP ports allowed when the FTP bonus is run)",
            "The FTP bonus needs 21 and its passive range; remove them when not doing the bonus.",
        )
        .with(ev(cmd, format!("ftp publishes {}", ftp.join(", "))));
    }
    Finding::pass("M6", PORTS_RULE).with(ev(cmd, format!("published: {}", join_or_none(&all))))
}

fn join_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

// ---------------------------------------------------------------------------------------
// M4 / M5
// ---------------------------------------------------------------------------------------

/// The repository part of an image reference, without registry path, tag or digest:
/// `registry:5000/team/nginx:1.0` is `nginx`.
#[must_use]
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

/// M4: each container, and the image it runs, is named after its compose service.
#[must_use]
pub fn names_finding(containers: &[Container]) -> Finding {
    const RULE: &str = "Each container and its image are named after the service";
    let mut bad = Vec::new();
    for c in containers {
        let Some(service) = c.service.as_deref() else {
            continue;
        };
        let cmd = format!("docker inspect {}", c.name);
        if service != c.name {
            bad.push(ev(
                cmd.clone(),
                format!("container {} runs service {service}", c.name),
            ));
        }
        if image_name(&c.image) != service {
            bad.push(ev(cmd, format!("service {service} runs image {}", c.image)));
        }
    }
    if bad.is_empty() {
        Finding::pass("M4", RULE).with_all(containers.iter().map(|c| {
            ev(
                format!("docker inspect {}", c.name),
                format!("container {}, image {}", c.name, c.image),
            )
        }))
    } else {
        Finding::fail(
            "M4",
            RULE,
            "Set `container_name: <service>` and `image: <service>:<version>` for every service.",
        )
        .with_all(bad)
    }
}

/// Whether an image reference resolves to the `latest` tag (explicit or implied).
#[must_use]
pub fn is_latest(image: &str) -> bool {
    if image.contains('@') || image.starts_with("sha256:") {
        return false; // pinned by digest
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag == "latest",
        None => true,
    }
}

/// The `RepoDigests` of a `docker image inspect` JSON array: non-empty when the image
/// came from a registry (pulled), empty when it was built here.
///
/// # Errors
/// When the text is not a JSON array.
pub fn parse_repo_digests(json: &str) -> Result<Vec<String>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let arr = v.as_array().ok_or("not a JSON array")?;
    Ok(arr
        .iter()
        .flat_map(|i| i["RepoDigests"].as_array().cloned().unwrap_or_default())
        .map(|d| s(&d))
        .collect())
}

/// M5: no container runs a `:latest` (or untagged) image, and none runs a pulled image.
/// `digests` maps an image reference to its `RepoDigests` (missing: unknown, not judged).
#[must_use]
pub fn images_finding(containers: &[Container], digests: &[(String, Vec<String>)]) -> Finding {
    const RULE: &str = "Every image is built here (none pulled) and none uses the `latest` tag";
    let mut bad = Vec::new();
    for c in containers {
        let cmd = format!("docker inspect {}", c.name);
        if is_latest(&c.image) {
            bad.push(ev(cmd.clone(), format!("image {} is `latest`", c.image)));
        }
        if let Some((_, d)) = digests.iter().find(|(i, d)| *i == c.image && !d.is_empty()) {
            bad.push(ev(
                format!("docker image inspect {}", c.image),
                format!("pulled from a registry: {}", d.join(", ")),
            ));
        }
    }
    if bad.is_empty() {
        Finding::pass("M5", RULE).with_all(containers.iter().map(|c| {
            ev(
                format!("docker inspect {}", c.name),
                format!("image {} (built here, no RepoDigests)", c.image),
            )
        }))
    } else {
        Finding::fail(
            "M5",
            RULE,
            "Build every image from your own Dockerfile and tag it `<service>:<version>`.",
        )
        .with_all(bad)
    }
}

// ---------------------------------------------------------------------------------------
// M7 / M8: one service per container
// ---------------------------------------------------------------------------------------

/// The shell loop that lists the server binaries installed in a container (one path per
/// line), so that M7/M8 can tell a WordPress container that also ships nginx.
pub const SERVERS_SCRIPT: &str = "for f in /usr/sbin/* /usr/bin/* /usr/local/sbin/* /usr/local/bin/*; do \
case \"${f##*/}\" in nginx|apache2|httpd|lighttpd|caddy|php-fpm*|mariadbd|mysqld) echo \"$f\";; esac; done; true";

/// The base name of each server binary found by [`SERVERS_SCRIPT`].
#[must_use]
pub fn parse_servers(out: &str) -> Vec<String> {
    let mut v: Vec<String> = out
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

const WEB_SERVERS: &[&str] = &["nginx", "apache2", "httpd", "lighttpd", "caddy"];

/// What one mandatory container must hold, and must not.
struct Role<'a> {
    id: &'static str,
    service: &'a str,
    rule: &'a str,
    must: &'a [&'a str],
    forbidden: &'a [&'a str],
}

/// M7 and M8: the WordPress container has php-fpm and no web server; the MariaDB container
/// has the database server and neither a web server nor php-fpm. `servers` gives the
/// server binaries found in a container (`None`: could not be listed).
#[must_use]
pub fn roles_findings(
    containers: &[Container],
    servers: &dyn Fn(&str) -> Option<Vec<String>>,
) -> Vec<Finding> {
    let db_forbidden: Vec<&str> = [WEB_SERVERS, &["php-fpm"]].concat();
    let roles = [
        Role {
            id: "M7",
            service: "wordpress",
            rule: "WordPress runs on php-fpm in its own container, without a web server",
            must: &["php-fpm"],
            forbidden: WEB_SERVERS,
        },
        Role {
            id: "M8",
            service: "mariadb",
            rule: "MariaDB runs in its own container, without a web server or PHP",
            must: &["mariadbd", "mysqld"],
            forbidden: &db_forbidden,
        },
    ];
    roles
        .into_iter()
        .map(
            |Role {
                 id,
                 service,
                 rule,
                 must,
                 forbidden,
             }| {
                let fix = format!(
                    "Install only {} in the {service} image; nginx has its own container.",
                    must.join("/")
                );
                let Some(c) = containers.iter().find(|c| c.service_or_name() == service) else {
                    return Finding::fail(id, rule, fix)
                        .with(ev("docker ps", format!("no {service} container")));
                };
                let cmd = format!("docker exec {} sh -c <list server binaries>", c.name);
                let Some(found) = servers(&c.name) else {
                    return Finding::skip(
                        id,
                        rule,
                        &cmd,
                        "could not list the container's binaries",
                    );
                };
                let listing = if found.is_empty() {
                    "(none)".to_string()
                } else {
                    found.join(", ")
                };
                let has = |p: &str| found.iter().any(|f| f.starts_with(p));
                let extra: Vec<&str> = forbidden.iter().copied().filter(|p| has(p)).collect();
                if !must.iter().any(|p| has(p)) {
                    Finding::fail(id, rule, fix).with(ev(
                        cmd,
                        format!("no {} binary; servers found: {listing}", must.join("/")),
                    ))
                } else if !extra.is_empty() {
                    Finding::fail(id, rule, fix).with(ev(
                        cmd,
                        format!("also ships {}; servers found: {listing}", extra.join(", ")),
                    ))
                } else {
                    Finding::pass(id, rule).with(ev(cmd, format!("servers: {listing}")))
                }
            },
        )
        .collect()
}

/// M5: the base OS of one container from `/etc/debian_version` and `/etc/alpine-release`
/// (either may be `None` when the file is missing). `Ok(description)` when allowed.
///
/// # Errors
/// A description of the wrong base.
pub fn os_verdict(debian: Option<&str>, alpine: Option<&str>) -> Result<String, String> {
    if let Some(d) = debian.map(str::trim) {
        return if d.starts_with("12.") || d == "12" {
            Ok(format!("debian {d} (bookworm)"))
        } else {
            Err(format!("debian_version {d} (expected 12.x bookworm)"))
        };
    }
    if let Some(a) = alpine.map(str::trim) {
        return if a.starts_with("3.21") || a.starts_with("3.22") {
            Ok(format!("alpine {a}"))
        } else {
            Err(format!("alpine {a} (expected 3.21 or 3.22)"))
        };
    }
    Err("neither /etc/debian_version nor /etc/alpine-release".into())
}

// ---------------------------------------------------------------------------------------
// M9, M10, M11
// ---------------------------------------------------------------------------------------

/// Whether `device` lives under `/home/<login>/data` (any login when `login` is `None`).
#[must_use]
pub fn device_ok(device: &str, login: Option<&str>) -> bool {
    let rest = device.strip_prefix("/home/").unwrap_or_default();
    let mut parts = rest.split('/');
    let (Some(user), Some(data)) = (parts.next(), parts.next()) else {
        return false;
    };
    !user.is_empty() && data == "data" && login.is_none_or(|l| l == user)
}

/// M9: the stack has two named volumes or more, each keeping its data under
/// `/home/<login>/data`, and the database and WordPress containers each mount one of them.
#[must_use]
pub fn volumes_finding(
    volumes: &[Volume],
    containers: &[Container],
    login: Option<&str>,
) -> Finding {
    const RULE: &str = "Named volumes store their data under /home/<login>/data";
    let fix = "Declare each volume with `driver_opts: {type: none, o: bind, device: /home/<login>/data/<name>}`.";
    let cmd = "docker volume inspect";
    if volumes.len() < 2 {
        let names: Vec<String> = volumes.iter().map(|v| v.name.clone()).collect();
        return Finding::fail("M9", RULE, fix).with(ev(
            cmd,
            format!(
                "expected two named volumes (database, WordPress files), found: {}",
                join_or_none(&names)
            ),
        ));
    }
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for v in volumes {
        match &v.device {
            Some(d) if device_ok(d, login) => good.push(ev(cmd, format!("{}: device {d}", v.name))),
            Some(d) => bad.push(ev(cmd, format!("{}: device {d}", v.name))),
            None => bad.push(ev(
                cmd,
                format!("{}: no Options.device (data in /var/lib/docker)", v.name),
            )),
        }
    }
    for service in ["mariadb", "wordpress"] {
        let Some(c) = containers.iter().find(|c| c.service_or_name() == service) else {
            continue;
        };
        let mounted: Vec<String> = c
            .mounts
            .iter()
            .filter(|(kind, name, _)| kind == "volume" && volumes.iter().any(|v| v.name == *name))
            .map(|(_, name, dest)| format!("{name} at {dest}"))
            .collect();
        let cmd = format!("docker inspect {} (Mounts)", c.name);
        if mounted.is_empty() {
            bad.push(ev(
                cmd,
                format!("{service} mounts none of the named volumes"),
            ));
        } else {
            good.push(ev(cmd, mounted.join(", ")));
        }
    }
    if bad.is_empty() {
        Finding::pass("M9", RULE).with_all(good)
    } else {
        Finding::fail("M9", RULE, fix).with_all(bad)
    }
}

/// The `Driver` of a `docker network inspect` JSON array.
///
/// # Errors
/// When the text is not a JSON array with a driver.
pub fn parse_network_driver(json: &str) -> Result<String, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    v.as_array()
        .and_then(|a| a.first())
        .and_then(|n| n["Driver"].as_str())
        .map(str::to_string)
        .ok_or_else(|| "no Driver in docker network inspect".to_string())
}

/// M10: one shared user-defined network, no host networking, no links. `drivers` maps the
/// shared networks to their driver (from `docker network inspect`), when known.
#[must_use]
pub fn network_finding(containers: &[Container], drivers: &[(String, String)]) -> Finding {
    const RULE: &str =
        "The containers share one user-defined bridge network; no host network, no links";
    let fix = "Declare a `networks:` entry (driver bridge), attach every service to it; drop `network_mode: host` and `links:`.";
    let mut bad = Vec::new();
    for c in containers {
        let cmd = format!("docker inspect {}", c.name);
        if c.network_mode == "host" {
            bad.push(ev(cmd.clone(), "HostConfig.NetworkMode = host"));
        }
        if !c.links.is_empty() {
            bad.push(ev(cmd, format!("Links: {}", c.links.join(", "))));
        }
    }
    let shared = shared_networks(containers);
    let user_defined: Vec<&String> = shared
        .iter()
        .filter(|n| !["bridge", "host", "none"].contains(&n.as_str()))
        .collect();
    if user_defined.is_empty() {
        let nets: Vec<String> = containers
            .iter()
            .map(|c| format!("{}: [{}]", c.name, c.networks.join(", ")))
            .collect();
        bad.push(ev(
            "docker inspect (NetworkSettings.Networks)",
            format!("no user-defined network shared by all: {}", nets.join("; ")),
        ));
    }
    for n in &user_defined {
        if let Some((_, d)) = drivers.iter().find(|(name, _)| name == *n) {
            if d != "bridge" {
                bad.push(ev(
                    format!("docker network inspect {n}"),
                    format!("driver {d}"),
                ));
            }
        }
    }
    if bad.is_empty() {
        let names: Vec<&str> = user_defined.iter().map(|s| s.as_str()).collect();
        Finding::pass("M10", RULE).with(ev(
            "docker inspect (NetworkSettings.Networks)",
            format!("all containers on {}", names.join(", ")),
        ))
    } else {
        Finding::fail("M10", RULE, fix).with_all(bad)
    }
}

/// Networks every container is attached to.
#[must_use]
pub fn shared_networks(containers: &[Container]) -> Vec<String> {
    let mut it = containers.iter();
    let Some(first) = it.next() else {
        return Vec::new();
    };
    let mut set: BTreeSet<String> = first.networks.iter().cloned().collect();
    for c in it {
        let other: BTreeSet<String> = c.networks.iter().cloned().collect();
        set = set.intersection(&other).cloned().collect();
    }
    set.into_iter().collect()
}

/// M11: every container has a restart policy.
#[must_use]
pub fn restart_finding(containers: &[Container]) -> Finding {
    const RULE: &str = "Every container restarts after a crash (restart policy set)";
    let bad: Vec<Evidence> = containers
        .iter()
        .filter(|c| c.restart.is_empty() || c.restart == "no")
        .map(|c| {
            ev(
                format!("docker inspect {}", c.name),
                format!("RestartPolicy.Name = {:?}", c.restart),
            )
        })
        .collect();
    if bad.is_empty() {
        Finding::pass("M11", RULE).with_all(containers.iter().map(|c| {
            ev(
                format!("docker inspect {}", c.name),
                format!("RestartPolicy.Name = {}", c.restart),
            )
        }))
    } else {
        Finding::fail(
            "M11",
            RULE,
            "Add `restart: unless-stopped` (or `always`/`on-failure`) to every service.",
        )
        .with_all(bad)
    }
}

// ---------------------------------------------------------------------------------------
// M12: PID 1
// ---------------------------------------------------------------------------------------

/// Splits `/proc/N/cmdline` (NUL-separated) into arguments.
#[must_use]
pub fn split_cmdline(raw: &str) -> Vec<String> {
    raw.split('\0')
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

/// Verdict on PID 1's command line: `Err(reason)` when it is a shell, `tail`, `sleep` or
/// a keep-alive loop.
///
/// # Errors
/// The reason PID 1 is a keep-alive hack.
pub fn pid1_verdict(argv: &[String]) -> Result<(), String> {
    let Some(argv0) = argv.first() else {
        return Err("empty command line".into());
    };
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    let joined = argv.join(" ");
    for hack in ["tail -f", "sleep infinity", "while true", "while :"] {
        if joined.contains(hack) {
            return Err(format!("PID 1 runs `{hack}`: {joined}"));
        }
    }
    if ["sh", "bash", "dash", "ash", "zsh", "tail", "sleep"].contains(&base) {
        return Err(format!("PID 1 is `{base}`: {joined}"));
    }
    Ok(())
}

/// The daemon expected in a service's container, when recognisable: the prefix of its
/// process name (`comm`).
#[must_use]
pub fn expected_daemon(service: &str) -> Option<&'static [&'static str]> {
    Some(match service {
        "nginx" => &["nginx"],
        "wordpress" | "adminer" => &["php-fpm"],
        "mariadb" => &["mariadbd", "mysqld"],
        "redis" => &["redis-server"],
        "ftp" => &["vsftpd"],
        _ => return None,
    })
}

/// Parses the concatenated `/proc/*/stat` lines into (pid, ppid, comm).
#[must_use]
pub fn parse_proc_stats(text: &str) -> Vec<(u32, u32, String)> {
    let mut procs = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (Some(open), Some(close)) = (line.find('('), line.rfind(')')) else {
            continue;
        };
        if close < open {
            continue;
        }
        let pid = line[..open].trim().parse().unwrap_or(0);
        let comm = line[open + 1..close].to_owned();
        let ppid = line[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        procs.push((pid, ppid, comm));
    }
    procs
}

/// M12 for one container: PID 1 is not a hack, and the expected daemon is PID 1 or one of
/// its direct children. `procs` is `None` when the process table could not be read.
///
/// # Errors
/// Why the container fails M12.
pub fn pid1_container_verdict(
    service: &str,
    argv: &[String],
    procs: Option<&[(u32, u32, String)]>,
) -> Result<String, String> {
    pid1_verdict(argv)?;
    let joined = argv.join(" ");
    let Some(daemons) = expected_daemon(service) else {
        return Ok(format!("PID 1: {joined}"));
    };
    let Some(procs) = procs else {
        return Ok(format!("PID 1: {joined} (process table unreadable)"));
    };
    let matches = |comm: &str| daemons.iter().any(|d| comm.starts_with(d));
    let pid1_is_daemon = procs.iter().any(|(p, _, c)| *p == 1 && matches(c));
    let child = procs.iter().find(|(_, pp, c)| *pp == 1 && matches(c));
    match (pid1_is_daemon, child) {
        (true, _) => Ok(format!("PID 1 is the daemon: {joined}")),
        (false, Some((pid, _, comm))) => {
            Ok(format!("PID 1: {joined}; {comm} is its child (pid {pid})"))
        }
        (false, None) => {
            let kids: Vec<&str> = procs
                .iter()
                .filter(|(_, pp, _)| *pp == 1)
                .map(|(_, _, c)| c.as_str())
                .collect();
            Err(format!(
                "PID 1: {joined}; no {} among its children [{}]",
                daemons.join("/"),
                kids.join(", ")
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// M13: WordPress users
// ---------------------------------------------------------------------------------------

/// The SQL that lists `login<TAB>capabilities` for every WordPress user.
#[must_use]
pub fn users_sql(database: &str) -> String {
    let db = database.replace('`', "");
    format!(
        "SELECT u.user_login, m.meta_value FROM `{db}`.wp_users u \
         JOIN `{db}`.wp_usermeta m ON m.user_id = u.ID AND m.meta_key = 'wp_capabilities' ORDER BY u.ID;\n"
    )
}

/// Parses the batch output of the users query (a header line, then tab-separated rows).
#[must_use]
pub fn parse_users(out: &str) -> Vec<(String, String)> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .filter(|(a, _)| *a != "user_login")
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect()
}

/// M13 from the user rows: at least two users, at least one administrator, and no
/// administrator login containing "admin" in any case.
#[must_use]
pub fn users_findings(users: &[(String, String)], cmd: &str) -> Vec<Finding> {
    const RULE: &str =
        "WordPress has two users, one administrator whose login contains no \"admin\"";
    let admins: Vec<&(String, String)> = users
        .iter()
        .filter(|(_, caps)| caps.contains("\"administrator\""))
        .collect();
    let listing: Vec<String> = users
        .iter()
        .map(|(l, c)| {
            let role = if c.contains("\"administrator\"") {
                "administrator"
            } else {
                "other"
            };
            format!("{l} ({role})")
        })
        .collect();
    let evidence = ev(cmd, format!("users: {}", join_or_none(&listing)));
    let mut out = Vec::new();
    if users.len() < 2 || admins.is_empty() {
        out.push(
            Finding::fail(
                "M13",
                RULE,
                "Create the administrator and a second (non-admin) user at install time (wp user create).",
            )
            .with(evidence.clone()),
        );
    }
    let bad: Vec<Evidence> = admins
        .iter()
        .filter(|(l, _)| l.to_ascii_lowercase().contains("admin"))
        .map(|(l, _)| ev(cmd, format!("administrator login {l:?} contains \"admin\"")))
        .collect();
    if !bad.is_empty() {
        out.push(
            Finding::fail(
                "M13",
                RULE,
                "Rename the administrator (e.g. <login>_chief) and reinstall.",
            )
            .with_all(bad),
        );
    }
    if out.is_empty() {
        out.push(Finding::pass("M13", RULE).with(evidence));
    }
    out
}

// ---------------------------------------------------------------------------------------
// M15: secrets
// ---------------------------------------------------------------------------------------

/// Whether an environment variable carries a secret literally: its name contains
/// PASSWORD/PASSWD/SECRET/... and does not end in `_FILE`, and its value is not empty.
#[must_use]
pub fn is_literal_secret_env(key: &str, value: &str) -> bool {
    let k = key.to_ascii_uppercase();
    let secretish = ["PASSWORD", "PASSWD", "SECRET", "_PWD", "_PASS"]
        .iter()
        .any(|w| k.contains(w));
    secretish && !k.ends_with("_FILE") && !value.trim().is_empty()
}

/// M15: no container carries a password in its environment.
#[must_use]
pub fn env_secrets_finding(containers: &[Container]) -> Finding {
    const RULE: &str = "No password or secret in a container's environment (only *_FILE paths)";
    let bad: Vec<Evidence> = containers
        .iter()
        .flat_map(|c| {
            c.env
                .iter()
                .filter(|(k, v)| is_literal_secret_env(k, v))
                .map(|(k, _)| {
                    ev(
                        format!("docker inspect {}", c.name),
                        format!(
                            "{k}=<literal value, {} chars>",
                            c.env_var(k).map_or(0, str::len)
                        ),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if bad.is_empty() {
        Finding::pass("M15", RULE).with(ev(
            "docker inspect (Config.Env)",
            "no literal PASSWORD/SECRET variable",
        ))
    } else {
        Finding::fail(
            "M15",
            RULE,
            "Pass secrets as Docker secrets and read them from *_FILE paths (/run/secrets/...).",
        )
        .with_all(bad)
    }
}

/// Go's JSON string escaping, as `docker inspect` prints values: `"` and `\\`
/// backslash-escaped, control characters and the HTML-sensitive `<`, `>`, `&` as `\uXXXX`.
#[must_use]
pub fn go_json_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' => out.push_str(&format!("\\u{:04x}", u32::from(ch))),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// The forms in which a secret would show if it leaked: as written, JSON-escaped the way
/// `docker inspect` prints it, and, for long values, a distinctive prefix (which catches
/// partial leaks and other escapings). Values shorter than 4 bytes are skipped: they
/// would match everywhere. (label, needle).
#[must_use]
pub fn secret_needles(secrets: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in secrets {
        if value.len() < 4 {
            continue;
        }
        out.push((name.clone(), value.clone()));
        let json = go_json_escape(value);
        if json != *value {
            out.push((format!("{name} (JSON-escaped)"), json));
        }
        if value.len() >= 24 {
            let cut = value
                .char_indices()
                .map(|(i, _)| i)
                .find(|&i| i >= 16)
                .unwrap_or(value.len());
            out.push((format!("{name} (prefix)"), value[..cut].to_string()));
        }
    }
    out
}

/// Where secret values leak: for each secret (name, value), the sources
/// (`(source name, text)`) that contain one of its [`secret_needles`]; each pair once.
#[must_use]
pub fn secret_leaks(
    secrets: &[(String, String)],
    sources: &[(String, String)],
) -> Vec<(String, String)> {
    let mut leaks: Vec<(String, String)> = Vec::new();
    for (name, value) in secrets {
        let needles = secret_needles(&[(name.clone(), value.clone())]);
        for (src, text) in sources {
            if needles.iter().any(|(_, n)| text.contains(n.as_str()))
                && !leaks.iter().any(|(a, b)| a == name && b == src)
            {
                leaks.push((name.clone(), src.clone()));
            }
        }
    }
    leaks
}

/// A secret file's content as the stack sees it: the trailing newline stripped.
#[must_use]
pub fn secret_value(content: &str) -> String {
    content
        .strip_suffix("\r\n")
        .or_else(|| content.strip_suffix('\n'))
        .unwrap_or(content)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSPECT: &str = r#"[{
      "Name": "/nginx",
      "Config": {"Image": "nginx:1.0.0",
                 "Env": ["DOMAIN_NAME=alice.42.fr", "WEB_TOOLS_PASSWORD_FILE=/run/secrets/x", "PATH=/bin"],
                 "Labels": {"com.docker.compose.service": "nginx", "com.docker.compose.project": "srcs"}},
      "HostConfig": {"RestartPolicy": {"Name": "unless-stopped"}, "NetworkMode": "srcs_inception", "Links": null},
      "NetworkSettings": {"Ports": {"443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "443"}, {"HostIp": "::", "HostPort": "443"}]},
                          "Networks": {"srcs_inception": {"Links": null}}},
      "Mounts": [{"Type": "volume", "Name": "srcs_wordpress", "Source": "/var/lib/docker/volumes/x", "Destination": "/var/www/wordpress"}]
    }, {
      "Name": "/mariadb",
      "Config": {"Image": "mariadb", "Env": ["MYSQL_PASSWORD=hunter22"],
                 "Labels": {"com.docker.compose.service": "mariadb", "com.docker.compose.project": "srcs"}},
      "HostConfig": {"RestartPolicy": {"Name": "no"}, "NetworkMode": "host", "Links": ["/wordpress:/mariadb/wp"]},
      "NetworkSettings": {"Ports": {"3306/tcp": null, "3307/tcp": [{"HostIp": "0.0.0.0", "HostPort": "3306"}]},
                          "Networks": {"host": {}}},
      "Mounts": []
    }]"#;

    fn fixture() -> Vec<Container> {
        parse_containers(INSPECT).expect("fixture parses")
    }

    #[test]
    fn inspect_json_is_parsed() {
        let c = fixture();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].name, "nginx");
        assert_eq!(c[0].service.as_deref(), Some("nginx"));
        assert_eq!(c[0].project.as_deref(), Some("srcs"));
        assert_eq!(
            c[0].published,
            vec![("443/tcp".to_string(), "443".to_string())]
        );
        assert_eq!(c[0].env_var("DOMAIN_NAME"), Some("alice.42.fr"));
        assert_eq!(c[0].networks, vec!["srcs_inception"]);
        assert_eq!(c[0].mounts[0].1, "srcs_wordpress");
        assert_eq!(c[1].links, vec!["/wordpress:/mariadb/wp"]);
        assert_eq!(
            c[1].published,
            vec![("3307/tcp".to_string(), "3306".to_string())]
        );
        assert!(parse_containers("nope").is_err());
        assert!(parse_containers("{}").is_err());
    }

    #[test]
    fn port_rules() {
        let c = fixture();
        let f = ports_finding(&c);
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(f.evidence[0].excerpt.contains("3306"), "{f:?}");
        assert_eq!(ports_finding(&c[..1]).verdict, Verdict::Pass);
        let mut ftp = c[0].clone();
        ftp.name = "ftp".into();
        ftp.service = Some("ftp".into());
        ftp.published = vec![
            ("21/tcp".into(), "21".into()),
            ("21005/tcp".into(), "21005".into()),
        ];
        assert_eq!(
            ports_finding(&[c[0].clone(), ftp.clone()]).verdict,
            Verdict::Warn
        );
        ftp.published.push(("22/tcp".into(), "2222".into()));
        assert_eq!(ports_finding(&[c[0].clone(), ftp]).verdict, Verdict::Fail);
        // nginx on 8443 instead of 443: fails.
        let mut n = c[0].clone();
        n.published = vec![("443/tcp".into(), "8443".into())];
        assert_eq!(ports_finding(&[n]).verdict, Verdict::Fail);
        let mut none = c[0].clone();
        none.published.clear();
        assert_eq!(ports_finding(&[none]).verdict, Verdict::Fail);
    }

    use crate::finding::Verdict;

    #[test]
    fn names_images_restart_network() {
        let c = fixture();
        assert_eq!(names_finding(&c).verdict, Verdict::Pass);
        let mut renamed = c.clone();
        renamed[0].name = "srcs_nginx_1".into();
        assert_eq!(names_finding(&renamed).verdict, Verdict::Fail);
        assert_eq!(images_finding(&c, &[]).verdict, Verdict::Fail);
        assert_eq!(images_finding(&c[..1], &[]).verdict, Verdict::Pass);
        // nginx:1.0.0 pulled from a registry: it has RepoDigests.
        let pulled = vec![(
            "nginx:1.0.0".to_string(),
            vec!["nginx@sha256:abc".to_string()],
        )];
        let f = images_finding(&c[..1], &pulled);
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(format!("{f:?}").contains("pulled"), "{f:?}");
        let built = vec![("nginx:1.0.0".to_string(), Vec::new())];
        assert_eq!(images_finding(&c[..1], &built).verdict, Verdict::Pass);
        assert_eq!(
            parse_repo_digests(r#"[{"RepoDigests":["debian@sha256:1"]}]"#),
            Ok(vec!["debian@sha256:1".to_string()])
        );
        assert_eq!(parse_repo_digests(r#"[{"RepoDigests":[]}]"#), Ok(vec![]));
        assert!(parse_repo_digests("nope").is_err());
        assert!(is_latest("nginx"));
        assert!(is_latest("registry:5000/nginx:latest"));
        assert!(is_latest("registry:5000/nginx"));
        assert!(!is_latest("registry:5000/nginx:2"));
        assert!(!is_latest("nginx:1.0"));
        assert_eq!(restart_finding(&c).verdict, Verdict::Fail);
        assert_eq!(restart_finding(&c[..1]).verdict, Verdict::Pass);
        let net = network_finding(&c, &[]);
        assert_eq!(net.verdict, Verdict::Fail);
        let text = format!("{net:?}");
        assert!(
            text.contains("NetworkMode = host") && text.contains("Links"),
            "{text}"
        );
        let mut wp = c[0].clone();
        wp.name = "wordpress".into();
        assert_eq!(
            network_finding(&[c[0].clone(), wp.clone()], &[]).verdict,
            Verdict::Pass
        );
        assert_eq!(
            network_finding(
                &[c[0].clone(), wp],
                &[("srcs_inception".into(), "overlay".into())]
            )
            .verdict,
            Verdict::Fail
        );
    }

    #[test]
    fn image_names() {
        assert_eq!(image_name("nginx:1.0.0"), "nginx");
        assert_eq!(image_name("registry:5000/team/nginx:1.0"), "nginx");
        assert_eq!(image_name("nginx"), "nginx");
        assert_eq!(image_name("srcs_nginx"), "srcs_nginx");
        assert_eq!(image_name("nginx@sha256:abcd"), "nginx");
        let c = fixture();
        let mut odd = c[0].clone();
        odd.image = "srcs_nginx:latest".into();
        let f = names_finding(&[odd]);
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(format!("{f:?}").contains("runs image srcs_nginx"), "{f:?}");
    }

    #[test]
    fn one_service_per_container() {
        let wp = Container {
            name: "wordpress".into(),
            service: Some("wordpress".into()),
            ..Container::default()
        };
        let db = Container {
            name: "mariadb".into(),
            service: Some("mariadb".into()),
            ..Container::default()
        };
        let both = [wp.clone(), db.clone()];
        let listing = |wp: &'static str, db: &'static str| {
            move |name: &str| -> Option<Vec<String>> {
                Some(parse_servers(if name == "wordpress" { wp } else { db }))
            }
        };
        let good = roles_findings(
            &both,
            &listing(
                "/usr/sbin/php-fpm8.2\n",
                "/usr/sbin/mariadbd\n/usr/sbin/mysqld\n",
            ),
        );
        assert!(good.iter().all(|f| f.verdict == Verdict::Pass), "{good:?}");
        assert_eq!(good[0].id, "M7");
        assert_eq!(good[1].id, "M8");
        let nginx_in_wp = roles_findings(
            &both,
            &listing(
                "/usr/sbin/php-fpm8.2\n/usr/sbin/nginx\n",
                "/usr/sbin/mariadbd\n",
            ),
        );
        assert_eq!(nginx_in_wp[0].verdict, Verdict::Fail);
        assert!(format!("{:?}", nginx_in_wp[0]).contains("also ships nginx"));
        let php_in_db = roles_findings(
            &both,
            &listing(
                "/usr/sbin/php-fpm8.2\n",
                "/usr/bin/mariadbd\n/usr/sbin/php-fpm82\n",
            ),
        );
        assert_eq!(php_in_db[1].verdict, Verdict::Fail);
        let no_fpm = roles_findings(
            &both,
            &listing("/usr/sbin/apache2\n", "/usr/sbin/mariadbd\n"),
        );
        assert_eq!(no_fpm[0].verdict, Verdict::Fail);
        let missing = roles_findings(&[wp], &listing("/usr/sbin/php-fpm8.2\n", ""));
        assert_eq!(missing[1].verdict, Verdict::Fail, "no mariadb container");
        let unreadable = roles_findings(&both, &|_: &str| None);
        assert!(unreadable.iter().all(|f| f.verdict == Verdict::Skip));
        assert_eq!(
            parse_servers("/usr/sbin/nginx\n/usr/local/sbin/nginx\n\n"),
            vec!["nginx"]
        );
    }

    #[test]
    fn os_versions() {
        assert!(os_verdict(Some("12.8\n"), None).is_ok());
        assert!(os_verdict(Some("11.9"), None).is_err());
        assert!(os_verdict(Some("trixie/sid"), None).is_err());
        assert!(os_verdict(None, Some("3.21.3")).is_ok());
        assert!(os_verdict(None, Some("3.22.0")).is_ok());
        assert!(os_verdict(None, Some("3.20.1")).is_err());
        assert!(os_verdict(None, None).is_err());
    }

    #[test]
    fn volume_devices() {
        assert!(device_ok("/home/alice/data/mariadb", Some("alice")));
        assert!(!device_ok("/home/bob/data/mariadb", Some("alice")));
        assert!(device_ok("/home/bob/data/mariadb", None));
        assert!(!device_ok("/var/lib/docker/volumes/x", None));
        assert!(!device_ok("/home/alice/stuff", None));
        let vols = parse_volumes(
            r#"[{"Name":"srcs_mariadb","Options":{"device":"/home/alice/data/mariadb","o":"bind","type":"none"}},
                {"Name":"srcs_wordpress","Options":null}]"#,
        )
        .expect("parses");
        assert_eq!(vols[1].device, None);
        assert_eq!(
            volumes_finding(&vols, &[], Some("alice")).verdict,
            Verdict::Fail
        );
        assert_eq!(
            volumes_finding(&vols[..1], &[], None).verdict,
            Verdict::Fail
        );
        let good = vec![
            vols[0].clone(),
            Volume {
                name: "w".into(),
                device: Some("/home/alice/data/wordpress".into()),
            },
        ];
        assert_eq!(
            volumes_finding(&good, &[], Some("alice")).verdict,
            Verdict::Pass
        );
        assert_eq!(
            volumes_finding(&good, &[], Some("bob")).verdict,
            Verdict::Fail
        );
        // The database container must mount one of the named volumes.
        let mut db = Container {
            name: "mariadb".into(),
            service: Some("mariadb".into()),
            ..Container::default()
        };
        let f = volumes_finding(&good, std::slice::from_ref(&db), Some("alice"));
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(format!("{f:?}").contains("mounts none"), "{f:?}");
        db.mounts = vec![(
            "bind".into(),
            "/home/alice/data/mariadb".into(),
            "/var/lib/mysql".into(),
        )];
        let f = volumes_finding(&good, std::slice::from_ref(&db), Some("alice"));
        assert_eq!(
            f.verdict,
            Verdict::Fail,
            "a bind mount is not the named volume"
        );
        db.mounts[0] = (
            "volume".into(),
            "srcs_mariadb".into(),
            "/var/lib/mysql".into(),
        );
        let f = volumes_finding(&good, &[db], Some("alice"));
        assert_eq!(f.verdict, Verdict::Pass, "{f:?}");
        assert_eq!(
            parse_network_driver(r#"[{"Name":"srcs_inception","Driver":"bridge"}]"#).as_deref(),
            Ok("bridge")
        );
        assert!(parse_network_driver("[]").is_err());
    }

    fn argv(s: &str) -> Vec<String> {
        split_cmdline(s)
    }

    #[test]
    fn pid1_cmdlines() {
        assert!(pid1_verdict(&argv("/usr/local/bin/initd\0run\0nginx\0")).is_ok());
        assert!(pid1_verdict(&argv("nginx: master process nginx -g daemon off;")).is_ok());
        assert!(pid1_verdict(&argv("/bin/sh\0-c\0/entrypoint.sh\0")).is_err());
        assert!(pid1_verdict(&argv("bash\0")).is_err());
        assert!(pid1_verdict(&argv("tail\0-f\0/dev/null\0")).is_err());
        assert!(pid1_verdict(&argv("/bin/sleep\0infinity\0")).is_err());
        assert!(pid1_verdict(&argv(
            "/usr/bin/dumb-init\0sh\0-c\0while true; do sleep 1; done\0"
        ))
        .is_err());
        assert!(pid1_verdict(&[]).is_err());
    }

    #[test]
    fn pid1_children() {
        let stats = "1 (initd) S 0 1 1 0\n12 (nginx) S 1 12 1 0\n13 (nginx) S 12 12 1 0\n";
        let procs = parse_proc_stats(stats);
        assert_eq!(procs[1], (12, 1, "nginx".to_string()));
        let a = argv("/usr/local/bin/initd\0run\0nginx\0");
        assert!(pid1_container_verdict("nginx", &a, Some(&procs)).is_ok());
        assert!(pid1_container_verdict("wordpress", &a, Some(&procs)).is_err());
        assert!(pid1_container_verdict("mystery", &a, Some(&procs)).is_ok());
        assert!(pid1_container_verdict("nginx", &a, None).is_ok());
        let own = parse_proc_stats("1 (mariadbd) S 0 1 1 0\n");
        assert!(pid1_container_verdict("mariadb", &argv("mariadbd\0"), Some(&own)).is_ok());
        // comm with spaces and parentheses
        let odd = parse_proc_stats("7 (php-fpm: pool (www)) S 1 7 7 0\n");
        assert_eq!(odd[0], (7, 1, "php-fpm: pool (www)".to_string()));
    }

    #[test]
    fn wordpress_users() {
        let out = "user_login\tmeta_value\nalice_chief\ta:1:{s:13:\"administrator\";b:1;}\nbob\ta:1:{s:6:\"author\";b:1;}\n";
        let users = parse_users(out);
        assert_eq!(users.len(), 2);
        let f = users_findings(&users, "sql");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].verdict, Verdict::Pass);
        let bad = parse_users("user_login\tmeta_value\nSuperAdmin\ta:1:{s:13:\"administrator\";b:1;}\nbob\ta:1:{s:6:\"author\";b:1;}\n");
        let f = users_findings(&bad, "sql");
        assert!(f
            .iter()
            .any(|f| f.verdict == Verdict::Fail && format!("{f:?}").contains("SuperAdmin")));
        let lonely =
            parse_users("user_login\tmeta_value\nalice\ta:1:{s:13:\"administrator\";b:1;}\n");
        assert_eq!(users_findings(&lonely, "sql")[0].verdict, Verdict::Fail);
        let no_admin = parse_users("a\ta:1:{s:6:\"author\";b:1;}\nb\ta:1:{s:6:\"editor\";b:1;}\n");
        assert_eq!(users_findings(&no_admin, "sql")[0].verdict, Verdict::Fail);
        assert!(users_sql("wordpress").contains("`wordpress`.wp_users"));
    }

    #[test]
    fn env_secret_detection() {
        assert!(is_literal_secret_env("MYSQL_PASSWORD", "x"));
        assert!(is_literal_secret_env("wp_secret_key", "x"));
        assert!(!is_literal_secret_env(
            "MYSQL_PASSWORD_FILE",
            "/run/secrets/db"
        ));
        assert!(!is_literal_secret_env("MYSQL_PASSWORD", ""));
        assert!(!is_literal_secret_env("PATH", "/bin"));
        let c = fixture();
        let f = env_secrets_finding(&c);
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(
            !format!("{f:?}").contains("hunter22"),
            "the secret itself is never printed"
        );
        assert_eq!(env_secrets_finding(&c[..1]).verdict, Verdict::Pass);
    }

    #[test]
    fn secret_needle_forms() {
        assert_eq!(go_json_escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(go_json_escape("x<y>&z"), r"x\u003cy\u003e\u0026z");
        assert_eq!(go_json_escape("日本 é"), "日本 é");
        let long = "é'\"$`\\ 日本#;&%{}-0123456789abcdef".to_string();
        let needles = secret_needles(&[("s".into(), long.clone()), ("tiny".into(), "ab".into())]);
        let forms: Vec<&str> = needles.iter().map(|(_, n)| n.as_str()).collect();
        assert!(forms.contains(&long.as_str()));
        assert!(forms.iter().any(|f| f.contains("\\u0026")), "{forms:?}");
        let prefix = needles
            .iter()
            .find(|(l, _)| l.ends_with("(prefix)"))
            .expect("prefix");
        assert!(long.starts_with(&prefix.1) && prefix.1.len() >= 16 && prefix.1.len() < long.len());
        assert!(
            !needles.iter().any(|(l, _)| l.starts_with("tiny")),
            "short values are skipped"
        );
        // The inspect JSON form is found; a partial leak of a long value is found.
        let sources = vec![
            (
                "inspect".to_string(),
                format!("\"Env\":[\"X={}\"]", go_json_escape(&long)),
            ),
            (
                "logs".to_string(),
                format!("truncated: {}", &long[..prefix.1.len()]),
            ),
            ("clean".to_string(), "nothing here".to_string()),
        ];
        let leaks = secret_leaks(&[("s".into(), long)], &sources);
        assert_eq!(
            leaks,
            vec![
                ("s".to_string(), "inspect".to_string()),
                ("s".to_string(), "logs".to_string())
            ]
        );
    }

    #[test]
    fn secret_leak_search() {
        assert_eq!(secret_value("s3cr3t!\n"), "s3cr3t!");
        assert_eq!(secret_value("s3cr3t!"), "s3cr3t!");
        let secrets = vec![
            ("db_password".to_string(), "s3cr3t!".to_string()),
            ("tiny".into(), "ab".into()),
        ];
        let sources = vec![
            (
                "docker logs mariadb".to_string(),
                "password is s3cr3t! ab".to_string(),
            ),
            (
                "docker history nginx:1".to_string(),
                "RUN echo hi".to_string(),
            ),
        ];
        assert_eq!(
            secret_leaks(&secrets, &sources),
            vec![("db_password".to_string(), "docker logs mariadb".to_string())]
        );
    }
}
