//! The wordpress and adminer healthchecks ask php-fpm itself: one FastCGI request for the
//! pool's `ping.path`, answered "pong" by the master and a worker, which a TCP connect
//! alone would not prove. The protocol lives in the shared `fastcgi` crate.

use anyhow::{Context, Result};
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

/// Sends a GET for `script` to the FastCGI server at `addr`; returns its stdout (headers
/// and body) once the request ends.
pub fn get(addr: &str, script: &str, timeout: Duration) -> Result<String> {
    let mut stream =
        TcpStream::connect(addr).with_context(|| format!("connecting to php-fpm at {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream
        .write_all(&fastcgi::get_request(script, ""))
        .context("sending FastCGI request")?;
    let out = fastcgi::read_stdout(&mut stream, 64 * 1024)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
