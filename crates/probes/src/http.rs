//! A minimal HTTPS client for end-to-end tests, and a plain-HTTP reachability check.
//!
//! Just enough HTTP/1.1 to walk a WordPress login: one request per connection
//! (`Connection: close`, so framing never depends on keep-alive), a cookie jar, no redirect
//! following (tests assert on `Location` themselves), no compression. Certificate
//! verification is off because the stack's certificate is self-signed; the point of these
//! tests is the application, and TLS versions are checked separately by
//! [`probe_tls`](crate::probe_tls). The client still insists on TLS 1.2 or newer.

use std::io::{BufReader, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod, SslOptions, SslVerifyMode, SslVersion};

use crate::cookies::CookieJar;
use crate::error::Error;
use crate::net::DeadlineStream;
use crate::response::{read_head, Response};

/// The `User-Agent` sent with every request, so server logs show which requests came from
/// the test suite or the audit.
pub const USER_AGENT: &str = concat!("probes/", env!("CARGO_PKG_VERSION"));

/// An HTTPS client bound to one address and one virtual host, with a cookie jar.
///
/// Connecting to an address while naming a host (SNI and `Host`) lets tests reach the stack
/// on `127.0.0.1:443` under its real domain name without touching `/etc/hosts`.
#[derive(Debug)]
pub struct HttpsClient {
    addr: SocketAddr,
    host: String,
    host_header: String,
    timeout: Duration,
    connector: SslConnector,
    jar: CookieJar,
    headers: Vec<(String, String)>,
}

impl HttpsClient {
    /// A client that connects to `addr`, sends `host` as SNI and `Host` header (with
    /// `:port` appended when the port is not 443), and gives each request `timeout` as a
    /// whole (connect, handshake, request and full response).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if `host` is empty or contains characters that cannot go in
    /// a header; [`Error::TlsSetup`] if OpenSSL cannot build the client context.
    pub fn new(addr: SocketAddr, host: &str, timeout: Duration) -> Result<Self, Error> {
        validate_host(host)?;
        let setup = |step| move |source| Error::TlsSetup { addr, step, source };
        let mut builder =
            SslConnector::builder(SslMethod::tls_client()).map_err(setup("creating a context"))?;
        builder.set_verify(SslVerifyMode::NONE);
        builder
            .set_min_proto_version(Some(SslVersion::TLS1_2))
            .map_err(setup("setting the minimum TLS version"))?;
        // Bodies delimited by the connection's end must not fail when a server skips
        // close_notify; Content-Length and chunked framing still detect truncation.
        builder.set_options(SslOptions::IGNORE_UNEXPECTED_EOF);
        let host_header = if addr.port() == 443 {
            host.to_owned()
        } else {
            format!("{host}:{}", addr.port())
        };
        Ok(Self {
            addr,
            host: host.to_owned(),
            host_header,
            timeout,
            connector: builder.build(),
            jar: CookieJar::new(),
            headers: Vec::new(),
        })
    }

    /// Sends `GET path` and returns the response, storing any cookies it sets.
    ///
    /// # Errors
    /// Any [`Error`] variant except [`Error::TlsSetup`] from context building, naming the
    /// step that failed.
    pub fn get(&mut self, path: &str) -> Result<Response, Error> {
        self.send("GET", path, None)
    }

    /// Sends `POST path` with `fields` as an `application/x-www-form-urlencoded` body (see
    /// [`form_urlencode`]), as a browser submits an HTML form such as `wp-login.php`.
    ///
    /// # Errors
    /// As [`HttpsClient::get`].
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Response, Error> {
        let body = form_urlencode(fields);
        self.send(
            "POST",
            path,
            Some(("application/x-www-form-urlencoded", body.as_bytes())),
        )
    }

    /// Adds a header sent with every later request (for example `Authorization`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the name or value could split the request (CR, LF, or a
    /// name that is not a token).
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<(), Error> {
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !name_ok || value.contains(['\r', '\n']) {
            return Err(Error::InvalidInput {
                reason: format!("header {name:?} cannot be sent"),
            });
        }
        self.headers.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    /// Sends HTTP Basic credentials with every later request, as a browser does after the
    /// authentication prompt (nginx `auth_basic` in front of the web tools).
    ///
    /// # Errors
    /// As [`HttpsClient::set_header`].
    pub fn set_basic_auth(&mut self, user: &str, password: &str) -> Result<(), Error> {
        let token = base64(format!("{user}:{password}").as_bytes());
        self.set_header("Authorization", &format!("Basic {token}"))
    }

    /// The cookies received so far, for assertions such as "logged-in cookie present".
    #[must_use]
    pub fn cookies(&self) -> &CookieJar {
        &self.jar
    }

    /// Mutable access to the jar, to start a fresh session or plant a cookie.
    pub fn cookies_mut(&mut self) -> &mut CookieJar {
        &mut self.jar
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<Response, Error> {
        validate_path(path)?;
        let addr = self.addr;
        let request_line = format!("{method} {path}");

        let mut head = format!(
            "{request_line} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\n\
             Accept: */*\r\nConnection: close\r\n",
            self.host_header
        );
        if let Some(cookie) = self.jar.header_value() {
            head.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some((content_type, bytes)) = body {
            head.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                bytes.len()
            ));
        }
        head.push_str("\r\n");
        let mut request = head.into_bytes();
        if let Some((_, bytes)) = body {
            request.extend_from_slice(bytes);
        }

        let tcp = DeadlineStream::connect(addr, self.timeout)
            .map_err(|source| Error::Connect { addr, source })?;
        let config = self
            .connector
            .configure()
            .map_err(|source| Error::TlsSetup {
                addr,
                step: "configuring the connection",
                source,
            })?
            .verify_hostname(false)
            // SNI must not carry an IP literal (RFC 6066 §3).
            .use_server_name_indication(self.host.parse::<IpAddr>().is_err());
        let mut tls = config.connect(&self.host, tcp).map_err(|e| {
            let source = match e {
                openssl::ssl::HandshakeError::SetupFailure(stack) => {
                    return Error::TlsSetup {
                        addr,
                        step: "starting the handshake",
                        source: stack,
                    };
                }
                openssl::ssl::HandshakeError::Failure(mid)
                | openssl::ssl::HandshakeError::WouldBlock(mid) => mid.into_error(),
            };
            Error::Handshake {
                addr,
                host: self.host.clone(),
                source,
            }
        })?;

        tls.write_all(&request)
            .and_then(|()| tls.flush())
            .map_err(|source| Error::Io {
                addr,
                step: format!("sending {request_line}"),
                source,
            })?;
        let response = Response::read_from(&mut tls).map_err(|source| Error::Response {
            addr,
            request: request_line.clone(),
            source,
        })?;
        for value in response.headers_all("set-cookie") {
            self.jar.apply_set_cookie(value);
        }
        Ok(response)
    }
}

/// Encodes form fields as `application/x-www-form-urlencoded`: `name=value` pairs joined by
/// `&`, every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) written as
/// `%XX`, spaces included (`%20`, which every server decodes like `+`). Passwords with
/// `&`, `=`, `+`, `%` or non-ASCII characters therefore arrive intact.
#[must_use]
pub fn form_urlencode(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent_encode_into(name, &mut out);
        out.push('=');
        percent_encode_into(value, &mut out);
    }
    out
}

fn percent_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// Sends a plain-text `GET /` over TCP to `addr` and returns the status code.
///
/// Used to prove port 80 is *not* served: the expected outcome is an error for which
/// [`Error::is_connection_refused`] is true. Getting a status code (even a redirect to
/// HTTPS) means something answers plain HTTP. Only the status line and headers are read.
///
/// # Errors
/// [`Error::Connect`] when no connection can be made, [`Error::Io`] when the request cannot
/// be sent, [`Error::Response`] when the answer is not HTTP (e.g. a TLS alert).
pub fn http_plain_get(addr: SocketAddr, host: &str, timeout: Duration) -> Result<u16, Error> {
    validate_host(host)?;
    let host_header = if addr.port() == 80 {
        host.to_owned()
    } else {
        format!("{host}:{}", addr.port())
    };
    let mut stream =
        DeadlineStream::connect(addr, timeout).map_err(|source| Error::Connect { addr, source })?;
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {USER_AGENT}\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|source| Error::Io {
            addr,
            step: "sending plain GET /".to_owned(),
            source,
        })?;
    let (status, _headers) =
        read_head(&mut BufReader::new(stream)).map_err(|source| Error::Response {
            addr,
            request: "GET / (plain HTTP)".to_owned(),
            source,
        })?;
    Ok(status)
}

fn validate_host(host: &str) -> Result<(), Error> {
    if host.is_empty()
        || host
            .bytes()
            .any(|b| b.is_ascii_control() || b == b' ' || b == b'/' || !b.is_ascii())
    {
        return Err(Error::InvalidInput {
            reason: format!("host {host:?} is not a valid host name"),
        });
    }
    Ok(())
}

/// The request target must be origin-form (`/...`) and contain no byte that would end or
/// split the request line.
fn validate_path(path: &str) -> Result<(), Error> {
    if !path.starts_with('/') || path.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(Error::InvalidInput {
            reason: format!(
                "path {path:?} must start with '/' and contain no spaces or control characters"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_everything_outside_unreserved() {
        assert_eq!(
            form_urlencode(&[("log", "admin"), ("pwd", "p@ss w&rd=+%/é~-._")]),
            "log=admin&pwd=p%40ss%20w%26rd%3D%2B%25%2F%C3%A9~-._"
        );
        assert_eq!(form_urlencode(&[]), "");
        assert_eq!(form_urlencode(&[("a b", "")]), "a%20b=");
        assert_eq!(
            form_urlencode(&[("redirect_to", "https://x/wp-admin/?a=1")]),
            "redirect_to=https%3A%2F%2Fx%2Fwp-admin%2F%3Fa%3D1"
        );
    }

    #[test]
    fn paths_and_hosts_are_validated() {
        assert!(validate_path("/wp-login.php?action=logout&_wpnonce=1").is_ok());
        for bad in ["", "wp-login.php", "/a b", "/a\r\nX-Injected: 1"] {
            assert!(
                matches!(validate_path(bad), Err(Error::InvalidInput { .. })),
                "{bad:?}"
            );
        }
        assert!(validate_host("login.42.fr").is_ok());
        for bad in ["", "a b", "a\r\nb", "a/b"] {
            assert!(validate_host(bad).is_err(), "{bad:?}");
        }
    }
}

/// Standard base64 with padding (RFC 4648), for Basic credentials.
fn base64(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod base64_tests {
    use super::base64;

    #[test]
    fn matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
