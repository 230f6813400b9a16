//! One module per service: each knows its settings, its bootstrap and its daemon.

pub mod adminer;
pub mod ftp;
pub mod mariadb;
pub mod monitor;
pub mod nginx;
pub mod redis;
pub mod site;
pub mod wordpress;

use anyhow::{bail, Result};
use nix::sys::signal::Signal;
use std::time::Duration;

/// Runs `service`'s start sequence, then supervises its daemon; returns the exit code.
pub fn run(service: &str) -> Result<i32> {
    let daemon = match service {
        "mariadb" => mariadb::prepare()?,
        "wordpress" => wordpress::prepare()?,
        "nginx" => nginx::prepare()?,
        "redis" => redis::prepare()?,
        "adminer" => adminer::prepare()?,
        "ftp" => ftp::prepare()?,
        "site" => site::prepare()?,
        "monitor" => monitor::prepare()?,
        "engine-proxy" => monitor::prepare_proxy()?,
        other => bail!(
            "unknown service {other:?} (expected nginx, wordpress, mariadb, redis, adminer, ftp, \
             site, monitor or engine-proxy)"
        ),
    };
    eprintln!(
        "init: {service} ready, starting {}",
        daemon.program.display()
    );
    Ok(pid1::run(&daemon)?)
}

/// The daemon description shared by every service: foreground, graceful stop on SIGTERM.
pub(crate) fn daemon(program: &str, args: &[&str], stop_signal: Signal) -> pid1::Daemon {
    pid1::Daemon {
        program: program.into(),
        args: args.iter().map(Into::into).collect(),
        stop_signal,
        grace: Duration::from_secs(10),
        user: None,
    }
}

/// The same, running as the system user `name` (for daemons that keep root otherwise).
pub(crate) fn daemon_as(
    name: &str,
    program: &str,
    args: &[&str],
    stop_signal: Signal,
) -> Result<pid1::Daemon> {
    let (uid, gid) = crate::files::user_ids(name)?;
    let mut d = daemon(program, args, stop_signal);
    d.user = Some((uid.as_raw(), gid.as_raw()));
    Ok(d)
}

/// php-fpm in the foreground with Debian's configuration, stopped gracefully with SIGQUIT
/// (finish the requests in flight): the daemon of both PHP containers, wordpress and adminer.
pub fn php_fpm() -> pid1::Daemon {
    daemon(
        "/usr/sbin/php-fpm8.2",
        &[
            "--nodaemonize",
            "--fpm-config",
            "/etc/php/8.2/fpm/php-fpm.conf",
        ],
        Signal::SIGQUIT,
    )
}

/// Random text for keys and salts, from the kernel's CSPRNG, in an alphabet that needs no
/// quoting in PHP, SQL or shell.
pub fn random_token(len: usize) -> Result<String> {
    use std::io::Read;
    const ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,:;!?*+=^~()[]{}<>|@#%";
    let mut bytes = vec![0u8; len * 2];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    // Rejection sampling keeps the distribution uniform over the alphabet.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::with_capacity(len);
    let mut pool = bytes.into_iter();
    while out.len() < len {
        let b = match pool.next() {
            Some(b) => usize::from(b),
            None => {
                let mut more = vec![0u8; len];
                std::fs::File::open("/dev/urandom")?.read_exact(&mut more)?;
                pool = more.into_iter();
                continue;
            }
        };
        if b < limit {
            out.push(char::from(ALPHABET[b % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// Domain names we serve must be plain host names (they end up in nginx.conf and the cert).
pub fn check_domain(domain: &str) -> Result<()> {
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if domain.len() > 253 || !domain.contains('.') || !domain.split('.').all(label_ok) {
        bail!("DOMAIN_NAME={domain:?} is not a valid host name (expected <login>.42.fr); fix srcs/.env");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_differ() {
        let a = random_token(64).expect("token");
        let b = random_token(64).expect("token");
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(!a.contains(['\'', '"', '\\', '$', '`']));
    }

    #[test]
    fn domains() {
        assert!(check_domain("jdoe.42.fr").is_ok());
        for bad in ["jdoe", "-a.42.fr", "a..fr", "a b.fr", "a;.fr", "a.fr;evil"] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
    }
}
