//! The engine proxy against a fake engine: reads pass, everything else is refused and never
//! reaches the engine.

mod common;

use common::{fake_engine, raw, start_proxy, status};

#[test]
fn allowed_reads_pass_through_unchanged() {
    let engine = fake_engine();
    let proxy = start_proxy(&engine);

    let ping = raw(&proxy, b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status(&ping), 200, "{ping}");
    assert!(ping.ends_with("\r\n\r\nOK"), "{ping}");

    let list = raw(
        &proxy,
        b"GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(status(&list), 200);
    assert!(list.contains("\"/nginx\""));

    // Chunked framing is passed through byte for byte.
    let stats = raw(
        &proxy,
        b"GET /containers/4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a/stats?stream=false HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(status(&stats), 200);
    assert!(stats.contains("Transfer-Encoding: chunked"));
    assert!(stats.ends_with("\r\n0\r\n\r\n"));

    let head = raw(&proxy, b"HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status(&head), 200);

    // The engine's own errors come back as they are.
    let missing = raw(
        &proxy,
        b"GET /containers/nope/json HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    assert_eq!(status(&missing), 404);

    let lines = engine.request_lines();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines
        .iter()
        .all(|l| l.starts_with("GET ") || l.starts_with("HEAD ")));
}

#[test]
fn client_headers_never_reach_the_engine() {
    let engine = fake_engine();
    let proxy = start_proxy(&engine);
    let resp = raw(
        &proxy,
        b"GET /version HTTP/1.1\r\nHost: evil\r\nX-Registry-Auth: c2VjcmV0\r\nUpgrade: tcp\r\n\r\n",
    );
    assert_eq!(status(&resp), 200);
    let seen = engine.seen.lock().expect("lock").join("");
    assert!(!seen.contains("X-Registry-Auth"), "{seen}");
    assert!(!seen.contains("Upgrade"), "{seen}");
    assert!(!seen.contains("evil"), "{seen}");
    assert!(seen.contains("Connection: close"), "{seen}");
}

#[test]
fn writes_and_dangerous_reads_are_403_and_never_forwarded() {
    let engine = fake_engine();
    let proxy = start_proxy(&engine);
    let refused: &[&[u8]] = &[
        b"POST /containers/nginx/kill HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        b"POST /v1.41/containers/nginx/exec HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n{\"Cmd\":[\"cat\",\"/etc/x\"]}",
        b"GET /v1.41/containers/nginx/exec HTTP/1.1\r\nHost: x\r\n\r\n",
        b"DELETE /containers/nginx?force=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"PUT /containers/nginx/archive?path=/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        b"GET /containers/nginx/logs?stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /containers/json/../images/json HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /images/json HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /volumes HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /info HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /containers/nginx/stats?stream=true HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /containers/nginx/stats HTTP/1.1\r\nHost: x\r\n\r\n",
    ];
    for req in refused {
        let resp = raw(&proxy, req);
        let first = String::from_utf8_lossy(&req[..40.min(req.len())]).into_owned();
        assert_eq!(status(&resp), 403, "{first}: {resp}");
        assert!(
            resp.ends_with(r#"{"message":"forbidden by the read-only engine proxy"}"#),
            "{resp}"
        );
    }
    // An allowed path with a body, a malformed request, an oversized head.
    let with_body = raw(
        &proxy,
        b"GET /containers/json HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert_eq!(status(&with_body), 400);
    let chunked = raw(
        &proxy,
        b"GET /_ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert_eq!(status(&chunked), 400);
    assert_eq!(status(&raw(&proxy, b"GET /_ping\r\n\r\n")), 400);
    let big = format!(
        "GET /_ping HTTP/1.1\r\nX: {}\r\n\r\n",
        "a".repeat(monitor::proxy::MAX_HEAD)
    );
    assert_eq!(status(&raw(&proxy, big.as_bytes())), 431);

    assert!(
        engine.request_lines().is_empty(),
        "reached the engine: {:?}",
        engine.request_lines()
    );
}

#[test]
fn engine_down_is_502() {
    let engine = fake_engine();
    let proxy = start_proxy(&engine);
    std::fs::remove_file(&engine.socket).expect("remove socket");
    let resp = raw(&proxy, b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status(&resp), 502, "{resp}");
}
