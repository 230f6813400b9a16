//! nginx: a self-signed certificate for the domain (key generated here at first run and kept
//! in the `certs` volume, never in an image), nginx.conf rendered from its template, then
//! nginx in the foreground (`daemon off;` is in the template).

use crate::{exec, files, settings, template};
use anyhow::{Context, Result};
use minijinja::context;
use nix::sys::signal::Signal;
use std::path::Path;
use std::process::Command;

const TLS_DIR: &str = "/etc/nginx/tls";
/// HTTP authentication in front of the web tools (Adminer, monitor): a SHA-512 crypt hash
/// of the web_tools_password secret, rendered at every start (never in the image).
const HTPASSWD: &str = "/run/nginx/htpasswd";

/// Hashes the tools password with `openssl passwd -6` (password on stdin, never in
/// arguments) into the htpasswd file nginx's workers read.
fn write_htpasswd() -> Result<()> {
    let user = settings::var_or("WEB_TOOLS_USER", "ops");
    if user.is_empty() || user.contains([':', '\n', ' ']) {
        anyhow::bail!("WEB_TOOLS_USER={user:?} must be a plain name (no ':' or spaces)");
    }
    let password = settings::secret("WEB_TOOLS_PASSWORD")?;
    let mut child = Command::new("/usr/bin/openssl")
        .args(["passwd", "-6", "-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("starting openssl passwd")?;
    std::io::Write::write_all(
        child.stdin.as_mut().context("openssl stdin")?,
        format!("{password}\n").as_bytes(),
    )?;
    let out = child
        .wait_with_output()
        .context("waiting for openssl passwd")?;
    let hash = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || !hash.starts_with("$6$") {
        anyhow::bail!("openssl passwd failed ({})", out.status);
    }
    std::fs::create_dir_all("/run/nginx").context("creating /run/nginx")?;
    files::write_atomic(
        Path::new(HTPASSWD),
        format!("{user}:{hash}\n").as_bytes(),
        0o640,
    )?;
    let (_, gid) = files::user_ids("www-data")?;
    nix::unistd::chown(Path::new(HTPASSWD), None, Some(gid)).context("chgrp www-data htpasswd")
}

/// Makes sure a certificate for the domain exists and renders the configuration.
pub fn prepare() -> Result<pid1::Daemon> {
    let domain = settings::var("DOMAIN_NAME")?;
    super::check_domain(&domain)?;
    let php = settings::var_or("PHP_UPSTREAM", "wordpress:9000");
    crate::cert::ensure(Path::new(TLS_DIR), &domain)?;
    let bonus = settings::var_or("INCEPTION_BONUS", "0") == "1";
    if bonus {
        write_htpasswd()?;
    }
    template::render_file(
        Path::new("/etc/inception/nginx.conf.j2"),
        Path::new("/etc/nginx/nginx.conf"),
        context! {
            domain => domain, php_upstream => php, tls_dir => TLS_DIR, bonus => bonus,
            htpasswd => HTPASSWD,
        },
        0o644,
    )?;
    exec::run(Command::new("/usr/sbin/nginx").arg("-tq"), None)
        .context("checking the rendered nginx.conf")?;
    Ok(super::daemon("/usr/sbin/nginx", &[], Signal::SIGQUIT))
}
