//! `inception-monitor`: the stack's monitoring service (bonus B5), in two processes.
//!
//! - `proxy` runs in its own container, the only one that mounts the Docker engine socket.
//!   It is a read-only filter: it forwards a handful of `GET`/`HEAD` inspection requests to
//!   the socket and answers `403` to everything else (see [`proxy::check`]). Mounting the
//!   socket into a web-facing service would hand it root on the host; the filter keeps that
//!   power in a process that has no other job and a few hundred lines of tested code.
//! - `serve` is the monitor proper. A collector thread ([`collector`]) samples every
//!   container through the proxy and probes Redis, php-fpm, nginx and MariaDB every few
//!   seconds, keeping a ring buffer of recent samples ([`history`]). A small HTTP/1.1 server
//!   ([`http`]) serves the dashboard, the state as JSON and Prometheus metrics.
//!
//! Everything is std threads and blocking sockets: the load is a few requests every few
//! seconds, and this keeps the binary small and the build short (no async runtime).

pub mod cli;
pub mod collector;
pub mod dashboard;
pub mod engine;
pub mod history;
pub mod http;
pub mod metrics;
pub mod probes;
pub mod proxy;
pub mod stats;

use anyhow::{Context, Result};
use std::ffi::OsString;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// Parses the command line and runs the chosen subcommand (normally forever).
pub fn run(args: impl IntoIterator<Item = OsString>) -> Result<()> {
    match cli::parse(args)? {
        cli::Command::Help => {
            print!("{}", cli::USAGE);
            Ok(())
        }
        cli::Command::Proxy(opts) => {
            let listener = TcpListener::bind(&opts.listen)
                .with_context(|| format!("listening on {}", opts.listen))?;
            eprintln!(
                "engine proxy: listening on {}, forwarding read-only requests to {}",
                opts.listen,
                opts.engine.display()
            );
            proxy::serve(listener, &opts.engine)
        }
        cli::Command::Serve(opts) => serve(opts),
        cli::Command::Check { url } => {
            let resp = engine::get(&url, Duration::from_secs(5))?;
            if resp.status == 200 {
                Ok(())
            } else {
                anyhow::bail!("{url} answered HTTP {}", resp.status)
            }
        }
    }
}

fn serve(opts: cli::ServeOptions) -> Result<()> {
    let listener =
        TcpListener::bind(&opts.listen).with_context(|| format!("listening on {}", opts.listen))?;
    let collector = collector::Collector::from_options(&opts)?;
    let state = collector.state();
    eprintln!(
        "monitor: listening on {}, sampling {} every {} s",
        opts.listen,
        opts.engine,
        opts.interval.as_secs()
    );
    std::thread::Builder::new()
        .name("collector".into())
        .spawn(move || collector.run_forever())
        .context("starting the collector thread")?;
    http::serve(listener, Arc::new(move |req| http::route(&state, req)))
}
