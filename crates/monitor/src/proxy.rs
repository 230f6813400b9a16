//! Read-only filter in front of the Docker engine socket.
//!
//! Theory of operation: one thread per TCP connection (at most [`MAX_CONNECTIONS`]), one
//! request per connection. The request head is read with a size cap and a timeout, the
//! method and target are checked against a fixed allowlist ([`check`]), and only then is a
//! *new* request written to the engine's unix socket: same method and target, fixed headers
//! (`Host`, `Connection: close`), none of the client's. Nothing the client sends besides the
//! request line reaches the engine, so header tricks (a body smuggled with
//! `Transfer-Encoding`, `Upgrade`, `X-Registry-Auth`) cannot. The engine's answer (JSON with
//! `Content-Length`, or chunked) is copied back byte for byte as it arrives; the engine
//! closes its side after the response because we asked for `Connection: close`, which ends
//! the copy.
//!
//! Allowed (`GET` or `HEAD`, optionally behind a `/v1.NN` version prefix, query allowed):
//! `/_ping`, `/version`, `/containers/json`, `/containers/{id}/json` and
//! `/containers/{id}/stats` with `stream=false` (or `0`). Everything else is answered `403`
//! and logged as method and path (never the query or headers).

use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Largest accepted request head (request line and headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Connections served at once; more are answered `503`.
pub const MAX_CONNECTIONS: usize = 64;
/// Time allowed to the client to send its whole request head.
const CLIENT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed to write to the client.
const CLIENT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest silence accepted from the engine (a one-shot stats call takes about 2 s).
const ENGINE_TIMEOUT: Duration = Duration::from_secs(30);

/// Body of every `403`.
pub const FORBIDDEN_BODY: &str = r#"{"message":"forbidden by the read-only engine proxy"}"#;

/// What the allowlist says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Forward it to the engine.
    Allow,
    /// Refuse it; the reason is for tests and logs.
    Forbid(&'static str),
}

/// True for a container name or id as the engine accepts them: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
/// The first character rules out `.` and `..`.
fn is_container_ref(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && s.len() <= 128
}

/// Strips a `/v1.41`-style API version prefix, if present.
fn strip_version(path: &str) -> &str {
    let Some(rest) = path.strip_prefix("/v") else {
        return path;
    };
    let end = rest.find('/').unwrap_or(rest.len());
    let (version, tail) = rest.split_at(end);
    match version.split_once('.') {
        Some((major, minor))
            if !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
                && !tail.is_empty() =>
        {
            tail
        }
        _ => path,
    }
}

/// The one-shot stats query: `stream=false|0` exactly once, optionally `one-shot`, nothing
/// else, and no percent-encoding (the engine decodes keys, so `str%65am` would be `stream`).
fn stats_query_ok(query: Option<&str>) -> bool {
    let Some(query) = query else { return false };
    if query.contains(['%', '+']) {
        return false;
    }
    let mut stream_seen = false;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "stream" if !stream_seen && matches!(value, "false" | "0") => stream_seen = true,
            "one-shot" if matches!(value, "true" | "false" | "1" | "0") => {}
            _ => return false,
        }
    }
    stream_seen
}

/// Decides whether `method target` may reach the engine.
pub fn check(method: &str, target: &str) -> Verdict {
    if method != "GET" && method != "HEAD" {
        return Verdict::Forbid("method");
    }
    if !target.starts_with('/') {
        return Verdict::Forbid("target is not an absolute path");
    }
    if target.bytes().any(|b| !(0x21..0x7f).contains(&b)) || target.contains('#') {
        return Verdict::Forbid("characters");
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let path = strip_version(path);
    let segments: Vec<&str> = path[1..].split('/').collect();
    match segments.as_slice() {
        ["_ping"] | ["version"] | ["containers", "json"] => Verdict::Allow,
        ["containers", id, "json"] if is_container_ref(id) => Verdict::Allow,
        ["containers", id, "stats"] if is_container_ref(id) => {
            if stats_query_ok(query) {
                Verdict::Allow
            } else {
                Verdict::Forbid("stats without stream=false")
            }
        }
        _ => Verdict::Forbid("path not in the allowlist"),
    }
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestHead {
    /// Method, as sent.
    pub method: String,
    /// Request target, as sent.
    pub target: String,
    /// Whether the client announced a body (`Content-Length` > 0 or `Transfer-Encoding`).
    pub has_body: bool,
}

/// Why a request head could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    /// The connection closed or timed out before a complete head.
    Incomplete,
    /// Longer than the cap.
    TooLarge,
    /// Not HTTP/1.x.
    Malformed,
}

/// Reads one HTTP/1.x request head (up to the blank line), at most `limit` bytes.
pub fn read_head(reader: &mut impl BufRead, limit: usize) -> Result<RequestHead, HeadError> {
    let mut total = 0usize;
    let mut lines: Vec<String> = Vec::new();
    loop {
        let mut line = Vec::new();
        let budget = (limit - total) as u64 + 1;
        let n = reader
            .by_ref()
            .take(budget)
            .read_until(b'\n', &mut line)
            .map_err(|_| HeadError::Incomplete)?;
        total += n;
        if total > limit {
            return Err(HeadError::TooLarge);
        }
        if n == 0 || line.last() != Some(&b'\n') {
            return Err(HeadError::Incomplete);
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.is_empty() {
            if lines.is_empty() {
                continue; // tolerate a leading empty line (RFC 9112 2.2)
            }
            break;
        }
        lines.push(String::from_utf8(line).map_err(|_| HeadError::Malformed)?);
    }
    let mut parts = lines[0].split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HeadError::Malformed);
    };
    if !version.starts_with("HTTP/1.")
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
    {
        return Err(HeadError::Malformed);
    }
    let mut has_body = false;
    for header in &lines[1..] {
        let Some((name, value)) = header.split_once(':') else {
            return Err(HeadError::Malformed);
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            match value.parse::<u64>() {
                Ok(0) => {}
                Ok(_) => has_body = true,
                Err(_) => return Err(HeadError::Malformed),
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
        }
    }
    Ok(RequestHead {
        method: method.to_owned(),
        target: target.to_owned(),
        has_body,
    })
}

/// A reader that gives up once a deadline passes, however slowly the bytes trickle in
/// (a per-read timeout alone lets a client hold a connection by sending a byte at a time).
#[derive(Debug)]
pub struct DeadlineReader {
    stream: TcpStream,
    deadline: std::time::Instant,
}

impl DeadlineReader {
    /// Reads from `stream` until `within` from now.
    pub fn new(stream: TcpStream, within: Duration) -> Self {
        Self {
            stream,
            deadline: std::time::Instant::now() + within,
        }
    }
}

impl Read for DeadlineReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self
            .deadline
            .saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Makes client-supplied text safe for one log line.
fn loggable(s: &str) -> String {
    s.chars()
        .take(200)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

fn reply(client: &mut TcpStream, status: &str, body: &str) {
    let msg = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    // The client may already be gone; there is nobody to tell.
    let _ = client.write_all(msg.as_bytes());
    let _ = client.flush();
    linger_close(client);
}

/// Ends our side, then discards what the client still sends (a refused request's body)
/// for a moment: closing with unread data would reset the connection and could destroy
/// the answer before the client reads it.
pub(crate) fn linger_close(stream: &mut TcpStream) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut sink = [0u8; 4096];
    let mut drained = 0usize;
    while drained < 64 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

fn json_message(message: &str) -> String {
    serde_json::json!({ "message": message }).to_string()
}

/// Serves one client connection: read, check, forward or refuse.
pub fn handle(mut client: TcpStream, engine: &Path) {
    let _ = client.set_write_timeout(Some(CLIENT_WRITE_TIMEOUT));
    let Ok(read_half) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(DeadlineReader::new(read_half, CLIENT_READ_TIMEOUT));
    let head = match read_head(&mut reader, MAX_HEAD) {
        Ok(head) => head,
        Err(HeadError::Incomplete) => return,
        Err(HeadError::TooLarge) => {
            return reply(
                &mut client,
                "431 Request Header Fields Too Large",
                &json_message("request head too large"),
            )
        }
        Err(HeadError::Malformed) => {
            return reply(
                &mut client,
                "400 Bad Request",
                &json_message("malformed request"),
            )
        }
    };
    let path = head.target.split('?').next().unwrap_or("");
    if let Verdict::Forbid(reason) = check(&head.method, &head.target) {
        eprintln!(
            "engine proxy: forbidden {} {} ({reason})",
            loggable(&head.method),
            loggable(path)
        );
        return reply(&mut client, "403 Forbidden", FORBIDDEN_BODY);
    }
    if head.has_body {
        eprintln!(
            "engine proxy: refused {} {} (request body)",
            loggable(&head.method),
            loggable(path)
        );
        return reply(
            &mut client,
            "400 Bad Request",
            &json_message("request bodies are not accepted"),
        );
    }
    if let Err(err) = forward(&mut client, engine, &head) {
        eprintln!("engine proxy: {} {}: {err:#}", head.method, loggable(path));
    }
}

/// Writes a fresh request to the engine and copies its response to the client.
fn forward(client: &mut TcpStream, engine: &Path, head: &RequestHead) -> Result<()> {
    let mut upstream = match UnixStream::connect(engine) {
        Ok(s) => s,
        Err(err) => {
            reply(
                client,
                "502 Bad Gateway",
                &json_message("engine socket unavailable"),
            );
            return Err(err).with_context(|| format!("connecting to {}", engine.display()));
        }
    };
    upstream.set_read_timeout(Some(ENGINE_TIMEOUT))?;
    upstream.set_write_timeout(Some(ENGINE_TIMEOUT))?;
    let request = format!(
        "{} {} HTTP/1.1\r\nHost: docker\r\nUser-Agent: inception-monitor-proxy\r\n\
         Accept: application/json\r\nConnection: close\r\n\r\n",
        head.method, head.target
    );
    upstream
        .write_all(request.as_bytes())
        .context("writing to the engine")?;
    let mut buf = [0u8; 16 * 1024];
    let mut sent_any = false;
    loop {
        let n = match upstream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => {
                if !sent_any {
                    reply(
                        client,
                        "504 Gateway Timeout",
                        &json_message("engine did not answer"),
                    );
                }
                return Err(err).context("reading from the engine");
            }
        };
        client
            .write_all(&buf[..n])
            .context("writing to the client")?;
        sent_any = true;
    }
    client.flush().context("writing to the client")?;
    Ok(())
}

/// Accepts connections forever, each on its own thread, at most [`MAX_CONNECTIONS`] at once.
pub fn serve(listener: TcpListener, engine: &Path) -> Result<()> {
    let engine: Arc<PathBuf> = Arc::new(engine.to_path_buf());
    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let mut client = match conn {
            Ok(c) => c,
            Err(err) => {
                eprintln!("engine proxy: accept: {err}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = client.set_write_timeout(Some(Duration::from_secs(1)));
            reply(
                &mut client,
                "503 Service Unavailable",
                &json_message("too many connections"),
            );
            continue;
        }
        let engine = Arc::clone(&engine);
        let guard = Arc::clone(&active);
        let spawned = std::thread::Builder::new()
            .name("proxy-conn".into())
            .spawn(move || {
                handle(client, &engine);
                guard.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(err) = spawned {
            active.fetch_sub(1, Ordering::SeqCst);
            eprintln!("engine proxy: cannot start a thread: {err}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowlist_table() {
        let allowed = [
            ("GET", "/_ping"),
            ("HEAD", "/_ping"),
            ("GET", "/version"),
            ("GET", "/v1.41/version"),
            ("GET", "/containers/json"),
            ("GET", "/containers/json?all=1"),
            ("GET", "/v1.41/containers/json?all=1&filters=%7B%7D"),
            ("GET", "/containers/nginx/json"),
            ("GET", "/containers/srcs-nginx-1/json"),
            ("GET", "/v1.43/containers/4f1c2a9e0b7d/json?size=0"),
            ("GET", "/containers/nginx/stats?stream=false"),
            ("GET", "/containers/nginx/stats?stream=0"),
            (
                "GET",
                "/v1.41/containers/my.db_1/stats?stream=false&one-shot=true",
            ),
            ("GET", "/containers/json/json"), // a container named "json"
        ];
        for (m, t) in allowed {
            assert_eq!(check(m, t), Verdict::Allow, "{m} {t} should be allowed");
        }
        let forbidden = [
            ("POST", "/containers/x/kill"),
            ("POST", "/containers/x/exec"),
            ("GET", "/v1.41/containers/x/exec"),
            ("POST", "/v1.41/containers/x/exec"),
            ("DELETE", "/containers/x"),
            ("PUT", "/containers/x/archive"),
            ("OPTIONS", "/_ping"),
            ("get", "/_ping"),
            ("GET", "/info"),
            ("GET", "/containers/x/logs?stdout=1"),
            ("GET", "/containers/x/archive?path=/etc/shadow"),
            ("GET", "/containers/x/export"),
            ("GET", "/containers/x/attach/ws"),
            ("GET", "/images/json"),
            ("GET", "/volumes"),
            ("GET", "/secrets"),
            ("GET", "/events"),
            ("GET", "/containers/json/../images/json"),
            ("GET", "/containers/../json"),
            ("GET", "/containers/./json"),
            ("GET", "/containers/%2e%2e/json"),
            ("GET", "/containers//json"),
            ("GET", "/containers/json/"),
            ("GET", "//containers/json"),
            ("GET", "/containers/x/stats"),
            ("GET", "/containers/x/stats?stream=true"),
            ("GET", "/containers/x/stats?stream=1"),
            ("GET", "/containers/x/stats?stream=false&stream=true"),
            ("GET", "/containers/x/stats?stream=false&str%65am=true"),
            ("GET", "/containers/x/stats?stream=false&other=1"),
            ("GET", "/containers/x/stats?stream"),
            ("GET", "http://docker/containers/json"),
            ("GET", "*"),
            ("GET", "/v1.41"),
            ("GET", "/v1.41/"),
            ("GET", "/vx.41/version"),
            ("GET", "/v1.41/v1.41/version"),
            ("GET", "/containers/json#frag"),
        ];
        for (m, t) in forbidden {
            assert!(
                matches!(check(m, t), Verdict::Forbid(_)),
                "{m} {t} should be forbidden"
            );
        }
    }

    #[test]
    fn reads_heads_and_flags_bodies() {
        let mut r = &b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"[..];
        let head = read_head(&mut r, MAX_HEAD).expect("valid head");
        assert_eq!(
            (head.method.as_str(), head.target.as_str()),
            ("GET", "/_ping")
        );
        assert!(!head.has_body);
        let mut r = &b"GET /_ping HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"[..];
        assert!(read_head(&mut r, MAX_HEAD).expect("valid head").has_body);
        let mut r = &b"GET /_ping HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"[..];
        assert!(read_head(&mut r, MAX_HEAD).expect("valid head").has_body);
        let mut r = &b"GET /_ping HTTP/1.1\r\nContent-Length: x\r\n\r\n"[..];
        assert_eq!(read_head(&mut r, MAX_HEAD), Err(HeadError::Malformed));
        let mut r = &b"GET /_ping\r\n\r\n"[..];
        assert_eq!(read_head(&mut r, MAX_HEAD), Err(HeadError::Malformed));
        let mut r = &b"GET /_ping HTTP/1.1\r\nHost: x\r\n"[..];
        assert_eq!(read_head(&mut r, MAX_HEAD), Err(HeadError::Incomplete));
        let big = format!("GET /_ping HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        let mut r = big.as_bytes();
        assert_eq!(read_head(&mut r, MAX_HEAD), Err(HeadError::TooLarge));
    }

    #[test]
    fn a_trickling_client_hits_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            let mut c = TcpStream::connect(addr).expect("connect");
            for _ in 0..100 {
                if c.write_all(b"G").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        let (server, _) = listener.accept().expect("accept");
        let start = std::time::Instant::now();
        let mut reader = BufReader::new(DeadlineReader::new(server, Duration::from_millis(200)));
        assert_eq!(read_head(&mut reader, MAX_HEAD), Err(HeadError::Incomplete));
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn version_prefix_is_strict() {
        assert_eq!(strip_version("/v1.41/_ping"), "/_ping");
        assert_eq!(strip_version("/v1/_ping"), "/v1/_ping");
        assert_eq!(strip_version("/version"), "/version");
    }
}
