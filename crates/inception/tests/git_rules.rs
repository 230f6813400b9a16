//! M15 in git: tracked credentials, credentials in history, skip outside a repository.

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass, Skip};

#[test]
fn not_a_repository_is_skipped_with_a_reason() {
    let t = Tree::good();
    assert_has(&t.audit(), "M15", Skip, "not a git repository");
}

#[test]
fn tracked_env_and_keys_fail() {
    let t = Tree::good();
    t.git_init_commit();
    let f = t.audit();
    assert_has(&f, "M15", Pass, "git ls-files lists no credential file");
    assert_has(&f, "M15", Pass, "no credential file added in any commit");
    t.write("srcs/.env", "LOGIN=alice\n");
    t.write("secrets/db_password.txt", "hunter2\n");
    t.write("secrets/README.md", "generated\n");
    t.write(
        "srcs/requirements/nginx/conf/server.key",
        "-----BEGIN PRIVATE KEY-----\n",
    );
    t.git(&[
        "add",
        "-f",
        "srcs/.env",
        "secrets",
        "srcs/requirements/nginx/conf/server.key",
    ]);
    let f = t.audit();
    assert_has(&f, "M15", Fail, "srcs/.env");
    assert_has(&f, "M15", Fail, "secrets/db_password.txt");
    assert_has(&f, "M15", Fail, "server.key");
    assert!(
        !dump(&f).contains("secrets/README.md  tracked"),
        "{}",
        dump(&f)
    );
}

#[test]
fn env_committed_then_deleted_is_still_found_in_history() {
    let t = Tree::good();
    t.git_init_commit();
    t.write("srcs/.env", "DB_PASSWORD=hunter2\n");
    t.git(&["add", "-f", "srcs/.env"]);
    t.git(&["commit", "-q", "-m", "oops"]);
    t.git(&["rm", "-q", "--cached", "srcs/.env"]);
    t.git(&["commit", "-q", "-m", "remove .env"]);
    let f = t.audit();
    assert_has(&f, "M15", Pass, "git ls-files lists no credential file");
    assert_has(&f, "M15", Fail, "added in git history");
    assert_has(&f, "M15", Fail, "srcs/.env");
}

#[test]
fn env_example_is_fine() {
    let t = Tree::good();
    t.git_init_commit();
    // .env.example is tracked by the good tree already.
    assert_clean(&t.audit(), "M15");
}
