//! Checks on the running containers, read through the engine.

use crate::ctx::Ctx;
use crate::docker::{self, exec, inspect, SERVICES};
use anyhow::{ensure, Context, Result};

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn m4_names(ctx: &Ctx) -> Result<()> {
    for svc in ctx.services() {
        let name = inspect(svc, "{{.Name}}")?;
        ensure!(
            name == format!("/{svc}"),
            "container {name} is not named {svc}"
        );
        let service = inspect(
            svc,
            "{{index .Config.Labels \"com.docker.compose.service\"}}",
        )?;
        ensure!(service == svc, "container {svc} runs service {service}");
        let image = inspect(svc, "{{.Config.Image}}")?;
        ensure!(
            image == format!("{svc}:{VERSION}"),
            "{svc} runs image {image}, expected {svc}:{VERSION}"
        );
    }
    Ok(())
}

/// `container port -> host bindings` as printed by the engine.
fn published(container: &str) -> Result<Vec<String>> {
    let out = inspect(
        container,
        "{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{range $b}}{{$p}}={{.HostIp}}:{{.HostPort}} {{end}}{{end}}{{end}}",
    )?;
    Ok(out.split_whitespace().map(str::to_owned).collect())
}

pub fn m6_ports(ctx: &Ctx) -> Result<()> {
    let all = docker::docker(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.compose.project={}", ctx.project),
    ])?;
    let ids: Vec<&str> = all.split_whitespace().collect();
    ensure!(
        ids.len() >= SERVICES.len(),
        "only {} containers running",
        ids.len()
    );
    for id in ids {
        let name = inspect(id, "{{.Name}}")?;
        let ports = published(id)?;
        if name == "/ftp" && ctx.bonus {
            // Bonus B2's documented exception: FTP control and its passive range, 1:1.
            let ftp_port = |p: &str| {
                let port: u16 = p
                    .split('/')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                port == 21 || (21000..=21010).contains(&port)
            };
            ensure!(
                ports.iter().all(|p| ftp_port(p)),
                "ftp publishes more than its ports: {ports:?}"
            );
        } else if name == "/nginx" {
            ensure!(!ports.is_empty(), "nginx publishes nothing");
            ensure!(
                ports
                    .iter()
                    .all(|p| p.starts_with("443/tcp=") && p.ends_with(":443")),
                "nginx publishes more than 443: {ports:?}"
            );
        } else {
            ensure!(ports.is_empty(), "{name} publishes {ports:?}");
        }
    }
    Ok(())
}

/// Names of processes in a container, with their parent pid: (pid, ppid, comm).
fn processes(container: &str) -> Result<Vec<(u32, u32, String)>> {
    let out = exec(
        container,
        &[
            "sh",
            "-c",
            "for s in /proc/[0-9]*/stat; do cat \"$s\" 2>/dev/null; echo; done",
        ],
    )?;
    let mut procs = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        let (Some(open), Some(close)) = (line.find('('), line.rfind(')')) else {
            continue;
        };
        let pid = line[..open].trim().parse().unwrap_or(0);
        let comm = line[open + 1..close].to_owned();
        let ppid = line[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        procs.push((pid, ppid, comm));
    }
    Ok(procs)
}

fn has_file(container: &str, path: &str) -> bool {
    exec(container, &["test", "-e", path]).is_ok()
}

pub fn m7_wordpress(_: &Ctx) -> Result<()> {
    let procs = processes("wordpress")?;
    ensure!(
        procs
            .iter()
            .any(|(_, ppid, comm)| *ppid == 1 && comm.starts_with("php-fpm")),
        "no php-fpm master as a child of PID 1: {procs:?}"
    );
    for path in ["/usr/sbin/nginx", "/usr/sbin/apache2", "/usr/sbin/lighttpd"] {
        ensure!(
            !has_file("wordpress", path),
            "{path} is installed in the wordpress image"
        );
    }
    ensure!(
        has_file("wordpress", "/var/www/wordpress/wp-includes/version.php"),
        "WordPress files are missing"
    );
    Ok(())
}

pub fn m8_mariadb(_: &Ctx) -> Result<()> {
    let procs = processes("mariadb")?;
    ensure!(
        procs
            .iter()
            .any(|(_, ppid, comm)| *ppid == 1 && comm == "mariadbd"),
        "no mariadbd as a child of PID 1: {procs:?}"
    );
    for path in [
        "/usr/sbin/nginx",
        "/usr/sbin/apache2",
        "/usr/sbin/php-fpm8.2",
    ] {
        ensure!(
            !has_file("mariadb", path),
            "{path} is installed in the mariadb image"
        );
    }
    ensure!(published("mariadb")?.is_empty(), "mariadb publishes a port");
    let version = docker::sql("SELECT VERSION();")?;
    ensure!(version.contains("10.11"), "MariaDB is not 10.11: {version}");
    Ok(())
}

pub fn m9_volumes(ctx: &Ctx) -> Result<()> {
    for (volume, mount, witness) in [
        ("mariadb", "/var/lib/mysql", "ibdata1"),
        ("wordpress", "/var/www/wordpress", "wp-config.php"),
    ] {
        let name = format!("{}_{volume}", ctx.project);
        let driver = inspect(&name, "{{.Driver}}")?;
        ensure!(driver == "local", "{name} uses driver {driver}");
        let device = inspect(&name, "{{index .Options \"device\"}}")?;
        let expected = ctx.data_dir().join(volume);
        ensure!(
            device == expected.display().to_string(),
            "{name} stores its data in {device:?}, not {}",
            expected.display()
        );
        ensure!(
            expected.join(witness).exists(),
            "{} has no {witness}: data is not there",
            expected.display()
        );
        let mounts = inspect(
            volume,
            "{{range .Mounts}}{{.Type}}:{{.Name}}:{{.Destination}} {{end}}",
        )?;
        ensure!(
            mounts.contains(&format!("volume:{name}:{mount}")),
            "{volume} does not mount the named volume {name} at {mount}: {mounts}"
        );
    }
    Ok(())
}

pub fn m10_network(ctx: &Ctx) -> Result<()> {
    let network = format!("{}_inception", ctx.project);
    let driver = inspect(&network, "{{.Driver}}")?;
    ensure!(driver == "bridge", "{network} uses driver {driver}");
    for svc in SERVICES {
        let mode = inspect(svc, "{{.HostConfig.NetworkMode}}")?;
        ensure!(mode != "host", "{svc} uses the host network");
        let nets = inspect(
            svc,
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        )?;
        ensure!(
            nets.trim() == network,
            "{svc} is on networks {nets:?}, expected only {network}"
        );
        let links = inspect(svc, "{{.HostConfig.Links}}")?;
        ensure!(
            links == "[]" || links == "<no value>",
            "{svc} has links: {links}"
        );
    }
    let compose = std::fs::read_to_string(ctx.repo.join("srcs/docker-compose.yml"))?;
    for bad in ["network_mode", "links:", "external_links"] {
        ensure!(!compose.contains(bad), "the compose file uses {bad}");
    }
    Ok(())
}

pub fn m11_policy(ctx: &Ctx) -> Result<()> {
    for svc in ctx.services() {
        let policy = inspect(svc, "{{.HostConfig.RestartPolicy.Name}}")?;
        ensure!(
            policy == "unless-stopped" || policy == "always" || policy == "on-failure",
            "{svc} has restart policy {policy:?}"
        );
    }
    Ok(())
}

pub fn m12_pid1(ctx: &Ctx) -> Result<()> {
    let mut daemons = vec![
        ("nginx", "nginx"),
        ("wordpress", "php-fpm"),
        ("mariadb", "mariadbd"),
    ];
    if ctx.bonus {
        daemons.extend([
            ("redis", "redis-server"),
            ("adminer", "php-fpm"),
            ("ftp", "vsftpd"),
            ("site", "inception-site"),
            ("engine-proxy", "inception-monit"),
            ("monitor", "inception-monit"),
        ]);
    }
    for (svc, daemon) in daemons {
        let cmdline = exec(svc, &["cat", "/proc/1/cmdline"])?.replace('\0', " ");
        ensure!(
            cmdline.trim() == format!("/usr/local/bin/initd run {svc}"),
            "PID 1 of {svc} is {cmdline:?}"
        );
        let procs = processes(svc)?;
        ensure!(
            procs
                .iter()
                .any(|(_, ppid, comm)| *ppid == 1 && comm.starts_with(daemon)),
            "{daemon} is not a direct child of PID 1 in {svc}: {procs:?}"
        );
        for (pid, _, comm) in &procs {
            ensure!(
                !["tail", "sleep", "bash", "sh"].contains(&comm.as_str()) || *pid != 1,
                "{svc} keeps itself alive with {comm}"
            );
        }
    }
    let forbidden = [
        "tail -f",
        "sleep infinity",
        "while true",
        "while :",
        "tail -F",
    ];
    let mut stack = vec![ctx.repo.join("srcs")];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                for pattern in forbidden {
                    ensure!(
                        !text.contains(pattern),
                        "{} contains {pattern:?}",
                        path.display()
                    );
                }
            }
        }
    }
    Ok(())
}
