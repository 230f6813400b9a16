//! Shared test helpers: a fake Docker engine on a temporary unix socket, and raw HTTP.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Reads a fixture from tests/fixtures.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fake engine: answers canned JSON on a unix socket and records every request head.
pub struct FakeEngine {
    /// Socket path.
    pub socket: PathBuf,
    /// Every request head received (request line and headers), in order.
    pub seen: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl FakeEngine {
    /// Request lines received so far.
    pub fn request_lines(&self) -> Vec<String> {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .map(|h| h.lines().next().unwrap_or("").to_owned())
            .collect()
    }
}

fn answer(target: &str) -> (u16, String, bool) {
    let path = target.split('?').next().unwrap_or("");
    let path = match path.strip_prefix("/v1.41") {
        Some(p) => p,
        None => path,
    };
    let nginx = "4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a4f1c2a9e0b7d6c5a";
    let mariadb = "9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d5e4f9a8b7c6d5e4f9a8b";
    let exited = "1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd1234abcd";
    match path {
        "/_ping" => (200, "OK".into(), false),
        "/version" => (
            200,
            r#"{"Version":"24.0.7","ApiVersion":"1.43"}"#.into(),
            false,
        ),
        "/containers/json" => (200, fixture("containers.json"), false),
        p if p == format!("/containers/{nginx}/json") => {
            (200, fixture("inspect_nginx.json"), false)
        }
        p if p == format!("/containers/{mariadb}/json") => {
            (200, fixture("inspect_mariadb.json"), false)
        }
        p if p == format!("/containers/{exited}/json") => {
            (200, fixture("inspect_exited.json"), false)
        }
        // The engine streams stats with chunked encoding.
        p if p == format!("/containers/{nginx}/stats") => {
            (200, fixture("stats_cgroup2.json"), true)
        }
        p if p == format!("/containers/{mariadb}/stats") => {
            (200, fixture("stats_cgroup1.json"), true)
        }
        _ => (404, r#"{"message":"page not found"}"#.into(), false),
    }
}

/// Starts the fake engine on a fresh socket.
pub fn fake_engine() -> FakeEngine {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("docker.sock");
    let listener = UnixListener::bind(&socket).expect("bind fake engine");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().expect("clone"));
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                log.lock().expect("lock").push(head.clone());
                let target = head.split(' ').nth(1).unwrap_or("").to_owned();
                let (status, body, chunked) = answer(&target);
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nApi-Version: 1.43\r\n"
                );
                if chunked {
                    out.push_str("Transfer-Encoding: chunked\r\n\r\n");
                    let (a, b) = body.split_at(body.len() / 2);
                    for part in [a, b] {
                        out.push_str(&format!("{:x}\r\n{part}\r\n", part.len()));
                    }
                    out.push_str("0\r\n\r\n");
                } else {
                    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
                }
                let _ = conn.write_all(out.as_bytes());
            });
        }
    });
    FakeEngine {
        socket,
        seen,
        _dir: dir,
    }
}

/// Starts the proxy in front of `engine` on a free local port; returns its address.
pub fn start_proxy(engine: &FakeEngine) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
    let addr = listener.local_addr().expect("addr").to_string();
    let socket = engine.socket.clone();
    std::thread::spawn(move || monitor::proxy::serve(listener, &socket));
    addr
}

/// Sends raw bytes, returns everything the server sends until it closes.
pub fn raw(addr: &str, request: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s.write_all(request).expect("send");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The status code of a raw response.
pub fn status(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}
