//! The FTPS probe against a tiny explicit-TLS server: greeting, AUTH TLS, then a TLS
//! server that accepts 1.2 and 1.3 only (Mozilla intermediate), like our vsftpd.

mod common;

use probes::{probe_ftps, TlsVersion, Verdict};
use std::net::SocketAddr;
use std::time::Duration;

fn ftps_server(connections: usize, answer_auth: &'static str) -> SocketAddr {
    common::ftps_server(connections, answer_auth, false)
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
