//! The one error type of the crate.
//!
//! Every variant names the operation that failed; the OS error is its
//! [`source`](std::error::Error::source), not repeated in the message, so
//! that error reporters printing the chain show it once.

use std::path::PathBuf;

/// Why supervision could not start or go on.
///
/// A daemon that exits with a failure, or cannot be executed at all, is not
/// an error: [`run`](crate::run) returns its exit code (126/127 for the
/// latter). These are failures of the init itself.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The forwardable signals and SIGCHLD could not be blocked in the
    /// calling thread; without the block, PID 1 would silently lose them.
    #[error("could not block the supervised signals with pthread_sigmask")]
    BlockSignals {
        /// The error from `pthread_sigmask`.
        #[source]
        source: nix::Error,
    },
    /// The `signalfd` from which the blocked signals are read could not be
    /// created.
    #[error("could not create a signalfd for the supervised signals")]
    SignalFd {
        /// The error from `signalfd`.
        #[source]
        source: nix::Error,
    },
    /// Waiting for, or reading, the next signal from the `signalfd` failed.
    #[error("could not read the next signal from the signalfd")]
    ReadSignal {
        /// The error from `poll` or `read`.
        #[source]
        source: nix::Error,
    },
    /// The daemon could not be started for a reason other than the program
    /// being missing or not executable (for example `fork` failing with
    /// EAGAIN under a pids limit).
    #[error("could not start {program}", program = program.display())]
    Spawn {
        /// The program as configured in [`Daemon::program`](crate::Daemon::program).
        program: PathBuf,
        /// The error from `fork`/`exec`.
        #[source]
        source: std::io::Error,
    },
    /// The kernel reported a pid that does not fit a `pid_t`; it cannot
    /// happen on Linux, but the conversion is checked rather than assumed.
    #[error("the daemon's pid {pid} does not fit a pid_t")]
    InvalidPid {
        /// The pid as reported by `std::process::Child::id`.
        pid: u32,
    },
    /// `waitpid(-1, WNOHANG)` failed with something other than ECHILD, so
    /// children can no longer be reaped.
    #[error("could not reap children with waitpid")]
    Wait {
        /// The error from `waitpid`.
        #[source]
        source: nix::Error,
    },
    /// `prctl(PR_SET_CHILD_SUBREAPER)` failed in
    /// [`set_subreaper`](crate::set_subreaper).
    #[error("could not become a child subreaper with prctl(PR_SET_CHILD_SUBREAPER)")]
    Subreaper {
        /// The error from `prctl`.
        #[source]
        source: nix::Error,
    },
}
