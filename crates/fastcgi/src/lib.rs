//! Just enough FastCGI (the responder role, one request per connection) to ask php-fpm
//! for one of its own pages: the `ping.path` initd's healthcheck uses, and the
//! `pm.status_path` the monitor reads. One copy, shared by both binaries.
//!
//! A request is BEGIN_REQUEST, the CGI parameters in one PARAMS record, an empty PARAMS,
//! an empty STDIN; the answer is STDOUT/STDERR records until END_REQUEST.

use std::io::Read;

/// Record types we send or read.
pub mod kind {
    /// Starts a request.
    pub const BEGIN_REQUEST: u8 = 1;
    /// Ends a request (from the server).
    pub const END_REQUEST: u8 = 3;
    /// CGI parameters (name-value pairs).
    pub const PARAMS: u8 = 4;
    /// Request body (empty for GET).
    pub const STDIN: u8 = 5;
    /// Response headers and body.
    pub const STDOUT: u8 = 6;
    /// Error output of the script or of php-fpm.
    pub const STDERR: u8 = 7;
}

const VERSION: u8 = 1;
const RESPONDER: u8 = 1;

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection ended before END_REQUEST.
    #[error("php-fpm closed the connection before the end of the request")]
    Closed(#[source] std::io::Error),
    /// A record announced more content than arrived.
    #[error("truncated FastCGI record")]
    Truncated(#[source] std::io::Error),
    /// The answer exceeded the caller's limit.
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
    /// php-fpm or the script wrote to STDERR (e.g. "Primary script unknown").
    #[error("php-fpm: {0}")]
    Stderr(String),
}

/// One record for request 1 (content of at most 65535 bytes, which ours always are).
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

/// Encodes CGI parameters as FastCGI name-value pairs.
pub fn params(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in pairs {
        push_len(&mut out, name.len());
        push_len(&mut out, value.len());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    out
}

/// The whole request for `GET script?query`, as a web server would send it.
pub fn get_request(script: &str, query: &str) -> Vec<u8> {
    let uri = if query.is_empty() {
        script.to_owned()
    } else {
        format!("{script}?{query}")
    };
    let p = params(&[
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("REQUEST_METHOD", "GET"),
        ("SCRIPT_NAME", script),
        ("SCRIPT_FILENAME", script),
        ("REQUEST_URI", &uri),
        ("QUERY_STRING", query),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
    ]);
    let mut req = record(kind::BEGIN_REQUEST, &[0, RESPONDER, 0, 0, 0, 0, 0, 0]);
    req.extend(record(kind::PARAMS, &p));
    req.extend(record(kind::PARAMS, &[]));
    req.extend(record(kind::STDIN, &[]));
    req
}

/// Reads records until END_REQUEST and returns STDOUT (headers and body); STDERR content
/// is an error, and so is an answer larger than `max` bytes.
pub fn read_stdout(reader: &mut impl Read, max: usize) -> Result<Vec<u8>, Error> {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    loop {
        let mut header = [0u8; 8];
        reader.read_exact(&mut header).map_err(Error::Closed)?;
        let len = usize::from(u16::from_be_bytes([header[4], header[5]]));
        let mut content = vec![0u8; len + usize::from(header[6])];
        reader.read_exact(&mut content).map_err(Error::Truncated)?;
        content.truncate(len);
        match header[1] {
            kind::STDOUT => stdout.extend(content),
            kind::STDERR => stderr.extend(content),
            kind::END_REQUEST => break,
            _ => {}
        }
        if stdout.len() + stderr.len() > max {
            return Err(Error::TooLarge(max));
        }
    }
    if !stderr.is_empty() {
        let text = String::from_utf8_lossy(&stderr);
        return Err(Error::Stderr(text.trim().chars().take(200).collect()));
    }
    Ok(stdout)
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
    fn request_carries_the_query() {
        let req = get_request("/fpm-status", "json");
        let needle = b"QUERY_STRINGjson";
        assert!(req.windows(needle.len()).any(|w| w == needle));
        assert_eq!(&req[..4], &[1, kind::BEGIN_REQUEST, 0, 1]);
        let needle = b"REQUEST_URI/fpm-status?json";
        assert!(req.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn reads_padded_records_until_end_request() {
        let mut wire = record(kind::STDOUT, b"Content-type: text/plain\r\n\r\npo");
        let mut padded = record(kind::STDOUT, b"ng");
        padded[6] = 3;
        padded.extend_from_slice(&[0, 0, 0]);
        wire.extend(padded);
        wire.extend(record(kind::END_REQUEST, &[0; 8]));
        let out = read_stdout(&mut wire.as_slice(), 1024).expect("parses");
        assert!(out.ends_with(b"pong"));
    }

    #[test]
    fn stderr_truncation_and_size_are_errors() {
        let mut bad = record(kind::STDERR, b"Primary script unknown");
        bad.extend(record(kind::END_REQUEST, &[0; 8]));
        let err = read_stdout(&mut bad.as_slice(), 1024).expect_err("stderr");
        assert!(err.to_string().contains("Primary script unknown"));
        let cut = record(kind::STDOUT, b"abc");
        assert!(matches!(
            read_stdout(&mut &cut[..10], 1024),
            Err(Error::Truncated(_))
        ));
        assert!(matches!(
            read_stdout(&mut &[][..], 1024),
            Err(Error::Closed(_))
        ));
        let big = record(kind::STDOUT, &[b'x'; 100]);
        assert!(matches!(
            read_stdout(&mut big.as_slice(), 10),
            Err(Error::TooLarge(10))
        ));
    }
}
