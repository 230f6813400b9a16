//! M12 in scripts (resolved from Dockerfiles and under srcs/), M15 leaks, M7 downloads.

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass, Warn};

const WP: &str = "srcs/requirements/wordpress/tools/entrypoint.sh";

#[test]
fn m12_php_fpm_backgrounded_then_wait_in_the_entrypoint_fails() {
    let t = Tree::good();
    assert_has(&t.audit(), "M12", Pass, WP);
    t.replace(WP, "exec php-fpm8.2 -F\n", "php-fpm8.2 &\nwait\n");
    let f = t.audit();
    assert_has(
        &f,
        "M12",
        Fail,
        "php-fpm8.2 & (daemon started in the background, then `wait`)",
    );
    // The evidence points back at the Dockerfile that runs the script.
    assert_has(
        &f,
        "M12",
        Fail,
        "ENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]",
    );
}

#[test]
fn m12_script_resolved_through_a_copied_directory() {
    let t = Tree::good();
    t.replace(
        "srcs/requirements/mariadb/tools/init.sh",
        "exec mysqld --user=mysql\n",
        "mysqld_safe &\nsleep 5\nmysql -e 'select 1'\nwait\n",
    );
    assert_has(&t.audit(), "M12", Fail, "mysqld_safe &");
}

#[test]
fn m12_classic_hacks_in_any_script_under_srcs() {
    for (hack, needle) in [
        ("tail -f /dev/null", "tail -f"),
        ("sleep infinity", "sleep infinity"),
        ("while true; do sleep 1; done", "while true"),
        ("while :; do sleep 1; done", "while :"),
        ("nginx -g 'daemon on;'", "daemon on"),
        ("nginx &", "nginx &"),
    ] {
        let t = Tree::good();
        t.write(
            "srcs/requirements/tools/helper.sh",
            &format!("#!/bin/sh\nset -e\n{hack}\n"),
        );
        assert_has(&t.audit(), "M12", Fail, needle);
    }
}

#[test]
fn m12_last_command_without_exec_warns() {
    let t = Tree::good();
    t.replace(WP, "exec php-fpm8.2 -F\n", "php-fpm8.2 -F\n");
    assert_has(&t.audit(), "M12", Warn, "last command without `exec`");
}

#[test]
fn m12_unbounded_wait_loop_warns_bounded_is_fine() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M12");
    t.replace(
        WP,
        "  [ \"$tries\" -ge 30 ] && { echo 'mariadb never came up' >&2; exit 1; }\n",
        "",
    );
    t.replace(WP, "  tries=$((tries + 1))\n", "");
    assert_has(&t.audit(), "M12", Warn, "until nc -z mariadb 3306; do");
}

#[test]
fn m15_set_x_and_echoed_passwords_fail() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M15");
    t.replace(WP, "set -e\n", "set -ex\n");
    assert_has(&t.audit(), "M15", Fail, "set -ex");
    let t = Tree::good();
    t.replace(
        WP,
        "exec php-fpm8.2 -F\n",
        "echo \"db password is $DB_PASSWORD\"\nexec php-fpm8.2 -F\n",
    );
    assert_has(&t.audit(), "M15", Fail, "prints a password");
}

#[test]
fn m7_runtime_downloads_in_the_entrypoint_warn() {
    let t = Tree::good();
    assert!(of(&t.audit(), "M7").is_empty());
    t.replace(
        WP,
        "exec php-fpm8.2 -F\n",
        "curl -O https://raw.githubusercontent.com/wp-cli/builds/gh-pages/phar/wp-cli.phar\nwp core download --allow-root\nexec php-fpm8.2 -F\n",
    );
    let f = t.audit();
    assert_has(&f, "M7", Warn, "wp-cli.phar");
    assert_has(&f, "M7", Warn, "wp core download");
}
