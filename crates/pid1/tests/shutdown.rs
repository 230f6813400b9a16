//! When the daemon exits, what it left behind is terminated: SIGTERM at
//! once, SIGKILL after the grace period, and PID 1 returns the daemon's
//! code without waiting for the leftovers' own timeouts. Not being PID 1,
//! the init must touch only its own descendants.

mod common;

use std::time::Duration;

use common::{namespaces_available, run_pid1, Pid1, Scratch, LIMIT};

#[test]
fn leftovers_get_sigterm_and_pid1_returns_promptly() {
    if !namespaces_available() {
        return;
    }
    // Two leftovers that would live 30 s; the grace period (60 s) is far
    // longer than the time we allow, so only SIGTERM can end them in time.
    let outcome = run_pid1(&[
        "--grace-ms",
        "60000",
        "--",
        "sh",
        "-c",
        "sleep 30 & (sleep 30 &); sleep 0.2; exit 5",
    ]);
    assert_eq!(outcome.code(), 5, "stderr:\n{}", outcome.stderr);
    assert!(
        outcome.elapsed < Duration::from_secs(5),
        "took {:?}; stderr:\n{}",
        outcome.elapsed,
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("init: sending SIGTERM to the remaining processes"),
        "stderr:\n{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("SIGKILL"),
        "SIGTERM was enough; stderr:\n{}",
        outcome.stderr
    );
}

#[test]
fn sigterm_ignoring_leftover_is_killed_after_grace() {
    if !namespaces_available() {
        return;
    }
    let scratch = Scratch::new("ignore-term");
    let ready = scratch.join("ready");
    // The leftover ignores SIGTERM (the ignore survives exec) and announces
    // it; the daemon exits 3 only once it has.
    let daemon = r#"
(trap '' TERM; touch "$READY"; exec sleep 30) &
i=0
while [ ! -e "$READY" ] && [ "$i" -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
exit 3
"#;
    let outcome = Pid1::start(
        &["--grace-ms", "1000", "--", "sh", "-c", daemon],
        &[("READY", ready.as_os_str())],
    )
    .finish(LIMIT);
    assert_eq!(outcome.code(), 3, "stderr:\n{}", outcome.stderr);
    assert!(ready.exists(), "the leftover never started");
    assert!(
        outcome.elapsed >= Duration::from_secs(1),
        "returned after {:?}, before the grace period ended; stderr:\n{}",
        outcome.elapsed,
        outcome.stderr
    );
    assert!(
        outcome.elapsed < Duration::from_secs(8),
        "took {:?}: SIGKILL did not come; stderr:\n{}",
        outcome.elapsed,
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("init: processes still running after 1s, sending SIGKILL"),
        "stderr:\n{}",
        outcome.stderr
    );
}

/// `sh` is PID 1 here and the harness an ordinary process (a subreaper).
/// Its daemon leaves a child behind; a bystander, not ours, runs beside.
/// The harness must end its own leftover promptly and spare the bystander:
/// a `kill(-1)` would take it down too.
///
/// Exit codes: the harness' own (4 expected), 100 if the bystander died,
/// 101 if a leftover of the harness survived it.
const SUBREAPER_SCRIPT: &str = r#"
sleep 30 & bystander=$!
"$HARNESS" --subreaper --grace-ms 60000 -- sh -c 'sleep 30 & sleep 0.2; exit 4'
rc=$?
# A killed bystander is a zombie until we reap it: look at its state.
if ! grep -q -E '^[0-9]+ \(sleep\) [^Z] ' "/proc/$bystander/stat" 2>/dev/null; then
    echo "the bystander was killed" >&2
    exit 100
fi
alive=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c -E '^[0-9]+ \(sleep\) [^Z] ')
if [ "$alive" -ne 1 ]; then
    echo "$alive sleeps alive, expected only the bystander" >&2
    exit 101
fi
kill "$bystander"
exit "$rc"
"#;

#[test]
fn not_pid1_terminates_only_its_own_descendants() {
    if !namespaces_available() {
        return;
    }
    let outcome = Pid1::start_shell(SUBREAPER_SCRIPT, &[]).finish(LIMIT);
    assert_eq!(outcome.code(), 4, "stderr:\n{}", outcome.stderr);
    assert!(
        outcome.elapsed < Duration::from_secs(5),
        "took {:?}: the leftover did not get SIGTERM; stderr:\n{}",
        outcome.elapsed,
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("init: sending SIGTERM to the remaining processes"),
        "the harness had a leftover to terminate; stderr:\n{}",
        outcome.stderr
    );
}
