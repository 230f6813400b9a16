//! The binary: exit codes, output formats, usage errors.

mod common;
use common::*;
use std::process::{Command, Output};

fn run(args: &[&str], repo: Option<&std::path::Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_inception"));
    c.args(args).env("NO_COLOR", "1");
    if let Some(r) = repo {
        c.arg("--repo").arg(r);
    }
    c.output().expect("run inception")
}

#[test]
fn exit_0_on_a_clean_tree_with_summary_line() {
    let t = Tree::good();
    let out = run(&["check", "--login", "alice"], Some(t.root()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.contains("passed, 0 failed,") && last.ends_with("skipped"),
        "{last}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn exit_1_on_a_failure() {
    let t = Tree::good();
    t.replace(
        "srcs/requirements/nginx/Dockerfile",
        "FROM debian:bookworm",
        "FROM debian:buster",
    );
    let out = run(&["check"], Some(t.root()));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FROM debian:buster"));
}

#[test]
fn json_is_an_array_of_findings() {
    let t = Tree::good();
    t.replace(
        "srcs/docker-compose.yml",
        "image: nginx:1.0",
        "image: nginx",
    );
    let out = run(&["check", "--json"], Some(t.root()));
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let arr = v.as_array().expect("array");
    let m5 = arr
        .iter()
        .find(|f| f["id"] == "M5" && f["verdict"] == "fail")
        .expect("an M5 failure");
    for key in ["id", "rule", "verdict", "evidence", "fix"] {
        assert!(m5.get(key).is_some(), "missing {key}");
    }
    let ev = &m5["evidence"][0];
    assert_eq!(ev["file"], "srcs/docker-compose.yml");
    assert!(ev["line"].as_u64().is_some());
    assert!(ev["excerpt"]
        .as_str()
        .is_some_and(|e| e.contains("image: nginx")));
}

#[test]
fn markdown_table() {
    let t = Tree::good();
    let out = run(&["check", "--markdown"], Some(t.root()));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.starts_with("| ID | Verdict | Rule | Evidence | Fix |"),
        "{s}"
    );
    assert!(s.contains("| M1 | pass |"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["check", "--bogus"], None).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], None).status.code(), Some(2));
    assert_eq!(run(&[], None).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--json", "--markdown"], None).status.code(),
        Some(2)
    );
    assert_eq!(run(&["check", "--repo"], None).status.code(), Some(2));
    let help = run(&["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: inception check"));
}

#[test]
fn a_missing_repository_is_an_error_not_a_panic() {
    let out = run(&["check", "--repo", "/nonexistent/inception"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
}
