//! `inception check`: a static audit of a 42 Inception repository against the subject's
//! rules (ids M1..M16 and B1..B5 from DESIGN.md), with evidence (`file:line` and excerpt)
//! and a fix for every failure. No network, no Docker: it reads the tree (and asks `git`
//! about tracked files and history).
//!
//! `inception check --live` audits the *running* stack instead ([`live`]): the `docker`
//! CLI for containers, volumes, networks, PID 1, users and secrets, and network probes for
//! TLS versions, port 80 and the front page. Same findings, formats and exit codes.
//!
//! `main` is a thin wrapper around [`run`]; [`audit`] and [`live::audit_live`] are the
//! library entry points used by the tests.

pub mod check;
pub mod finding;
pub mod live;
pub mod model;
pub mod repo;
pub mod report;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::finding::{Finding, Summary, Verdict};
use crate::report::Format;

/// Usage text.
pub const USAGE: &str = "\
Usage: inception check --repo PATH [--json | --markdown] [--login NAME]
       inception check --live [--domain D] [--addr IP:PORT] [--project NAME]
                       [--repo PATH] [--login NAME] [--destructive] [--json | --markdown]

Static audit of a 42 Inception repository (rules M1-M16, B1-B5 of DESIGN.md), or with
--live an audit of the running stack through the docker CLI and the network.

Options:
  --repo PATH      repository to audit (default: the current directory); with --live,
                   where srcs/.env (DOMAIN_NAME) and secrets/ are read from
  --json           print the findings as a JSON array (summary on stderr)
  --markdown       print the findings as a Markdown table
  --login NAME     the 42 login: volume data must live under /home/NAME/data
  --live           audit the running containers instead of the tree
  --domain D       server name for TLS and HTTP (default: DOMAIN_NAME of srcs/.env
                   with --repo, else of the nginx container)
  --addr IP:PORT   where nginx listens (default 127.0.0.1:443)
  --project NAME   compose project to audit (default: the nginx container's)
  --destructive    also kill -9 every PID 1 (M11), and prove data survives (M17)
                   `make down` + `make` in --repo, else a compose stop/start
  -h, --help       print this help

Exit status: 0 when nothing fails, 1 when a check fails, 2 on a usage error.";

/// Parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Repository root.
    pub repo: PathBuf,
    /// Output format.
    pub format: Format,
    /// 42 login, if given.
    pub login: Option<String>,
    /// `--live`: audit the running stack with these options.
    pub live: Option<live::LiveOpts>,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the audit.
    Check(Args),
    /// Print the help.
    Help,
}

/// Parses the command line (without the program name).
///
/// # Errors
/// A message for the user on any usage error.
pub fn parse_args(args: Vec<OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut sub = None;
    let mut repo = None;
    let mut format = None;
    let mut login = None;
    let mut live = false;
    let mut live_opts = live::LiveOpts::default();
    let mut live_only = Vec::new();
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Value(v) if sub.is_none() => {
                let v = v.string().map_err(|e| e.to_string())?;
                if v != "check" {
                    return Err(format!("unknown subcommand `{v}` (expected `check`)"));
                }
                sub = Some(v);
            }
            Long("repo") => repo = Some(PathBuf::from(p.value().map_err(|e| e.to_string())?)),
            Long("login") => {
                let v = p
                    .value()
                    .map_err(|e| e.to_string())?
                    .string()
                    .map_err(|e| e.to_string())?;
                login = (!v.trim().is_empty()).then(|| v.trim().to_string());
            }
            Long("live") => live = true,
            Long("destructive") => {
                live_opts.destructive = true;
                live_only.push("--destructive");
            }
            Long("domain") => {
                live_opts.domain = Some(nonempty_value(&mut p, "--domain")?);
                live_only.push("--domain");
            }
            Long("project") => {
                live_opts.project = Some(nonempty_value(&mut p, "--project")?);
                live_only.push("--project");
            }
            Long("addr") => {
                let v = p
                    .value()
                    .map_err(|e| e.to_string())?
                    .string()
                    .map_err(|e| e.to_string())?;
                live_opts.addr = v
                    .parse()
                    .map_err(|e| format!("--addr {v:?}: {e} (expected IP:PORT)"))?;
                live_only.push("--addr");
            }
            Long("json") | Long("markdown") => {
                let f = if arg == Long("json") {
                    Format::Json
                } else {
                    Format::Markdown
                };
                if format.is_some_and(|old| old != f) {
                    return Err("--json and --markdown are mutually exclusive".into());
                }
                format = Some(f);
            }
            other => return Err(other.unexpected().to_string()),
        }
    }
    if sub.is_none() {
        return Err("missing subcommand `check`".into());
    }
    if let (false, Some(opt)) = (live, live_only.first()) {
        return Err(format!("{opt} needs --live"));
    }
    let live = live.then(|| live::LiveOpts {
        repo: repo.clone(),
        login: login.clone(),
        ..live_opts
    });
    Ok(Command::Check(Args {
        repo: repo.unwrap_or_else(|| PathBuf::from(".")),
        format: format.unwrap_or(Format::Table),
        login,
        live,
    }))
}

fn nonempty_value(p: &mut lexopt::Parser, name: &str) -> Result<String, String> {
    use lexopt::ValueExt as _;
    let v = p
        .value()
        .map_err(|e| e.to_string())?
        .string()
        .map_err(|e| e.to_string())?;
    let v = v.trim();
    if v.is_empty() {
        return Err(format!("{name} needs a non-empty value"));
    }
    Ok(v.to_string())
}

/// Audits the tree at `root`: every check, in rule order.
///
/// # Errors
/// When `root` is not a readable directory.
pub fn audit(root: &Path, login: Option<&str>) -> Result<Vec<Finding>, repo::RepoError> {
    let repo = repo::Repo::open(root)?;
    let ctx = check::Ctx::new(repo, login.map(str::to_string));
    Ok(check::run_all(&ctx))
}

/// Runs the command line `args` (without the program name), writing the report to `out`;
/// returns the exit status.
///
/// # Errors
/// When the repository cannot be opened or the report cannot be written.
pub fn run_with(args: Vec<OsString>, out: &mut dyn Write, colour: bool) -> anyhow::Result<i32> {
    let cmd = match parse_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return Ok(2);
        }
    };
    let args = match cmd {
        Command::Help => {
            writeln!(out, "{USAGE}")?;
            return Ok(0);
        }
        Command::Check(a) => a,
    };
    let started = std::time::Instant::now();
    let findings = match &args.live {
        Some(opts) => live::audit_live(opts),
        None => audit(&args.repo, args.login.as_deref())
            .with_context(|| format!("cannot audit {}", args.repo.display()))?,
    };
    match args.format {
        Format::Table => report::table(out, &findings, colour)?,
        Format::Json => {
            report::json(out, &findings)?;
            eprintln!("{}", Summary::of(&findings));
        }
        Format::Markdown => report::markdown(out, &findings)?,
    }
    out.flush()?;
    if args.live.is_some() {
        eprintln!("live audit took {:.1}s", started.elapsed().as_secs_f64());
    }
    Ok(i32::from(
        findings.iter().any(|f| f.verdict == Verdict::Fail),
    ))
}

/// The binary's entry point: parses `std::env::args_os`, prints the report to stdout and
/// returns the exit status (0 clean, 1 a check failed, 2 usage or I/O error).
#[must_use]
pub fn run() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match run_with(args, &mut lock, report::want_colour()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}
