//! One look at a running stack: everything the read-only live rules need, gathered from the
//! engine in parallel, then judged by [`Snapshot`]'s methods (one per rule).
//!
//! Both `inception check --live` and the e2e suite of `make test` use this, so the rules the
//! audit reports and the rules the tests enforce are the same code: the e2e suite asks a
//! fresh snapshot for the finding of the rule it proves and requires it to pass.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread;

use crate::finding::{Evidence, Finding};

use super::rules::{self, ev, Container};
use super::{docker, docker_both, run_with_deadline, LiveOpts, Out, DOCKER_TIMEOUT};

/// What was read from inside one container with `docker exec`.
#[derive(Debug, Clone)]
pub struct Inside {
    /// `/etc/debian_version`, when present.
    pub debian: Option<String>,
    /// `/etc/alpine-release`, when present (only read when there is no debian_version).
    pub alpine: Option<String>,
    /// Why neither release file could be read.
    pub release_err: Option<String>,
    /// `/proc/1/cmdline`, NUL-separated.
    pub cmdline: Out,
    /// The process table as (pid, ppid, comm), when `sh` could list it.
    pub procs: Option<Vec<(u32, u32, String)>>,
    /// Server binaries installed (see [`rules::SERVERS_SCRIPT`]), when `sh` could list them.
    pub servers: Option<Vec<String>>,
    /// Every process's command line and environment, concatenated (secret leak search).
    pub proc_text: Out,
    /// `docker logs`, stdout and stderr.
    pub logs: Out,
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
            servers: None,
            proc_text: lost(),
            logs: lost(),
        }
    }
}

fn exec_sh(name: &str, script: &str) -> Out {
    docker(&["exec", name, "sh", "-c", script], None)
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
    let procs = exec_sh(
        name,
        "for s in /proc/[0-9]*/stat; do cat \"$s\" 2>/dev/null; echo; done",
    )
    .ok()
    .map(|t| rules::parse_proc_stats(&t));
    let servers = exec_sh(name, rules::SERVERS_SCRIPT)
        .ok()
        .map(|t| rules::parse_servers(&t));
    let proc_text = exec_sh(
        name,
        "cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null; true",
    );
    let logs = docker_both(&["logs", name]);
    Inside {
        debian: debian.ok(),
        alpine,
        release_err,
        cmdline,
        procs,
        servers,
        proc_text,
        logs,
    }
}

/// One image a container runs: its `docker image inspect` and `docker history` output.
#[derive(Debug, Clone)]
pub struct Image {
    /// The reference the container was started from.
    pub name: String,
    /// `docker image inspect` JSON.
    pub inspect: Out,
    /// `docker history --no-trunc`.
    pub history: Out,
}

/// The running stack as the engine describes it, read once.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The compose project audited.
    pub project: String,
    /// Its running containers, from `docker inspect`.
    pub containers: Vec<Container>,
    /// What `docker exec` read in each container, in the order of `containers`.
    pub insides: Vec<Inside>,
    /// Server name for TLS and HTTP.
    pub domain: String,
    /// The 42 login (given, or the `LOGIN` of a container's environment).
    pub login: Option<String>,
    /// The network findings (TLS versions, port 80, front page), when asked for.
    pub network: Vec<Finding>,
    repo: Option<PathBuf>,
    inspect_raw: String,
    volumes: Out,
    networks: Vec<(String, Out)>,
    images: Vec<Image>,
    host_ps: Out,
}

impl Snapshot {
    /// Reads the stack through the engine: the project's containers (chosen as
    /// [`super::choose_project`] does), then in parallel what is inside each container, the
    /// volumes, the networks, the images and, with `network`, the TLS/HTTP probes.
    ///
    /// # Errors
    /// A failing finding (the command and its error as evidence) when the engine does not
    /// answer or runs no container of the project.
    pub fn gather(opts: &LiveOpts, network: bool) -> Result<Self, Finding> {
        let ps_cmd = "docker ps --format {{.Names}}\\t{{.Label \"com.docker.compose.project\"}}";
        let ps = docker(
            &[
                "ps",
                "--format",
                "{{.Names}}\t{{.Label \"com.docker.compose.project\"}}",
            ],
            None,
        )
        .map_err(|e| engine_unreachable(ps_cmd, &e))?;
        let project = super::choose_project(&ps, opts.project.as_deref())
            .map_err(|e| engine_unreachable(ps_cmd, &e))?;
        let names: Vec<String> = ps
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(_, p)| p.trim() == project)
            .map(|(n, _)| n.trim().to_string())
            .collect();
        let mut inspect_args = vec!["inspect"];
        inspect_args.extend(names.iter().map(String::as_str));
        let inspect_cmd = format!("docker inspect {}", names.join(" "));
        let (inspect_raw, containers) = docker(&inspect_args, None)
            .and_then(|raw| rules::parse_containers(&raw).map(|c| (raw, c)))
            .map_err(|e| engine_unreachable(&inspect_cmd, &e))?;
        let nginx = containers.iter().find(|c| c.service_or_name() == "nginx");
        let domain = opts
            .domain
            .clone()
            .or_else(|| opts.repo.as_deref().and_then(super::domain_from_repo))
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
        let join_err = || "gathering thread panicked".to_string();
        let (network, insides, volumes, networks, images, host_ps) = thread::scope(|s| {
            let net = s.spawn(|| {
                if !network {
                    return Vec::new();
                }
                let mut found = super::network_findings(opts.addr, &domain);
                // The FTP bonus, when it publishes its control port on this machine.
                let ftp_published = containers.iter().any(|c| {
                    c.service_or_name() == "ftp" && c.published.iter().any(|(_, host)| host == "21")
                });
                if ftp_published {
                    let addr = SocketAddr::new(opts.addr.ip(), 21);
                    found.push(super::ftps_finding(addr, super::NET_TIMEOUT));
                }
                found
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
                    return Ok("[]".to_string());
                }
                let mut args = vec!["volume", "inspect"];
                args.extend(vols);
                docker(&args, None)
            });
            let networks = s.spawn(|| {
                rules::shared_networks(&containers)
                    .into_iter()
                    .map(|n| {
                        let out = docker(&["network", "inspect", &n], None);
                        (n, out)
                    })
                    .collect::<Vec<_>>()
            });
            let images = s.spawn(|| {
                let mut imgs: Vec<&str> = containers.iter().map(|c| c.image.as_str()).collect();
                imgs.sort_unstable();
                imgs.dedup();
                imgs.into_iter()
                    .map(|i| Image {
                        name: i.to_string(),
                        inspect: docker(&["image", "inspect", i], None),
                        history: docker(&["history", "--no-trunc", i], None),
                    })
                    .collect::<Vec<_>>()
            });
            let host_ps = s.spawn(|| {
                run_with_deadline("ps", &["-eo", "args"], None, DOCKER_TIMEOUT).map(|(o, _)| o)
            });
            (
                net.join().unwrap_or_else(|_| {
                    vec![Finding::fail("M6", "Network probes", "").with(ev("probes", join_err()))]
                }),
                insides
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect::<Vec<Inside>>(),
                volumes.join().unwrap_or_else(|_| Err(join_err())),
                networks.join().unwrap_or_default(),
                images.join().unwrap_or_default(),
                host_ps.join().unwrap_or_else(|_| Err(join_err())),
            )
        });
        Ok(Self {
            project,
            containers,
            insides,
            domain,
            login,
            network,
            repo: opts.repo.clone(),
            inspect_raw,
            volumes,
            networks,
            images,
            host_ps,
        })
    }

    /// Every read-only finding: the network ones (when gathered), then one per rule.
    #[must_use]
    pub fn findings(&self) -> Vec<Finding> {
        let mut f = self.network.clone();
        f.extend([
            self.ports(),
            self.names(),
            self.images(),
            self.os(),
            self.volumes(),
            self.network_rule(),
            self.restart(),
            self.pid1(),
            self.env_secrets(),
            self.secret_leaks(),
        ]);
        f.extend(self.roles());
        f.extend(self.users());
        f
    }

    /// What was read inside the container `name`.
    #[must_use]
    pub fn inside(&self, name: &str) -> Option<&Inside> {
        self.containers
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| self.insides.get(i))
    }

    /// M6: published ports.
    #[must_use]
    pub fn ports(&self) -> Finding {
        rules::ports_finding(&self.containers)
    }

    /// M4: container and image names.
    #[must_use]
    pub fn names(&self) -> Finding {
        rules::names_finding(&self.containers)
    }

    /// M5: images built here, never `latest`.
    #[must_use]
    pub fn images(&self) -> Finding {
        let digests: Vec<(String, Vec<String>)> = self
            .images
            .iter()
            .filter_map(|i| {
                let json = i.inspect.as_ref().ok()?;
                Some((i.name.clone(), rules::parse_repo_digests(json).ok()?))
            })
            .collect();
        rules::images_finding(&self.containers, &digests)
    }

    /// M5: the base OS of every container.
    #[must_use]
    pub fn os(&self) -> Finding {
        const RULE: &str = "Every container runs Debian 12 (bookworm) or Alpine 3.21/3.22";
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (c, i) in self.containers.iter().zip(&self.insides) {
            let file = if i.debian.is_none() && i.alpine.is_some() {
                "/etc/alpine-release"
            } else {
                "/etc/debian_version"
            };
            let cmd = format!("docker exec {} cat {file}", c.name);
            if i.debian.is_none() && i.alpine.is_none() {
                let why = i
                    .release_err
                    .clone()
                    .unwrap_or_else(|| "no release file".into());
                bad.push(ev(cmd, why));
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

    /// M7 and M8: php-fpm alone in the WordPress container, the database alone in MariaDB's.
    #[must_use]
    pub fn roles(&self) -> Vec<Finding> {
        rules::roles_findings(&self.containers, &|name| {
            self.inside(name).and_then(|i| i.servers.clone())
        })
    }

    /// M9: the project's named volumes, where their data lives, and who mounts them.
    #[must_use]
    pub fn volumes(&self) -> Finding {
        const RULE: &str = "Named volumes store their data under /home/<login>/data";
        match self
            .volumes
            .as_deref()
            .map_err(String::clone)
            .and_then(rules::parse_volumes)
        {
            Ok(v) => rules::volumes_finding(&v, &self.containers, self.login.as_deref()),
            Err(e) => Finding::skip("M9", RULE, "docker volume inspect", &e),
        }
    }

    /// M10: one user-defined bridge network, no host network, no links.
    #[must_use]
    pub fn network_rule(&self) -> Finding {
        let drivers: Vec<(String, String)> = self
            .networks
            .iter()
            .filter_map(|(n, out)| {
                let d = rules::parse_network_driver(out.as_ref().ok()?).ok()?;
                Some((n.clone(), d))
            })
            .collect();
        rules::network_finding(&self.containers, &drivers)
    }

    /// M11: restart policies.
    #[must_use]
    pub fn restart(&self) -> Finding {
        rules::restart_finding(&self.containers)
    }

    /// M12: PID 1 of every container, and its daemon in the foreground.
    #[must_use]
    pub fn pid1(&self) -> Finding {
        const RULE: &str = "PID 1 is a real init or the daemon (no shell, tail or sleep), the daemon in the foreground";
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (c, i) in self.containers.iter().zip(&self.insides) {
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

    /// The WordPress users, read in the project's `mariadb` container ([`wordpress_users`]).
    ///
    /// # Errors
    /// As [`wordpress_users`], or when there is no mariadb container.
    pub fn wordpress_users(&self) -> Result<(String, Vec<(String, String)>), String> {
        let db = self
            .containers
            .iter()
            .find(|c| c.service_or_name() == "mariadb")
            .ok_or_else(|| "no mariadb container".to_string())?;
        wordpress_users(
            &db.name,
            db.env_var("MYSQL_DATABASE").unwrap_or("wordpress"),
        )
    }

    /// M13: two users, an administrator whose name holds no "admin".
    #[must_use]
    pub fn users(&self) -> Vec<Finding> {
        const RULE: &str =
            "WordPress has two users, one administrator whose login contains no \"admin\"";
        match self.wordpress_users() {
            Ok((cmd, users)) => rules::users_findings(&users, &cmd),
            Err(e) if e.starts_with("no ") => {
                vec![Finding::skip("M13", RULE, "docker exec mariadb", &e)]
            }
            Err(e) => vec![Finding::fail(
                "M13",
                RULE,
                "Make sure WordPress is installed and the database is reachable.",
            )
            .with(ev("initd sql", e))],
        }
    }

    /// M15: no literal secret in a container's environment.
    #[must_use]
    pub fn env_secrets(&self) -> Finding {
        rules::env_secrets_finding(&self.containers)
    }

    /// The secret values the leak search looks for: `<repo>/secrets/*` and the files
    /// mounted under `/run/secrets`. (name, value).
    #[must_use]
    pub fn secret_values(&self) -> Vec<(String, String)> {
        super::secret_values(self.repo.as_deref(), &self.containers)
    }

    /// M15: no secret value in any text the engine or the host shows: `docker inspect` of
    /// containers, images, volumes and networks, image history, logs, every process's
    /// arguments and environment in every container, and the host's process arguments.
    #[must_use]
    pub fn secret_leaks(&self) -> Finding {
        const RULE: &str = "Secret values appear nowhere in docker inspect, image history, logs or process arguments";
        let secrets = self.secret_values();
        if secrets.is_empty() {
            return Finding::skip(
                "M15",
                RULE,
                "secrets/",
                "no readable secret file (give --repo with a secrets/ directory)",
            );
        }
        let mut sources: Vec<(String, Out)> = vec![
            (
                "docker inspect (containers)".into(),
                Ok(self.inspect_raw.clone()),
            ),
            ("docker volume inspect".into(), self.volumes.clone()),
            (
                "host process arguments (ps -eo args)".into(),
                self.host_ps.clone(),
            ),
        ];
        for (n, out) in &self.networks {
            sources.push((format!("docker network inspect {n}"), out.clone()));
        }
        for (c, i) in self.containers.iter().zip(&self.insides) {
            sources.push((format!("docker logs {}", c.name), i.logs.clone()));
            sources.push((
                format!("process arguments and environment in {}", c.name),
                i.proc_text.clone(),
            ));
        }
        for img in &self.images {
            sources.push((
                format!("docker image inspect {}", img.name),
                img.inspect.clone(),
            ));
            sources.push((
                format!("docker history --no-trunc {}", img.name),
                img.history.clone(),
            ));
        }
        let mut readable = Vec::new();
        let mut errors: Vec<Evidence> = Vec::new();
        for (name, out) in sources {
            match out {
                Ok(text) => readable.push((name, text)),
                Err(e) => errors.push(ev(name, e)),
            }
        }
        let leaks = rules::secret_leaks(&secrets, &readable);
        if !leaks.is_empty() {
            return Finding::fail(
                "M15",
                RULE,
                "Never pass secrets as build args, env values or command arguments and never echo them; read them from /run/secrets at run time.",
            )
            .with_all(
                leaks
                    .into_iter()
                    .map(|(name, src)| ev(src, format!("contains the value of {name}"))),
            );
        }
        let names: Vec<&str> = secrets.iter().map(|(n, _)| n.as_str()).collect();
        let summary = ev(
            format!("{} sources searched", readable.len()),
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
}

/// The WordPress users of `database` as (login, capabilities), read through `initd sql` in
/// container `db` (the root password never leaves its mode-0600 option file). Also returns
/// the command, for evidence.
///
/// # Errors
/// The command and why it failed: no `initd` in the container, SQL error.
pub fn wordpress_users(
    db: &str,
    database: &str,
) -> Result<(String, Vec<(String, String)>), String> {
    docker(&["exec", db, "test", "-x", "/usr/local/bin/initd"], None).map_err(|e| {
        format!("no /usr/local/bin/initd sql in {db} (cannot read users without credentials): {e}")
    })?;
    let cmd = format!("docker exec -i {db} /usr/local/bin/initd sql");
    let out =
        super::initd_sql(db, &rules::users_sql(database)).map_err(|e| format!("{cmd}: {e}"))?;
    Ok((cmd, rules::parse_users(&out)))
}

fn engine_unreachable(cmd: &str, err: &str) -> Finding {
    Finding::fail(
        "M4",
        "The stack is running and the engine answers",
        "Start the stack (`make`) and make sure this user may talk to Docker.",
    )
    .with(ev(cmd, err))
}
