//! `initd`: the PID 1 of every container in the stack.
//!
//! Theory of operation: a container starts `initd run <service>`. The service module reads
//! its settings (environment variables, and secrets from the files named by `*_FILE`
//! variables), renders its configuration, runs its first-run bootstrap (idempotent, and
//! able to finish a bootstrap that was killed half-way), probes its dependencies with a
//! bounded deadline, and finally hands the daemon to [`pid1::run`], which keeps it in the
//! foreground, forwards signals, reaps zombies and returns the daemon's exit status.
//! `initd healthcheck <service>` is the Docker healthcheck; `initd sql` is an operator's
//! way into MariaDB that keeps the root password out of process arguments.

pub mod cert;
pub mod envfile;
pub mod exec;
pub mod fastcgi;
pub mod files;
pub mod health;
pub mod secretgen;
pub mod services;
pub mod settings;
pub mod sql;
pub mod template;
pub mod wait;

use anyhow::{bail, Context, Result};
use std::ffi::OsString;

const USAGE: &str = "usage: initd run <nginx|wordpress|mariadb>
       initd healthcheck <nginx|wordpress|mariadb>
       initd sql            (mariadb container: SQL on stdin, as root)
       initd check-env FILE [--login NAME]
       initd gen-secrets DIR NAME...";

/// Parses the command line and runs the chosen command; returns the process exit code.
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<i32> {
    let mut args: Vec<String> = args
        .into_iter()
        .map(|a| {
            a.into_string()
                .map_err(|a| anyhow::anyhow!("argument is not UTF-8: {a:?}"))
        })
        .collect::<Result<_>>()?;
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return Ok(if args.is_empty() { 2 } else { 0 });
    }
    let command = args.remove(0);
    match (command.as_str(), args.as_slice()) {
        ("run", [service]) => services::run(service),
        ("healthcheck", [service]) => health::check(service).map(|()| 0),
        ("sql", []) => services::mariadb::sql_from_stdin(),
        ("check-env", [file]) => envfile::check_file(file.as_ref(), None),
        ("check-env", [file, flag, login]) if flag == "--login" => {
            envfile::check_file(file.as_ref(), Some(login))
        }
        ("gen-secrets", [dir, names @ ..]) => secretgen::generate(dir.as_ref(), names),
        _ => bail!(
            "unknown command line: {command} {}\n{USAGE}",
            args.join(" ")
        ),
    }
    .with_context(|| format!("initd {command} {}", args.join(" ")))
}
