//! Test fixtures shared by the integration tests of `probes` and `inception`: throwaway
//! certificates, temp dirs, an `openssl s_server` guard and one-connection fake TCP servers.
//! One copy, so a fix to a fixture reaches every test that uses it.
//!
//! Every server here listens on 127.0.0.1 only, serves a bounded number of connections and
//! is stopped when its guard drops, so a failing test cannot leave anything behind.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{SslAcceptor, SslMethod, SslOptions, SslVersion};
use openssl::x509::{X509NameBuilder, X509};

/// How long any fixture waits for a server to come up or a peer to talk.
pub const FIXTURE_TIMEOUT: Duration = Duration::from_secs(10);

/// A directory removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A fresh directory under the system temp dir, named after `tag`, this process and a
    /// counter, so parallel tests never share one.
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("probes-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh self-signed RSA-2048/SHA-256 certificate for `cn`, valid for a day.
pub fn self_signed(cn: &str) -> (X509, PKey<Private>) {
    let key = PKey::from_rsa(Rsa::generate(2048).expect("generate RSA key")).expect("pkey");
    let mut name = X509NameBuilder::new().expect("name builder");
    name.append_entry_by_text("CN", cn).expect("CN");
    let name = name.build();
    let mut cert = X509::builder().expect("x509 builder");
    cert.set_version(2).expect("version");
    let serial = BigNum::from_u32(1)
        .and_then(|n| n.to_asn1_integer())
        .expect("serial");
    cert.set_serial_number(&serial).expect("set serial");
    cert.set_subject_name(&name).expect("subject");
    cert.set_issuer_name(&name).expect("issuer");
    cert.set_pubkey(&key).expect("pubkey");
    cert.set_not_before(&Asn1Time::days_from_now(0).expect("now"))
        .expect("not before");
    cert.set_not_after(&Asn1Time::days_from_now(1).expect("tomorrow"))
        .expect("not after");
    cert.sign(&key, MessageDigest::sha256()).expect("sign");
    (cert.build(), key)
}

/// A running `openssl s_server`, killed and reaped on drop.
pub struct SServer {
    /// Where s_server listens (it chose the port itself).
    pub addr: SocketAddr,
    child: Child,
    // Held open: s_server treats EOF on stdin as "quit".
    _stdin: ChildStdin,
    dir: TempDir,
}

impl SServer {
    /// Starts `openssl s_server -www` on a free loopback port with a throwaway certificate,
    /// plus `extra` arguments (protocol and cipher restrictions).
    ///
    /// The port is chosen by s_server binding port 0 itself and reported on its `ACCEPT`
    /// line, which avoids the race of probing for a free port and binding it later.
    pub fn start(extra: &[&str]) -> Self {
        let dir = TempDir::new("s_server");
        let (cert, key) = self_signed("probe.test");
        let cert_path = dir.path().join("cert.pem");
        let key_path = dir.path().join("key.pem");
        std::fs::write(&cert_path, cert.to_pem().expect("cert pem")).expect("write cert");
        std::fs::write(&key_path, key.private_key_to_pem_pkcs8().expect("key pem"))
            .expect("write key");
        let stderr = std::fs::File::create(dir.path().join("stderr.txt")).expect("stderr file");

        let mut child = Command::new("openssl")
            .arg("s_server")
            .args(["-accept", "127.0.0.1:0", "-www"])
            .arg("-cert")
            .arg(&cert_path)
            .arg("-key")
            .arg(&key_path)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn `openssl s_server` (Debian package openssl)");
        let stdin = child.stdin.take().expect("stdin piped");
        let stdout = child.stdout.take().expect("stdout piped");

        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("ACCEPT ") {
                    let _ = tx.send(addr.trim().to_owned());
                }
            }
        });
        let mut server = Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            child,
            _stdin: stdin,
            dir,
        };
        match rx.recv_timeout(FIXTURE_TIMEOUT) {
            Ok(addr) => server.addr = addr.parse().expect("ACCEPT line holds an address"),
            Err(_) => panic!("s_server {extra:?} did not start: {}", server.stderr()),
        }
        server
    }

    /// What s_server wrote to stderr so far, for failure messages.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap_or_default()
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Accepts exactly one connection on a fresh loopback port and hands it to `handle` in a
/// thread. The thread is joined by [`OneShot::join`] (or detached on drop).
pub struct OneShot {
    /// Where the fake server listens.
    pub addr: SocketAddr,
    handle: Option<thread::JoinHandle<()>>,
}

impl OneShot {
    /// Binds a free loopback port and serves one connection with `handle`.
    pub fn serve(handle: impl FnOnce(TcpStream) + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let handle = thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                stream
                    .set_read_timeout(Some(FIXTURE_TIMEOUT))
                    .expect("read timeout");
                handle(stream);
            }
        });
        Self {
            addr,
            handle: Some(handle),
        }
    }

    /// Waits for the handler; its panic (a failed assertion) becomes the test's.
    pub fn join(mut self) {
        if let Some(h) = self.handle.take() {
            h.join().expect("fake server thread panicked");
        }
    }
}

/// Reads one whole TLS record (the ClientHello) so that closing afterwards is a clean FIN,
/// not a reset caused by unread data.
pub fn read_tls_record(stream: &mut TcpStream) -> Vec<u8> {
    let mut header = [0u8; 5];
    stream.read_exact(&mut header).expect("record header");
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).expect("record body");
    let mut record = header.to_vec();
    record.extend(body);
    record
}

/// A loopback address on which nothing listens (bound, then released).
pub fn unused_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("local addr")
}

/// A tiny explicit-TLS FTP server for `connections` connections: greeting, `AUTH TLS`
/// answered with `answer_auth`, then (on a 234) a TLS handshake. It accepts TLS 1.2 and
/// 1.3 only (Mozilla intermediate, like our vsftpd), or with `legacy` also TLS 1.0 and 1.1
/// at security level 0 (like a stack that forgot to restrict them).
pub fn ftps_server(connections: usize, answer_auth: &'static str, legacy: bool) -> SocketAddr {
    let (cert, key) = self_signed("ftp.test");
    let mut acceptor =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).expect("acceptor");
    acceptor.set_certificate(&cert).expect("cert");
    acceptor.set_private_key(&key).expect("key");
    if legacy {
        // mozilla_intermediate_v5 disables 1.0/1.1 by option as well as by minimum.
        acceptor.clear_options(SslOptions::NO_TLSV1 | SslOptions::NO_TLSV1_1);
        acceptor
            .set_min_proto_version(Some(SslVersion::TLS1))
            .expect("min version");
        acceptor
            .set_cipher_list("DEFAULT:@SECLEVEL=0")
            .expect("legacy ciphers");
    }
    let acceptor = acceptor.build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        for _ in 0..connections {
            let Ok((mut tcp, _)) = listener.accept() else {
                return;
            };
            tcp.set_read_timeout(Some(FIXTURE_TIMEOUT))
                .expect("timeout");
            tcp.write_all(b"220-Welcome\r\n220 ready\r\n")
                .expect("greeting");
            let mut line = String::new();
            BufReader::new(tcp.try_clone().expect("clone"))
                .read_line(&mut line)
                .expect("command");
            assert_eq!(line, "AUTH TLS\r\n");
            tcp.write_all(answer_auth.as_bytes()).expect("reply");
            if answer_auth.starts_with("234") {
                let _ = acceptor.accept(tcp);
            }
        }
    });
    addr
}
