//! The monitor (bonus B5) and its read-only engine proxy.
//!
//! Two containers from two images: `engine-proxy` holds the Docker socket and forwards
//! only the GET requests the monitor needs (`inception-monitor proxy`); `monitor` (run as
//! an unprivileged user, without the socket) samples the engine through it, probes Redis,
//! php-fpm, nginx and MariaDB, and serves the dashboard and /metrics behind nginx's
//! authentication. Nothing reachable from the web can write to the Docker API.

use crate::{files, settings};
use anyhow::Result;
use nix::sys::signal::Signal;
use std::path::Path;

const REDIS_PASSWORD: &str = "/run/inception/redis_password";

/// Returns the collector and dashboard, as the `inception` user.
pub fn prepare() -> Result<pid1::Daemon> {
    let mut args = vec![
        "serve".to_owned(),
        "--engine".into(),
        settings::var_or("MONITOR_ENGINE", "http://engine-proxy:2375"),
        "--listen".into(),
        "0.0.0.0:9100".into(),
        "--fpm".into(),
        "wordpress:9000".into(),
        "--nginx".into(),
        "http://nginx:8081/stub_status".into(),
        "--mariadb".into(),
        "mariadb:3306".into(),
    ];
    if let Ok(password) = settings::secret("REDIS_PASSWORD") {
        files::ensure_dir(Path::new("/run/inception"), "inception", 0o500)?;
        files::install_secret(Path::new(REDIS_PASSWORD), &password, "inception")?;
        args.extend(["--redis".into(), "redis:6379".into()]);
        args.extend(["--redis-password-file".into(), REDIS_PASSWORD.into()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    super::daemon_as(
        "inception",
        "/usr/local/bin/inception-monitor",
        &args,
        Signal::SIGTERM,
    )
}

/// Returns the read-only engine proxy (root: it alone opens the Docker socket).
pub fn prepare_proxy() -> Result<pid1::Daemon> {
    Ok(super::daemon(
        "/usr/local/bin/inception-monitor",
        &[
            "proxy",
            "--engine",
            "/var/run/docker.sock",
            "--listen",
            "0.0.0.0:2375",
        ],
        Signal::SIGTERM,
    ))
}
