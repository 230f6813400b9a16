//! The TLS protocol probe: does a server accept one exact TLS version?
//!
//! Theory of operation (see also the crate documentation): the client is configured to
//! offer *only* the version under test and to object to nothing (security level 0, every
//! cipher, no certificate verification). The handshake is then run over a
//! [`DeadlineStream`](crate::net::DeadlineStream) that counts bytes, and its failure is
//! classified from OpenSSL's error queue:
//!
//! * a received `protocol_version` (70) or `handshake_failure` (40) alert is the server
//!   refusing;
//! * the server closing the connection after our ClientHello went out and before it sent a
//!   single byte is also the server refusing (some stacks hang up instead of alerting);
//! * everything else (no TCP connection, a timeout, our client refusing, a non-TLS answer,
//!   other alerts) proves nothing and is inconclusive.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use openssl::error::ErrorStack;
use openssl::ssl::{
    ErrorCode, HandshakeError, Ssl, SslContext, SslContextBuilder, SslMethod, SslOptions,
    SslVerifyMode, SslVersion,
};

use crate::net::DeadlineStream;

/// OpenSSL reports a received alert as reason `SSL_AD_REASON_OFFSET + alert description`.
const SSL_AD_REASON_OFFSET: i32 = 1000;
/// TLS alert description `protocol_version` (RFC 8446 §6.2).
const ALERT_PROTOCOL_VERSION: i32 = 70;
/// TLS alert description `handshake_failure`.
const ALERT_HANDSHAKE_FAILURE: i32 = 40;
/// `ERR_LIB_SSL`: the error came from libssl, not from libcrypto or the system.
const ERR_LIB_SSL: i32 = 20;
/// `SSL_R_UNSUPPORTED_PROTOCOL`: the ServerHello named a version outside our min..=max.
const SSL_R_UNSUPPORTED_PROTOCOL: i32 = 258;
/// `SSL_OP_LEGACY_SERVER_CONNECT`, which the openssl crate does not name.
const SSL_OP_LEGACY_SERVER_CONNECT: u64 = 0x4;
/// `SSL_R_UNEXPECTED_EOF_WHILE_READING` (OpenSSL 3): the peer closed without close_notify.
const SSL_R_UNEXPECTED_EOF_WHILE_READING: i32 = 294;

/// A TLS protocol version the probe can offer on its own.
///
/// SSL 3.0 is left out: Debian's OpenSSL is built without it, so the probe could never
/// offer it and every answer would be inconclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsVersion {
    /// TLS 1.0 (RFC 2246), deprecated by RFC 8996: must be refused by our stack.
    Tls10,
    /// TLS 1.1 (RFC 4346), deprecated by RFC 8996: must be refused by our stack.
    Tls11,
    /// TLS 1.2 (RFC 5246): must be accepted.
    Tls12,
    /// TLS 1.3 (RFC 8446): must be accepted.
    Tls13,
}

impl TlsVersion {
    /// Every version, oldest first, so an audit can report the whole matrix in one loop.
    pub const ALL: [Self; 4] = [Self::Tls10, Self::Tls11, Self::Tls12, Self::Tls13];

    /// The conventional name ("TLSv1.0" ...), for reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Tls10 => "TLSv1.0",
            Self::Tls11 => "TLSv1.1",
            Self::Tls12 => "TLSv1.2",
            Self::Tls13 => "TLSv1.3",
        }
    }

    fn ssl_version(self) -> SslVersion {
        match self {
            Self::Tls10 => SslVersion::TLS1,
            Self::Tls11 => SslVersion::TLS1_1,
            Self::Tls12 => SslVersion::TLS1_2,
            Self::Tls13 => SslVersion::TLS1_3,
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Outcome of one [`probe_tls`] call.
///
/// Three outcomes rather than a boolean because "the handshake failed" is not the same as
/// "the server refused": only [`Verdict::Refused`] proves a refusal, and callers must treat
/// [`Verdict::Inconclusive`] as a failed check, never as a pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The handshake completed at exactly the requested version.
    Accepted {
        /// The negotiated cipher suite (OpenSSL name), for reports.
        cipher: String,
    },
    /// The server refused: it sent a `protocol_version` or `handshake_failure` alert, or
    /// closed the connection after receiving our ClientHello without answering.
    Refused {
        /// How the refusal was observed.
        reason: String,
    },
    /// Nothing can be concluded (no TCP connection, timeout, our own client declined, an
    /// unexpected answer). Treat as a failure.
    Inconclusive {
        /// What happened instead.
        reason: String,
    },
}

impl Verdict {
    /// True for [`Verdict::Accepted`].
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }

    /// True for [`Verdict::Refused`].
    #[must_use]
    pub fn is_refused(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }

    fn inconclusive(reason: impl Into<String>) -> Self {
        Self::Inconclusive {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted { cipher } => write!(f, "accepted (cipher {cipher})"),
            Self::Refused { reason } => write!(f, "refused: {reason}"),
            Self::Inconclusive { reason } => write!(f, "inconclusive: {reason}"),
        }
    }
}

/// Offers exactly `version` to `addr` (SNI `server_name`) and reports whether the server
/// accepted it, refused it, or whether nothing can be concluded.
///
/// `timeout` bounds the whole probe (TCP connect and handshake). The client is deliberately
/// weakened (security level 0, every cipher, no certificate verification) so that a failed
/// handshake can be blamed on the server; see the crate documentation for why. An IP
/// literal as `server_name` sends no SNI, as RFC 6066 requires.
#[must_use]
pub fn probe_tls(
    addr: SocketAddr,
    server_name: &str,
    version: TlsVersion,
    timeout: Duration,
) -> Verdict {
    let ctx = match permissive_context(version) {
        Ok(ctx) => ctx,
        Err(e) => {
            return Verdict::inconclusive(format!(
                "could not configure a {version} client context: {e}"
            ))
        }
    };
    let ssl = match new_ssl(&ctx, server_name) {
        Ok(ssl) => ssl,
        Err(e) => {
            return Verdict::inconclusive(format!(
                "could not set up the connection to {server_name:?}: {e}"
            ))
        }
    };
    let stream = match DeadlineStream::connect(addr, timeout) {
        Ok(s) => s,
        Err(e) => return Verdict::inconclusive(format!("TCP connect to {addr} failed: {e}")),
    };
    handshake(ssl, stream, version, timeout)
}

/// The same probe for FTPS with explicit TLS (RFC 4217): read the 220 greeting, send
/// `AUTH TLS`, expect 234, then offer exactly `version` on that connection. This is how an
/// FTP server's refusal of TLS 1.0/1.1 is proven (an FTP client such as curl, at Debian's
/// security level, would refuse on its own and prove nothing).
#[must_use]
pub fn probe_ftps(addr: SocketAddr, version: TlsVersion, timeout: Duration) -> Verdict {
    let ctx = match permissive_context(version) {
        Ok(ctx) => ctx,
        Err(e) => {
            return Verdict::inconclusive(format!(
                "could not configure a {version} client context: {e}"
            ))
        }
    };
    let ssl = match new_ssl(&ctx, "") {
        Ok(ssl) => ssl,
        Err(e) => return Verdict::inconclusive(format!("could not set up the connection: {e}")),
    };
    let mut stream = match DeadlineStream::connect(addr, timeout) {
        Ok(s) => s,
        Err(e) => return Verdict::inconclusive(format!("TCP connect to {addr} failed: {e}")),
    };
    if let Err(reason) = ftp_auth_tls(&mut stream) {
        return Verdict::inconclusive(reason);
    }
    // Only the TLS bytes count when telling our refusal from the server's.
    stream.reset_counters();
    handshake(ssl, stream, version, timeout)
}

/// Reads one FTP reply (the last line of a multi-line reply) and returns its code.
fn ftp_reply(stream: &mut DeadlineStream) -> Result<String, String> {
    use std::io::Read;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match stream.read(&mut byte) {
            Ok(0) => return Err("the FTP server closed the connection".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("reading the FTP reply: {e}")),
        }
        line.push(byte[0]);
        if line.ends_with(b"\r\n") || line.ends_with(b"\n") {
            let text = String::from_utf8_lossy(&line).trim_end().to_owned();
            // "220-..." continues; "220 ..." ends the reply.
            if (text.len() >= 4 && text.as_bytes()[3] == b' ') || text.len() == 3 {
                return Ok(text);
            }
            line.clear();
        }
        if line.len() > 4096 {
            return Err("FTP reply line too long".into());
        }
    }
}

fn ftp_auth_tls(stream: &mut DeadlineStream) -> Result<(), String> {
    use std::io::Write;
    let greeting = ftp_reply(stream)?;
    if !greeting.starts_with("220") {
        return Err(format!("unexpected FTP greeting {greeting:?}"));
    }
    stream
        .write_all(b"AUTH TLS\r\n")
        .map_err(|e| format!("sending AUTH TLS: {e}"))?;
    let reply = ftp_reply(stream)?;
    if !reply.starts_with("234") {
        return Err(format!("AUTH TLS answered {reply:?}"));
    }
    Ok(())
}

/// Runs the handshake on a connected stream and turns its outcome into a verdict.
fn handshake(ssl: Ssl, stream: DeadlineStream, version: TlsVersion, timeout: Duration) -> Verdict {
    match ssl.connect(stream) {
        Ok(mut tls) => {
            let negotiated = tls.ssl().version2();
            let cipher = tls
                .ssl()
                .current_cipher()
                .map_or_else(|| "unknown".to_owned(), |c| c.name().to_owned());
            // Be polite: send close_notify; the verdict does not depend on it.
            let _ = tls.shutdown();
            if negotiated == Some(version.ssl_version()) {
                Verdict::Accepted { cipher }
            } else {
                Verdict::inconclusive(format!(
                    "handshake completed at {negotiated:?} although only {version} was offered"
                ))
            }
        }
        Err(HandshakeError::SetupFailure(e)) => {
            Verdict::inconclusive(format!("our client could not start the handshake: {e}"))
        }
        Err(HandshakeError::Failure(mid) | HandshakeError::WouldBlock(mid)) => {
            let (sent, received) = (mid.get_ref().bytes_written(), mid.get_ref().bytes_read());
            classify_failure(mid.error(), version, sent, received, timeout)
        }
    }
}

/// The most permissive client context OpenSSL 3 allows for one exact version.
fn permissive_context(version: TlsVersion) -> Result<SslContext, ErrorStack> {
    let mut builder = SslContextBuilder::new(SslMethod::tls_client())?;
    let v = version.ssl_version();
    builder.set_min_proto_version(Some(v))?;
    builder.set_max_proto_version(Some(v))?;
    // At Debian's default security level 2 the SHA-1/MD5 signatures that TLS 1.0/1.1 need
    // are forbidden, and our own client aborts the handshake ("legacy sigalg disallowed").
    // The cipher string's @SECLEVEL=0 alone would lower the level too; setting it
    // explicitly as well means editing the cipher string cannot silently restore level 2.
    builder.set_security_level(0);
    builder.set_cipher_list("DEFAULT:@SECLEVEL=0")?;
    // Old servers may lack RFC 5746 secure renegotiation; that must not stop *us*.
    builder.set_options(SslOptions::from_bits_retain(SSL_OP_LEGACY_SERVER_CONNECT));
    builder.set_verify(SslVerifyMode::NONE);
    Ok(builder.build())
}

fn new_ssl(ctx: &SslContext, server_name: &str) -> Result<Ssl, ErrorStack> {
    let mut ssl = Ssl::new(ctx)?;
    if !server_name.is_empty() && server_name.parse::<IpAddr>().is_err() {
        ssl.set_hostname(server_name)?;
    }
    Ok(ssl)
}

/// Turns a failed handshake into a verdict. `sent`/`received` are the TCP bytes exchanged.
fn classify_failure(
    err: &openssl::ssl::Error,
    version: TlsVersion,
    sent: u64,
    received: u64,
    timeout: Duration,
) -> Verdict {
    if let Some(stack) = err.ssl_error() {
        for e in stack.errors() {
            if e.library_code() != ERR_LIB_SSL {
                continue;
            }
            let reason = e.reason_code();
            if reason == SSL_AD_REASON_OFFSET + ALERT_PROTOCOL_VERSION {
                return Verdict::Refused {
                    reason: "server sent a protocol_version alert (70)".to_owned(),
                };
            }
            if reason == SSL_AD_REASON_OFFSET + ALERT_HANDSHAKE_FAILURE {
                return Verdict::Refused {
                    reason: "server sent a handshake_failure alert (40)".to_owned(),
                };
            }
        }
    }

    if let Some(io_err) = err.io_error() {
        if io_err.kind() == io::ErrorKind::TimedOut {
            return Verdict::inconclusive(format!(
                "no handshake answer within {timeout:?} ({sent} bytes sent, {received} received)"
            ));
        }
    }

    if sent == 0 {
        return Verdict::inconclusive(format!(
            "our own client declined to send a ClientHello: {err}"
        ));
    }

    if received > 0 && has_ssl_reason(err, SSL_R_UNSUPPORTED_PROTOCOL) {
        // Not a refusal by the rules above: the server counter-offered another (older)
        // version, which only our min = max setting turned into a failure.
        return Verdict::inconclusive(format!(
            "server answered with a protocol version other than {version}, \
             probably an older one it prefers: {err}"
        ));
    }

    if received == 0 && peer_closed(err) {
        return Verdict::Refused {
            reason: format!(
                "server closed the connection after our {sent}-byte ClientHello without answering"
            ),
        };
    }

    Verdict::inconclusive(format!(
        "handshake failed ({sent} bytes sent, {received} received): {err}"
    ))
}

/// Whether the error means the peer closed or reset the connection.
fn peer_closed(err: &openssl::ssl::Error) -> bool {
    match err.code() {
        // OpenSSL 1.1 style: SYSCALL with no errno is a bare EOF.
        ErrorCode::SYSCALL | ErrorCode::ZERO_RETURN => err.io_error().is_none_or(|e| {
            matches!(
                e.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            )
        }),
        // OpenSSL 3 reports an EOF without close_notify as an SSL error with this reason.
        ErrorCode::SSL => has_ssl_reason(err, SSL_R_UNEXPECTED_EOF_WHILE_READING),
        _ => false,
    }
}

/// Whether libssl put `reason` on the error queue.
fn has_ssl_reason(err: &openssl::ssl::Error, reason: i32) -> bool {
    err.ssl_error().is_some_and(|stack| {
        stack
            .errors()
            .iter()
            .any(|e| e.library_code() == ERR_LIB_SSL && e.reason_code() == reason)
    })
}
