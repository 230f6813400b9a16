//! Orphans reparented to PID 1 are reaped while the daemon runs: no zombie
//! may pile up, even when many exit at once and their SIGCHLDs coalesce.

mod common;

use common::{namespaces_available, run_pid1};

/// The daemon orphans 20 short-lived grandchildren (each `( ... &)`
/// subshell exits at once, so its background child reparents to PID 1),
/// checks that they really are PID 1's now, waits until they are long dead,
/// and then looks for zombies in its namespace's `/proc`.
///
/// Exit codes: 0 no zombie, 98 the orphans were not PID 1's (the test
/// would prove nothing), 99 zombies found (listed on stderr).
const ORPHANING_DAEMON: &str = r#"
i=0
while [ "$i" -lt 20 ]; do (sleep 0.5 &); i=$((i + 1)); done
children_of_1=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c -E '^[0-9]+ \(.*\) [A-Za-z] 1 ')
if [ "$children_of_1" -lt 21 ]; then
    echo "only $children_of_1 children of PID 1, expected the daemon and 20 orphans" >&2
    exit 98
fi
sleep 1.5
zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -E '^[0-9]+ \(.*\) Z ')
if [ -n "$zombies" ]; then
    echo "zombies left: $zombies" >&2
    exit 99
fi
exit 0
"#;

#[test]
fn orphans_are_reaped_while_the_daemon_runs() {
    if !namespaces_available() {
        return;
    }
    let outcome = run_pid1(&["sh", "-c", ORPHANING_DAEMON]);
    assert_eq!(outcome.code(), 0, "stderr:\n{}", outcome.stderr);
}
