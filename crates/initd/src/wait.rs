//! Waiting for a dependency means probing it until it answers or a deadline passes.
//!
//! Never an unbounded sleep loop: each probe has its own timeout, the pauses between probes
//! grow from 100 ms to 2 s, and when the deadline passes the error names what we waited
//! for, how long, and the last reason it failed.

use anyhow::{bail, Result};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::{Duration, Instant};

/// Retries `probe` until it returns `Ok`, or fails with a timeout error after `limit`.
pub fn until<T>(
    what: &str,
    limit: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> Result<T> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(100);
    let mut announced = false;
    loop {
        match probe() {
            Ok(value) => return Ok(value),
            Err(reason) => {
                let waited = start.elapsed();
                if waited >= limit {
                    bail!(
                        "timed out after {}s waiting for {what} (last error: {reason})",
                        limit.as_secs()
                    );
                }
                if !announced && waited >= Duration::from_secs(2) {
                    eprintln!("init: waiting for {what} ({reason})");
                    announced = true;
                }
                std::thread::sleep(pause.min(limit.saturating_sub(waited)));
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
}

/// One TCP connection attempt to `host:port`, resolving through Docker's DNS each time (a
/// restarted container may come back with another address).
pub fn tcp_probe(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, String> {
    let addrs = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    let mut last = format!("{host} resolved to no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("{addr}: {e}"),
        }
    }
    Err(last)
}

/// Waits until `host:port` accepts TCP connections.
pub fn tcp(host: &str, port: u16, limit: Duration) -> Result<()> {
    until(&format!("{host}:{port}"), limit, || {
        tcp_probe(host, port, Duration::from_secs(2)).map(drop)
    })
}

/// Waits until a unix socket accepts connections.
pub fn unix_socket(path: &Path, limit: Duration) -> Result<()> {
    until(&path.display().to_string(), limit, || {
        std::os::unix::net::UnixStream::connect(path)
            .map(drop)
            .map_err(|e| e.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn succeeds_as_soon_as_probe_does() {
        let mut calls = 0;
        let got = until("thing", Duration::from_secs(5), || {
            calls += 1;
            if calls < 3 {
                Err("not yet".into())
            } else {
                Ok(calls)
            }
        });
        assert_eq!(got.expect("ready"), 3);
    }

    #[test]
    fn times_out_with_a_message_naming_the_dependency() {
        let start = Instant::now();
        let err = until::<()>("mariadb:3306", Duration::from_millis(300), || {
            Err("connection refused".into())
        })
        .expect_err("must time out");
        assert!(start.elapsed() < Duration::from_secs(2));
        let text = err.to_string();
        assert!(
            text.contains("mariadb:3306") && text.contains("connection refused"),
            "{text}"
        );
    }

    #[test]
    fn tcp_wait_sees_a_listener() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tcp("127.0.0.1", port, Duration::from_secs(2)).expect("listener is up");
        drop(listener);
        assert!(tcp("127.0.0.1", port, Duration::from_millis(300)).is_err());
    }
}
