//! Collecting dead children with `waitpid(-1, WNOHANG)`, and what their
//! statuses mean as exit codes.
//!
//! SIGCHLD is a standard signal: several children dying close together
//! produce one pending SIGCHLD. So one SIGCHLD never means one child; we
//! call `waitpid` until it says "nothing more now" (0) or "no children at
//! all" (ECHILD). Orphans of the daemon reparent to PID 1 (or to a
//! subreaper) and are collected by the same `-1`.

use nix::errno::Errno;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};

use crate::Error;

/// Whether children remain after [`reap_all`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Remaining {
    /// Some children are still running.
    Some,
    /// We have no children left at all (ECHILD).
    None,
}

/// Reaps every child that has terminated, without blocking, calling
/// `on_reaped` with the final status (`Exited` or `Signaled`, carrying the
/// pid) of each, and tells whether any child is left.
pub(crate) fn reap_all(mut on_reaped: impl FnMut(WaitStatus)) -> Result<Remaining, Error> {
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => return Ok(Remaining::Some),
            Ok(status @ (WaitStatus::Exited(..) | WaitStatus::Signaled(..))) => {
                on_reaped(status);
            }
            // Stops and continues are only reported with WUNTRACED /
            // WCONTINUED, which we do not ask for; nothing to collect. An
            // interrupted call is simply repeated.
            Ok(_) | Err(Errno::EINTR) => {}
            Err(Errno::ECHILD) => return Ok(Remaining::None),
            Err(source) => return Err(Error::Wait { source }),
        }
    }
}

/// The exit code a shell (and so `docker ps`) would show for a status:
/// `Exited(c)` gives `c`, `Signaled(s)` gives `128 + s`.
///
/// PID 1 exits with this code so that the container's status tells why
/// the daemon ended. `None` for statuses that are not a termination
/// (stopped, continued, still alive, ptrace events).
#[must_use]
pub fn exit_code(status: WaitStatus) -> Option<i32> {
    match status {
        WaitStatus::Exited(_, code) => Some(code),
        WaitStatus::Signaled(_, signal, _core_dumped) => Some(128 + signal as i32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::exit_code;
    use nix::sys::signal::Signal;
    use nix::sys::wait::WaitStatus;
    use nix::unistd::Pid;

    fn pid() -> Pid {
        Pid::from_raw(42)
    }

    #[test]
    fn exited_code_is_passed_through() {
        assert_eq!(exit_code(WaitStatus::Exited(pid(), 0)), Some(0));
        assert_eq!(exit_code(WaitStatus::Exited(pid(), 7)), Some(7));
        assert_eq!(exit_code(WaitStatus::Exited(pid(), 255)), Some(255));
    }

    #[test]
    fn signaled_is_128_plus_signal() {
        assert_eq!(
            exit_code(WaitStatus::Signaled(pid(), Signal::SIGKILL, false)),
            Some(137)
        );
        assert_eq!(
            exit_code(WaitStatus::Signaled(pid(), Signal::SIGTERM, false)),
            Some(143)
        );
        assert_eq!(
            exit_code(WaitStatus::Signaled(pid(), Signal::SIGSEGV, true)),
            Some(139),
            "a core dump does not change the code"
        );
    }

    #[test]
    fn non_terminations_have_no_code() {
        assert_eq!(exit_code(WaitStatus::StillAlive), None);
        assert_eq!(exit_code(WaitStatus::Stopped(pid(), Signal::SIGSTOP)), None);
        assert_eq!(exit_code(WaitStatus::Continued(pid())), None);
    }
}
