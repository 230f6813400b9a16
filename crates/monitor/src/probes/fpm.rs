//! php-fpm's status page (`pm.status_path = /fpm-status`) asked over FastCGI with
//! `QUERY_STRING=json`.
//!
//! The protocol is the shared `fastcgi` crate's (initd's healthcheck uses it too).

use super::Reading;
use crate::engine::connect;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::io::{Read, Write};
use std::time::Duration;

/// Largest answer accepted (the JSON status is a few hundred bytes).
const MAX_OUTPUT: usize = 1024 * 1024;
/// The status path configured in the pool.
pub const STATUS_PATH: &str = "/fpm-status";

/// The whole request for the status page, as JSON.
pub fn request() -> Vec<u8> {
    fastcgi::get_request(STATUS_PATH, "json")
}

/// Reads records until END_REQUEST and returns STDOUT; STDERR content is an error.
pub fn read_stdout(reader: &mut impl Read) -> Result<Vec<u8>> {
    Ok(fastcgi::read_stdout(reader, MAX_OUTPUT)?)
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
    use fastcgi::{kind, record};

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
        let mut wire = record(kind::STDOUT, a.as_bytes());
        // A padded record, as php-fpm sends them.
        let mut padded = record(kind::STDOUT, b.as_bytes());
        padded[6] = 3;
        padded.extend_from_slice(&[0, 0, 0]);
        wire.extend(padded);
        wire.extend(record(kind::END_REQUEST, &[0; 8]));
        let out = read_stdout(&mut wire.as_slice()).expect("reads");
        assert_eq!(out, STATUS.as_bytes());
        let mut bad = record(kind::STDERR, b"Primary script unknown");
        bad.extend(record(kind::END_REQUEST, &[0; 8]));
        assert!(read_stdout(&mut bad.as_slice()).is_err());
    }

    #[test]
    fn request_asks_for_json() {
        let req = request();
        let needle = b"QUERY_STRINGjson";
        assert!(req.windows(needle.len()).any(|w| w == needle));
        assert_eq!(&req[..4], &[1, kind::BEGIN_REQUEST, 0, 1]);
    }
}
