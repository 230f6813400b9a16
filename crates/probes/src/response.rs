//! HTTP/1.x response parsing over any [`Read`].
//!
//! Written against `Read` rather than a socket so every framing rule (Content-Length,
//! chunked, read-until-close, interim 1xx responses) is unit-tested in memory. Limits on
//! line length, header count and body size keep a misbehaving server from making a test
//! buffer without bound.

use std::io::{BufRead, BufReader, Read};

use crate::error::ParseError;

/// Longest status or header line accepted, in bytes.
const MAX_LINE: usize = 16 * 1024;
/// Most header lines accepted in one response.
const MAX_HEADERS: usize = 256;
/// Largest body accepted, in bytes.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A complete HTTP response: status, headers in received order, decoded body.
///
/// Headers stay a list, not a map, because order and repetition matter (several
/// `Set-Cookie` headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code, e.g. 200 or 302.
    pub status: u16,
    /// `(name, value)` pairs as received, names in their original case, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body with any chunked transfer-encoding removed.
    pub body: Vec<u8>,
}

impl Response {
    /// Reads one response from `reader`: status line, headers, then a body framed by
    /// `Transfer-Encoding: chunked`, `Content-Length`, or the end of the stream. Interim
    /// 1xx responses (other than 101) are skipped. `Content-Encoding` is not undone: the
    /// client never sends `Accept-Encoding`.
    ///
    /// # Errors
    /// [`ParseError`] when the stream fails, ends early, or is not valid HTTP/1.x.
    pub fn read_from(reader: impl Read) -> Result<Self, ParseError> {
        Self::read(reader, false)
    }

    /// Like [`Response::read_from`], for the answer to a HEAD request, which has no body
    /// whatever its Content-Length says.
    ///
    /// # Errors
    /// As [`Response::read_from`].
    pub fn read_head_response(reader: impl Read) -> Result<Self, ParseError> {
        Self::read(reader, true)
    }

    fn read(reader: impl Read, head_request: bool) -> Result<Self, ParseError> {
        let mut reader = BufReader::new(reader);
        let (status, headers) = read_head(&mut reader)?;
        let mut response = Self {
            status,
            headers,
            body: Vec::new(),
        };
        if !head_request && !matches!(status, 100..=199 | 204 | 304) {
            response.body = response.read_body(&mut reader)?;
        }
        Ok(response)
    }

    fn read_body(&self, reader: &mut impl BufRead) -> Result<Vec<u8>, ParseError> {
        if let Some(te) = self.header("transfer-encoding") {
            let last = te.rsplit(',').next().unwrap_or("").trim();
            if last.eq_ignore_ascii_case("chunked") {
                return read_chunked(reader);
            }
            // RFC 9112 §6.3: any other final coding is delimited by the close.
            return read_to_close(reader);
        }
        match self.content_length()? {
            Some(len) => read_exact_body(reader, len, "reading the body"),
            None => read_to_close(reader),
        }
    }

    fn content_length(&self) -> Result<Option<usize>, ParseError> {
        let mut found: Option<usize> = None;
        for value in self.headers_all("content-length") {
            // "Content-Length: 5, 5" (merged duplicates) is allowed if all agree.
            for part in value.split(',') {
                let part = part.trim();
                let bad = || ParseError::ContentLength {
                    value: value.to_owned(),
                };
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let n: usize = part.parse().map_err(|_| bad())?;
                if found.is_some_and(|f| f != n) {
                    return Err(bad());
                }
                found = Some(n);
            }
        }
        Ok(found)
    }

    /// The first header called `name` (ASCII case-insensitive), as servers vary in case.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header called `name` (case-insensitive), in received order, e.g. all
    /// `Set-Cookie` values.
    pub fn headers_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text, invalid UTF-8 replaced, for `contains` assertions on HTML.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `Location` header: the client never follows redirects, so tests check where a
    /// 30x points themselves.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
}

/// Reads the status line and headers of the final (non-interim) response.
pub(crate) fn read_head(
    reader: &mut impl BufRead,
) -> Result<(u16, Vec<(String, String)>), ParseError> {
    loop {
        let line = read_line(reader, "reading the status line")?;
        let status = parse_status_line(&line)?;
        let headers = read_headers(reader)?;
        // 100 Continue, 102, 103 Early Hints: a final response follows. 101 is final.
        if (100..=199).contains(&status) && status != 101 {
            continue;
        }
        return Ok((status, headers));
    }
}

fn parse_status_line(line: &[u8]) -> Result<u16, ParseError> {
    let bad = || ParseError::StatusLine {
        line: String::from_utf8_lossy(line).into_owned(),
    };
    let text = std::str::from_utf8(line).map_err(|_| bad())?;
    let (version, rest) = text.split_once(' ').ok_or_else(bad)?;
    if !version.starts_with("HTTP/1.") {
        return Err(bad());
    }
    let code = rest.get(..3).ok_or_else(bad)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) || rest.len() > 3 && !rest[3..].starts_with(' ') {
        return Err(bad());
    }
    code.parse().map_err(|_| bad())
}

fn read_headers(reader: &mut impl BufRead) -> Result<Vec<(String, String)>, ParseError> {
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let line = read_line(reader, "reading the headers")?;
        if line.is_empty() {
            return Ok(headers);
        }
        let text = String::from_utf8_lossy(&line);
        if text.starts_with([' ', '\t']) {
            // Obsolete line folding: continue the previous value.
            let Some(last) = headers.last_mut() else {
                return Err(ParseError::Header {
                    line: text.into_owned(),
                });
            };
            last.1.push(' ');
            last.1.push_str(text.trim());
            continue;
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(ParseError::Header {
                line: text.into_owned(),
            });
        };
        if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace() || b < 0x21) {
            return Err(ParseError::Header {
                line: text.into_owned(),
            });
        }
        if headers.len() == MAX_HEADERS {
            return Err(ParseError::TooLarge {
                what: "header count",
                limit: MAX_HEADERS,
            });
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
}

/// One line without its `\r\n` (or bare `\n`).
fn read_line(reader: &mut impl BufRead, step: &'static str) -> Result<Vec<u8>, ParseError> {
    let mut line = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 2;
    reader
        .take(limit)
        .read_until(b'\n', &mut line)
        .map_err(|source| ParseError::Io { step, source })?;
    if line.last() != Some(&b'\n') {
        if line.len() >= MAX_LINE {
            return Err(ParseError::TooLarge {
                what: "header line",
                limit: MAX_LINE,
            });
        }
        return Err(ParseError::UnexpectedEof { step });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(line)
}

fn read_exact_body(
    reader: &mut impl BufRead,
    len: usize,
    step: &'static str,
) -> Result<Vec<u8>, ParseError> {
    if len > MAX_BODY {
        return Err(ParseError::TooLarge {
            what: "body",
            limit: MAX_BODY,
        });
    }
    let mut body = Vec::with_capacity(len.min(1024 * 1024));
    reader
        .take(u64::try_from(len).unwrap_or(u64::MAX))
        .read_to_end(&mut body)
        .map_err(|source| ParseError::Io { step, source })?;
    if body.len() < len {
        return Err(ParseError::UnexpectedEof { step });
    }
    Ok(body)
}

fn read_to_close(reader: &mut impl BufRead) -> Result<Vec<u8>, ParseError> {
    let mut body = Vec::new();
    let limit = u64::try_from(MAX_BODY).unwrap_or(u64::MAX) + 1;
    reader
        .take(limit)
        .read_to_end(&mut body)
        .map_err(|source| ParseError::Io {
            step: "reading the body until close",
            source,
        })?;
    if body.len() > MAX_BODY {
        return Err(ParseError::TooLarge {
            what: "body",
            limit: MAX_BODY,
        });
    }
    Ok(body)
}

fn read_chunked(reader: &mut impl BufRead) -> Result<Vec<u8>, ParseError> {
    const STEP: &str = "reading a chunk";
    let mut body = Vec::new();
    loop {
        let line = read_line(reader, "reading a chunk size")?;
        let text = String::from_utf8_lossy(&line);
        // Chunk extensions (";name=value") are allowed and ignored.
        let size_text = text.split(';').next().unwrap_or("").trim();
        let bad_size = || ParseError::Chunk {
            reason: format!("invalid chunk size line {text:?}"),
        };
        if size_text.is_empty() || !size_text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad_size());
        }
        let size = usize::from_str_radix(size_text, 16).map_err(|_| bad_size())?;
        if size == 0 {
            skip_trailers(reader)?;
            return Ok(body);
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(ParseError::TooLarge {
                what: "body",
                limit: MAX_BODY,
            });
        }
        body.extend(read_exact_body(reader, size, STEP)?);
        let end = read_line(reader, STEP)?;
        if !end.is_empty() {
            return Err(ParseError::Chunk {
                reason: format!("{size}-byte chunk not followed by CRLF"),
            });
        }
    }
}

/// Trailer fields after the last chunk are read and dropped. A server that closes right
/// after `0\r\n` has still sent the whole body, so EOF here is tolerated.
fn skip_trailers(reader: &mut impl BufRead) -> Result<(), ParseError> {
    for _ in 0..=MAX_HEADERS {
        match read_line(reader, "reading chunked trailers") {
            Ok(line) if line.is_empty() => return Ok(()),
            Ok(_) => {}
            Err(ParseError::UnexpectedEof { .. }) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
    Err(ParseError::TooLarge {
        what: "header count",
        limit: MAX_HEADERS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Result<Response, ParseError> {
        Response::read_from(raw.as_bytes())
    }

    #[test]
    fn content_length_body_and_extra_bytes_ignored() {
        let r = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhelloEXTRA")
            .expect("valid");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"hello");
        assert_eq!(r.text(), "hello");
    }

    #[test]
    fn header_lookup_is_case_insensitive_and_keeps_order() {
        let r = parse(
            "HTTP/1.1 302 Found\r\nlocation: /wp-admin/\r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\n\
             content-length: 0\r\n\r\n",
        )
        .expect("valid");
        assert_eq!(r.header("LOCATION"), Some("/wp-admin/"));
        assert_eq!(r.location(), Some("/wp-admin/"));
        assert_eq!(
            r.headers_all("set-cookie").collect::<Vec<_>>(),
            vec!["a=1", "b=2"]
        );
        assert_eq!(r.headers[0].0, "location", "original case kept");
        assert_eq!(r.header("x-missing"), None);
    }

    #[test]
    fn chunked_with_extensions_and_trailers() {
        let r = parse(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
             4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: t\r\n\r\n",
        )
        .expect("valid");
        assert_eq!(r.text(), "Wikipedia in\r\n\r\nchunks.");
    }

    #[test]
    fn chunked_wins_over_content_length_and_upper_hex() {
        let r = parse(
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: Chunked\r\n\r\n\
             A\r\n0123456789\r\n0\r\n\r\n",
        )
        .expect("valid");
        assert_eq!(r.body, b"0123456789");
    }

    #[test]
    fn chunked_tolerates_eof_after_last_chunk() {
        let r = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n")
            .expect("valid");
        assert_eq!(r.body, b"ok");
    }

    #[test]
    fn malformed_chunks_are_errors() {
        for raw in [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n0\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
        ] {
            assert!(
                matches!(parse(raw), Err(ParseError::Chunk { .. })),
                "{raw:?}"
            );
        }
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"),
            Err(ParseError::UnexpectedEof { .. })
        ));
    }

    #[test]
    fn body_until_close_without_length() {
        let r = parse("HTTP/1.0 200 OK\nServer: x\n\nall of it").expect("valid");
        assert_eq!(r.body, b"all of it");
        assert_eq!(r.header("server"), Some("x"), "bare LF accepted");
    }

    #[test]
    fn short_content_length_body_is_eof_error() {
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
            Err(ParseError::UnexpectedEof {
                step: "reading the body"
            })
        ));
    }

    #[test]
    fn bad_or_conflicting_content_length() {
        for cl in ["abc", "-1", "5, 6", ""] {
            let raw = format!("HTTP/1.1 200 OK\r\nContent-Length: {cl}\r\n\r\nhello!");
            assert!(
                matches!(parse(&raw), Err(ParseError::ContentLength { .. })),
                "{cl:?}"
            );
        }
        let r = parse("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok").expect("valid");
        assert_eq!(r.body, b"ok");
    }

    #[test]
    fn interim_responses_are_skipped() {
        let r =
            parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
                .expect("valid");
        assert_eq!(r.status, 201);
    }

    #[test]
    fn no_body_statuses_and_head() {
        let r = parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n").expect("valid");
        assert!(r.body.is_empty());
        let r = Response::read_head_response(
            "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n".as_bytes(),
        )
        .expect("valid");
        assert!(r.body.is_empty());
    }

    #[test]
    fn folded_header_is_joined() {
        let r = parse("HTTP/1.1 200 OK\r\nX-Long: a\r\n\tb\r\nContent-Length: 0\r\n\r\n")
            .expect("valid");
        assert_eq!(r.header("x-long"), Some("a b"));
    }

    #[test]
    fn bad_status_lines_and_headers() {
        for raw in [
            "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/2 200\r\n\r\n",
            "HTTP/1.1 2x0 OK\r\n\r\n",
            "HTTP/1.1 2000 OK\r\n\r\n",
            "\x15\x03\x01\x00\x02\x02\x46\n",
        ] {
            assert!(
                matches!(parse(raw), Err(ParseError::StatusLine { .. })),
                "{raw:?}"
            );
        }
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n"),
            Err(ParseError::Header { .. })
        ));
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"),
            Err(ParseError::Header { .. })
        ));
        let r = parse("HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n").expect("reason optional");
        assert_eq!(r.status, 404);
    }

    #[test]
    fn truncated_head_and_huge_line() {
        assert!(matches!(
            parse("HTTP/1.1 200 OK\r\nX-A: 1"),
            Err(ParseError::UnexpectedEof {
                step: "reading the headers"
            })
        ));
        assert!(matches!(
            parse(""),
            Err(ParseError::UnexpectedEof {
                step: "reading the status line"
            })
        ));
        let huge = format!(
            "HTTP/1.1 200 OK\r\nX: {}\r\n\r\n",
            "a".repeat(MAX_LINE + 10)
        );
        assert!(matches!(
            parse(&huge),
            Err(ParseError::TooLarge {
                what: "header line",
                ..
            })
        ));
    }
}
