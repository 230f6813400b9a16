//! php-fpm's status page (`pm.status_path = /fpm-status`) asked over FastCGI with
//! `QUERY_STRING=json`.
//!
//! initd has its own FastCGI ping for the healthcheck; this one differs in the query string
//! and in the answer it parses, and the two binaries share no library, so it is repeated
//! here in its smallest form: BEGIN_REQUEST, PARAMS, empty PARAMS, empty STDIN, then
//! records until END_REQUEST.

use super::Reading;
use crate::engine::connect;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::io::{Read, Write};
use std::time::Duration;

const VERSION: u8 = 1;
const BEGIN_REQUEST: u8 = 1;
const END_REQUEST: u8 = 3;
const PARAMS: u8 = 4;
const STDIN: u8 = 5;
const STDOUT: u8 = 6;
const STDERR: u8 = 7;
const RESPONDER: u8 = 1;
/// Largest answer accepted (the JSON status is a few hundred bytes).
const MAX_OUTPUT: usize = 1024 * 1024;
/// The status path configured in the pool.
pub const STATUS_PATH: &str = "/fpm-status";

/// One FastCGI record for request 1 (content ≤ 65535 bytes, which ours always are).
pub fn record(kind: u8, content: &[u8]) -> Vec<u8> {
    let len = u16::try_from(content.len()).unwrap_or(u16::MAX);
    let mut out = vec![VERSION, kind, 0, 1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&content[..usize::from(len)]);
    out
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    match u8::try_from(len) {
        Ok(b) if b < 128 => out.push(b),
        _ => out.extend_from_slice(&(u32::try_from(len).unwrap_or(0) | 0x8000_0000).to_be_bytes()),
    }
}

/// The whole request for the status page.
pub fn request() -> Vec<u8> {
    let mut params = Vec::new();
    for (name, value) in [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("REQUEST_METHOD", "GET"),
        ("SCRIPT_NAME", STATUS_PATH),
        ("SCRIPT_FILENAME", STATUS_PATH),
        ("REQUEST_URI", "/fpm-status?json"),
        ("QUERY_STRING", "json"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
    ] {
        push_len(&mut params, name.len());
        push_len(&mut params, value.len());
        params.extend_from_slice(name.as_bytes());
        params.extend_from_slice(value.as_bytes());
    }
    let mut req = record(BEGIN_REQUEST, &[0, RESPONDER, 0, 0, 0, 0, 0, 0]);
    req.extend(record(PARAMS, &params));
    req.extend(record(PARAMS, &[]));
    req.extend(record(STDIN, &[]));
    req
}

/// Reads records until END_REQUEST and returns STDOUT; STDERR content is an error.
pub fn read_stdout(reader: &mut impl Read) -> Result<Vec<u8>> {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    loop {
        let mut header = [0u8; 8];
        reader
            .read_exact(&mut header)
            .context("php-fpm closed the connection before the end of the request")?;
        let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
        let mut content = vec![0u8; len + usize::from(header[6])];
        reader
            .read_exact(&mut content)
            .context("truncated record")?;
        content.truncate(len);
        match header[1] {
            STDOUT => stdout.extend(content),
            STDERR => stderr.extend(content),
            END_REQUEST => break,
            _ => {}
        }
        if stdout.len() + stderr.len() > MAX_OUTPUT {
            bail!("answer too large");
        }
    }
    if !stderr.is_empty() {
        let text = String::from_utf8_lossy(&stderr);
        bail!(
            "php-fpm: {}",
            text.trim().chars().take(200).collect::<String>()
        );
    }
    Ok(stdout)
}

/// Parses the CGI answer (headers, blank line, JSON body) into the probe's reading.
pub fn parse_status(output: &[u8]) -> Result<Reading> {
    let text = String::from_utf8_lossy(output);
    let (headers, body) = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .unwrap_or(("", &text));
    for header in headers.lines() {
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("status") && !value.trim().starts_with('2') {
                bail!(
                    "status page answered {} (is pm.status_path = {STATUS_PATH}?)",
                    value.trim()
                );
            }
        }
    }
    let json: Value = serde_json::from_str(body.trim()).context("status page is not JSON")?;
    let mut r = Reading::default();
    for (key, name) in [
        ("accepted conn", "accepted_conn"),
        ("listen queue", "listen_queue"),
        ("max listen queue", "max_listen_queue"),
        ("idle processes", "idle_processes"),
        ("active processes", "active_processes"),
        ("total processes", "total_processes"),
        ("max active processes", "max_active_processes"),
        ("max children reached", "max_children_reached"),
        ("slow requests", "slow_requests"),
        ("start since", "start_since"),
    ] {
        if let Some(v) = json[key].as_f64() {
            r.value(name, v);
        }
    }
    if !r.values.contains_key("active_processes") {
        bail!("status page has no \"active processes\"");
    }
    for (key, name) in [("pool", "pool"), ("process manager", "process_manager")] {
        if let Some(v) = json[key].as_str() {
            r.info(name, v);
        }
    }
    Ok(r)
}

/// Probes the php-fpm pool at `addr`.
pub fn probe(addr: &str, timeout: Duration) -> Result<Reading> {
    let mut stream = connect(addr, timeout)?;
    stream
        .write_all(&request())
        .context("sending the FastCGI request")?;
    parse_status(&read_stdout(&mut stream)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "X-Powered-By: PHP/8.2.28\r\nExpires: Thu, 01 Jan 1970 00:00:00 GMT\r\n\
        Content-type: application/json\r\n\r\n\
        {\"pool\":\"www\",\"process manager\":\"dynamic\",\"start time\":1714550000,\
        \"start since\":3600,\"accepted conn\":1234,\"listen queue\":0,\"max listen queue\":2,\
        \"listen queue len\":4096,\"idle processes\":3,\"active processes\":1,\
        \"total processes\":4,\"max active processes\":5,\"max children reached\":0,\
        \"slow requests\":0}";

    #[test]
    fn parses_the_json_status() {
        let r = parse_status(STATUS.as_bytes()).expect("parses");
        assert_eq!(r.values.get("accepted_conn"), Some(&1234.0));
        assert_eq!(r.values.get("active_processes"), Some(&1.0));
        assert_eq!(r.values.get("idle_processes"), Some(&3.0));
        assert_eq!(r.values.get("max_children_reached"), Some(&0.0));
        assert_eq!(r.info.get("pool").map(String::as_str), Some("www"));
    }

    #[test]
    fn a_404_or_text_status_is_an_error() {
        let not_found =
            b"Status: 404 Not Found\r\nContent-type: text/html\r\n\r\nFile not found.\n";
        let err = parse_status(not_found).expect_err("404");
        assert!(format!("{err}").contains("404"));
        let text = b"Content-type: text/plain\r\n\r\npool: www\nactive processes: 1\n";
        assert!(parse_status(text).is_err());
    }

    #[test]
    fn reads_records_split_across_stdout() {
        let (a, b) = STATUS.split_at(100);
        let mut wire = record(STDOUT, a.as_bytes());
        // A padded record, as php-fpm sends them.
        let mut padded = record(STDOUT, b.as_bytes());
        padded[6] = 3;
        padded.extend_from_slice(&[0, 0, 0]);
        wire.extend(padded);
        wire.extend(record(END_REQUEST, &[0; 8]));
        let out = read_stdout(&mut wire.as_slice()).expect("reads");
        assert_eq!(out, STATUS.as_bytes());
        let mut bad = record(STDERR, b"Primary script unknown");
        bad.extend(record(END_REQUEST, &[0; 8]));
        assert!(read_stdout(&mut bad.as_slice()).is_err());
    }

    #[test]
    fn request_asks_for_json() {
        let req = request();
        let needle = b"QUERY_STRINGjson";
        assert!(req.windows(needle.len()).any(|w| w == needle));
        assert_eq!(&req[..4], &[1, BEGIN_REQUEST, 0, 1]);
    }
}
