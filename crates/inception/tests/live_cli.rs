//! `check --live` on the command line: option parsing, and a hermetic run against a fake
//! `docker` (a script first in PATH) so that no engine is needed. The real-stack smoke test
//! is `#[ignore]`d: run it by hand with `cargo test -p inception -- --ignored`.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use inception::live::LiveOpts;
use inception::{parse_args, Command as Cli};

fn args(a: &[&str]) -> Vec<OsString> {
    a.iter().map(OsString::from).collect()
}

fn live_opts(a: &[&str]) -> LiveOpts {
    match parse_args(args(a)) {
        Ok(Cli::Check(c)) => c.live.expect("--live given"),
        other => panic!("unexpected parse: {other:?}"),
    }
}

#[test]
fn live_options_are_parsed() {
    let o = live_opts(&["check", "--live"]);
    assert_eq!(o, LiveOpts::default());
    assert_eq!(o.addr.to_string(), "127.0.0.1:443");
    let o = live_opts(&[
        "check",
        "--live",
        "--domain",
        "alice.42.fr",
        "--addr",
        "127.0.0.1:8443",
        "--project",
        "srcs",
        "--repo",
        "/tmp/x",
        "--login",
        "alice",
        "--destructive",
    ]);
    assert_eq!(o.domain.as_deref(), Some("alice.42.fr"));
    assert_eq!(o.addr.port(), 8443);
    assert_eq!(o.project.as_deref(), Some("srcs"));
    assert_eq!(o.repo.as_deref(), Some(Path::new("/tmp/x")));
    assert_eq!(o.login.as_deref(), Some("alice"));
    assert!(o.destructive);
    // Without --live there is no live audit.
    match parse_args(args(&["check"])) {
        Ok(Cli::Check(c)) => assert!(c.live.is_none()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn live_usage_errors() {
    for bad in [
        &["check", "--live", "--addr", "nowhere"][..],
        &["check", "--live", "--domain", ""],
        &["check", "--domain", "a.42.fr"],
        &["check", "--destructive"],
        &["check", "--live", "--json", "--markdown"],
    ] {
        assert!(parse_args(args(bad)).is_err(), "{bad:?} must be refused");
    }
}

/// Runs the binary with a fake `docker` script (body `script`) first in PATH.
fn run_with_fake_docker(script: &str, extra: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let docker = dir.path().join("docker");
    std::fs::write(&docker, format!("#!/bin/sh\n{script}\n")).expect("write fake docker");
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Nothing listens on the --addr port: the network probes fail fast.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    Command::new(env!("CARGO_BIN_EXE_inception"))
        .args(["check", "--live", "--addr", &free.to_string()])
        .args(extra)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run inception")
}

#[test]
fn unreachable_engine_is_a_failing_finding_not_a_panic() {
    let start = Instant::now();
    let out = run_with_fake_docker(
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' >&2; exit 1",
        &["--json", "--destructive"],
    );
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let arr = v.as_array().expect("array");
    let fail = arr
        .iter()
        .find(|f| f["verdict"] == "fail")
        .expect("a failing finding");
    let excerpt = fail["evidence"][0]["excerpt"].as_str().unwrap_or_default();
    assert!(excerpt.contains("Cannot connect"), "{fail}");
    assert!(fail["evidence"][0]["file"]
        .as_str()
        .is_some_and(|c| c.starts_with("docker ps")));
    // Without an engine, the destructive checks never start.
    assert!(
        !arr.iter().any(|f| f["id"] == "M17" || f["id"] == "M11"),
        "{v}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("live audit took"), "{stderr}");
}

#[test]
fn no_running_stack_is_reported() {
    let out = run_with_fake_docker("exit 0", &[]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("no running compose container"), "{stdout}");
    assert!(stdout
        .lines()
        .last()
        .is_some_and(|l| l.ends_with("skipped")));
}

/// Against the real running stack (containers nginx, wordpress, mariadb). Manual:
/// `cargo test -p inception --test live_cli -- --ignored --nocapture`.
#[test]
#[ignore = "needs the running stack and Docker access"]
fn smoke_against_the_running_stack() {
    let start = Instant::now();
    let findings = inception::live::audit_live(&LiveOpts::default());
    let took = start.elapsed();
    for f in &findings {
        println!("{} {} {}", f.id, f.verdict.as_str(), f.rule);
    }
    println!("took {took:?}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    for id in [
        "M4", "M5", "M6", "M7", "M9", "M10", "M11", "M12", "M13", "M15",
    ] {
        assert!(findings.iter().any(|f| f.id == id), "no {id} finding");
    }
    let failed: Vec<_> = findings
        .iter()
        .filter(|f| f.verdict == inception::finding::Verdict::Fail)
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}
