//! Signals sent to PID 1 from outside (as `docker stop` and `docker kill`
//! do) reach the daemon: SIGTERM as the configured stop signal, the others
//! unchanged.

mod common;

use std::time::Duration;

use common::{namespaces_available, wait_for_file, Pid1, Scratch, LIMIT};
use nix::sys::signal::Signal;

/// A daemon that exits with a distinct code per signal it receives, 1 if
/// none came within about 10 s. It touches `$READY` once its traps are set;
/// sh runs traps between commands, hence the loop of short sleeps.
const DAEMON: &str = r#"
trap 'exit 42' QUIT
trap 'exit 43' TERM
trap 'exit 44' HUP
trap 'exit 45' USR1
trap 'exit 46' INT
touch "$READY"
i=0
while [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
exit 1
"#;

/// Runs [`DAEMON`] under the harness with `options`, sends `signal` to the
/// harness once the daemon is ready, and returns the harness' exit code.
fn deliver(options: &[&str], signal: Signal) -> (i32, String) {
    let scratch = Scratch::new("forward");
    let ready = scratch.join("ready");
    let mut args: Vec<&str> = options.to_vec();
    args.extend(["--", "sh", "-c", DAEMON]);
    let pid1 = Pid1::start(&args, &[("READY", ready.as_os_str())]);
    wait_for_file(&ready, Duration::from_secs(10));
    pid1.signal(signal);
    let outcome = pid1.finish(LIMIT);
    (outcome.code(), outcome.stderr)
}

#[test]
fn sigterm_is_forwarded_as_the_stop_signal() {
    if !namespaces_available() {
        return;
    }
    let (code, stderr) = deliver(&["--stop-signal", "SIGQUIT"], Signal::SIGTERM);
    assert_eq!(code, 42, "the daemon must get SIGQUIT; stderr:\n{stderr}");
    assert!(
        stderr.contains("init: received SIGTERM, sending SIGQUIT to sh"),
        "stderr:\n{stderr}"
    );
    assert!(
        stderr.contains("init: sh exited with status 42"),
        "stderr:\n{stderr}"
    );
}

#[test]
fn sigterm_stays_sigterm_by_default() {
    if !namespaces_available() {
        return;
    }
    let (code, stderr) = deliver(&[], Signal::SIGTERM);
    assert_eq!(code, 43, "stderr:\n{stderr}");
    assert!(
        stderr.contains("init: forwarding SIGTERM to sh"),
        "stderr:\n{stderr}"
    );
}

#[test]
fn other_signals_are_forwarded_unchanged() {
    if !namespaces_available() {
        return;
    }
    for (signal, expected) in [
        (Signal::SIGHUP, 44),
        (Signal::SIGUSR1, 45),
        (Signal::SIGINT, 46),
        (Signal::SIGQUIT, 42),
    ] {
        let (code, stderr) = deliver(&["--stop-signal", "SIGQUIT"], signal);
        assert_eq!(
            code, expected,
            "{signal} was not forwarded; stderr:\n{stderr}"
        );
    }
}

#[test]
fn stop_signal_names_are_checked() {
    if !namespaces_available() {
        return;
    }
    let (code, stderr) = deliver(&["--stop-signal", "USR1"], Signal::SIGTERM);
    assert_eq!(code, 45, "stderr:\n{stderr}");
    // An unknown name is a usage error, not a silent SIGTERM.
    let outcome = Pid1::start(&["--stop-signal", "SIGNOPE", "true"], &[]).finish(LIMIT);
    assert_eq!(outcome.code(), 2, "stderr:\n{}", outcome.stderr);
}

/// The daemon must not inherit PID 1's signal state: a daemon started with
/// SIGTERM blocked or ignored would never stop. Here PID 1 is started with
/// SIGHUP and SIGTERM ignored (as a careless bootstrap might leave them;
/// ignored dispositions survive exec), and the daemon checks its own mask
/// and ignore set in `/proc`. Only the standard signals 1..=31 are checked
/// for the ignore set: 32 and 33 belong to glibc, whose `posix_spawn` (used
/// by std to start `unshare` here) leaves them ignored and which nobody but
/// glibc may change.
///
/// Exit codes: 0 clean, 90 signals blocked, 91 signals ignored, 92 not a
/// child of PID 1.
const CLEAN_STATE_SCRIPT: &str = r#"
trap '' HUP TERM
exec "$HARNESS" sh -c '
blk=$(sed -n "s/^SigBlk:[[:space:]]*//p" /proc/$$/status)
ign=$(sed -n "s/^SigIgn:[[:space:]]*//p" /proc/$$/status)
[ $((0x$blk)) -eq 0 ] || { echo "daemon mask: $blk" >&2; exit 90; }
[ $((0x$ign & 0x7fffffff)) -eq 0 ] || { echo "daemon ignores: $ign" >&2; exit 91; }
[ "$PPID" -eq 1 ] || exit 92
exit 0
'
"#;

#[test]
fn daemon_starts_with_a_clean_signal_state() {
    if !namespaces_available() {
        return;
    }
    let outcome = Pid1::start_shell(CLEAN_STATE_SCRIPT, &[]).finish(LIMIT);
    assert_eq!(outcome.code(), 0, "stderr:\n{}", outcome.stderr);
}
