//! MariaDB: first-run bootstrap on an empty datadir, then `mariadbd` in the foreground.
//!
//! The bootstrap follows the pattern of the official image: `mariadb-install-db`, then a
//! temporary server with networking off, our SQL through its socket (database, WordPress
//! user with rights on that database only, root password, no anonymous users, no test
//! database), a clean shutdown, and a marker written last. A "started" marker written first
//! lets the next start tell a bootstrap that was killed half-way (wipe and redo) from a
//! datadir that is not ours (refuse, never delete someone's data).

use crate::{exec, files, settings, sql, wait};
use anyhow::{bail, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The data directory (the `mariadb` named volume).
pub const DATADIR: &str = "/var/lib/mysql";
/// Written after a successful bootstrap; the healthcheck requires it.
pub const READY_MARKER: &str = "/var/lib/mysql/.inception-ready";
const STARTED_MARKER: &str = "/var/lib/mysql/.inception-bootstrap-started";
const RUN_DIR: &str = "/run/mysqld";
const BOOTSTRAP_SOCKET: &str = "/run/mysqld/bootstrap.sock";
const CLIENT_CNF: &str = "/run/mysqld/.initd-client.cnf";

/// What the bootstrap needs, read before anything is touched.
struct Settings {
    database: String,
    user: String,
    password: String,
    root_password: String,
}

impl Settings {
    fn load() -> Result<Self> {
        let s = Settings {
            database: settings::var("MYSQL_DATABASE")?,
            user: settings::var("MYSQL_USER")?,
            password: settings::secret("MYSQL_PASSWORD")?,
            root_password: settings::secret("MYSQL_ROOT_PASSWORD")?,
        };
        sql::check_name("MYSQL_DATABASE", &s.database)?;
        sql::check_name("MYSQL_USER", &s.user)?;
        if s.user == "root" {
            bail!("MYSQL_USER must not be root: WordPress gets its own user; fix srcs/.env");
        }
        Ok(s)
    }
}

/// Bootstraps if needed and returns the daemon to supervise.
pub fn prepare() -> Result<pid1::Daemon> {
    let settings = Settings::load()?;
    files::ensure_dir(Path::new(RUN_DIR), "mysql", 0o755)?;
    files::ensure_dir(Path::new(DATADIR), "mysql", 0o750)?;
    if Path::new(READY_MARKER).exists() {
        eprintln!("init: mariadb datadir already initialised");
    } else {
        bootstrap(&settings)?;
    }
    Ok(super::daemon(
        "/usr/sbin/mariadbd",
        &["--user=mysql"],
        Signal::SIGTERM,
    ))
}

fn bootstrap(s: &Settings) -> Result<()> {
    let datadir = Path::new(DATADIR);
    let ignore = ["lost+found", ".inception-bootstrap-started"];
    if Path::new(STARTED_MARKER).exists() {
        eprintln!("init: an earlier bootstrap was interrupted; starting it again from scratch");
        files::empty_dir(datadir)?;
    } else if !files::dir_is_empty_except(datadir, &ignore)? {
        bail!(
            "{DATADIR} holds data that this stack did not initialise; refusing to touch it. \
             Point the mariadb volume at an empty directory, or remove it with `make fclean`"
        );
    }
    files::write_atomic(Path::new(STARTED_MARKER), b"", 0o600)?;
    eprintln!("init: initialising the mariadb datadir");
    exec::run(
        Command::new("/usr/bin/mariadb-install-db")
            .args(["--user=mysql", "--datadir=/var/lib/mysql", "--skip-test-db"])
            .arg("--auth-root-authentication-method=socket")
            .stdout(std::process::Stdio::null()),
        None,
    )?;
    let mut server = Command::new("/usr/sbin/mariadbd")
        .args([
            "--user=mysql",
            "--skip-networking",
            "--skip-log-bin",
            &format!("--socket={BOOTSTRAP_SOCKET}"),
        ])
        .stdin(std::process::Stdio::null())
        .spawn()
        .context("starting the temporary mariadbd")?;
    let result =
        wait::unix_socket(Path::new(BOOTSTRAP_SOCKET), Duration::from_secs(60)).and_then(|()| {
            exec::run(
                Command::new("/usr/bin/mariadb")
                    .args(["--protocol=socket", "--user=root", "--batch"])
                    .arg(format!("--socket={BOOTSTRAP_SOCKET}")),
                Some(bootstrap_sql(s).as_bytes()),
            )
        });
    let pid = Pid::from_raw(i32::try_from(server.id()).context("temporary mariadbd pid")?);
    let _ = kill(pid, Signal::SIGTERM);
    let status = server
        .wait()
        .context("waiting for the temporary mariadbd")?;
    result.context("running the bootstrap SQL")?;
    if !status.success() {
        bail!("temporary mariadbd did not shut down cleanly ({status})");
    }
    files::write_atomic(Path::new(READY_MARKER), b"", 0o600)?;
    std::fs::remove_file(STARTED_MARKER).context("removing the bootstrap-started marker")?;
    eprintln!("init: mariadb bootstrap complete");
    Ok(())
}

/// The bootstrap SQL; every value is escaped, so passwords may hold any character.
fn bootstrap_sql(s: &Settings) -> String {
    let db = sql::ident(&s.database);
    let user = sql::literal(&s.user);
    format!(
        "DELETE FROM mysql.global_priv WHERE User = '';
DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';
DROP DATABASE IF EXISTS test;
DELETE FROM mysql.db WHERE Db = 'test' OR Db = 'test\\_%';
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD({root});
CREATE DATABASE IF NOT EXISTS {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE OR REPLACE USER {user}@'%' IDENTIFIED BY {pw};
GRANT ALL PRIVILEGES ON {grant}.* TO {user}@'%';
FLUSH PRIVILEGES;
",
        root = sql::literal(&s.root_password),
        pw = sql::literal(&s.password),
        grant = sql::grant_db(&s.database),
    )
}

/// Quotes a value for a MariaDB option file (double quotes, backslash escapes).
fn option_value(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `initd sql`: runs the SQL on stdin as root, with the password handed over in a
/// mode-0600 option file on the container's tmpfs (never in process arguments).
pub fn sql_from_stdin() -> Result<i32> {
    let password = settings::secret("MYSQL_ROOT_PASSWORD")?;
    let cnf = format!(
        "[client]\nuser=root\npassword={}\n",
        option_value(&password)
    );
    files::write_atomic(Path::new(CLIENT_CNF), cnf.as_bytes(), 0o600)?;
    let status = Command::new("/usr/bin/mariadb")
        .arg(format!("--defaults-extra-file={CLIENT_CNF}"))
        .args(["--protocol=socket", "--batch"])
        .status()
        .context("starting the mariadb client");
    let _ = std::fs::remove_file(CLIENT_CNF);
    Ok(status?.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_escapes_hostile_passwords() {
        let s = Settings {
            database: "wordpress".into(),
            user: "wp_user".into(),
            password: "a'b\\c $`\" é".into(),
            root_password: "r'; DROP DATABASE x; --".into(),
        };
        let text = bootstrap_sql(&s);
        assert!(text.contains("IDENTIFIED BY 'a\\'b\\\\c $`\" é'"), "{text}");
        assert!(
            text.contains(r"PASSWORD('r\'; DROP DATABASE x; --')"),
            "{text}"
        );
        assert!(text.contains("GRANT ALL PRIVILEGES ON `wordpress`.* TO 'wp_user'@'%'"));
    }

    #[test]
    fn option_file_values_are_quoted() {
        assert_eq!(option_value(r#"a"b\c #d"#), r#""a\"b\\c #d""#);
    }
}
