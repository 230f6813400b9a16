//! The static showcase website of the stack (bonus B3), and the small HTTP/1.1 server that
//! serves it.
//!
//! The pages are compiled into the binary ([`assets`]), so the container needs no files
//! and a request can only reach an entry of that table. nginx proxies
//! `https://<login>.42.fr/site/` to this server with the `/site/` prefix stripped, which is
//! why every link in the pages is relative. The server ([`server`]) is std networking with
//! a thread per connection under a cap; [`http`] parses requests within size limits and
//! writes responses; [`handler`] maps one to the other with `ETag`/`Last-Modified`
//! validation and gzip negotiation.

pub mod assets;
pub mod date;
pub mod handler;
pub mod http;
pub mod server;

pub use server::{serve, serve_with, Config};

use anyhow::Context;
use std::ffi::OsString;
use std::net::TcpListener;

/// The address served when `--listen` is not given.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";

const USAGE: &str = "\
usage: inception-site [--listen ADDR]

Serves the Inception showcase website over HTTP/1.1 (behind nginx at /site/).

options:
  -l, --listen ADDR   address and port to listen on (default 0.0.0.0:8080)
  -h, --help          print this help
  -V, --version       print the version
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the site on this address.
    Serve {
        /// `host:port` to bind.
        listen: String,
    },
    /// Print the usage.
    Help,
    /// Print the version.
    Version,
}

/// Parses the arguments (program name excluded).
pub fn parse_args<I>(args: I) -> Result<Command, lexopt::Error>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut listen = DEFAULT_LISTEN.to_owned();
    while let Some(arg) = parser.next()? {
        match arg {
            Short('l') | Long("listen") => listen = parser.value()?.string()?,
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Serve { listen })
}

/// The program: parses `args`, binds the listener and serves forever.
pub fn run<I>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let command = parse_args(args).map_err(|error| anyhow::anyhow!("{error}\n\n{USAGE}"))?;
    match command {
        Command::Help => print!("{USAGE}"),
        Command::Version => println!("inception-site {}", env!("CARGO_PKG_VERSION")),
        Command::Serve { listen } => {
            let listener =
                TcpListener::bind(&listen).with_context(|| format!("listening on {listen}"))?;
            let local = listener.local_addr().context("reading the bound address")?;
            server::log_line(&format!("inception-site listening on http://{local}/"));
            serve(listener);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_explicit_listen_address() {
        let none: [&str; 0] = [];
        assert_eq!(
            parse_args(none).expect("ok"),
            Command::Serve {
                listen: DEFAULT_LISTEN.into()
            }
        );
        assert_eq!(
            parse_args(["--listen", "127.0.0.1:9000"]).expect("ok"),
            Command::Serve {
                listen: "127.0.0.1:9000".into()
            }
        );
        assert_eq!(
            parse_args(["--listen=[::1]:80"]).expect("ok"),
            Command::Serve {
                listen: "[::1]:80".into()
            }
        );
        assert_eq!(parse_args(["-h"]).expect("ok"), Command::Help);
        assert_eq!(parse_args(["--version"]).expect("ok"), Command::Version);
    }

    #[test]
    fn rejects_unknown_arguments() {
        assert!(parse_args(["--port", "80"]).is_err());
        assert!(parse_args(["stray"]).is_err());
        assert!(parse_args(["--listen"]).is_err());
    }
}
