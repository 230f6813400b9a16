//! Talking to the engine through the docker CLI, as a user would, with the same runner
//! (deadline, stderr in the error) as `inception check --live`.

use anyhow::{anyhow, bail, Context, Result};
use inception::live::{self, destructive};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The containers of the mandatory stack.
pub const SERVICES: [&str; 3] = ["nginx", "wordpress", "mariadb"];
/// The containers `make bonus` adds.
pub const BONUS: [&str; 6] = ["redis", "adminer", "ftp", "site", "engine-proxy", "monitor"];

/// Deadline of one docker command run by a check.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `docker args...`; returns stdout, fails with stderr.
pub fn docker(args: &[&str]) -> Result<String> {
    live::docker_with(args, None, TIMEOUT).map_err(|e| anyhow!(e))
}

/// `docker inspect -f FORMAT target`, trimmed.
pub fn inspect(target: &str, format: &str) -> Result<String> {
    Ok(docker(&["inspect", "-f", format, target])?
        .trim()
        .to_owned())
}

/// Runs a command in a container; returns stdout.
pub fn exec(container: &str, cmd: &[&str]) -> Result<String> {
    let mut args = vec!["exec", container];
    args.extend_from_slice(cmd);
    docker(&args)
}

/// Runs SQL as root in the mariadb container, through `initd sql`.
pub fn sql(query: &str) -> Result<String> {
    live::initd_sql("mariadb", query).map_err(|e| anyhow!("SQL failed: {e}"))
}

/// Waits (bounded) until every listed container is running and healthy.
pub fn wait_healthy(services: &[&str], limit: Duration) -> Result<()> {
    destructive::poll_until(limit, Duration::from_secs(1), || {
        destructive::all_up(services)
    })
    .map(|_| ())
    .map_err(|(why, t)| anyhow!("not healthy after {}s: {why}", t.as_secs()))
}
/// Restarts the Docker engine the way it was started: through systemd when it manages
/// docker, otherwise by stopping dockerd and starting it again, detached, with the same
/// command line (what a reboot does to a machine without systemd).
pub fn restart_engine() -> Result<()> {
    let systemd = Command::new("systemctl")
        .args(["is-active", "--quiet", "docker"])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if systemd {
        let status = Command::new("systemctl")
            .args(["restart", "docker"])
            .status()?;
        anyhow::ensure!(status.success(), "systemctl restart docker failed");
    } else {
        let pid = std::fs::read_to_string("/var/run/docker.pid")
            .context("reading /var/run/docker.pid (is dockerd running?)")?;
        let pid: i32 = pid.trim().parse().context("bad /var/run/docker.pid")?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).context("dockerd cmdline")?;
        let argv: Vec<String> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "could not stop dockerd");
        let start = Instant::now();
        while std::path::Path::new(&format!("/proc/{pid}")).exists() {
            if start.elapsed() > Duration::from_secs(60) {
                bail!("dockerd did not stop within 60s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(std::env::var("DOCKERD_LOG").unwrap_or_else(|_| "/var/log/dockerd.log".into()))
            .context("opening dockerd log")?;
        Command::new("setsid")
            .arg("--fork")
            .args(&argv)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .status()
            .context("starting dockerd again")?;
    }
    let start = Instant::now();
    while docker(&["info", "--format", "{{.ServerVersion}}"]).is_err() {
        if start.elapsed() > Duration::from_secs(60) {
            bail!("the Docker engine did not come back within 60s");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    Ok(())
}
