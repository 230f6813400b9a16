//! PID 1 exits with the daemon's code, the shell's way: the code itself,
//! 128 + signal when killed, 127 when not found, 126 when not executable.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{namespaces_available, run_pid1, Scratch};

#[test]
fn exit_code_is_passed_through() {
    if !namespaces_available() {
        return;
    }
    // The daemon first checks that its parent really is PID 1.
    let outcome = run_pid1(&["sh", "-c", r#"[ "$PPID" -eq 1 ] || exit 99; exit 7"#]);
    assert_eq!(outcome.code(), 7, "stderr:\n{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("init: sh exited with status 7"),
        "stderr:\n{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("remaining processes"),
        "nothing was left to terminate; stderr:\n{}",
        outcome.stderr
    );
}

#[test]
fn zero_is_passed_through() {
    if !namespaces_available() {
        return;
    }
    let outcome = run_pid1(&["true"]);
    assert_eq!(outcome.code(), 0, "stderr:\n{}", outcome.stderr);
}

#[test]
fn death_by_signal_is_128_plus_signal() {
    if !namespaces_available() {
        return;
    }
    let outcome = run_pid1(&["sh", "-c", "kill -9 $$"]);
    assert_eq!(outcome.code(), 128 + 9, "stderr:\n{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("init: sh was killed by SIGKILL"),
        "stderr:\n{}",
        outcome.stderr
    );

    let outcome = run_pid1(&["sh", "-c", "kill -TERM $$"]);
    assert_eq!(outcome.code(), 128 + 15, "stderr:\n{}", outcome.stderr);
}

#[test]
fn missing_program_is_127() {
    if !namespaces_available() {
        return;
    }
    let outcome = run_pid1(&["/nonexistent/pid1-test-daemon", "--secret-arg"]);
    assert_eq!(outcome.code(), 127, "stderr:\n{}", outcome.stderr);
    assert!(
        outcome.stderr.contains(
            "init: cannot execute /nonexistent/pid1-test-daemon: No such file or directory"
        ),
        "stderr:\n{}",
        outcome.stderr
    );
    assert!(
        !outcome.stderr.contains("--secret-arg"),
        "arguments must never be printed; stderr:\n{}",
        outcome.stderr
    );

    // A bare name goes through PATH, and missing there is 127 too.
    let outcome = run_pid1(&["pid1-test-no-such-program"]);
    assert_eq!(outcome.code(), 127, "stderr:\n{}", outcome.stderr);
}

#[test]
fn non_executable_file_is_126() {
    if !namespaces_available() {
        return;
    }
    let scratch = Scratch::new("noexec");
    let script = scratch.join("daemon.sh");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").expect("write script");
    // No x bit at all: even root cannot execute it.
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).expect("chmod 644");
    let outcome = run_pid1(&[&script]);
    assert_eq!(outcome.code(), 126, "stderr:\n{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("init: cannot execute")
            && outcome.stderr.contains("daemon.sh: Permission denied"),
        "stderr:\n{}",
        outcome.stderr
    );

    // A directory is not executable either.
    let outcome = run_pid1(&[scratch.join("")]);
    assert_eq!(outcome.code(), 126, "stderr:\n{}", outcome.stderr);
}

#[test]
fn daemon_runs_as_the_requested_user_without_extra_groups() {
    if !namespaces_available() {
        return;
    }
    let check =
        r#"[ "$(id -u)" = 65534 ] && [ "$(id -g)" = 65534 ] && [ "$(id -G)" = 65534 ] || exit 9"#;
    let outcome = run_pid1(&["--user", "65534:65534", "sh", "-c", check]);
    assert_eq!(outcome.code(), 0, "stderr:\n{}", outcome.stderr);
    let as_root = run_pid1(&["sh", "-c", r#"[ "$(id -u)" = 0 ] || exit 9"#]);
    assert_eq!(as_root.code(), 0, "without --user the daemon keeps root");
}
