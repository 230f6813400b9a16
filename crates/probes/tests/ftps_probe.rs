//! The FTPS probe against a tiny explicit-TLS server: greeting, AUTH TLS, then a TLS
//! server that accepts 1.2 and 1.3 only (Mozilla intermediate), like our vsftpd.

mod common;

use openssl::ssl::{SslAcceptor, SslMethod};
use probes::{probe_ftps, TlsVersion, Verdict};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::Duration;

fn ftps_server(connections: usize, answer_auth: &'static str) -> SocketAddr {
    let (cert, key) = common::self_signed("ftp.test");
    let mut acceptor =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).expect("acceptor");
    acceptor.set_certificate(&cert).expect("cert");
    acceptor.set_private_key(&key).expect("key");
    let acceptor = acceptor.build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            tcp.write_all(b"220-Welcome\r\n220 ready\r\n")
                .expect("greeting");
            let mut line = String::new();
            BufReader::new(tcp.try_clone().expect("clone"))
                .read_line(&mut line)
                .expect("command");
            assert_eq!(line, "AUTH TLS\r\n");
            tcp.write_all(answer_auth.as_bytes()).expect("reply");
            if answer_auth.starts_with("234") {
                let _ = acceptor.accept(tcp);
            }
        }
    });
    addr
}

#[test]
fn explicit_tls_versions_are_judged_after_auth_tls() {
    let addr = ftps_server(4, "234 go ahead\r\n");
    let timeout = Duration::from_secs(5);
    for (version, accepted) in [
        (TlsVersion::Tls10, false),
        (TlsVersion::Tls11, false),
        (TlsVersion::Tls12, true),
        (TlsVersion::Tls13, true),
    ] {
        let verdict = probe_ftps(addr, version, timeout);
        let ok = if accepted {
            verdict.is_accepted()
        } else {
            verdict.is_refused()
        };
        assert!(ok, "{version}: {verdict}");
    }
}

#[test]
fn a_server_without_tls_is_inconclusive() {
    let addr = ftps_server(1, "502 no TLS here\r\n");
    let verdict = probe_ftps(addr, TlsVersion::Tls12, Duration::from_secs(5));
    assert!(
        matches!(&verdict, Verdict::Inconclusive { reason } if reason.contains("502")),
        "{verdict}"
    );
}
