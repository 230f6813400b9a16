//! The M6 TLS finding of `check --live` against real local `openssl s_server`s: a server
//! that still accepts TLS 1.0 must FAIL the check, one restricted to TLS 1.2/1.3 must PASS.
//! Hermetic: no Docker, loopback only, throwaway certificate.

use std::time::Duration;

use inception::finding::{Finding, Verdict};
use inception::live::tls_finding;
use testkit::SServer;

const TIMEOUT: Duration = Duration::from_secs(5);
const LEGACY_CIPHERS: [&str; 2] = ["-cipher", "DEFAULT:@SECLEVEL=0"];

/// The finding fails, and its evidence names TLS 1.0 as wrongly accepted.
fn assert_fails_on_tls10(f: &Finding) {
    assert_eq!(f.verdict, Verdict::Fail, "{f:#?}");
    assert!(
        f.evidence
            .iter()
            .any(|e| e.excerpt.starts_with("TLSv1.0: accepted") && e.excerpt.contains("WRONG")),
        "{f:#?}"
    );
}

#[test]
fn server_accepting_tls10_fails_m6() {
    // No protocol restriction at all: TLS 1.0 to 1.3 are all accepted.
    let server = SServer::start(&LEGACY_CIPHERS);
    let f = tls_finding(server.addr, "probe.test", TIMEOUT);
    assert_eq!(f.id, "M6");
    assert_fails_on_tls10(&f);
    assert!(!f.fix.is_empty());
}

#[test]
fn server_restricted_to_tls12_and_tls13_passes_m6() {
    let server = SServer::start(&[&["-no_tls1", "-no_tls1_1"][..], &LEGACY_CIPHERS].concat());
    let f = tls_finding(server.addr, "probe.test", TIMEOUT);
    assert_eq!(f.verdict, Verdict::Pass, "{f:#?}");
    assert_eq!(f.evidence.len(), 4, "one line per version");
}

#[test]
fn tls12_only_server_fails_m6_because_tls13_is_refused() {
    let server = SServer::start(&["-tls1_2"]);
    let f = tls_finding(server.addr, "probe.test", TIMEOUT);
    assert_eq!(f.verdict, Verdict::Fail, "{f:#?}");
}

#[test]
fn nothing_listening_is_inconclusive_and_fails_m6() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let f = tls_finding(addr, "probe.test", Duration::from_secs(2));
    assert_eq!(f.verdict, Verdict::Fail, "{f:#?}");
    assert!(
        f.evidence.iter().all(|e| e.excerpt.contains("WRONG")),
        "{f:#?}"
    );
}

#[test]
fn ftps_server_restricted_to_tls12_and_tls13_passes_b2() {
    let addr = testkit::ftps_server(4, "234 go ahead\r\n", false);
    let f = inception::live::ftps_finding(addr, TIMEOUT);
    assert_eq!((f.id, f.verdict), ("B2", Verdict::Pass), "{f:#?}");
    assert_eq!(f.evidence.len(), 4, "one line per version");
}

#[test]
fn ftps_server_accepting_tls10_fails_b2() {
    let addr = testkit::ftps_server(4, "234 go ahead\r\n", true);
    let f = inception::live::ftps_finding(addr, TIMEOUT);
    assert_fails_on_tls10(&f);
}

#[test]
fn ftp_without_tls_fails_b2() {
    let addr = testkit::ftps_server(4, "502 no TLS here\r\n", false);
    let f = inception::live::ftps_finding(addr, TIMEOUT);
    assert_eq!(f.verdict, Verdict::Fail, "{f:#?}");
    assert!(
        f.evidence.iter().all(|e| e.excerpt.contains("WRONG")),
        "{f:#?}"
    );
}
