//! vsftpd (bonus B2): FTPS onto the WordPress files volume.
//!
//! The FTP user gets www-data's uid and gid (a second name for the same account), so what
//! it uploads WordPress can edit and nginx can serve, and what WordPress wrote it can
//! download. Its password comes from a secret and is set through `chpasswd` on stdin. The
//! TLS key is generated here at first start, never baked into the image.

use crate::{exec, settings, template};
use anyhow::{bail, Context, Result};
use minijinja::context;
use nix::sys::signal::Signal;
use std::path::Path;
use std::process::Command;

const TLS_DIR: &str = "/etc/vsftpd/tls";

/// Checks an FTP login: a plain system user name.
pub fn check_user(user: &str) -> Result<()> {
    let ok = !user.is_empty()
        && user.len() <= 32
        && user.starts_with(|c: char| c.is_ascii_lowercase())
        && user
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !ok {
        bail!("FTP_USER={user:?} must be a system user name (lowercase letters, digits, '_', '-')");
    }
    if ["root", "www-data", "nobody", "ftp"].contains(&user) {
        bail!("FTP_USER={user:?} is reserved; pick another name in srcs/.env");
    }
    Ok(())
}

/// Creates the FTP user (once), sets its password, renders vsftpd.conf; returns vsftpd.
pub fn prepare() -> Result<pid1::Daemon> {
    let default_user = format!("{}_ftp", settings::var("LOGIN")?);
    let user = settings::var_or("FTP_USER", &default_user);
    check_user(&user)?;
    let password = settings::secret("FTP_PASSWORD")?;
    if password.contains('\n') {
        bail!("the FTP password must be one line");
    }
    let pasv_address = settings::var_or("FTP_PASV_ADDRESS", "127.0.0.1");
    if pasv_address.parse::<std::net::Ipv4Addr>().is_err() {
        bail!("FTP_PASV_ADDRESS={pasv_address:?} must be an IPv4 address clients can reach");
    }
    if nix::unistd::User::from_name(&user)?.is_none() {
        exec::run(
            Command::new("/usr/sbin/useradd")
                .args([
                    "--non-unique",
                    "--uid",
                    "33",
                    "--gid",
                    "33",
                    "--no-create-home",
                ])
                .args([
                    "--home-dir",
                    "/var/www/wordpress",
                    "--shell",
                    "/usr/sbin/nologin",
                ])
                .arg(&user),
            None,
        )?;
    }
    exec::run(
        &mut Command::new("/usr/sbin/chpasswd"),
        Some(format!("{user}:{password}\n").as_bytes()),
    )
    .context("setting the FTP password")?;
    crate::files::write_atomic(
        Path::new("/etc/vsftpd.user_list"),
        format!("{user}\n").as_bytes(),
        0o644,
    )?;
    let domain = settings::var_or("DOMAIN_NAME", "localhost");
    let pair = crate::cert::ensure(Path::new(TLS_DIR), &domain)?;
    let (key, cert) = (
        pair.key.display().to_string(),
        pair.cert.display().to_string(),
    );
    template::render_file(
        Path::new("/etc/inception/vsftpd.conf.j2"),
        Path::new("/etc/vsftpd.conf"),
        context! {
            cert => cert, key => key, pasv_address => pasv_address,
            pasv_min => settings::var_or("FTP_PASV_MIN", "21000"),
            pasv_max => settings::var_or("FTP_PASV_MAX", "21010"),
        },
        0o600,
    )?;
    Ok(super::daemon(
        "/usr/sbin/vsftpd",
        &["/etc/vsftpd.conf"],
        Signal::SIGTERM,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftp_user_names() {
        assert!(check_user("jdoe_ftp").is_ok());
        for bad in ["", "Root", "root", "www-data", "a b", "1abc", "x:y"] {
            assert!(check_user(bad).is_err(), "{bad:?}");
        }
    }
}
