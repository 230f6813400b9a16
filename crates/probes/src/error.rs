//! Error types.
//!
//! Every variant names the address and the step that failed, so that a red end-to-end test
//! tells which service and which phase (TCP, TLS, request, response) broke without a rerun.

use std::io;
use std::net::SocketAddr;

/// Why an HTTP(S) exchange failed.
///
/// Non-exhaustive so that new failure modes can be added without breaking callers; use the
/// helper predicates ([`Error::is_connection_refused`], [`Error::is_timeout`]) for the
/// questions tests usually ask.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The TCP connection could not be established (refused, unreachable, timed out).
    ///
    /// Kept separate from later I/O failures because "nothing listens on port 80" is an
    /// expected, asserted outcome: see [`Error::is_connection_refused`].
    #[error("TCP connect to {addr} failed: {source}")]
    Connect {
        /// Address we tried to reach.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// Building the OpenSSL client context or connection object failed (a local problem,
    /// before any byte was sent).
    #[error("setting up the TLS client for {addr} failed while {step}: {source}")]
    TlsSetup {
        /// Address the client was prepared for.
        addr: SocketAddr,
        /// Which setup step failed.
        step: &'static str,
        /// OpenSSL's error queue.
        #[source]
        source: openssl::error::ErrorStack,
    },

    /// The TLS handshake did not complete.
    #[error("TLS handshake with {addr} (server name {host:?}) failed: {source}")]
    Handshake {
        /// Address we were connected to.
        addr: SocketAddr,
        /// Name sent as SNI.
        host: String,
        /// OpenSSL's description, including the alert the server sent, if any.
        #[source]
        source: openssl::ssl::Error,
    },

    /// Writing the request failed after the connection was established.
    #[error("{step} to {addr} failed: {source}")]
    Io {
        /// Address we were connected to.
        addr: SocketAddr,
        /// What we were doing, e.g. "sending GET /wp-login.php".
        step: String,
        /// The underlying error (kind `TimedOut` when the request deadline passed).
        #[source]
        source: io::Error,
    },

    /// The response could not be read or was not valid HTTP/1.x.
    #[error("bad response from {addr} to {request}: {source}")]
    Response {
        /// Address we were connected to.
        addr: SocketAddr,
        /// The request line we sent, e.g. "GET /".
        request: String,
        /// What was wrong with the response.
        #[source]
        source: ParseError,
    },

    /// The caller passed a host or path that cannot be put on the wire as-is (control
    /// characters, spaces, missing leading slash): refusing is safer than sending a request
    /// that means something else.
    #[error("invalid request input: {reason}")]
    InvalidInput {
        /// What is wrong, naming the offending value.
        reason: String,
    },
}

impl Error {
    /// True when the TCP connection was actively refused (nothing listens on that port).
    ///
    /// This is what a test asserting "port 80 is not served" wants to see; a timeout or an
    /// HTTP answer is a different outcome.
    #[must_use]
    pub fn is_connection_refused(&self) -> bool {
        matches!(self, Self::Connect { source, .. } if source.kind() == io::ErrorKind::ConnectionRefused)
    }

    /// True when the exchange failed because its deadline passed, at whatever step.
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        fn timed_out(e: &io::Error) -> bool {
            matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            )
        }
        match self {
            Self::Connect { source, .. } | Self::Io { source, .. } => timed_out(source),
            Self::Handshake { source, .. } => source.io_error().is_some_and(timed_out),
            Self::Response {
                source: ParseError::Io { source, .. },
                ..
            } => timed_out(source),
            _ => false,
        }
    }
}

/// Why an HTTP/1.x response could not be parsed.
///
/// Separate from [`Error`] because the parser works on any [`std::io::Read`] (so it is
/// unit-tested in memory) and knows nothing about addresses; [`Error::Response`] adds them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// Reading from the stream failed.
    #[error("I/O error while {step}: {source}")]
    Io {
        /// What was being read ("the status line", "the body", ...).
        step: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The peer closed the connection before the response was complete (truncated headers,
    /// short Content-Length body, unfinished chunk).
    #[error("connection closed while {step}")]
    UnexpectedEof {
        /// What was being read.
        step: &'static str,
    },

    /// The first line is not `HTTP/1.x NNN reason`.
    #[error("malformed status line {line:?}")]
    StatusLine {
        /// The line as received (lossy UTF-8).
        line: String,
    },

    /// A header line has no colon or an invalid name.
    #[error("malformed header line {line:?}")]
    Header {
        /// The line as received (lossy UTF-8).
        line: String,
    },

    /// Content-Length is not a number, or several disagree.
    #[error("invalid Content-Length {value:?}")]
    ContentLength {
        /// The offending value(s).
        value: String,
    },

    /// Chunked transfer-encoding is malformed.
    #[error("malformed chunked body: {reason}")]
    Chunk {
        /// What was wrong.
        reason: String,
    },

    /// A line, the header count or the body exceeds a safety limit: a test client must not
    /// be made to buffer unbounded data by a broken server.
    #[error("{what} exceeds the limit of {limit}")]
    TooLarge {
        /// Which limit ("header line", "header count", "body").
        what: &'static str,
        /// The limit (bytes or count).
        limit: usize,
    },
}
