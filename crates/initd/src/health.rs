//! Docker healthchecks, one per service, each asking the daemon itself.
//!
//! mariadb: healthy only once the bootstrap marker exists and the server sends its protocol
//! handshake on 3306 (so a half-initialised datadir is never "healthy"). wordpress: php-fpm
//! answers "pong" to a FastCGI ping. nginx: port 443 accepts connections.

use anyhow::{bail, Context, Result};
use std::io::Read;
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(3);

/// Runs the healthcheck of `service`; `Ok` means healthy.
pub fn check(service: &str) -> Result<()> {
    match service {
        "mariadb" => mariadb(),
        "wordpress" | "adminer" => php_fpm(),
        "nginx" => nginx(),
        "redis" => redis(),
        "ftp" => ftp(),
        "site" => http_ok(8080, "/healthz"),
        "monitor" => http_ok(9100, "/healthz"),
        "engine-proxy" => http_ok(2375, "/_ping"),
        other => bail!("no healthcheck for service {other:?}"),
    }
}

fn mariadb() -> Result<()> {
    let marker = crate::services::mariadb::READY_MARKER;
    if !std::path::Path::new(marker).exists() {
        bail!("bootstrap not finished ({marker} missing)");
    }
    let mut stream =
        crate::wait::tcp_probe("127.0.0.1", 3306, TIMEOUT).map_err(anyhow::Error::msg)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    let mut packet = [0u8; 5];
    stream
        .read_exact(&mut packet)
        .context("reading MariaDB handshake")?;
    is_handshake(&packet)
}

/// A MySQL protocol packet: 3-byte length, sequence id, then 10 for a handshake or 0xff for
/// an error (for example "host is blocked").
fn is_handshake(packet: &[u8; 5]) -> Result<()> {
    match packet[4] {
        10 => Ok(()),
        0xff => bail!("MariaDB answered with an error packet"),
        other => bail!("unexpected MariaDB greeting (protocol byte {other})"),
    }
}

fn php_fpm() -> Result<()> {
    let out = crate::fastcgi::get("127.0.0.1:9000", "/fpm-ping", TIMEOUT)?;
    if !out.contains("pong") {
        bail!("php-fpm ping did not answer pong");
    }
    Ok(())
}

/// AUTH with the password from the secret file, then PING: proves the server answers
/// and that our password is the one it requires.
fn redis() -> Result<()> {
    let password = crate::settings::secret("REDIS_PASSWORD")?;
    let mut stream =
        crate::wait::tcp_probe("127.0.0.1", 6379, TIMEOUT).map_err(anyhow::Error::msg)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    std::io::Write::write_all(&mut stream, &resp_command(&["AUTH", &password]))?;
    std::io::Write::write_all(&mut stream, &resp_command(&["PING"]))?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 64];
    while !reply.ends_with(b"+PONG\r\n") && reply.len() < 256 {
        let n = stream.read(&mut buf).context("reading from redis")?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if reply.starts_with(b"-") {
            break;
        }
    }
    if reply == b"+OK\r\n+PONG\r\n" {
        Ok(())
    } else {
        bail!(
            "redis answered {:?}",
            String::from_utf8_lossy(&reply).lines().next().unwrap_or("")
        )
    }
}

/// A command in RESP (an array of bulk strings), safe for any bytes in the arguments.
pub fn resp_command(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// vsftpd greets every connection with a 220 line.
fn ftp() -> Result<()> {
    let mut stream =
        crate::wait::tcp_probe("127.0.0.1", 21, TIMEOUT).map_err(anyhow::Error::msg)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    let mut banner = [0u8; 3];
    stream
        .read_exact(&mut banner)
        .context("reading the FTP banner")?;
    if &banner != b"220" {
        bail!("vsftpd greeted with {:?}", String::from_utf8_lossy(&banner));
    }
    Ok(())
}

/// One HTTP/1.0 GET on loopback; healthy when the status is 200.
fn http_ok(port: u16, path: &str) -> Result<()> {
    let mut stream =
        crate::wait::tcp_probe("127.0.0.1", port, TIMEOUT).map_err(anyhow::Error::msg)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    std::io::Write::write_all(
        &mut stream,
        format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes(),
    )?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .context("reading the HTTP status line")?;
    if !head.starts_with(b"HTTP/1.") || &head[8..12] != b" 200" {
        bail!("GET {path} answered {:?}", String::from_utf8_lossy(&head));
    }
    Ok(())
}

fn nginx() -> Result<()> {
    crate::wait::tcp_probe("127.0.0.1", 443, TIMEOUT)
        .map(drop)
        .map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_handshake_and_error_packets() {
        assert!(is_handshake(&[0x5b, 0, 0, 0, 10]).is_ok());
        assert!(is_handshake(&[0x40, 0, 0, 0, 0xff]).is_err());
    }

    #[test]
    fn resp_encodes_binary_safe_bulk_strings() {
        assert_eq!(
            resp_command(&["AUTH", "p w\r\n"]),
            b"*2\r\n$4\r\nAUTH\r\n$5\r\np w\r\n\r\n".to_vec()
        );
    }

    #[test]
    fn unknown_service_is_an_error() {
        assert!(check("redis-not-here").is_err());
    }
}
