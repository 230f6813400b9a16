//! Just enough FastCGI to ask php-fpm itself whether it is alive.
//!
//! The wordpress healthcheck sends one FastCGI request for php-fpm's `ping.path` and expects
//! "pong": this proves the master accepts connections and a worker answers, which a TCP
//! connect alone would not.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const VERSION: u8 = 1;
const BEGIN_REQUEST: u8 = 1;
const END_REQUEST: u8 = 3;
const PARAMS: u8 = 4;
const STDIN: u8 = 5;
const STDOUT: u8 = 6;
const STDERR: u8 = 7;
const RESPONDER: u16 = 1;
const REQUEST_ID: u16 = 1;

fn record(kind: u8, content: &[u8]) -> Vec<u8> {
    let len = u16::try_from(content.len()).unwrap_or(u16::MAX);
    let mut out = vec![VERSION, kind];
    out.extend_from_slice(&REQUEST_ID.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&content[..usize::from(len)]);
    out
}

fn param_len(out: &mut Vec<u8>, len: usize) {
    if len < 128 {
        out.push(len as u8);
    } else {
        out.extend_from_slice(&((len as u32) | 0x8000_0000).to_be_bytes());
    }
}

/// Encodes FastCGI name-value pairs.
fn params(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in pairs {
        param_len(&mut out, name.len());
        param_len(&mut out, value.len());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out
}

/// Sends a GET for `script` to the FastCGI server at `addr`; returns its stdout (headers and
/// body) once the request ends.
pub fn get(addr: &str, script: &str, timeout: Duration) -> Result<String> {
    let mut stream =
        TcpStream::connect(addr).with_context(|| format!("connecting to php-fpm at {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut req = record(BEGIN_REQUEST, &[0, RESPONDER as u8, 0, 0, 0, 0, 0, 0]);
    let p = params(&[
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("REQUEST_METHOD", "GET"),
        ("SCRIPT_NAME", script),
        ("SCRIPT_FILENAME", script),
        ("REQUEST_URI", script),
        ("QUERY_STRING", ""),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
    ]);
    req.extend(record(PARAMS, &p));
    req.extend(record(PARAMS, &[]));
    req.extend(record(STDIN, &[]));
    stream.write_all(&req).context("sending FastCGI request")?;
    read_response(&mut stream)
}

/// Reads records until END_REQUEST; collects STDOUT, fails on STDERR content.
fn read_response(stream: &mut impl Read) -> Result<String> {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    loop {
        let mut header = [0u8; 8];
        stream
            .read_exact(&mut header)
            .context("reading FastCGI response (php-fpm closed the connection?)")?;
        let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
        let pad = usize::from(header[6]);
        let mut content = vec![0u8; len + pad];
        stream
            .read_exact(&mut content)
            .context("reading FastCGI record")?;
        content.truncate(len);
        match header[1] {
            STDOUT => stdout.extend(content),
            STDERR => stderr.extend(content),
            END_REQUEST => break,
            _ => {}
        }
    }
    if !stderr.is_empty() {
        bail!(
            "php-fpm wrote to stderr: {}",
            String::from_utf8_lossy(&stderr)
        );
    }
    Ok(String::from_utf8_lossy(&stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_short_and_long_params() {
        let long = "x".repeat(200);
        let p = params(&[("A", "b"), ("L", &long)]);
        assert_eq!(&p[..4], &[1, 1, b'A', b'b']);
        assert_eq!(&p[4..9], &[1, 0x80, 0, 0, 200]);
    }

    #[test]
    fn reads_stdout_until_end_request() {
        let mut wire = record(STDOUT, b"Content-type: text/plain\r\n\r\npong");
        wire.extend(record(END_REQUEST, &[0; 8]));
        let out = read_response(&mut wire.as_slice()).expect("parses");
        assert!(out.ends_with("pong"));
    }

    #[test]
    fn stderr_is_an_error() {
        let mut wire = record(STDERR, b"Primary script unknown");
        wire.extend(record(END_REQUEST, &[0; 8]));
        assert!(read_response(&mut wire.as_slice()).is_err());
    }
}
