//! Redis over RESP: `AUTH` (password from a file, never logged), `INFO stats`, `INFO memory`.

use super::Reading;
use crate::engine::connect;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::time::Duration;

/// Largest bulk reply accepted (INFO is a few KiB).
const MAX_BULK: usize = 1024 * 1024;

/// A RESP reply, as far as this probe needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`
    Simple(String),
    /// `-ERR ...`
    Error(String),
    /// `:42`
    Integer(i64),
    /// `$n` bulk string; `None` for the null bulk string.
    Bulk(Option<Vec<u8>>),
}

/// Encodes a command as a RESP array of bulk strings.
pub fn command(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

fn line(reader: &mut impl BufRead) -> Result<String> {
    let mut buf = Vec::new();
    reader
        .by_ref()
        .take(64 * 1024)
        .read_until(b'\n', &mut buf)
        .context("reading a reply")?;
    if !buf.ends_with(b"\r\n") {
        bail!("connection closed in the middle of a reply");
    }
    buf.truncate(buf.len() - 2);
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Reads one reply (arrays are not expected by this probe and are an error).
pub fn read_reply(reader: &mut impl BufRead) -> Result<Reply> {
    let head = line(reader)?;
    let (kind, rest) = head.split_at(head.len().min(1));
    match kind {
        "+" => Ok(Reply::Simple(rest.to_owned())),
        "-" => Ok(Reply::Error(rest.to_owned())),
        ":" => Ok(Reply::Integer(rest.parse().context("malformed integer")?)),
        "$" => {
            let len: i64 = rest.parse().context("malformed bulk length")?;
            if len < 0 {
                return Ok(Reply::Bulk(None));
            }
            let len = usize::try_from(len).context("malformed bulk length")?;
            if len > MAX_BULK {
                bail!("bulk reply of {len} bytes is too large");
            }
            let mut buf = vec![0u8; len + 2];
            reader
                .read_exact(&mut buf)
                .context("truncated bulk reply")?;
            if !buf.ends_with(b"\r\n") {
                bail!("bulk reply not followed by CRLF");
            }
            buf.truncate(len);
            Ok(Reply::Bulk(Some(buf)))
        }
        _ => bail!("unexpected RESP reply type {kind:?}"),
    }
}

/// Parses `INFO` text (`key:value` lines, `#` section headers) into a map.
pub fn parse_info(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// Turns the `INFO stats` and `INFO memory` maps into the probe's reading.
pub fn reading(info: &BTreeMap<String, String>) -> Reading {
    let mut r = Reading::default();
    let num = |k: &str| info.get(k).and_then(|v| v.parse::<f64>().ok());
    for key in [
        "keyspace_hits",
        "keyspace_misses",
        "used_memory",
        "maxmemory",
        "evicted_keys",
        "expired_keys",
        "total_commands_processed",
        "total_connections_received",
    ] {
        if let Some(v) = num(key) {
            r.value(key, v);
        }
    }
    if let (Some(h), Some(m)) = (num("keyspace_hits"), num("keyspace_misses")) {
        if h + m > 0.0 {
            r.value("hit_ratio", h / (h + m));
        }
    }
    if let Some(v) = info.get("used_memory_human") {
        r.info("used_memory_human", v.clone());
    }
    r
}

fn info_section(stream: &mut (impl BufRead + Write), section: &str) -> Result<String> {
    stream.write_all(&command(&[b"INFO", section.as_bytes()]))?;
    stream.flush()?;
    match read_reply(stream)? {
        Reply::Bulk(Some(text)) => Ok(String::from_utf8_lossy(&text).into_owned()),
        Reply::Error(e) => bail!("INFO {section}: {e}"),
        other => bail!("INFO {section}: unexpected reply {other:?}"),
    }
}

/// Probes the Redis server at `addr`.
pub fn probe(addr: &str, password_file: Option<&Path>, timeout: Duration) -> Result<Reading> {
    let password = match password_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the password file {}", path.display()))?;
            Some(text.trim_end_matches(['\r', '\n']).to_owned())
        }
        None => None,
    };
    let stream = connect(addr, timeout)?;
    let mut stream = BufStream(BufReader::new(stream));
    if let Some(password) = password {
        stream.write_all(&command(&[b"AUTH", password.as_bytes()]))?;
        stream.flush()?;
        match read_reply(&mut stream)? {
            Reply::Simple(_) => {}
            // Redis' message names no password ("WRONGPASS invalid username-password pair").
            Reply::Error(e) => bail!("AUTH refused: {e}"),
            other => bail!("AUTH: unexpected reply {other:?}"),
        }
    }
    let mut info = parse_info(&info_section(&mut stream, "stats")?);
    info.extend(parse_info(&info_section(&mut stream, "memory")?));
    let mut r = reading(&info);
    if let Ok(server) = info_section(&mut stream, "server") {
        if let Some(v) = parse_info(&server).get("redis_version") {
            r.info("version", v.clone());
        }
    }
    Ok(r)
}

/// A buffered reader that also writes to the underlying stream.
struct BufStream(BufReader<std::net::TcpStream>);

impl Read for BufStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl BufRead for BufStream {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.0.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.0.consume(amt);
    }
}

impl Write for BufStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.get_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.get_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands() {
        assert_eq!(
            command(&[b"AUTH", b"p w"]),
            b"*2\r\n$4\r\nAUTH\r\n$3\r\np w\r\n".to_vec()
        );
    }

    #[test]
    fn reads_replies() {
        let wire = b"+OK\r\n-WRONGPASS invalid\r\n:12\r\n$-1\r\n$5\r\na\r\nbc\r\n";
        let mut r = &wire[..];
        assert_eq!(read_reply(&mut r).ok(), Some(Reply::Simple("OK".into())));
        assert_eq!(
            read_reply(&mut r).ok(),
            Some(Reply::Error("WRONGPASS invalid".into()))
        );
        assert_eq!(read_reply(&mut r).ok(), Some(Reply::Integer(12)));
        assert_eq!(read_reply(&mut r).ok(), Some(Reply::Bulk(None)));
        assert_eq!(
            read_reply(&mut r).ok(),
            Some(Reply::Bulk(Some(b"a\r\nbc".to_vec())))
        );
        assert!(read_reply(&mut &b"$5\r\nab"[..]).is_err());
        assert!(read_reply(&mut &b"*1\r\n"[..]).is_err());
    }

    #[test]
    fn parses_info_and_computes_hit_ratio() {
        let text = "# Stats\r\ntotal_connections_received:7\r\nkeyspace_hits:30\r\n\
                    keyspace_misses:10\r\nevicted_keys:0\r\n\r\n# Memory\r\n\
                    used_memory:1048576\r\nused_memory_human:1.00M\r\n";
        let info = parse_info(text);
        assert_eq!(info.get("keyspace_hits").map(String::as_str), Some("30"));
        let r = reading(&info);
        assert_eq!(r.values.get("hit_ratio"), Some(&0.75));
        assert_eq!(r.values.get("used_memory"), Some(&1_048_576.0));
        assert_eq!(r.values.get("keyspace_misses"), Some(&10.0));
        assert_eq!(
            r.info.get("used_memory_human").map(String::as_str),
            Some("1.00M")
        );
    }

    #[test]
    fn talks_to_a_fake_server_and_never_leaks_the_password() {
        use std::net::TcpListener;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let server = std::thread::spawn(move || {
            let (sock, _) = listener.accept().expect("accept");
            let mut r = BufReader::new(sock.try_clone().expect("clone"));
            let mut w = sock;
            let mut seen = Vec::new();
            // AUTH: *2 $4 AUTH $n pw → 5 lines.
            for _ in 0..5 {
                seen.push(line(&mut r).expect("line"));
            }
            w.write_all(b"-WRONGPASS invalid username-password pair\r\n")
                .expect("write");
            seen
        });
        let dir = tempfile::tempdir().expect("tempdir");
        let pw = dir.path().join("pw");
        std::fs::write(&pw, "s3cret-value\n").expect("write pw");
        let err = probe(&addr, Some(&pw), Duration::from_secs(2)).expect_err("refused");
        let seen = server.join().expect("server");
        assert_eq!(seen[4], "s3cret-value", "password sent without the newline");
        let msg = format!("{err:#}");
        assert!(msg.contains("WRONGPASS"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
    }
}
