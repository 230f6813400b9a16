//! **Test harness only — not the container init.**
//!
//! Runs [`pid1::run`] on the program given on the command line and exits
//! with the code it returns, so that the integration tests in `tests/` can
//! run the library as a real PID 1 (`unshare --pid --fork --mount-proc
//! pid1-harness ...`) or as a subreaper. The real init binary lives in its
//! own crate and does its bootstrap before calling [`pid1::run`].
//!
//! ```text
//! pid1-harness [--stop-signal SIGNAME] [--grace-ms N] [--subreaper] [--] PROGRAM [ARG...]
//! ```
//!
//! Exits 2 on a usage error and 1 if [`pid1::run`] fails.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use nix::sys::signal::Signal;

/// Parsed command line: the daemon, and whether to become a subreaper.
struct Options {
    daemon: pid1::Daemon,
    subreaper: bool,
}

fn main() -> ExitCode {
    let options = match parse(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("pid1-harness: {message}");
            eprintln!(
                "usage: pid1-harness [--stop-signal SIGNAME] [--grace-ms N] [--subreaper] [--] PROGRAM [ARG...]"
            );
            return ExitCode::from(2);
        }
    };
    if options.subreaper {
        if let Err(error) = pid1::set_subreaper() {
            eprintln!("init: {error}: {}", source_of(&error));
            return ExitCode::from(1);
        }
    }
    match pid1::run(&options.daemon) {
        // Codes are 0..=255 by construction (exit status or 128 + signal).
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(255)),
        Err(error) => {
            eprintln!("init: {error}: {}", source_of(&error));
            ExitCode::from(1)
        }
    }
}

/// The OS error behind `error`, for the message.
fn source_of(error: &pid1::Error) -> String {
    std::error::Error::source(error).map_or_else(String::new, ToString::to_string)
}

/// Parses the options, then PROGRAM and its arguments.
fn parse(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut stop_signal = Signal::SIGTERM;
    let mut grace = Duration::from_secs(5);
    let mut subreaper = false;
    let mut user = None;
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("missing PROGRAM".into());
        };
        match arg.to_str() {
            Some("--stop-signal") => {
                let name = value(&mut args, "--stop-signal")?;
                let full = if name.starts_with("SIG") {
                    name
                } else {
                    format!("SIG{name}")
                };
                stop_signal =
                    Signal::from_str(&full).map_err(|_| format!("unknown signal {full}"))?;
            }
            Some("--grace-ms") => {
                let millis = value(&mut args, "--grace-ms")?;
                let millis: u64 = millis
                    .parse()
                    .map_err(|_| format!("--grace-ms wants milliseconds, got {millis}"))?;
                grace = Duration::from_millis(millis);
            }
            Some("--subreaper") => subreaper = true,
            Some("--user") => {
                let spec = value(&mut args, "--user")?;
                let parsed = spec
                    .split_once(':')
                    .and_then(|(u, g)| Some((u.parse().ok()?, g.parse().ok()?)));
                user = Some(parsed.ok_or_else(|| format!("--user wants UID:GID, got {spec}"))?);
            }
            Some("--") => {
                break args.next().ok_or("missing PROGRAM after --")?;
            }
            _ => break arg,
        }
    };
    Ok(Options {
        daemon: pid1::Daemon {
            program: PathBuf::from(program),
            args: args.collect(),
            stop_signal,
            grace,
            user,
        },
        subreaper,
    })
}

/// The UTF-8 value following option `name`.
fn value(args: &mut impl Iterator<Item = OsString>, name: &str) -> Result<String, String> {
    args.next()
        .and_then(|value| value.into_string().ok())
        .ok_or_else(|| format!("{name} needs a value"))
}
