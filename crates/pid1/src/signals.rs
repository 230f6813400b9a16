//! Receiving signals without handlers: block them, read them from a signalfd.
//!
//! PID 1 ignores every signal whose disposition is the default, even
//! SIGTERM from the engine. A *blocked* signal, however, is never ignored:
//! the kernel queues it until it is unblocked or read. So [`SignalQueue::block`]
//! blocks the signals we care about in the calling thread and opens a
//! `signalfd` on them; [`SignalQueue::wait`] reads them one by one, with an
//! optional timeout (the shutdown grace period).
//!
//! Only the forwardable signals and SIGCHLD are blocked. The synchronous
//! fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS)
//! keep their default action, so that a crash of the init stays a crash
//! (with a core dump) instead of a signal queued for a reader that never
//! comes.

use std::os::fd::AsFd;
use std::time::Duration;

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{pthread_sigmask, SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};

use crate::Error;

/// Signals forwarded to the daemon. SIGTERM is translated (see
/// [`forward_as`]); the others are passed on unchanged.
pub(crate) const FORWARDED: [Signal; 7] = [
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGHUP,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGWINCH,
];

/// Every signal blocked by [`SignalQueue::block`]: the forwarded ones plus
/// SIGCHLD, which tells us when to reap.
pub(crate) fn supervised() -> SigSet {
    let mut set = SigSet::empty();
    for signal in FORWARDED {
        set.add(signal);
    }
    set.add(Signal::SIGCHLD);
    set
}

/// The signal to send to the daemon when PID 1 receives `received`: the
/// engine stops containers with SIGTERM, but nginx and php-fpm stop
/// gracefully only on SIGQUIT, hence the configurable `stop_signal`.
pub(crate) fn forward_as(received: Signal, stop_signal: Signal) -> Signal {
    if received == Signal::SIGTERM {
        stop_signal
    } else {
        received
    }
}

/// Whether `signal` asks the daemon to stop, which is worth a log line
/// (SIGHUP reloads and SIGWINCH resizes are not).
pub(crate) fn is_stop_signal(signal: Signal) -> bool {
    matches!(signal, Signal::SIGTERM | Signal::SIGINT | Signal::SIGQUIT)
}

/// The supervised signals, blocked in this thread and readable one by one.
pub(crate) struct SignalQueue {
    fd: SignalFd,
}

impl SignalQueue {
    /// Blocks the supervised signals in the calling thread and opens a
    /// signalfd on them.
    ///
    /// The block is inherited by threads created afterwards but not by the
    /// daemon, whose mask the spawner resets. It is deliberately not undone
    /// on drop (see the crate documentation).
    pub(crate) fn block() -> Result<Self, Error> {
        let set = supervised();
        pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&set), None)
            .map_err(|source| Error::BlockSignals { source })?;
        // Non-blocking so that a read after a spurious wake-up returns
        // `None` instead of hanging; close-on-exec so the daemon does not
        // inherit it.
        let fd = SignalFd::with_flags(&set, SfdFlags::SFD_CLOEXEC | SfdFlags::SFD_NONBLOCK)
            .map_err(|source| Error::SignalFd { source })?;
        Ok(Self { fd })
    }

    /// Waits up to `timeout` (forever if `None`) for the next supervised
    /// signal; `Ok(None)` if none came in time.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> Result<Option<Signal>, Error> {
        // Longer than poll can express (24 days) means forever for us.
        let timeout = timeout
            .and_then(|timeout| PollTimeout::try_from(timeout).ok())
            .unwrap_or(PollTimeout::NONE);
        let mut fds = [PollFd::new(self.fd.as_fd(), PollFlags::POLLIN)];
        match nix::poll::poll(&mut fds, timeout) {
            // Timed out, or interrupted (a SIGSTOP/SIGCONT may do that):
            // every caller loops, so a spurious `None` is harmless.
            Ok(0) | Err(Errno::EINTR) => return Ok(None),
            Ok(_) => {}
            Err(source) => return Err(Error::ReadSignal { source }),
        }
        loop {
            match self.fd.read_signal() {
                Ok(Some(info)) => {
                    // A number we did not block (or one nix does not know)
                    // cannot come from this fd; skip it if it ever does.
                    let number = i32::try_from(info.ssi_signo).unwrap_or(0);
                    return Ok(Signal::try_from(number).ok());
                }
                Ok(None) => return Ok(None),
                Err(Errno::EINTR) => {}
                Err(source) => return Err(Error::ReadSignal { source }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigterm_becomes_the_stop_signal() {
        assert_eq!(
            forward_as(Signal::SIGTERM, Signal::SIGQUIT),
            Signal::SIGQUIT
        );
        assert_eq!(
            forward_as(Signal::SIGTERM, Signal::SIGTERM),
            Signal::SIGTERM
        );
    }

    #[test]
    fn other_signals_are_forwarded_unchanged() {
        for signal in FORWARDED.into_iter().filter(|s| *s != Signal::SIGTERM) {
            assert_eq!(forward_as(signal, Signal::SIGQUIT), signal);
        }
    }

    #[test]
    fn fault_signals_are_never_blocked() {
        let set = supervised();
        for fault in [
            Signal::SIGSEGV,
            Signal::SIGBUS,
            Signal::SIGFPE,
            Signal::SIGILL,
            Signal::SIGABRT,
            Signal::SIGTRAP,
            Signal::SIGSYS,
        ] {
            assert!(!set.contains(fault), "{fault} must keep its default action");
        }
        for signal in FORWARDED {
            assert!(set.contains(signal), "{signal} must be blocked");
        }
        assert!(set.contains(Signal::SIGCHLD));
    }
}
