//! The process-supervision core of our container init.
//!
//! Every container of the stack runs our init binary as PID 1. After its own
//! bootstrap, that binary calls [`run`], which runs the daemon (nginx,
//! php-fpm, mariadbd) in the foreground as its only direct child and does
//! the three jobs the kernel expects from a PID 1:
//!
//! 1. **Signals.** PID 1 of a namespace is immune to every signal whose
//!    disposition is the default one, so an init that installs no handler
//!    never sees `docker stop`'s SIGTERM. Instead of handlers we *block* the
//!    forwardable signals (and SIGCHLD) in the calling thread *before*
//!    spawning, and read them from a `signalfd` (module `signals`). A
//!    blocked signal is queued, never ignored, so none is lost between the
//!    block and the first read. Synchronous fault signals (SIGSEGV, SIGBUS,
//!    SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS) are left alone, so that a
//!    crash of the init stays a crash. Forwardable signals go to the
//!    daemon's pid only, since nginx, php-fpm and mariadbd manage their own
//!    workers; SIGTERM is translated into the daemon's graceful stop signal.
//! 2. **Reaping.** Orphans (from `docker exec`, healthchecks, daemons that
//!    double-fork) reparent to PID 1 and must be reaped, or they stay
//!    zombies forever. SIGCHLD coalesces, so on every wake-up we call
//!    `waitpid(-1, WNOHANG)` in a loop until nothing is left to collect
//!    (module `reap`). The daemon is started with fork + exec (module
//!    `spawn`) but never waited on through `std::process::Child::wait`: two
//!    reapers steal each other's statuses.
//! 3. **Shutdown.** When the daemon exits we remember its exit code
//!    (`128 + signal` if it was killed), SIGTERM every remaining process,
//!    give them [`Daemon::grace`] to go, SIGKILL the rest and return the
//!    daemon's code (module `shutdown`). When we really are PID 1, "every
//!    remaining process" is `kill(-1)`; otherwise (a subreaper in tests) only
//!    our own descendants, found in `/proc` (module `children`): `kill(-1)`
//!    outside a namespace would hit the whole machine.
//!
//! The signals stay blocked when [`run`] returns: the caller is expected to
//! exit with the returned code right away, and unblocking would let a late
//! SIGTERM kill the process before it reports the daemon's status.
//!
//! Nothing but the program (its name, or its configured path when it cannot
//! be executed; never its arguments or environment), signal names, exit
//! codes and OS errors is printed, always on stderr, each line prefixed with
//! `init: `.
//!
//! The integration tests (`tests/`) run the `pid1-harness` test binary as a
//! real PID 1 with `unshare --pid --fork --mount-proc`, so every claim above
//! is checked against the kernel, not a model of it.

mod children;
mod error;
mod reap;
mod report;
mod shutdown;
mod signals;
mod spawn;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;

pub use error::Error;
pub use reap::exit_code;

use signals::SignalQueue;
use spawn::Spawned;

/// What to run and how to stop it.
///
/// The caller (our init binary) builds one per container from its
/// configuration; the per-daemon knowledge lives here, not in this crate.
#[derive(Debug, Clone)]
pub struct Daemon {
    /// The program to run in the foreground: an absolute path, or a name
    /// looked up in `PATH` like a shell would.
    pub program: PathBuf,
    /// Its arguments, without `argv[0]`. Never printed, as they may hold
    /// secrets.
    pub args: Vec<OsString>,
    /// The signal sent to the daemon when PID 1 receives SIGTERM, because
    /// some daemons stop gracefully on another one (SIGQUIT for nginx and
    /// php-fpm). SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 and SIGWINCH are
    /// forwarded as they are.
    pub stop_signal: Signal,
    /// How long the processes still running after the daemon exited get,
    /// after SIGTERM, before SIGKILL ends them. Keep it below the engine's
    /// own stop timeout so that our SIGKILL, not the engine's, ends them.
    pub grace: Duration,
    /// The uid and gid the daemon runs as, for daemons that do not drop
    /// privileges themselves (redis-server, our Rust services); `None`
    /// keeps root, for masters that drop their workers' privileges (nginx,
    /// php-fpm, mariadbd --user). Supplementary groups are cleared.
    pub user: Option<(u32, u32)>,
}

impl Daemon {
    /// The name used in messages: the last component of
    /// [`Daemon::program`], so that a path never leaks more than the name.
    fn name(&self) -> String {
        self.program
            .file_name()
            .unwrap_or(self.program.as_os_str())
            .to_string_lossy()
            .into_owned()
    }
}

/// Runs `daemon` as our child until it exits, then cleans up what it left.
///
/// Returns the exit code PID 1 should exit with: the daemon's own code,
/// `128 + signal` if a signal killed it, 127 if the program was not found
/// and 126 if it could not be executed (the shell's conventions, so that
/// `docker ps` shows familiar numbers).
///
/// # Errors
///
/// Only when supervision itself is impossible: the signals cannot be
/// blocked or read, the process cannot be forked, or `waitpid` fails for a
/// reason other than "no children". Failures while cleaning up after the
/// daemon exited are reported on stderr and do not hide the daemon's code.
///
/// # Threads
///
/// Call it from the main thread before any other thread exists (as an init
/// naturally does): the signals are blocked in the calling thread only, and
/// a process-directed signal delivered to another thread that does not block
/// it would be lost. Threads created afterwards inherit the block.
pub fn run(daemon: &Daemon) -> Result<i32, Error> {
    // Block first: a signal that arrives while we fork must be queued for
    // us, not acted upon (or ignored, as PID 1) before we can read it.
    let queue = SignalQueue::block()?;
    let name = daemon.name();

    let pid = match spawn::spawn(daemon)? {
        Spawned::Running(pid) => pid,
        Spawned::CannotExecute { code, error } => {
            // The path as configured, not just the name: which file was
            // tried is the whole point of this message.
            report::say(format_args!(
                "cannot execute {}: {error}",
                daemon.program.display()
            ));
            return Ok(code);
        }
    };

    let status = supervise(&queue, daemon, &name, pid)?;
    let code = exit_code(status).unwrap_or(1);
    match status {
        WaitStatus::Signaled(_, signal, _) => report::say(format_args!(
            "{name} was killed by {} (exit status {code})",
            signal.as_str()
        )),
        _ => report::say(format_args!("{name} exited with status {code}")),
    }

    if let Err(error) = shutdown::terminate_remaining(&queue, daemon.grace) {
        report::say(format_args!(
            "could not clean up after {name}: {}",
            report::chain(&error)
        ));
    }
    Ok(code)
}

/// Forwards signals to `pid` and reaps every child until `pid` itself is
/// reaped; returns its final status.
fn supervise(
    queue: &SignalQueue,
    daemon: &Daemon,
    name: &str,
    pid: Pid,
) -> Result<WaitStatus, Error> {
    loop {
        // Reap before waiting: the daemon may already be gone, and its
        // SIGCHLD may have been merged with an earlier one.
        let mut daemon_status = None;
        reap::reap_all(|status| {
            if status.pid() == Some(pid) {
                daemon_status = Some(status);
            }
        })?;
        if let Some(status) = daemon_status {
            return Ok(status);
        }

        let Some(received) = queue.wait(None)? else {
            continue;
        };
        if received == Signal::SIGCHLD {
            continue;
        }
        let sent = signals::forward_as(received, daemon.stop_signal);
        if signals::is_stop_signal(received) {
            if sent == received {
                report::say(format_args!("forwarding {} to {name}", sent.as_str()));
            } else {
                report::say(format_args!(
                    "received {}, sending {} to {name}",
                    received.as_str(),
                    sent.as_str()
                ));
            }
        }
        // The daemon is not reaped yet, so `pid` cannot have been reused:
        // at worst it is a zombie and the signal is a no-op.
        if let Err(errno) = nix::sys::signal::kill(pid, sent) {
            report::say(format_args!(
                "could not send {} to {name}: {errno}",
                sent.as_str()
            ));
        }
    }
}

/// Makes the calling process a child subreaper, so that orphans of its
/// descendants reparent to it instead of to the real PID 1.
///
/// This is how tests (and tools) get PID 1's reaping duties without a PID
/// namespace. A subreaper is not PID 1, so [`run`] then signals only its own
/// descendants at shutdown, never `kill(-1)`.
///
/// # Errors
///
/// [`Error::Subreaper`] if `prctl(PR_SET_CHILD_SUBREAPER)` fails.
pub fn set_subreaper() -> Result<(), Error> {
    nix::sys::prctl::set_child_subreaper(true).map_err(|source| Error::Subreaper { source })
}
