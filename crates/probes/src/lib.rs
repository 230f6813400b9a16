//! Network probes shared by the end-to-end test suite and the audit tool.
//!
//! The stack under test has a single entry point: nginx on port 443, speaking TLS 1.2 and
//! 1.3 only, with a self-signed certificate, and WordPress behind it. Two kinds of checks
//! need the network, and both live here so that the tests and the audit agree on what
//! "passes":
//!
//! * [`probe_tls`] answers "does the server accept this exact TLS version?" with one of
//!   three [`Verdict`]s: accepted, refused by the server, or inconclusive.
//! * [`HttpsClient`] is a deliberately small HTTP/1.1 client (one request per connection,
//!   a cookie jar, no redirects) that is enough to walk a WordPress login, and
//!   [`http_plain_get`] shows that plain HTTP on port 80 is *not* served.
//!
//! # Why the probe weakens its own client
//!
//! A check such as "TLS 1.0 is refused" is only meaningful if the client really *offered*
//! TLS 1.0. A modern OpenSSL 3 client (Debian's default security level is 2) will not do
//! that: TLS 1.0/1.1 need SHA-1 or MD5 signatures, so the client either declines to send a
//! ClientHello at all ("no protocols available") or aborts the handshake itself as soon as
//! the server answers ("legacy sigalg disallowed or unsupported"). Either way the handshake
//! fails, and a naive probe would report "refused" for a server that in fact *accepts*
//! TLS 1.0: the check would pass falsely, for every server.
//!
//! So [`probe_tls`] pins the protocol range to exactly the version under test (min = max),
//! drops the security level to 0 (`set_security_level(0)` and the cipher string
//! `DEFAULT:@SECLEVEL=0`), accepts legacy renegotiation and disables certificate
//! verification. With every objection removed on our side, a failed handshake can only come
//! from the server, and only a *server-side* refusal (a `protocol_version` or
//! `handshake_failure` alert, or the connection closed right after our ClientHello) counts
//! as [`Verdict::Refused`]. Anything else, including our own client refusing, is
//! [`Verdict::Inconclusive`], which callers treat as a failure. The test suite keeps a
//! positive control (a local `openssl s_server -tls1` must be *accepted*) to prove that the
//! client is not silently refusing on its own.
//!
//! The probe client is only ever used to test; the HTTPS client, which carries data, keeps
//! a minimum of TLS 1.2.
//!
//! This crate needs OpenSSL 3 (Debian bookworm and later).

mod cookies;
mod error;
mod http;
mod net;
mod response;
mod tls;

pub use cookies::CookieJar;
pub use error::{Error, ParseError};
pub use http::{form_urlencode, http_plain_get, HttpsClient, USER_AGENT};
pub use response::Response;
pub use tls::{probe_ftps, probe_tls, TlsVersion, Verdict};
