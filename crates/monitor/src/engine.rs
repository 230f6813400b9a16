//! A minimal HTTP/1.1 client (plain TCP, `GET` only) and the engine API calls built on it.
//!
//! One request per connection with `Connection: close`. The body is framed by
//! `Transfer-Encoding: chunked`, `Content-Length`, or the end of the connection, in that
//! order of precedence (RFC 9112 6.3), and capped at [`MAX_BODY`]. The same client fetches
//! nginx's stub_status page and serves `inception-monitor check`.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Largest response body accepted.
pub const MAX_BODY: usize = 16 * 1024 * 1024;
const MAX_HEAD: usize = 64 * 1024;

/// A response: status code and decoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Body after chunked decoding.
    pub body: Vec<u8>,
}

/// Splits `http://host:port/path` into (`host:port`, `host`, `/path`).
pub fn split_url(url: &str) -> Result<(String, String, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("{url}: only http:// URLs are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        bail!("{url}: expected http://host[:port]/path");
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    let addr = if host.len() == authority.len() {
        format!("{authority}:80")
    } else {
        authority.to_owned()
    };
    Ok((addr, host.to_owned(), path.to_owned()))
}

/// Connects to `addr` (`host:port`); `timeout` bounds the connection and every later read
/// and write.
pub fn connect(addr: &str, timeout: Duration) -> Result<TcpStream> {
    let mut last = None;
    for sa in addr
        .to_socket_addrs()
        .with_context(|| format!("resolving {addr}"))?
    {
        match TcpStream::connect_timeout(&sa, timeout) {
            Ok(s) => {
                s.set_read_timeout(Some(timeout))?;
                s.set_write_timeout(Some(timeout))?;
                return Ok(s);
            }
            Err(err) => last = Some(err),
        }
    }
    match last {
        Some(err) => Err(err).with_context(|| format!("connecting to {addr}")),
        None => bail!("{addr}: no address"),
    }
}

/// Fetches `url` with `GET`; `timeout` bounds the connection and every read and write.
pub fn get(url: &str, timeout: Duration) -> Result<Response> {
    let (addr, host, path) = split_url(url)?;
    let mut stream = connect(&addr, timeout)?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: inception-monitor\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .with_context(|| format!("sending the request to {addr}"))?;
    read_response(&mut BufReader::new(stream)).with_context(|| format!("reading {url}"))
}

fn read_line(reader: &mut impl BufRead, budget: &mut usize) -> Result<String> {
    let mut line = Vec::new();
    let n = reader
        .by_ref()
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)?;
    if n > *budget {
        bail!("response head too large");
    }
    *budget -= n;
    if line.last() != Some(&b'\n') {
        bail!("connection closed in the middle of the response head");
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).context("response head is not UTF-8")
}

/// Reads a status line, headers and body from `reader`.
pub fn read_response(reader: &mut impl BufRead) -> Result<Response> {
    let mut budget = MAX_HEAD;
    let status = loop {
        let line = read_line(reader, &mut budget)?;
        let mut parts = line.splitn(3, ' ');
        let (Some(version), Some(code)) = (parts.next(), parts.next()) else {
            bail!("malformed status line");
        };
        if !version.starts_with("HTTP/1.") {
            bail!("not an HTTP/1.x response");
        }
        let code: u16 = code.parse().context("malformed status code")?;
        if (100..200).contains(&code) {
            // Interim response: skip its headers.
            while !read_line(reader, &mut budget)?.is_empty() {}
            continue;
        }
        break code;
    };
    let mut chunked = false;
    let mut length = None;
    loop {
        let line = read_line(reader, &mut budget)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            bail!("malformed header line");
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.parse::<usize>().context("malformed Content-Length")?);
        }
    }
    let body = if chunked {
        decode_chunked(reader, MAX_BODY)?
    } else if let Some(len) = length {
        if len > MAX_BODY {
            bail!("response body of {len} bytes is too large");
        }
        let mut body = vec![0u8; len];
        reader.read_exact(&mut body).context("truncated body")?;
        body
    } else {
        let mut body = Vec::new();
        reader
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut body)
            .context("reading the body")?;
        if body.len() > MAX_BODY {
            bail!("response body too large");
        }
        body
    };
    Ok(Response { status, body })
}

/// Decodes a chunked body (RFC 9112 7.1); chunk extensions and trailers are ignored.
pub fn decode_chunked(reader: &mut impl BufRead, limit: usize) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut budget = 1024;
        let line = read_line(reader, &mut budget)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .with_context(|| format!("malformed chunk size {size_text:?}"))?;
        if size == 0 {
            let mut budget = MAX_HEAD;
            while !read_line(reader, &mut budget)?.is_empty() {}
            return Ok(body);
        }
        if body.len() + size > limit {
            bail!("response body too large");
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader
            .read_exact(&mut body[start..])
            .context("truncated chunk")?;
        let mut budget = 2;
        if !read_line(reader, &mut budget)?.is_empty() {
            bail!("missing CRLF after a chunk");
        }
    }
}

/// Client of the engine API (through the read-only proxy).
#[derive(Debug, Clone)]
pub struct Engine {
    base: String,
    timeout: Duration,
}

impl Engine {
    /// A client for the engine at `base` (`http://host:port`).
    pub fn new(base: &str, timeout: Duration) -> Result<Self> {
        split_url(base)?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            timeout,
        })
    }

    /// `GET path` and parse the body as JSON; non-2xx statuses are errors that quote the
    /// engine's `message`.
    pub fn get_json(&self, path: &str) -> Result<Value> {
        let resp = get(&format!("{}{path}", self.base), self.timeout)?;
        let parsed = serde_json::from_slice::<Value>(&resp.body);
        if !(200..300).contains(&resp.status) {
            let msg = match &parsed {
                Ok(v) => v["message"].as_str().unwrap_or("no message").to_owned(),
                Err(_) => String::from_utf8_lossy(&resp.body)
                    .chars()
                    .take(100)
                    .filter(|c| !c.is_control())
                    .collect(),
            };
            bail!("GET {path}: HTTP {}: {msg}", resp.status);
        }
        parsed.with_context(|| format!("GET {path}: the body is not JSON"))
    }

    /// All containers, running or not.
    pub fn containers(&self) -> Result<Vec<Value>> {
        match self.get_json("/containers/json?all=1")? {
            Value::Array(list) => Ok(list),
            _ => bail!("GET /containers/json: not a JSON array"),
        }
    }

    /// `docker inspect` of one container.
    pub fn inspect(&self, id: &str) -> Result<Value> {
        self.get_json(&format!("/containers/{id}/json"))
    }

    /// One stats sample (the engine fills `precpu_stats` from the previous read).
    pub fn stats(&self, id: &str) -> Result<Value> {
        self.get_json(&format!("/containers/{id}/stats?stream=false"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let (addr, host, path) = split_url("http://nginx:8081/stub_status").expect("valid");
        assert_eq!(
            (addr.as_str(), host.as_str(), path.as_str()),
            ("nginx:8081", "nginx", "/stub_status")
        );
        let (addr, _, path) = split_url("http://engine-proxy").expect("valid");
        assert_eq!((addr.as_str(), path.as_str()), ("engine-proxy:80", "/"));
        assert!(split_url("https://x/").is_err());
        assert!(split_url("http://u:p@x/").is_err());
    }

    #[test]
    fn decodes_chunked_responses() {
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                     4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: y\r\n\r\n";
        let resp = read_response(&mut &wire[..]).expect("parses");
        assert_eq!(resp.status, 200);
        assert_eq!(resp.body, b"{\"a\":1}");
    }

    #[test]
    fn reads_content_length_and_eof_bodies() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nabEXTRA";
        let resp = read_response(&mut &wire[..]).expect("parses");
        assert_eq!((resp.status, resp.body.as_slice()), (404, &b"ab"[..]));
        let wire = b"HTTP/1.0 200 OK\r\n\r\nuntil eof";
        assert_eq!(
            read_response(&mut &wire[..]).expect("parses").body,
            b"until eof"
        );
    }

    #[test]
    fn rejects_broken_framing() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
        assert!(read_response(&mut &wire[..]).is_err());
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
        assert!(read_response(&mut &wire[..]).is_err());
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXX0\r\n\r\n";
        assert!(read_response(&mut &wire[..]).is_err());
        assert!(read_response(&mut &b"SSH-2.0\r\n\r\n"[..]).is_err());
    }
}
