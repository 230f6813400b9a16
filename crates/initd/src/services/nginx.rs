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
    ensure_certificate(&domain)?;
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

/// Generates the key and certificate when they are missing or were made for another name.
fn ensure_certificate(domain: &str) -> Result<()> {
    let dir = Path::new(TLS_DIR);
    let (key, cert, name_file) = (
        dir.join("key.pem"),
        dir.join("cert.pem"),
        dir.join("domain"),
    );
    let current = std::fs::read_to_string(&name_file).unwrap_or_default();
    if key.exists() && cert.exists() && current.trim() == domain {
        return Ok(());
    }
    eprintln!("init: generating a self-signed certificate for {domain}");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {TLS_DIR}"))?;
    let (key_tmp, cert_tmp) = (dir.join(".key.pem.tmp"), dir.join(".cert.pem.tmp"));
    exec::run(
        Command::new("/usr/bin/openssl")
            .args(["req", "-x509", "-new", "-nodes", "-newkey", "ec"])
            .args([
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-sha256",
                "-days",
                "825",
            ])
            .args(["-subj", &format!("/CN={domain}")])
            .args(["-addext", &format!("subjectAltName=DNS:{domain}")])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args(["-addext", "extendedKeyUsage=serverAuth"])
            .arg("-keyout")
            .arg(&key_tmp)
            .arg("-out")
            .arg(&cert_tmp)
            .stderr(std::process::Stdio::null()),
        None,
    )?;
    std::fs::set_permissions(
        &key_tmp,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .context("restricting the key's permissions")?;
    std::fs::rename(&key_tmp, &key).context("installing the key")?;
    std::fs::rename(&cert_tmp, &cert).context("installing the certificate")?;
    files::write_atomic(&name_file, domain.as_bytes(), 0o644)
}
