//! M6 in the nginx configuration: TLS protocols, no port 80, no redirect.

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass};

const CONF: &str = "srcs/requirements/nginx/conf/default.conf";

#[test]
fn m6_ssl_protocols_only_tls12_and_tls13() {
    let t = Tree::good();
    assert_has(&t.audit(), "M6", Pass, "ssl_protocols TLSv1.2 TLSv1.3;");
    t.replace(
        CONF,
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_protocols TLSv1 TLSv1.2 TLSv1.3;",
    );
    assert_has(&t.audit(), "M6", Fail, "not allowed: TLSv1");
    t.replace(
        CONF,
        "ssl_protocols TLSv1 TLSv1.2 TLSv1.3;",
        "ssl_protocols TLSv1.1 TLSv1.2;",
    );
    assert_has(&t.audit(), "M6", Fail, "TLSv1.1");
    t.replace(CONF, "    ssl_protocols TLSv1.1 TLSv1.2;\n", "");
    assert_has(&t.audit(), "M6", Fail, "no ssl_protocols directive");
    t.write(CONF, &NGINX_CONF.replace("TLSv1.2 TLSv1.3", "TLSv1.3"));
    assert_clean(&t.audit(), "M6");
}

#[test]
fn m6_no_port_80_and_no_redirect() {
    let t = Tree::good();
    assert_has(&t.audit(), "M6", Pass, "no listen 80");
    t.write(
        CONF,
        &format!("server {{\n    listen 80;\n    server_name alice.42.fr;\n    return 301 https://$host$request_uri;\n}}\n{NGINX_CONF}"),
    );
    let f = t.audit();
    assert_has(&f, "M6", Fail, "listen 80;");
    assert_has(&f, "M6", Fail, "return 301 https://");
    t.write(
        CONF,
        &NGINX_CONF.replace("listen 443 ssl;", "listen 443 ssl;\n    listen [::]:80;"),
    );
    assert_has(&t.audit(), "M6", Fail, "listen [::]:80;");
}
