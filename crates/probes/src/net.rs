//! A TCP stream with an overall deadline and byte counters.
//!
//! Socket timeouts bound a single `read`, not a whole exchange: a server trickling one byte
//! per second would keep a probe alive forever. Here every operation gets the time *left*
//! until one deadline, so a probe or a request is bounded as a whole. The byte counters let
//! the TLS probe tell "the server hung up after receiving our ClientHello" from "our own
//! client never sent anything".

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A connected TCP stream whose reads and writes fail with `TimedOut` once the deadline is
/// reached.
#[derive(Debug)]
pub(crate) struct DeadlineStream {
    inner: TcpStream,
    deadline: Instant,
    budget: Duration,
    read: u64,
    written: u64,
}

impl DeadlineStream {
    /// Connects to `addr`, spending at most `budget` on the connection and everything done
    /// with the stream afterwards.
    pub(crate) fn connect(addr: SocketAddr, budget: Duration) -> io::Result<Self> {
        let start = Instant::now();
        let deadline = start + budget;
        if budget.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "zero timeout"));
        }
        let inner = TcpStream::connect_timeout(&addr, budget)?;
        // Small writes (request head, then body) should not wait for Nagle.
        inner.set_nodelay(true)?;
        Ok(Self {
            inner,
            deadline,
            budget,
            read: 0,
            written: 0,
        })
    }

    /// Forgets the bytes counted so far (after a plaintext preamble such as FTP's
    /// `AUTH TLS`), so that only the TLS exchange is judged.
    pub(crate) fn reset_counters(&mut self) {
        self.read = 0;
        self.written = 0;
    }

    /// Bytes received so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.read
    }

    /// Bytes sent so far.
    pub(crate) fn bytes_written(&self) -> u64 {
        self.written
    }

    fn remaining(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(self.timed_out())
        } else {
            Ok(left)
        }
    }

    fn timed_out(&self) -> io::Error {
        io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no complete answer within {:?}", self.budget),
        )
    }

    /// A blocking socket with a timeout reports expiry as `WouldBlock` on Unix; OpenSSL
    /// would read that as "retry later", so it is turned into a plain `TimedOut`.
    fn map_err(&self, e: io::Error) -> io::Error {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => self.timed_out(),
            _ => e,
        }
    }
}

impl Read for DeadlineStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        self.inner.set_read_timeout(Some(left))?;
        match self.inner.read(buf) {
            Ok(n) => {
                self.read += n as u64;
                Ok(n)
            }
            Err(e) => Err(self.map_err(e)),
        }
    }
}

impl Write for DeadlineStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let left = self.remaining()?;
        self.inner.set_write_timeout(Some(left))?;
        match self.inner.write(buf) {
            Ok(n) => {
                self.written += n as u64;
                Ok(n)
            }
            Err(e) => Err(self.map_err(e)),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
