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
        "wordpress" => wordpress(),
        "nginx" => nginx(),
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

fn wordpress() -> Result<()> {
    let out = crate::fastcgi::get("127.0.0.1:9000", "/fpm-ping", TIMEOUT)?;
    if !out.contains("pong") {
        bail!("php-fpm ping did not answer pong");
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
    fn unknown_service_is_an_error() {
        assert!(check("redis-not-here").is_err());
    }
}
