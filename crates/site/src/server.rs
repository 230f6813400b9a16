//! The accept loop: one thread per connection, at most [`Config::max_connections`] at a
//! time; past that, a new connection gets a 503 at once instead of waiting in the backlog.
//!
//! A connection serves requests one after the other (HTTP/1.1 keep-alive) until the client
//! closes it or asks to, an error occurs, or it stays silent: each request head must arrive
//! completely within [`Config::request_timeout`] of the end of the previous response, so an
//! idle or slow client cannot hold a thread for long.

use crate::assets::Site;
use crate::handler::respond;
use crate::http::{read_request, HttpError, Response, Status, Version};
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// Limits of the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// Connections served at the same time; more are answered 503.
    pub max_connections: usize,
    /// Time allowed for a whole request head to arrive, idle time before it included.
    pub request_timeout: Duration,
    /// Time allowed for a response to be written.
    pub write_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_connections: 64,
            request_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves the embedded site on `listener` with the default limits; never returns.
pub fn serve(listener: TcpListener) -> ! {
    serve_with(listener, Arc::new(Site::at_startup()), &Config::default())
}

/// Serves `site` on `listener` with the limits of `config`; never returns.
pub fn serve_with(listener: TcpListener, site: Arc<Site>, config: &Config) -> ! {
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of descriptors or memory: give the running connections a moment to
                // finish rather than spinning. Aborted handshakes are simply skipped.
                log_line(&format!("accept failed: {error}"));
                if !matches!(
                    error.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::Interrupted
                ) {
                    thread::sleep(Duration::from_millis(100));
                }
                continue;
            }
        };
        if active.fetch_add(1, Ordering::AcqRel) >= config.max_connections {
            active.fetch_sub(1, Ordering::AcqRel);
            refuse(&stream);
            continue;
        }
        let guard = Slot(Arc::clone(&active));
        let site = Arc::clone(&site);
        let config = config.clone();
        let spawned = thread::Builder::new()
            .name("site-conn".into())
            .spawn(move || {
                let _slot = guard;
                handle(stream, &site, &config);
            });
        if let Err(error) = spawned {
            log_line(&format!("cannot start a connection thread: {error}"));
        }
    }
}

/// Frees a connection slot when the connection's thread ends (or fails to start).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answers 503 to a connection over the cap, without reading its request (and without
/// lingering: this runs on the accept loop).
fn refuse(mut stream: &TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let response = Response::new(
        Status::SERVICE_UNAVAILABLE,
        &b"503 Service Unavailable\n"[..],
    )
    .header("Content-Type", "text/plain; charset=utf-8")
    .header("Retry-After", "1");
    let sent = response
        .write_to(
            &mut stream,
            false,
            false,
            Version::Http11,
            SystemTime::now(),
        )
        .unwrap_or(0);
    log_request("-", "-", 503, sent);
    let _ = stream.shutdown(Shutdown::Write);
}

/// A reader that gives up when the current request's deadline has passed, however the
/// bytes trickle in.
struct DeadlineReader {
    stream: TcpStream,
    deadline: Instant,
}

impl Read for DeadlineReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "request head not received in time",
            ));
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Serves the requests of one connection.
fn handle(stream: TcpStream, site: &Site, config: &Config) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_write_timeout(Some(config.write_timeout));
    let (Ok(read_half), mut write_half) = (stream.try_clone(), &stream) else {
        return;
    };
    let mut reader = BufReader::new(DeadlineReader {
        stream: read_half,
        deadline: Instant::now() + config.request_timeout,
    });
    loop {
        reader.get_mut().deadline = Instant::now() + config.request_timeout;
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) | Err(HttpError::Io(_)) => return,
            Err(error) => {
                let status = error.status().unwrap_or(Status::BAD_REQUEST);
                let body = format!("{} {}\n", status.code, status.reason);
                let response = Response::new(status, body.into_bytes())
                    .header("Content-Type", "text/plain; charset=utf-8");
                let sent = response
                    .write_to(
                        &mut write_half,
                        false,
                        false,
                        Version::Http11,
                        SystemTime::now(),
                    )
                    .unwrap_or(0);
                log_request("-", "-", status.code, sent);
                linger_close(&stream);
                return;
            }
        };
        let now = SystemTime::now();
        let response = respond(site, &request, now);
        let head = request.method == "HEAD";
        // A request body is never read, so it must not be parsed as the next request.
        let keep_alive = request.keep_alive() && !request.has_body();
        let written = response.write_to(&mut write_half, head, keep_alive, request.version, now);
        let sent = written.as_ref().map_or(0, |sent| *sent);
        log_request(&request.method, &request.path, response.status.code, sent);
        if written.is_err() {
            return;
        }
        if !keep_alive {
            linger_close(&stream);
            return;
        }
    }
}

/// Closes the sending side, then discards what the client still sends for a moment, so that
/// unread request bytes do not make the kernel reset the connection before the client has
/// read our response.
fn linger_close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 4096];
    let mut reader = stream;
    let mut drained = 0;
    while drained < 256 * 1024 {
        match reader.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// One access log line on stdout: method, path (never the query), status, content bytes.
fn log_request(method: &str, path: &str, status: u16, bytes: usize) {
    log_line(&format!("{method} {path} {status} {bytes}"));
}

/// Writes a line to stdout, ignoring a closed stdout (the log must never stop serving).
pub fn log_line(line: &str) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}
