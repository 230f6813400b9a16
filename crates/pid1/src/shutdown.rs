//! Ending what the daemon left behind: SIGTERM, a grace period, SIGKILL.
//!
//! When the daemon exits, the container is over, but its workers, a
//! `docker exec` shell or a healthcheck may still run. PID 1 exiting would
//! make the kernel SIGKILL them all at once; asking first gives them the
//! chance to flush and close cleanly. So: SIGTERM everyone, reap until no
//! child is left or the grace period ends, SIGKILL whoever is still there
//! and reap them for a short, bounded while.
//!
//! "Everyone" depends on who we are. As PID 1 of a namespace it is
//! `kill(-1)`, which the kernel confines to the namespace and which never
//! hits PID 1 itself. Otherwise (a subreaper in tests) it is our
//! descendants as listed in `/proc` ([`crate::children`]), re-read at every
//! wake-up so that processes reparented to us mid-shutdown are signalled
//! too.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::unistd::{getpid, Pid};

use crate::reap::{reap_all, Remaining};
use crate::signals::SignalQueue;
use crate::{children, report, Error};

/// How long we keep reaping after SIGKILL. SIGKILL cannot be caught, so
/// only processes stuck in the kernel (uninterruptible sleep) outlive it;
/// we do not wait for those forever, PID 1's exit takes them anyway.
const AFTER_KILL: Duration = Duration::from_secs(2);

/// SIGTERMs the remaining processes, waits up to `grace` for them, then
/// SIGKILLs the rest. Returns once we have no children left, or after the
/// bounded wait that follows SIGKILL.
pub(crate) fn terminate_remaining(queue: &SignalQueue, grace: Duration) -> Result<(), Error> {
    if reap_all(|_| {})? == Remaining::None {
        return Ok(());
    }
    let as_pid1 = getpid() == Pid::from_raw(1);

    report::say(format_args!("sending SIGTERM to the remaining processes"));
    let mut term = Sweep::new(Signal::SIGTERM, as_pid1);
    term.run();
    if wait_until_gone(queue, Instant::now() + grace, &mut term)? {
        return Ok(());
    }

    report::say(format_args!(
        "processes still running after {grace:?}, sending SIGKILL"
    ));
    let mut kill = Sweep::new(Signal::SIGKILL, as_pid1);
    kill.run();
    if !wait_until_gone(queue, Instant::now() + AFTER_KILL, &mut kill)? {
        report::say(format_args!(
            "processes still running {AFTER_KILL:?} after SIGKILL, giving up on them"
        ));
    }
    Ok(())
}

/// Reaps until no child is left (`true`) or `deadline` passes (`false`),
/// sweeping again after every wake-up.
fn wait_until_gone(
    queue: &SignalQueue,
    deadline: Instant,
    sweep: &mut Sweep,
) -> Result<bool, Error> {
    loop {
        if reap_all(|_| {})? == Remaining::None {
            return Ok(true);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        // Any signal wakes us: SIGCHLD means there may be someone to reap;
        // forwardable signals have no daemon to go to any more.
        queue.wait(Some(left))?;
        sweep.run();
    }
}

/// Sends one signal to "everyone else", each process at most once.
struct Sweep {
    signal: Signal,
    as_pid1: bool,
    signalled: HashSet<Pid>,
    sent_to_all: bool,
}

impl Sweep {
    fn new(signal: Signal, as_pid1: bool) -> Self {
        Self {
            signal,
            as_pid1,
            signalled: HashSet::new(),
            sent_to_all: false,
        }
    }

    /// Signals the processes not signalled yet in this sweep.
    fn run(&mut self) {
        if self.as_pid1 {
            // One kill(-1) reaches every process of the namespace but us;
            // whatever they fork afterwards is covered by the SIGKILL sweep.
            if !self.sent_to_all {
                self.sent_to_all = true;
                send(Pid::from_raw(-1), self.signal);
            }
            return;
        }
        match children::descendants(getpid()) {
            Ok(pids) => {
                for pid in pids {
                    if self.signalled.insert(pid) {
                        send(pid, self.signal);
                    }
                }
            }
            Err(error) => report::say(format_args!(
                "cannot list the remaining processes in /proc: {error}"
            )),
        }
    }
}

/// `kill`, where "no such process" is success: it exited on its own.
fn send(pid: Pid, signal: Signal) {
    match kill(pid, signal) {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(errno) => report::say(format_args!(
            "could not send {} to the remaining processes: {errno}",
            signal.as_str()
        )),
    }
}
