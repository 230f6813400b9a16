//! B1..B5: bonus services each from their own Dockerfile; FTP configuration.

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass, Skip, Warn};

const C: &str = "srcs/docker-compose.yml";

fn add_service(t: &Tree, name: &str, dockerfile: bool) {
    t.replace(
        C,
        "networks:\n  inception:",
        &format!("  {name}:\n    build: requirements/bonus/{name}\n    image: {name}:1.0\n    container_name: {name}\n    restart: always\n    networks: [inception]\nnetworks:\n  inception:"),
    );
    if dockerfile {
        t.write(
            &format!("srcs/requirements/bonus/{name}/Dockerfile"),
            "FROM debian:bookworm\nCMD [\"true\"]\n",
        );
    }
}

#[test]
fn bonus_checks_skip_without_bonus_services() {
    let t = Tree::good();
    let f = t.audit();
    for id in ["B1", "B2", "B3", "B4", "B5"] {
        assert_has(&f, id, Skip, "no such bonus service");
    }
}

#[test]
fn bonus_services_need_their_own_dockerfile() {
    let t = Tree::good();
    add_service(&t, "redis", true);
    add_service(&t, "adminer", false);
    add_service(&t, "static-site", true);
    add_service(&t, "monitor", true);
    let f = t.audit();
    assert_has(&f, "B1", Pass, "redis");
    assert_has(&f, "B4", Fail, "adminer");
    assert_has(&f, "B3", Pass, "static-site");
    assert_has(&f, "B5", Pass, "monitor");
}

#[test]
fn ftp_anonymous_fails_and_plain_ftp_warns() {
    let t = Tree::good();
    add_service(&t, "ftp", true);
    t.write(
        "srcs/requirements/bonus/ftp/conf/vsftpd.conf",
        "listen=YES\nanonymous_enable=NO\nssl_enable=YES\n",
    );
    assert_has(&t.audit(), "B2", Pass, "anonymous");
    t.write(
        "srcs/requirements/bonus/ftp/conf/vsftpd.conf",
        "listen=YES\nanonymous_enable=YES\nssl_enable=NO\n",
    );
    let f = t.audit();
    assert_has(&f, "B2", Fail, "anonymous_enable=YES");
    assert_has(&f, "B2", Warn, "ssl_enable=NO");
}
