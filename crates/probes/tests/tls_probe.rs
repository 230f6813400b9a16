//! The TLS probe against real OpenSSL servers and scripted fake servers.
//!
//! The positive controls (a TLS 1.0-only and a TLS 1.1-only `s_server` must be *accepted*)
//! are what make the refusal tests mean anything: they prove the probe really puts a
//! TLS 1.0/1.1 ClientHello on the wire instead of failing on its own.

mod common;

use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use common::{read_tls_record, unused_addr, OneShot, SServer};
use probes::{probe_tls, TlsVersion, Verdict};

const TIMEOUT: Duration = Duration::from_secs(5);
const LEGACY_CIPHERS: [&str; 2] = ["-cipher", "DEFAULT:@SECLEVEL=0"];

fn probe(server: &SServer, version: TlsVersion) -> Verdict {
    probe_tls(server.addr, "probe.test", version, TIMEOUT)
}

fn assert_accepted(server: &SServer, version: TlsVersion) {
    let verdict = probe(server, version);
    assert!(
        verdict.is_accepted(),
        "{version} must be accepted, got {verdict}; s_server stderr: {}",
        server.stderr()
    );
}

fn assert_refused(server: &SServer, version: TlsVersion) {
    let verdict = probe(server, version);
    assert!(
        verdict.is_refused(),
        "{version} must be refused, got {verdict}"
    );
}

#[test]
fn positive_control_tls10_server_accepts_tls10() {
    let server = SServer::start(&[&["-tls1"][..], &LEGACY_CIPHERS].concat());
    assert_accepted(&server, TlsVersion::Tls10);
    // Same server, newer version: it counter-offers TLS 1.0, which is neither an
    // acceptance nor a refusal of TLS 1.2.
    let verdict = probe(&server, TlsVersion::Tls12);
    assert!(
        matches!(&verdict, Verdict::Inconclusive { reason } if reason.contains("older")),
        "{verdict}"
    );
}

#[test]
fn positive_control_tls11_server_accepts_tls11() {
    let server = SServer::start(&[&["-tls1_1"][..], &LEGACY_CIPHERS].concat());
    assert_accepted(&server, TlsVersion::Tls11);
}

/// Like our nginx (`ssl_protocols TLSv1.2 TLSv1.3`): the legacy cipher string keeps the
/// refusal down to the protocol restriction alone.
#[test]
fn modern_server_refuses_tls10_and_tls11_accepts_tls12_and_tls13() {
    let server = SServer::start(&[&["-no_tls1", "-no_tls1_1"][..], &LEGACY_CIPHERS].concat());
    assert_refused(&server, TlsVersion::Tls10);
    assert_refused(&server, TlsVersion::Tls11);
    assert_accepted(&server, TlsVersion::Tls12);
    assert_accepted(&server, TlsVersion::Tls13);
}

#[test]
fn tls12_only_server_refuses_tls13() {
    let server = SServer::start(&["-tls1_2"]);
    assert_accepted(&server, TlsVersion::Tls12);
    assert_refused(&server, TlsVersion::Tls13);
}

#[test]
fn accepted_verdict_names_the_cipher() {
    let server = SServer::start(&["-tls1_3"]);
    match probe(&server, TlsVersion::Tls13) {
        Verdict::Accepted { cipher } => assert!(cipher.starts_with("TLS_"), "{cipher}"),
        other => panic!("expected acceptance, got {other}"),
    }
}

#[test]
fn nothing_listening_is_inconclusive() {
    let verdict = probe_tls(unused_addr(), "probe.test", TlsVersion::Tls10, TIMEOUT);
    assert!(
        matches!(&verdict, Verdict::Inconclusive { reason } if reason.contains("TCP connect")),
        "{verdict}"
    );
}

#[test]
fn silent_server_is_inconclusive_within_the_timeout() {
    let server = OneShot::serve(|mut s| {
        // Swallow the ClientHello, never answer, wait for the client to give up.
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    });
    let start = Instant::now();
    let verdict = probe_tls(
        server.addr,
        "probe.test",
        TlsVersion::Tls12,
        Duration::from_millis(500),
    );
    let elapsed = start.elapsed();
    assert!(
        matches!(&verdict, Verdict::Inconclusive { reason } if reason.contains("within")),
        "{verdict}"
    );
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    server.join();
}

#[test]
fn hangup_after_client_hello_is_refused() {
    let server = OneShot::serve(|mut s| {
        let hello = read_tls_record(&mut s);
        assert_eq!(hello[0], 0x16, "a handshake record");
        // TLS 1.0 ClientHello: legacy_version 3,1 in the handshake body.
        assert_eq!(&hello[9..11], &[3, 1], "client offered TLS 1.0");
        // Dropping the stream closes it without a word.
    });
    let verdict = probe_tls(server.addr, "probe.test", TlsVersion::Tls10, TIMEOUT);
    assert!(verdict.is_refused(), "{verdict}");
    server.join();
}

/// A server that answers the ClientHello with one alert record, then closes.
fn alert_server(description: u8) -> OneShot {
    OneShot::serve(move |mut s| {
        read_tls_record(&mut s);
        s.write_all(&[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, description])
            .expect("send alert");
        let _ = s.shutdown(Shutdown::Write);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    })
}

#[test]
fn protocol_version_alert_is_refused() {
    let server = alert_server(70);
    let verdict = probe_tls(server.addr, "probe.test", TlsVersion::Tls11, TIMEOUT);
    assert!(
        matches!(&verdict, Verdict::Refused { reason } if reason.contains("protocol_version")),
        "{verdict}"
    );
    server.join();
}

#[test]
fn handshake_failure_alert_is_refused() {
    let server = alert_server(40);
    let verdict = probe_tls(server.addr, "probe.test", TlsVersion::Tls10, TIMEOUT);
    assert!(
        matches!(&verdict, Verdict::Refused { reason } if reason.contains("handshake_failure")),
        "{verdict}"
    );
    server.join();
}

#[test]
fn other_alerts_are_inconclusive() {
    let server = alert_server(80); // internal_error
    let verdict = probe_tls(server.addr, "probe.test", TlsVersion::Tls12, TIMEOUT);
    assert!(
        matches!(&verdict, Verdict::Inconclusive { reason } if reason.contains("internal error")),
        "{verdict}"
    );
    server.join();
}

#[test]
fn plain_http_answer_is_inconclusive() {
    let server = OneShot::serve(|mut s| {
        read_tls_record(&mut s);
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        let _ = s.shutdown(Shutdown::Write);
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    });
    let verdict = probe_tls(server.addr, "probe.test", TlsVersion::Tls12, TIMEOUT);
    assert!(matches!(verdict, Verdict::Inconclusive { .. }), "{verdict}");
    server.join();
}

#[test]
fn sni_is_sent_for_names_only() {
    // SNI extension type 0x0000 followed by the name; assert on the name bytes.
    let server = OneShot::serve(|mut s| {
        let hello = read_tls_record(&mut s);
        let found = hello
            .windows(b"login.42.fr".len())
            .any(|w| w == b"login.42.fr");
        assert!(found, "SNI name missing from ClientHello");
    });
    let _ = probe_tls(server.addr, "login.42.fr", TlsVersion::Tls12, TIMEOUT);
    server.join();
}
