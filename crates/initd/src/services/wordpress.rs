//! WordPress on php-fpm: files copied into the volume once, our wp-config.php, the install
//! and both users created by our own PHP (no wp-cli, nothing downloaded), then php-fpm in
//! the foreground on port 9000.
//!
//! Secrets reach PHP as files on the container's tmpfs owned by www-data (mode 0400): the
//! database password is read by wp-config.php at run time and never written into it.

use crate::{exec, files, settings, sql, template, wait};
use anyhow::{bail, Context, Result};
use minijinja::context;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const WEB_ROOT: &str = "/var/www/wordpress";
const SOURCE: &str = "/usr/src/wordpress";
const FILES_MARKER: &str = "/var/www/wordpress/.inception-files";
const SECRETS_DIR: &str = "/run/inception";
const TEMPLATES: &str = "/etc/inception";
const SETUP_SCRIPT: &str = "/usr/local/lib/inception/wp-setup.php";
const DROP_IN_SOURCE: &str = "/usr/local/lib/inception/object-cache.php";
const DROP_IN: &str = "/var/www/wordpress/wp-content/object-cache.php";
/// Settings included by wp-config.php at every request; rewritten at every start, so the
/// bonus profile can be switched on and off without touching the files volume's config.
const EXTRA_CONFIG: &str = "/run/inception/wp-extra.php";
/// Our drop-in says so in its header; a drop-in without it is someone else's: left alone.
const DROP_IN_MARK: &str = "Inception_Redis_Client";

/// Everything the start sequence needs, read and checked before anything is written.
struct Settings {
    domain: String,
    title: String,
    admin_user: String,
    admin_email: String,
    admin_password: String,
    user: String,
    user_email: String,
    user_password: String,
    db_name: String,
    db_user: String,
    db_password: String,
    db_host: String,
}

impl Settings {
    fn load() -> Result<Self> {
        let s = Settings {
            domain: settings::var("DOMAIN_NAME")?,
            title: settings::var("WP_TITLE")?,
            admin_user: settings::var("WP_ADMIN_USER")?,
            admin_email: settings::var("WP_ADMIN_EMAIL")?,
            admin_password: settings::secret("WP_ADMIN_PASSWORD")?,
            user: settings::var("WP_USER")?,
            user_email: settings::var("WP_USER_EMAIL")?,
            user_password: settings::secret("WP_USER_PASSWORD")?,
            db_name: settings::var("MYSQL_DATABASE")?,
            db_user: settings::var("MYSQL_USER")?,
            db_password: settings::secret("MYSQL_PASSWORD")?,
            db_host: settings::var_or("MYSQL_HOST", "mariadb"),
        };
        super::check_domain(&s.domain)?;
        settings::check_admin_name(&s.admin_user)?;
        sql::check_name("MYSQL_DATABASE", &s.db_name)?;
        sql::check_name("MYSQL_USER", &s.db_user)?;
        if s.user.eq_ignore_ascii_case(&s.admin_user) {
            bail!("WP_USER and WP_ADMIN_USER must be two different users; fix srcs/.env");
        }
        if s.admin_email.eq_ignore_ascii_case(&s.user_email) {
            bail!("WP_USER_EMAIL and WP_ADMIN_EMAIL must differ (WordPress needs one per user)");
        }
        Ok(s)
    }
}

/// Prepares files, configuration and the install; returns php-fpm to supervise.
pub fn prepare() -> Result<pid1::Daemon> {
    let s = Settings::load()?;
    files::ensure_dir(Path::new(SECRETS_DIR), "www-data", 0o500)?;
    for (name, value) in [
        ("db_password", &s.db_password),
        ("wp_admin_password", &s.admin_password),
        ("wp_user_password", &s.user_password),
    ] {
        files::install_secret(&Path::new(SECRETS_DIR).join(name), value, "www-data")?;
    }
    files::ensure_dir(Path::new("/run/php"), "www-data", 0o755)?;
    install_files()?;
    write_config(&s)?;
    configure_object_cache(&s)?;
    let (host, port) = split_host_port(&s.db_host)?;
    wait::tcp(host, port, Duration::from_secs(120))?;
    run_setup(&s)?;
    Ok(super::php_fpm())
}

fn split_host_port(value: &str) -> Result<(&str, u16)> {
    match value.rsplit_once(':') {
        Some((host, port)) => Ok((
            host,
            port.parse()
                .with_context(|| format!("MYSQL_HOST={value:?}: bad port"))?,
        )),
        None => Ok((value, 3306)),
    }
}

/// Copies WordPress into the volume the first time (again if a copy was interrupted).
fn install_files() -> Result<()> {
    if Path::new(FILES_MARKER).exists() {
        return Ok(());
    }
    eprintln!("init: copying WordPress into {WEB_ROOT}");
    exec::run(
        Command::new("/bin/cp").args(["-a", &format!("{SOURCE}/."), WEB_ROOT]),
        None,
    )?;
    exec::run(
        Command::new("/bin/chown").args(["-R", "www-data:www-data", WEB_ROOT]),
        None,
    )?;
    files::write_atomic(Path::new(FILES_MARKER), b"", 0o644)
}

/// Writes wp-config.php once, with fresh random salts; later starts keep it (sessions and
/// cookies stay valid across restarts).
fn write_config(s: &Settings) -> Result<()> {
    let dest = Path::new(WEB_ROOT).join("wp-config.php");
    if dest.exists() {
        return Ok(());
    }
    let mut salts = Vec::new();
    for name in [
        "AUTH_KEY",
        "SECURE_AUTH_KEY",
        "LOGGED_IN_KEY",
        "NONCE_KEY",
        "AUTH_SALT",
        "SECURE_AUTH_SALT",
        "LOGGED_IN_SALT",
        "NONCE_SALT",
    ] {
        salts.push(context! { name => name, value => super::random_token(64)? });
    }
    template::render_file(
        &Path::new(TEMPLATES).join("wp-config.php.j2"),
        &dest,
        context! {
            db_name => s.db_name,
            db_user => s.db_user,
            db_host => s.db_host,
            db_password_file => format!("{SECRETS_DIR}/db_password"),
            domain => s.domain,
            salts => salts,
        },
        0o640,
    )?;
    files::chown(&dest, "www-data")
}

/// Turns the Redis object cache (bonus B1) on when `WP_REDIS_HOST` is set, off otherwise.
fn configure_object_cache(s: &Settings) -> Result<()> {
    let host = settings::var_or("WP_REDIS_HOST", "");
    let ours = std::fs::read_to_string(DROP_IN)
        .map(|t| t.contains(DROP_IN_MARK))
        .unwrap_or(false);
    if host.is_empty() {
        if ours {
            std::fs::remove_file(DROP_IN).context("removing the object-cache drop-in")?;
            eprintln!("init: Redis object cache disabled");
        }
        return files::write_atomic(Path::new(EXTRA_CONFIG), b"<?php\n", 0o444);
    }
    let (redis_host, port) = match host.rsplit_once(':') {
        Some((h, p)) => (
            h.to_owned(),
            p.parse::<u16>()
                .with_context(|| format!("WP_REDIS_HOST={host:?}: bad port"))?,
        ),
        None => (host.clone(), 6379),
    };
    super::check_domain(&format!("{redis_host}.local"))
        .with_context(|| format!("WP_REDIS_HOST={host:?} is not a host name"))?;
    let password_file = format!("{SECRETS_DIR}/redis_password");
    files::install_secret(
        Path::new(&password_file),
        &settings::secret("REDIS_PASSWORD")?,
        "www-data",
    )?;
    let extra = format!(
        "<?php\n// Written by initd at start: the Redis object cache (bonus B1).\n\
define('WP_REDIS_HOST', '{redis_host}');\ndefine('WP_REDIS_PORT', {port});\n\
define('WP_REDIS_PASSWORD_FILE', '{password_file}');\n\
define('WP_CACHE_KEY_SALT', '{}');\n",
        s.domain
    );
    files::write_atomic(Path::new(EXTRA_CONFIG), extra.as_bytes(), 0o444)?;
    let source =
        std::fs::read(DROP_IN_SOURCE).with_context(|| format!("reading {DROP_IN_SOURCE}"))?;
    files::write_atomic(Path::new(DROP_IN), &source, 0o644)?;
    files::chown(Path::new(DROP_IN), "www-data")?;
    eprintln!("init: Redis object cache enabled ({redis_host}:{port})");
    Ok(())
}

/// Installs WordPress and makes sure both users exist, as www-data, through our PHP.
fn run_setup(s: &Settings) -> Result<()> {
    let mut cmd = exec::as_user("/usr/bin/php", "www-data")?;
    cmd.arg(SETUP_SCRIPT)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("WP_ROOT", WEB_ROOT)
        .env("DOMAIN_NAME", &s.domain)
        .env("WP_TITLE", &s.title)
        .env("WP_ADMIN_USER", &s.admin_user)
        .env("WP_ADMIN_EMAIL", &s.admin_email)
        .env(
            "WP_ADMIN_PASSWORD_FILE",
            format!("{SECRETS_DIR}/wp_admin_password"),
        )
        .env("WP_USER", &s.user)
        .env("WP_USER_EMAIL", &s.user_email)
        .env(
            "WP_USER_PASSWORD_FILE",
            format!("{SECRETS_DIR}/wp_user_password"),
        )
        .current_dir(WEB_ROOT);
    exec::run(&mut cmd, None).context("installing WordPress")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() {
        assert_eq!(split_host_port("mariadb").expect("ok"), ("mariadb", 3306));
        assert_eq!(split_host_port("db:3307").expect("ok"), ("db", 3307));
        assert!(split_host_port("db:x").is_err());
    }
}
