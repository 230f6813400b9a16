//! A tiny HTTP/1.1 server (one request per connection, thread per connection) and the
//! monitor's routes.
//!
//! Routes: `GET /` dashboard, `GET /api/state` JSON, `GET /metrics` Prometheus text,
//! `GET /healthz` `ok`. `HEAD` is answered like `GET` without the body; other methods get
//! `405`, other paths `404`. Requests with a body are refused (`400`). The dashboard uses
//! relative URLs only, so it works behind nginx under `/monitor/` with the prefix stripped.

use crate::collector::{lock, State};
use crate::proxy::{read_head, DeadlineReader, HeadError};
use anyhow::Result;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest request head accepted.
const MAX_HEAD: usize = 8 * 1024;
/// Connections served at once; more are answered `503`.
const MAX_CONNECTIONS: usize = 32;

/// A request as the routes see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
}

/// A response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Extra header lines (`Name: value`).
    pub headers: Vec<String>,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A plain-text response.
    pub fn text(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

/// The request handler type.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

const DASHBOARD_CSP: &str = "Content-Security-Policy: default-src 'none'; \
    script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The monitor's routes.
pub fn route(state: &Mutex<State>, req: &Request) -> Response {
    let known = matches!(
        req.path.as_str(),
        "/" | "/index.html" | "/api/state" | "/metrics" | "/healthz"
    );
    if req.method != "GET" && req.method != "HEAD" {
        let mut resp = Response::text(405, "method not allowed\n");
        resp.headers.push("Allow: GET, HEAD".into());
        return resp;
    }
    if !known {
        return Response::text(404, "not found\n");
    }
    match req.path.as_str() {
        "/api/state" => Response {
            status: 200,
            content_type: "application/json",
            headers: Vec::new(),
            body: lock(state).to_json().to_string().into_bytes(),
        },
        "/metrics" => Response {
            status: 200,
            content_type: crate::metrics::CONTENT_TYPE,
            headers: Vec::new(),
            body: crate::metrics::render(&lock(state)).into_bytes(),
        },
        "/healthz" => Response::text(200, "ok\n"),
        _ => Response {
            status: 200,
            content_type: "text/html; charset=utf-8",
            headers: vec![DASHBOARD_CSP.into()],
            body: crate::dashboard::HTML.as_bytes().to_vec(),
        },
    }
}

fn send(stream: &mut TcpStream, resp: &Response, head_only: bool) {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    )
    .into_bytes();
    for h in &resp.headers {
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&resp.body);
    }
    // The client may be gone already.
    let _ = stream.write_all(&out);
    let _ = stream.flush();
    crate::proxy::linger_close(stream);
}

/// Serves one connection.
pub fn handle(mut stream: TcpStream, handler: &Handler) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let reader = DeadlineReader::new(read_half, Duration::from_secs(10));
    let head = match read_head(&mut BufReader::new(reader), MAX_HEAD) {
        Ok(h) => h,
        Err(HeadError::Incomplete) => return,
        Err(HeadError::TooLarge) => {
            return send(&mut stream, &Response::text(431, "too large\n"), false)
        }
        Err(HeadError::Malformed) => {
            return send(&mut stream, &Response::text(400, "bad request\n"), false)
        }
    };
    if head.has_body {
        return send(
            &mut stream,
            &Response::text(400, "request bodies are not accepted\n"),
            false,
        );
    }
    let path = head.target.split('?').next().unwrap_or("").to_owned();
    let req = Request {
        method: head.method,
        path,
    };
    let resp = handler(&req);
    send(&mut stream, &resp, req.method == "HEAD");
}

/// Accepts connections forever, each on its own thread.
pub fn serve(listener: TcpListener, handler: Handler) -> Result<()> {
    let active = Arc::new(AtomicUsize::new(0));
    for conn in listener.incoming() {
        let mut stream = match conn {
            Ok(s) => s,
            Err(err) => {
                eprintln!("monitor: accept: {err}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            send(&mut stream, &Response::text(503, "busy\n"), false);
            continue;
        }
        let handler = Arc::clone(&handler);
        let guard = Arc::clone(&active);
        let spawned = std::thread::Builder::new()
            .name("http-conn".into())
            .spawn(move || {
                handle(stream, &handler);
                guard.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(err) = spawned {
            active.fetch_sub(1, Ordering::SeqCst);
            eprintln!("monitor: cannot start a thread: {err}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: &str, path: &str) -> Request {
        Request {
            method: method.into(),
            path: path.into(),
        }
    }

    #[test]
    fn routes() {
        let state = Mutex::new(State::new(Duration::from_secs(5), 10, &[]));
        assert_eq!(route(&state, &req("GET", "/healthz")).status, 200);
        assert_eq!(route(&state, &req("GET", "/nope")).status, 404);
        assert_eq!(route(&state, &req("GET", "/monitor/")).status, 404);
        let post = route(&state, &req("POST", "/metrics"));
        assert_eq!(post.status, 405);
        assert!(post.headers.iter().any(|h| h == "Allow: GET, HEAD"));
        assert_eq!(route(&state, &req("DELETE", "/")).status, 405);
        let m = route(&state, &req("GET", "/metrics"));
        assert_eq!(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
        let s = route(&state, &req("GET", "/api/state"));
        let v: serde_json::Value = serde_json::from_slice(&s.body).expect("json");
        assert_eq!(v["history_length"], 10);
        let d = route(&state, &req("GET", "/"));
        assert!(d.content_type.starts_with("text/html"));
    }

    #[test]
    fn dashboard_uses_relative_urls_only() {
        let html = crate::dashboard::HTML;
        assert!(html.contains("'api/state'") || html.contains("\"api/state\""));
        for absolute in [
            "\"/api",
            "'/api",
            "\"/metrics",
            "'/metrics",
            "href=\"/",
            "src=\"/",
            "http://",
            "https://",
        ] {
            assert!(!html.contains(absolute), "dashboard contains {absolute}");
        }
    }
}
