//! MariaDB is up when it greets a new connection with a protocol-10 handshake packet.
//!
//! Closing the connection right after the greeting would count as a *handshake* error, and
//! after `max_connect_errors` of those the server blocks the monitor's address ("Host is
//! blocked because of many connection errors"). So the probe finishes the exchange politely:
//! it answers with a login for a user that does not exist and no password, reads the
//! server's refusal (an authentication error, which the server does not count towards the
//! block), and sends `COM_QUIT` should the server ever let it in.

use super::Reading;
use crate::engine::connect;
use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::time::Duration;

/// The user name the probe presents (it needs no account).
pub const PROBE_USER: &str = "inception_monitor_probe";
const MAX_PACKET: usize = 64 * 1024;

/// What the greeting says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Greeting {
    /// Protocol 10 handshake; the server version string.
    Handshake(String),
    /// An error packet instead (too many connections, host blocked, ...).
    Error(u16, String),
}

/// Reads one packet: (sequence id, payload).
pub fn read_packet(reader: &mut impl Read) -> Result<(u8, Vec<u8>)> {
    let mut header = [0u8; 4];
    reader
        .read_exact(&mut header)
        .context("the server closed the connection without a greeting")?;
    let len = usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
    if len > MAX_PACKET {
        bail!("packet of {len} bytes is too large");
    }
    let mut payload = vec![0u8; len];
    reader
        .read_exact(&mut payload)
        .context("truncated packet")?;
    Ok((header[3], payload))
}

fn error_packet(payload: &[u8]) -> (u16, String) {
    let code = u16::from_le_bytes([
        payload.get(1).copied().unwrap_or(0),
        payload.get(2).copied().unwrap_or(0),
    ]);
    let mut msg = payload.get(3..).unwrap_or(&[]);
    if msg.first() == Some(&b'#') && msg.len() >= 6 {
        msg = &msg[6..]; // SQL state marker and code
    }
    let text = String::from_utf8_lossy(msg).chars().take(200).collect();
    (code, text)
}

/// Interprets the first packet's payload.
pub fn parse_greeting(payload: &[u8]) -> Result<Greeting> {
    match payload.first() {
        Some(10) => {
            let version: String = payload[1..]
                .iter()
                .take_while(|&&b| b != 0)
                .take(64)
                .map(|&b| char::from(b))
                .collect();
            // MariaDB prefixes "5.5.5-" for old replication clients.
            let version = version
                .strip_prefix("5.5.5-")
                .unwrap_or(&version)
                .to_owned();
            Ok(Greeting::Handshake(version))
        }
        Some(0xff) => {
            let (code, msg) = error_packet(payload);
            Ok(Greeting::Error(code, msg))
        }
        Some(other) => bail!("not a MySQL protocol 10 greeting (first byte {other})"),
        None => bail!("empty greeting"),
    }
}

fn packet(seq: u8, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap_or(0).to_le_bytes();
    let mut out = vec![len[0], len[1], len[2], seq];
    out.extend_from_slice(payload);
    out
}

/// HandshakeResponse41 for [`PROBE_USER`] with an empty password.
pub fn login_packet() -> Vec<u8> {
    const CLIENT_LONG_PASSWORD: u32 = 1;
    const CLIENT_PROTOCOL_41: u32 = 0x200;
    const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
    const CLIENT_PLUGIN_AUTH: u32 = 0x8_0000;
    let caps =
        CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH;
    let mut p = Vec::new();
    p.extend_from_slice(&caps.to_le_bytes());
    p.extend_from_slice(&(16u32 * 1024 * 1024).to_le_bytes());
    p.push(45); // utf8mb4_general_ci
    p.extend_from_slice(&[0; 23]);
    p.extend_from_slice(PROBE_USER.as_bytes());
    p.push(0);
    p.push(0); // empty auth response
    p.extend_from_slice(b"mysql_native_password\0");
    packet(1, &p)
}

/// Probes the MariaDB server at `addr`.
pub fn probe(addr: &str, timeout: Duration) -> Result<Reading> {
    let mut stream = connect(addr, timeout)?;
    let (_, payload) = read_packet(&mut stream)?;
    let version = match parse_greeting(&payload)? {
        Greeting::Handshake(v) => v,
        Greeting::Error(code, msg) => bail!("server refused the connection: {code}: {msg}"),
    };
    // Finish the exchange (see the module comment); its outcome does not change the verdict.
    let _ = stream.write_all(&login_packet());
    for _ in 0..3 {
        match read_packet(&mut stream) {
            Ok((s, reply)) => match reply.first() {
                Some(0) => {
                    let _ = stream.write_all(&packet(0, &[1])); // COM_QUIT
                    break;
                }
                Some(0xfe) => {
                    // Auth switch: answer with an empty response and read the verdict.
                    let _ = stream.write_all(&packet(s.wrapping_add(1), &[]));
                }
                _ => break,
            },
            Err(_) => break,
        }
    }
    let mut r = Reading::default();
    r.value("up", 1.0);
    r.info("version", version);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A MariaDB 10.11 greeting as captured on the wire (scramble zeroed).
    fn greeting() -> Vec<u8> {
        let mut p = vec![10];
        p.extend_from_slice(b"5.5.5-10.11.6-MariaDB-0+deb12u1\0");
        p.extend_from_slice(&[7, 0, 0, 0]); // connection id
        p.extend_from_slice(&[0; 8]);
        p.push(0);
        p.extend_from_slice(&[0xfe, 0xf7, 45, 2, 0, 0xff, 0x81, 21]);
        p.extend_from_slice(&[0; 10]);
        p.extend_from_slice(&[0; 13]);
        p.extend_from_slice(b"mysql_native_password\0");
        packet(0, &p)
    }

    #[test]
    fn recognises_a_greeting() {
        let wire = greeting();
        let (seq, payload) = read_packet(&mut wire.as_slice()).expect("packet");
        assert_eq!(seq, 0);
        assert_eq!(wire[4], 10);
        assert_eq!(
            parse_greeting(&payload).expect("greeting"),
            Greeting::Handshake("10.11.6-MariaDB-0+deb12u1".into())
        );
    }

    #[test]
    fn recognises_an_error_and_garbage() {
        let mut p = vec![0xff, 0x69, 0x04];
        p.extend_from_slice(b"Host '172.18.0.5' is blocked because of many connection errors");
        assert_eq!(
            parse_greeting(&p).expect("error packet"),
            Greeting::Error(
                1129,
                "Host '172.18.0.5' is blocked because of many connection errors".into()
            )
        );
        assert!(parse_greeting(b"SSH-2.0-OpenSSH").is_err());
        assert!(read_packet(&mut &[1u8, 0][..]).is_err());
    }

    #[test]
    fn login_packet_shape() {
        let p = login_packet();
        assert_eq!(usize::from(p[0]) | usize::from(p[1]) << 8, p.len() - 4);
        assert_eq!(p[3], 1, "sequence id after the greeting");
        let needle = PROBE_USER.as_bytes();
        assert!(p.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn probes_a_fake_server() {
        use std::net::TcpListener;
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        let server = std::thread::spawn(move || {
            let (mut sock, _) = listener.accept().expect("accept");
            sock.write_all(&greeting()).expect("greet");
            let (seq, login) = read_packet(&mut sock).expect("login");
            let mut err = vec![0xff, 0x15, 0x04];
            err.extend_from_slice(b"#28000Access denied");
            sock.write_all(&packet(seq + 1, &err)).expect("deny");
            login
        });
        let r = probe(&addr, Duration::from_secs(2)).expect("up");
        assert_eq!(r.values.get("up"), Some(&1.0));
        let login = server.join().expect("server");
        assert!(login
            .windows(PROBE_USER.len())
            .any(|w| w == PROBE_USER.as_bytes()));
    }
}
