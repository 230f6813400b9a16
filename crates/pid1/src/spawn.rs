//! Starting the daemon: fork + exec, with a clean signal state, and no
//! `Child` left behind that could be waited on.
//!
//! We use [`std::process::Command`] for the fork/exec (it reports exec
//! failures through a close-on-exec pipe, which is the reliable way to tell
//! "not found" from "exited with 127") and only take the pid from it. The
//! `Child` is dropped without a `wait`: dropping it neither waits nor kills,
//! and all reaping is done by [`crate::reap`] with `waitpid(-1)`.
//!
//! The child must not inherit our signal state: the supervised signals are
//! blocked in our thread, and a daemon started with SIGTERM blocked would
//! never stop. std already clears the mask; the `pre_exec` hook below does
//! it explicitly and also resets every signal's disposition to the default,
//! in case the caller (or whoever started it) ignored one: ignored
//! dispositions survive `exec`.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::errno::Errno;
use nix::sys::signal::{pthread_sigmask, SigHandler, SigSet, SigmaskHow, Signal};
use nix::unistd::Pid;

use crate::{Daemon, Error};

/// The outcome of trying to start the daemon.
#[derive(Debug)]
pub(crate) enum Spawned {
    /// It runs, with this pid; it is ours to reap.
    Running(Pid),
    /// exec failed: `code` is the shell's convention (127 not found, 126
    /// found but not executable), `error` the OS error for the message.
    CannotExecute {
        /// 126 or 127.
        code: i32,
        /// Why exec failed.
        error: io::Error,
    },
}

/// Forks and execs `daemon`; the caller must have blocked SIGCHLD, so that
/// an early exit of the daemon is seen by the supervision loop.
pub(crate) fn spawn(daemon: &Daemon) -> Result<Spawned, Error> {
    let mut command = Command::new(&daemon.program);
    command.args(&daemon.args);
    if let Some((uid, gid)) = daemon.user {
        // std clears supplementary groups when root sets a uid.
        command.uid(uid).gid(gid);
    }
    // SAFETY: the hook runs in the forked child before exec, where only
    // async-signal-safe functions may be called; `restore_signal_state`
    // calls only sigaction and pthread_sigmask and does not allocate.
    unsafe {
        command.pre_exec(restore_signal_state);
    }
    match command.spawn() {
        Ok(child) => {
            let raw = child.id();
            // Never `child.wait()`: it would race with our waitpid(-1).
            drop(child);
            let pid = i32::try_from(raw).map_err(|_| Error::InvalidPid { pid: raw })?;
            Ok(Spawned::Running(Pid::from_raw(pid)))
        }
        Err(error) => match exec_failure_code(&error) {
            Some(code) => Ok(Spawned::CannotExecute { code, error }),
            None => Err(Error::Spawn {
                program: daemon.program.clone(),
                source: error,
            }),
        },
    }
}

/// Maps an exec error to the shell's exit code for it, or `None` if the
/// error is not about the program (fork failing, out of memory...).
fn exec_failure_code(error: &io::Error) -> Option<i32> {
    let errno = Errno::from_raw(error.raw_os_error()?);
    match errno {
        Errno::ENOENT => Some(127),
        Errno::EACCES
        | Errno::EPERM
        | Errno::ENOEXEC
        | Errno::EISDIR
        | Errno::ENOTDIR
        | Errno::ELOOP
        | Errno::ENAMETOOLONG
        | Errno::ETXTBSY
        | Errno::ELIBBAD => Some(126),
        _ => None,
    }
}

/// Runs in the child between fork and exec: the default disposition for
/// every standard signal and an empty signal mask.
///
/// Handlers are reset by exec anyway, but *ignored* dispositions survive
/// it, and a daemon that inherits an ignored SIGTERM or SIGHUP cannot be
/// stopped or reloaded. (The real-time signals 32 and 33 are glibc's own:
/// glibc refuses to touch them and every glibc program sets them up at
/// start, so they are left as they are.)
fn restore_signal_state() -> io::Result<()> {
    for signal in Signal::iterator() {
        if matches!(signal, Signal::SIGKILL | Signal::SIGSTOP) {
            continue; // their disposition cannot be changed
        }
        // SAFETY: installing SIG_DFL cannot break memory safety (no handler
        // runs Rust code), and sigaction is async-signal-safe.
        unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) }.map_err(io::Error::from)?;
    }
    pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None).map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::exec_failure_code;
    use std::io;

    #[test]
    fn not_found_is_127() {
        let error = io::Error::from_raw_os_error(nix::libc::ENOENT);
        assert_eq!(exec_failure_code(&error), Some(127));
    }

    #[test]
    fn not_executable_is_126() {
        for errno in [nix::libc::EACCES, nix::libc::ENOEXEC, nix::libc::EISDIR] {
            let error = io::Error::from_raw_os_error(errno);
            assert_eq!(exec_failure_code(&error), Some(126), "errno {errno}");
        }
    }

    #[test]
    fn fork_failures_are_errors_not_exit_codes() {
        for errno in [nix::libc::EAGAIN, nix::libc::ENOMEM] {
            let error = io::Error::from_raw_os_error(errno);
            assert_eq!(exec_failure_code(&error), None, "errno {errno}");
        }
        assert_eq!(exec_failure_code(&io::Error::other("no errno")), None);
    }
}
