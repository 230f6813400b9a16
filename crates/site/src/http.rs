//! HTTP/1.1 message handling (RFC 9110, RFC 9112): reading and validating a request head
//! within size limits, conditional request evaluation, and writing a response.
//!
//! Only what a static site needs is implemented: the head is parsed, a request body is
//! never read (the connection is closed after answering a request that announces one, so
//! no body can be mistaken for the next request), and every response has a
//! `Content-Length`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, BufRead, Read, Write};
use std::time::SystemTime;
use thiserror::Error;

/// Longest request line accepted, CRLF included; longer is 414.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// Largest header section accepted (all field lines, CRLFs included); larger is 431.
pub const MAX_HEADER_BYTES: usize = 8 * 1024;
/// Most header field lines accepted; more is 431.
pub const MAX_HEADERS: usize = 100;

/// Why a request could not be read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The request is malformed (400); the text says how.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// The request line is longer than [`MAX_REQUEST_LINE`] (414).
    #[error("request line longer than {MAX_REQUEST_LINE} bytes")]
    UriTooLong,
    /// The header section is larger than [`MAX_HEADER_BYTES`] or has more than
    /// [`MAX_HEADERS`] lines (431).
    #[error("header section larger than {MAX_HEADER_BYTES} bytes or {MAX_HEADERS} lines")]
    HeaderFieldsTooLarge,
    /// The request is for an HTTP major version other than 1 (505).
    #[error("HTTP version not supported")]
    VersionNotSupported,
    /// The connection failed or timed out, or closed in the middle of a request.
    #[error("reading the request: {0}")]
    Io(#[from] io::Error),
}

impl HttpError {
    /// The status to answer with, or `None` when the connection is simply closed.
    pub fn status(&self) -> Option<Status> {
        match self {
            Self::BadRequest(_) => Some(Status::BAD_REQUEST),
            Self::UriTooLong => Some(Status::URI_TOO_LONG),
            Self::HeaderFieldsTooLarge => Some(Status::HEADER_FIELDS_TOO_LARGE),
            Self::VersionNotSupported => Some(Status::VERSION_NOT_SUPPORTED),
            Self::Io(_) => None,
        }
    }
}

/// An HTTP status code with its reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The three-digit code.
    pub code: u16,
    /// The reason phrase sent after it.
    pub reason: &'static str,
}

impl Status {
    /// 200 OK
    pub const OK: Self = Self::new(200, "OK");
    /// 304 Not Modified
    pub const NOT_MODIFIED: Self = Self::new(304, "Not Modified");
    /// 400 Bad Request
    pub const BAD_REQUEST: Self = Self::new(400, "Bad Request");
    /// 404 Not Found
    pub const NOT_FOUND: Self = Self::new(404, "Not Found");
    /// 405 Method Not Allowed
    pub const METHOD_NOT_ALLOWED: Self = Self::new(405, "Method Not Allowed");
    /// 414 URI Too Long
    pub const URI_TOO_LONG: Self = Self::new(414, "URI Too Long");
    /// 431 Request Header Fields Too Large
    pub const HEADER_FIELDS_TOO_LARGE: Self = Self::new(431, "Request Header Fields Too Large");
    /// 503 Service Unavailable
    pub const SERVICE_UNAVAILABLE: Self = Self::new(503, "Service Unavailable");
    /// 505 HTTP Version Not Supported
    pub const VERSION_NOT_SUPPORTED: Self = Self::new(505, "HTTP Version Not Supported");

    const fn new(code: u16, reason: &'static str) -> Self {
        Self { code, reason }
    }
}

/// The protocol version of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// HTTP/1.0: connections close after each response unless the client asks otherwise.
    Http10,
    /// HTTP/1.1: connections persist unless the client sends `Connection: close`.
    Http11,
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, case-sensitive (`GET`).
    pub method: String,
    /// The path of the request target, without query or fragment, still percent-encoded.
    /// It contains only visible ASCII, so it can be logged as is.
    pub path: String,
    /// The protocol version.
    pub version: Version,
    /// The header fields in order, names lowercased, values without surrounding spaces.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The value of the first field named `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The elements of a comma-separated list field, over every line of that name,
    /// trimmed, empty elements skipped.
    pub fn header_list<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|item| !item.is_empty())
    }

    /// Whether the connection may serve another request after this one.
    pub fn keep_alive(&self) -> bool {
        let has = |token: &str| {
            self.header_list("connection")
                .any(|item| item.eq_ignore_ascii_case(token))
        };
        match self.version {
            Version::Http11 => !has("close"),
            Version::Http10 => has("keep-alive") && !has("close"),
        }
    }

    /// Whether the request announces content (which this server never reads).
    pub fn has_body(&self) -> bool {
        self.header("transfer-encoding").is_some()
            || self
                .header("content-length")
                .is_some_and(|length| !length.trim_start_matches('0').is_empty())
    }

    /// Whether gzip is an acceptable content coding (RFC 9110 §12.5.3): listed as `gzip`
    /// or `x-gzip`, or covered by `*`, with a non-zero weight.
    pub fn accepts_gzip(&self) -> bool {
        let mut star = None;
        for item in self.header_list("accept-encoding") {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let weight_ok = parts
                .filter_map(|param| param.trim().split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("q"))
                .is_none_or(|(_, q)| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
            if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
                return weight_ok;
            }
            if coding == "*" {
                star = Some(weight_ok);
            }
        }
        star.unwrap_or(false)
    }

    /// Evaluates `If-None-Match`, then (only when that field is absent) `If-Modified-Since`
    /// for a GET or HEAD of a representation tagged `etag` and last modified at
    /// `last_modified`; `true` means 304 Not Modified.
    ///
    /// `If-None-Match` uses the weak comparison; a date in `If-Modified-Since` that is
    /// invalid or later than `now` is ignored, as RFC 9110 §13.1.3 requires.
    pub fn not_modified(&self, etag: &str, last_modified: SystemTime, now: SystemTime) -> bool {
        if self.header("if-none-match").is_some() {
            let wanted = opaque(etag);
            let mut any = false;
            for line in self
                .headers
                .iter()
                .filter(|(n, _)| n == "if-none-match")
                .map(|(_, v)| v.as_str())
            {
                if line.trim() == "*" {
                    return true;
                }
                any |= entity_tags(line).any(|tag| opaque(tag) == wanted);
            }
            return any;
        }
        let Some(since) = self
            .header("if-modified-since")
            .and_then(crate::date::parse)
        else {
            return false;
        };
        since <= now && last_modified <= since
    }
}

/// The opaque part of an entity tag, without `W/`: the weak comparison compares only that.
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// The entity tags of an `If-None-Match` line, quotes included (a tag may contain commas).
fn entity_tags(line: &str) -> impl Iterator<Item = &str> {
    let mut rest = line;
    std::iter::from_fn(move || loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return None;
        }
        let start = usize::from(rest.starts_with("W/")) * 2;
        if rest[start..].starts_with('"') {
            if let Some(end) = rest[start + 1..].find('"') {
                let tag = &rest[..start + end + 2];
                rest = &rest[start + end + 2..];
                return Some(tag);
            }
        }
        // Not a tag: skip to the next comma.
        rest = rest.find(',').map_or("", |comma| &rest[comma..]);
    })
}

/// Reads one request head from `reader`.
///
/// `Ok(None)` means the peer closed the connection cleanly before sending anything (the
/// normal end of a persistent connection). Empty lines before the request line are
/// skipped, as RFC 9112 §2.2 recommends; lines may end in CRLF or a bare LF.
pub fn read_request<R: BufRead>(reader: &mut R) -> Result<Option<Request>, HttpError> {
    let mut line = Vec::new();
    let mut skipped = 0;
    let request_line = loop {
        line.clear();
        let limit = MAX_REQUEST_LINE as u64 + 1;
        let n = reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
        if n == 0 {
            if skipped == 0 {
                return Ok(None);
            }
            return Err(closed());
        }
        if line.last() != Some(&b'\n') {
            return Err(if n as u64 == limit {
                HttpError::UriTooLong
            } else {
                closed()
            });
        }
        let text = trim_eol(&line);
        if !text.is_empty() {
            break parse_request_line(text)?;
        }
        skipped += 1;
        if skipped > 8 {
            return Err(HttpError::BadRequest(
                "too many empty lines before the request",
            ));
        }
    };
    let (method, path, version) = request_line;

    let mut headers = Vec::new();
    let mut budget = MAX_HEADER_BYTES;
    loop {
        line.clear();
        let limit = budget as u64 + 1;
        let n = reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
        if line.last() != Some(&b'\n') {
            return Err(if n as u64 == limit {
                HttpError::HeaderFieldsTooLarge
            } else {
                closed()
            });
        }
        budget -= n;
        let text = trim_eol(&line);
        if text.is_empty() {
            break;
        }
        if headers.len() == MAX_HEADERS {
            return Err(HttpError::HeaderFieldsTooLarge);
        }
        headers.push(parse_field_line(text)?);
    }
    let request = Request {
        method,
        path,
        version,
        headers,
    };
    validate(&request)?;
    Ok(Some(request))
}

fn closed() -> HttpError {
    HttpError::Io(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "connection closed in the middle of a request head",
    ))
}

/// The line without its LF and an optional CR before it.
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A token character (RFC 9110 §5.6.2), as in methods and field names.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// `method SP request-target SP HTTP-version`, exactly one space between each.
fn parse_request_line(line: &[u8]) -> Result<(String, String, Version), HttpError> {
    let mut parts = line.split(|b| *b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::BadRequest(
            "request line is not `method target version`",
        ));
    };
    if method.is_empty() || !method.iter().copied().all(is_tchar) {
        return Err(HttpError::BadRequest("invalid method"));
    }
    let version = match version {
        b"HTTP/1.1" => Version::Http11,
        b"HTTP/1.0" => Version::Http10,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(HttpError::VersionNotSupported)
        }
        [b'H', b'T', b'T', b'P', b'/', major] if major.is_ascii_digit() => {
            return Err(HttpError::VersionNotSupported)
        }
        _ => return Err(HttpError::BadRequest("invalid HTTP version")),
    };
    if target.is_empty() || !target.iter().all(|b| (0x21..0x7f).contains(b)) {
        return Err(HttpError::BadRequest("invalid request target"));
    }
    // Only ASCII bytes remain, so this cannot fail.
    let target =
        std::str::from_utf8(target).map_err(|_| HttpError::BadRequest("invalid request target"))?;
    let path = target_path(target)?;
    // Checked above: every byte is a token character.
    let method = String::from_utf8_lossy(method).into_owned();
    Ok((method, path.to_owned(), version))
}

/// The path of a request target in origin form (`/a?b`), absolute form
/// (`http://host/a?b`) or asterisk form (`*`).
fn target_path(target: &str) -> Result<&str, HttpError> {
    let path = if target.starts_with('/') || target == "*" {
        target
    } else if let Some((scheme, rest)) = target.split_once("://") {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(HttpError::BadRequest(
                "unsupported scheme in request target",
            ));
        }
        rest.find(['/', '?']).map_or("/", |start| &rest[start..])
    } else {
        return Err(HttpError::BadRequest("invalid request target"));
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    Ok(if path.is_empty() { "/" } else { path })
}

/// `name: value`, with no space before the colon and no obsolete line folding.
fn parse_field_line(line: &[u8]) -> Result<(String, String), HttpError> {
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err(HttpError::BadRequest("obsolete line folding"));
    }
    let colon = line
        .iter()
        .position(|b| *b == b':')
        .ok_or(HttpError::BadRequest("header line without a colon"))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().copied().all(is_tchar) {
        return Err(HttpError::BadRequest("invalid header name"));
    }
    // Field values: visible characters, spaces, tabs and obs-text; never CR, LF or NUL.
    if value
        .iter()
        .any(|b| (*b < 0x20 && *b != b'\t') || *b == 0x7f)
    {
        return Err(HttpError::BadRequest("control character in a header value"));
    }
    let value = String::from_utf8_lossy(value);
    Ok((
        String::from_utf8_lossy(name).to_ascii_lowercase(),
        value.trim_matches([' ', '\t']).to_owned(),
    ))
}

/// Checks across fields: `Host` (exactly one in HTTP/1.1) and message framing.
fn validate(request: &Request) -> Result<(), HttpError> {
    let hosts = request.headers.iter().filter(|(n, _)| n == "host").count();
    if hosts > 1 || (request.version == Version::Http11 && hosts == 0) {
        return Err(HttpError::BadRequest(
            "an HTTP/1.1 request needs exactly one Host",
        ));
    }
    let mut lengths = request
        .headers
        .iter()
        .filter(|(n, _)| n == "content-length")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim);
    if let Some(first) = lengths.next() {
        if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
            return Err(HttpError::BadRequest("invalid Content-Length"));
        }
        if lengths.any(|other| other != first) {
            return Err(HttpError::BadRequest("conflicting Content-Length"));
        }
        if request.header("transfer-encoding").is_some() {
            return Err(HttpError::BadRequest(
                "both Content-Length and Transfer-Encoding",
            ));
        }
    }
    if request.version == Version::Http10 && request.header("transfer-encoding").is_some() {
        return Err(HttpError::BadRequest(
            "Transfer-Encoding in an HTTP/1.0 request",
        ));
    }
    Ok(())
}

/// Decodes `%XX` escapes of a path; `None` when an escape is malformed or the result is not
/// UTF-8.
pub fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A response ready to be written; the body is borrowed from the site's assets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The status.
    pub status: Status,
    /// Header fields other than `Date`, `Content-Length` and `Connection`, which
    /// [`Response::write_to`] adds.
    pub headers: Vec<(&'static str, String)>,
    /// The content (not sent for HEAD or 304, but still measured for HEAD); usually
    /// borrowed from the site's assets.
    pub body: Cow<'a, [u8]>,
}

impl<'a> Response<'a> {
    /// A response with `status`, no header and `body`.
    pub fn new(status: Status, body: impl Into<Cow<'a, [u8]>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a header field.
    #[must_use]
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Whether the content is sent: never for HEAD, 304 or 1xx/204.
    pub fn sends_body(&self, head: bool) -> bool {
        !head && self.status.code != 304 && self.status.code != 204 && self.status.code >= 200
    }

    /// Writes the response in one piece; returns the number of content bytes sent.
    ///
    /// `keep_alive` chooses the `Connection` field: `close`, or `keep-alive` for an
    /// HTTP/1.0 client that asked for it (HTTP/1.1 persists without saying so).
    pub fn write_to<W: Write>(
        &self,
        out: &mut W,
        head: bool,
        keep_alive: bool,
        version: Version,
        now: SystemTime,
    ) -> io::Result<usize> {
        let mut text = String::with_capacity(512);
        // Writing into a String cannot fail.
        let _ = write!(
            text,
            "HTTP/1.1 {} {}\r\nDate: {}\r\n",
            self.status.code,
            self.status.reason,
            crate::date::format(now)
        );
        if self.status.code != 304 {
            let _ = write!(text, "Content-Length: {}\r\n", self.body.len());
        }
        if !keep_alive {
            text.push_str("Connection: close\r\n");
        } else if version == Version::Http10 {
            text.push_str("Connection: keep-alive\r\n");
        }
        for (name, value) in &self.headers {
            let _ = write!(text, "{name}: {value}\r\n");
        }
        text.push_str("\r\n");
        let mut message = text.into_bytes();
        let sent = if self.sends_body(head) {
            message.extend_from_slice(&self.body);
            self.body.len()
        } else {
            0
        };
        out.write_all(&message)?;
        out.flush()?;
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::from_unix_seconds;

    fn parse(text: &str) -> Result<Option<Request>, HttpError> {
        read_request(&mut text.as_bytes())
    }

    fn ok(text: &str) -> Request {
        parse(text).expect("valid request").expect("a request")
    }

    fn status(text: &str) -> Option<u16> {
        parse(text).err().and_then(|e| e.status()).map(|s| s.code)
    }

    #[test]
    fn parses_a_simple_get() {
        let req = ok("GET /style.css?v=2 HTTP/1.1\r\nHost: x.42.fr\r\nAccept: */*\r\n\r\n");
        assert_eq!(req.method, "GET");
        assert_eq!(req.path, "/style.css");
        assert_eq!(req.version, Version::Http11);
        assert_eq!(req.header("host"), Some("x.42.fr"));
        assert_eq!(req.header("accept"), Some("*/*"));
        assert!(req.keep_alive());
        assert!(!req.has_body());
    }

    #[test]
    fn accepts_bare_lf_leading_empty_lines_and_absolute_form() {
        let req = ok("\r\n\nHEAD http://site:8080/favicon.svg#x HTTP/1.0\n\n");
        assert_eq!(req.method, "HEAD");
        assert_eq!(req.path, "/favicon.svg");
        assert_eq!(req.version, Version::Http10);
        assert!(!req.keep_alive());
        assert_eq!(ok("GET http://site?x=1 HTTP/1.0\r\n\r\n").path, "/");
    }

    #[test]
    fn header_names_are_lowercased_and_values_trimmed() {
        let req = ok("GET / HTTP/1.1\r\nHOST:\t a \r\nX-Empty:\r\n\r\n");
        assert_eq!(req.header("host"), Some("a"));
        assert_eq!(req.header("x-empty"), Some(""));
    }

    #[test]
    fn clean_eof_is_none_and_truncated_heads_are_io_errors() {
        assert!(parse("").expect("clean").is_none());
        for truncated in ["GET / HTTP/1.1", "GET / HTTP/1.1\r\nHost: a\r\n", "\r\n"] {
            assert!(
                matches!(parse(truncated), Err(HttpError::Io(_))),
                "{truncated:?}"
            );
        }
    }

    #[test]
    fn malformed_request_lines_are_400() {
        for bad in [
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n",
            "GET /\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET relative HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTQ/1.1\r\nHost: a\r\n\r\n",
            "GET / http/1.1\r\nHost: a\r\n\r\n",
        ] {
            assert_eq!(status(bad), Some(400), "{bad:?}");
        }
    }

    #[test]
    fn other_http_versions_are_505() {
        assert_eq!(status("GET / HTTP/2.0\r\n\r\n"), Some(505));
        assert_eq!(status("GET / HTTP/3\r\n\r\n"), Some(505));
    }

    #[test]
    fn malformed_header_lines_are_400() {
        for bad in [
            "GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\0\r\n\r\n",
        ] {
            assert_eq!(status(bad), Some(400), "{bad:?}");
        }
    }

    #[test]
    fn host_and_framing_rules() {
        // HTTP/1.1 needs exactly one Host; HTTP/1.0 may omit it.
        assert_eq!(status("GET / HTTP/1.1\r\n\r\n"), Some(400));
        assert_eq!(
            status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
            Some(400)
        );
        assert!(ok("GET / HTTP/1.0\r\n\r\n").header("host").is_none());
        // Request smuggling shapes.
        assert_eq!(
            status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
            Some(400)
        );
        assert_eq!(
            status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(400)
        );
        assert_eq!(
            status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
            Some(400)
        );
        assert_eq!(
            status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(400)
        );
        // A body is noticed, so the connection can be closed after the answer.
        assert!(ok("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n").has_body());
        assert!(!ok("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").has_body());
        assert!(ok("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n").has_body());
    }

    #[test]
    fn request_line_limit_is_414() {
        let long = format!(
            "GET /{} HTTP/1.1\r\nHost: a\r\n\r\n",
            "a".repeat(MAX_REQUEST_LINE)
        );
        assert_eq!(status(&long), Some(414));
        // Just under the limit is fine.
        let path = "a".repeat(MAX_REQUEST_LINE - "GET / HTTP/1.1\r\n".len());
        let fits = format!("GET /{path} HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(ok(&fits).path.len(), path.len() + 1);
    }

    #[test]
    fn header_limits_are_431() {
        let big = format!(
            "GET / HTTP/1.1\r\nHost: a\r\nX-Big: {}\r\n\r\n",
            "b".repeat(MAX_HEADER_BYTES)
        );
        assert_eq!(status(&big), Some(431));
        // The budget is for the whole section, not per line.
        let many_lines: String = (0..90)
            .map(|i| format!("X-{i}: {}\r\n", "c".repeat(90)))
            .collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: a\r\n{many_lines}\r\n")),
            Some(431)
        );
        let count: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        assert_eq!(
            status(&format!("GET / HTTP/1.1\r\nHost: a\r\n{count}\r\n")),
            Some(431)
        );
    }

    #[test]
    fn connection_persistence() {
        assert!(!ok("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").keep_alive());
        assert!(
            !ok("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, close\r\n\r\n").keep_alive()
        );
        assert!(ok("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
        assert!(!ok("GET / HTTP/1.0\r\n\r\n").keep_alive());
    }

    #[test]
    fn gzip_negotiation() {
        let accepts = |value: &str| {
            ok(&format!(
                "GET / HTTP/1.1\r\nHost: a\r\nAccept-Encoding: {value}\r\n\r\n"
            ))
            .accepts_gzip()
        };
        assert!(accepts("gzip"));
        assert!(accepts("br, GZIP;q=0.5, deflate"));
        assert!(accepts("x-gzip"));
        assert!(accepts("*"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("gzip; q=0.000, *"));
        assert!(!accepts("*;q=0"));
        assert!(!accepts("br, deflate"));
        assert!(!accepts("identity"));
        assert!(!ok("GET / HTTP/1.1\r\nHost: a\r\n\r\n").accepts_gzip());
    }

    fn conditional(field: &str) -> Request {
        ok(&format!("GET / HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n"))
    }

    const TAG: &str = "\"0123456789abcdef\"";

    #[test]
    fn if_none_match() {
        let (modified, now) = (from_unix_seconds(1000), from_unix_seconds(2000));
        let check = |field: &str| conditional(field).not_modified(TAG, modified, now);
        assert!(check(&format!("If-None-Match: {TAG}")));
        assert!(check(&format!("If-None-Match: W/{TAG}")));
        assert!(check(&format!("If-None-Match: \"other\", {TAG}")));
        assert!(check("If-None-Match: \"a,b\", \"0123456789abcdef\""));
        assert!(check("If-None-Match: *"));
        assert!(!check("If-None-Match: \"other\""));
        assert!(!check("If-None-Match: 0123456789abcdef"));
        // If-None-Match wins over If-Modified-Since, even when the date would match.
        let both = ok(&format!(
            "GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\"\r\nIf-Modified-Since: {}\r\n\r\n",
            crate::date::format(modified)
        ));
        assert!(!both.not_modified(TAG, modified, now));
    }

    #[test]
    fn if_modified_since() {
        let modified = from_unix_seconds(1_700_000_000);
        let now = from_unix_seconds(1_700_000_500);
        let check = |secs: u64| {
            conditional(&format!(
                "If-Modified-Since: {}",
                crate::date::format(from_unix_seconds(secs))
            ))
            .not_modified(TAG, modified, now)
        };
        assert!(check(1_700_000_000));
        assert!(check(1_700_000_100));
        assert!(!check(1_699_999_999));
        // Later than the server's clock: ignored.
        assert!(!check(1_700_000_501));
        assert!(!conditional("If-Modified-Since: not a date").not_modified(TAG, modified, now));
        assert!(!conditional("X-Other: 1").not_modified(TAG, modified, now));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode("/style%2Ecss").as_deref(),
            Some("/style.css")
        );
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }

    #[test]
    fn writes_framed_responses() {
        let now = from_unix_seconds(784_111_777);
        let response =
            Response::new(Status::OK, &b"hello"[..]).header("Content-Type", "text/plain");
        let mut out = Vec::new();
        let sent = response
            .write_to(&mut out, false, true, Version::Http11, now)
            .expect("write");
        assert_eq!(sent, 5);
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "HTTP/1.1 200 OK\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 5\r\n\
             Content-Type: text/plain\r\n\r\nhello"
        );

        let mut out = Vec::new();
        let sent = response
            .write_to(&mut out, true, false, Version::Http10, now)
            .expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(sent, 0);
        assert!(text.contains("Content-Length: 5\r\nConnection: close\r\n"));
        assert!(text.ends_with("\r\n\r\n"));

        let mut out = Vec::new();
        Response::new(Status::NOT_MODIFIED, &b"hello"[..])
            .write_to(&mut out, false, true, Version::Http10, now)
            .expect("write");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains("Content-Length"));
        assert!(text.contains("Connection: keep-alive\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }
}
