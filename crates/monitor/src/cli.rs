//! Command line: `proxy`, `serve` and `check` (hand-rolled on lexopt, no clap).

use anyhow::{bail, Context, Result};
use lexopt::prelude::*;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// Usage text printed by `--help`.
pub const USAGE: &str = "\
usage:
  inception-monitor proxy [--engine /var/run/docker.sock] [--listen 0.0.0.0:2375]
      Read-only filter in front of the Docker engine socket.
  inception-monitor serve [--engine http://engine-proxy:2375] [--listen 0.0.0.0:9100]
                          [--interval 5] [--history 120]
                          [--redis HOST:PORT [--redis-password-file PATH]]
                          [--fpm HOST:PORT] [--nginx http://HOST:PORT/stub_status]
                          [--mariadb HOST:PORT]
      Collector, dashboard (/), JSON state (/api/state), Prometheus metrics (/metrics).
  inception-monitor check URL
      Exit 0 when URL answers HTTP 200 (for container healthchecks).
";

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print the usage text.
    Help,
    /// Run the engine proxy.
    Proxy(ProxyOptions),
    /// Run the collector and the HTTP server.
    Serve(ServeOptions),
    /// Probe one URL once.
    Check {
        /// `http://host:port/path` to fetch.
        url: String,
    },
}

/// Options of `proxy`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyOptions {
    /// Path of the engine's unix socket.
    pub engine: PathBuf,
    /// Address to listen on.
    pub listen: String,
}

/// Options of `serve`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeOptions {
    /// Base URL of the engine (normally the proxy), `http://host:port`.
    pub engine: String,
    /// Address to listen on.
    pub listen: String,
    /// Time between two samples.
    pub interval: Duration,
    /// Samples kept per series.
    pub history: usize,
    /// Redis `host:port`, if probed.
    pub redis: Option<String>,
    /// File holding the Redis password (read at each probe, never printed).
    pub redis_password_file: Option<PathBuf>,
    /// php-fpm FastCGI `host:port`, if probed.
    pub fpm: Option<String>,
    /// nginx stub_status URL, if probed.
    pub nginx: Option<String>,
    /// MariaDB `host:port`, if probed.
    pub mariadb: Option<String>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            engine: "http://engine-proxy:2375".into(),
            listen: "0.0.0.0:9100".into(),
            interval: Duration::from_secs(5),
            history: 120,
            redis: None,
            redis_password_file: None,
            fpm: None,
            nginx: None,
            mariadb: None,
        }
    }
}

fn string(parser: &mut lexopt::Parser) -> Result<String> {
    Ok(parser.value()?.string()?)
}

/// Parses the arguments (without the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command> {
    let mut parser = lexopt::Parser::from_args(args);
    let sub = match parser.next()? {
        None | Some(Short('h') | Long("help")) => return Ok(Command::Help),
        Some(Value(v)) => v.string()?,
        Some(other) => bail!("{}\n{USAGE}", other.unexpected()),
    };
    match sub.as_str() {
        "proxy" => {
            let mut opts = ProxyOptions {
                engine: "/var/run/docker.sock".into(),
                listen: "0.0.0.0:2375".into(),
            };
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("engine") => opts.engine = parser.value()?.into(),
                    Long("listen") => opts.listen = string(&mut parser)?,
                    Short('h') | Long("help") => return Ok(Command::Help),
                    other => bail!("proxy: {}", other.unexpected()),
                }
            }
            Ok(Command::Proxy(opts))
        }
        "serve" => {
            let mut opts = ServeOptions::default();
            while let Some(arg) = parser.next()? {
                match arg {
                    Long("engine") => opts.engine = string(&mut parser)?,
                    Long("listen") => opts.listen = string(&mut parser)?,
                    Long("interval") => {
                        let secs: u64 = string(&mut parser)?
                            .parse()
                            .context("--interval: whole seconds")?;
                        if !(1..=3600).contains(&secs) {
                            bail!("--interval must be between 1 and 3600 seconds");
                        }
                        opts.interval = Duration::from_secs(secs);
                    }
                    Long("history") => {
                        let n: usize = string(&mut parser)?
                            .parse()
                            .context("--history: a number of samples")?;
                        if !(2..=100_000).contains(&n) {
                            bail!("--history must be between 2 and 100000 samples");
                        }
                        opts.history = n;
                    }
                    Long("redis") => opts.redis = Some(string(&mut parser)?),
                    Long("redis-password-file") => {
                        opts.redis_password_file = Some(parser.value()?.into());
                    }
                    Long("fpm") => opts.fpm = Some(string(&mut parser)?),
                    Long("nginx") => opts.nginx = Some(string(&mut parser)?),
                    Long("mariadb") => opts.mariadb = Some(string(&mut parser)?),
                    Short('h') | Long("help") => return Ok(Command::Help),
                    other => bail!("serve: {}", other.unexpected()),
                }
            }
            if opts.redis_password_file.is_some() && opts.redis.is_none() {
                bail!("--redis-password-file needs --redis");
            }
            Ok(Command::Serve(opts))
        }
        "check" => {
            let url = match parser.next()? {
                Some(Value(v)) => v.string()?,
                _ => bail!("check: expected a URL"),
            };
            if let Some(other) = parser.next()? {
                bail!("check: {}", other.unexpected());
            }
            Ok(Command::Check { url })
        }
        other => bail!("unknown subcommand {other:?}\n{USAGE}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn proxy_defaults_and_flags() {
        let Ok(Command::Proxy(o)) = p(&["proxy", "--listen", "127.0.0.1:1"]) else {
            panic!("proxy not parsed")
        };
        assert_eq!(o.engine, PathBuf::from("/var/run/docker.sock"));
        assert_eq!(o.listen, "127.0.0.1:1");
    }

    #[test]
    fn serve_with_probes() {
        let Ok(Command::Serve(o)) = p(&[
            "serve",
            "--engine",
            "http://e:1",
            "--interval",
            "2",
            "--history=10",
            "--redis",
            "redis:6379",
            "--redis-password-file",
            "/run/secrets/x",
            "--fpm",
            "wordpress:9000",
            "--nginx",
            "http://nginx:8081/stub_status",
            "--mariadb",
            "mariadb:3306",
        ]) else {
            panic!("serve not parsed")
        };
        assert_eq!(o.interval, Duration::from_secs(2));
        assert_eq!(o.history, 10);
        assert_eq!(o.redis.as_deref(), Some("redis:6379"));
        assert_eq!(o.mariadb.as_deref(), Some("mariadb:3306"));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(p(&["serve", "--interval", "0"]).is_err());
        assert!(p(&["serve", "--history", "x"]).is_err());
        assert!(p(&["serve", "--bogus"]).is_err());
        assert!(p(&["serve", "--redis-password-file", "/x"]).is_err());
        assert!(p(&["frobnicate"]).is_err());
        assert_eq!(p(&[]).ok(), Some(Command::Help));
    }
}
