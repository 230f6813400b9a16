//! The HTTPS client against a tiny in-process TLS server (openssl `SslAcceptor` on
//! 127.0.0.1:0), and the plain-HTTP check against loopback listeners.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{unused_addr, OneShot, SServer, FIXTURE_TIMEOUT};
use openssl::ssl::{SslAcceptor, SslMethod};
use probes::{http_plain_get, Error, HttpsClient, USER_AGENT};

const TIMEOUT: Duration = Duration::from_secs(5);
const HOST: &str = "wp.test";

/// One request as the test server saw it.
#[derive(Debug)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Serves `connections` TLS connections, one request each, reporting every request.
fn tls_server(connections: usize) -> (SocketAddr, mpsc::Receiver<Seen>, thread::JoinHandle<()>) {
    let (cert, key) = common::self_signed(HOST);
    let mut acceptor =
        SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server()).expect("acceptor");
    acceptor.set_certificate(&cert).expect("cert");
    acceptor.set_private_key(&key).expect("key");
    let acceptor = acceptor.build();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        for _ in 0..connections {
            let (tcp, _) = listener.accept().expect("accept");
            tcp.set_read_timeout(Some(FIXTURE_TIMEOUT))
                .expect("timeout");
            let mut tls = acceptor.accept(tcp).expect("server handshake");
            let seen = read_request(&mut tls);
            let reply = respond(&seen);
            tls.write_all(&reply).expect("write reply");
            if seen.request_line.starts_with("GET /close-delimited ") {
                // Drop without close_notify: the client must still take the body.
                drop(tls);
            } else {
                let _ = tls.shutdown();
            }
            tx.send(seen).expect("report");
        }
    });
    (addr, rx, handle)
}

fn read_request(stream: &mut impl Read) -> Seen {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("request line");
    let request_line = line.trim_end().to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header line");
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':').expect("header colon");
        headers.push((n.to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().expect("numeric length"));
    let mut body = vec![0; len];
    reader.read_exact(&mut body).expect("request body");
    Seen {
        request_line,
        headers,
        body,
    }
}

fn respond(seen: &Seen) -> Vec<u8> {
    let path = seen.request_line.split(' ').nth(1).unwrap_or("");
    match path {
        "/set-cookies" => b"HTTP/1.1 200 OK\r\n\
            Set-Cookie: session=abc; path=/; HttpOnly\r\n\
            set-cookie: wordpress_test_cookie=WP%20Cookie%20check; path=/; secure\r\n\
            Transfer-Encoding: chunked\r\n\r\n\
            6\r\nhello \r\nd;ext=1\r\nchunked world\r\n0\r\n\r\n"
            .to_vec(),
        "/echo-cookie" => {
            let cookie = seen.header("cookie").unwrap_or("<none>");
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{cookie}",
                cookie.len()
            )
            .into_bytes()
        }
        "/wp-login.php" => b"HTTP/1.1 302 Found\r\n\
            Location: https://wp.test/wp-admin/\r\n\
            Set-Cookie: session=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0\r\n\
            Set-Cookie: wordpress_logged_in_0123=admin%7C1; path=/\r\n\
            Content-Length: 0\r\n\r\n"
            .to_vec(),
        "/close-delimited" => {
            b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end".to_vec()
        }
        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_vec(),
    }
}

#[test]
fn get_post_and_cookie_round_trip() {
    let (addr, seen, server) = tls_server(5);
    let mut client = HttpsClient::new(addr, HOST, TIMEOUT).expect("client");

    // GET with a chunked body and two cookies.
    let r = client.get("/set-cookies").expect("GET /set-cookies");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello chunked world");
    assert_eq!(client.cookies().get("session"), Some("abc"));
    assert_eq!(
        client.cookies().get("wordpress_test_cookie"),
        Some("WP%20Cookie%20check")
    );
    let first = seen.recv_timeout(FIXTURE_TIMEOUT).expect("first request");
    assert_eq!(first.request_line, "GET /set-cookies HTTP/1.1");
    assert_eq!(
        first.header("host"),
        Some(format!("{HOST}:{}", addr.port()).as_str())
    );
    assert_eq!(first.header("user-agent"), Some(USER_AGENT));
    assert_eq!(first.header("connection"), Some("close"));
    assert_eq!(first.header("cookie"), None, "jar was empty");

    // The cookies come back.
    let r = client.get("/echo-cookie").expect("GET /echo-cookie");
    assert_eq!(
        r.text(),
        "session=abc; wordpress_test_cookie=WP%20Cookie%20check"
    );
    seen.recv_timeout(FIXTURE_TIMEOUT).expect("second request");

    // A login-like POST: exact encoding on the wire, redirect not followed, the session
    // cookie deleted and a new one set.
    let password = "p@ss w&rd=+%/é~";
    let r = client
        .post_form(
            "/wp-login.php",
            &[("log", "admin"), ("pwd", password), ("testcookie", "1")],
        )
        .expect("POST /wp-login.php");
    assert_eq!(r.status, 302);
    assert_eq!(r.location(), Some("https://wp.test/wp-admin/"));
    let post = seen.recv_timeout(FIXTURE_TIMEOUT).expect("third request");
    assert_eq!(post.request_line, "POST /wp-login.php HTTP/1.1");
    assert_eq!(
        post.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        String::from_utf8(post.body).expect("ASCII body"),
        "log=admin&pwd=p%40ss%20w%26rd%3D%2B%25%2F%C3%A9~&testcookie=1"
    );
    assert_eq!(
        client.cookies().get("session"),
        None,
        "deleted by Max-Age=0"
    );
    assert_eq!(
        client.cookies().get("wordpress_logged_in_0123"),
        Some("admin%7C1")
    );

    let r = client.get("/echo-cookie").expect("GET /echo-cookie again");
    assert_eq!(
        r.text(),
        "wordpress_test_cookie=WP%20Cookie%20check; wordpress_logged_in_0123=admin%7C1"
    );
    seen.recv_timeout(FIXTURE_TIMEOUT).expect("fourth request");

    // A body delimited by the connection's end, closed without close_notify.
    let r = client
        .get("/close-delimited")
        .expect("GET /close-delimited");
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "until the end");
    assert_eq!(r.header("CONTENT-TYPE"), Some("text/plain"));

    server.join().expect("server thread");
}

#[test]
fn client_refuses_tls_below_1_2() {
    let server = SServer::start(&["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let mut client = HttpsClient::new(server.addr, HOST, TIMEOUT).expect("client");
    let err = client.get("/").expect_err("TLS 1.1 must not be used");
    assert!(matches!(err, Error::Handshake { .. }), "{err}");
}

#[test]
fn request_deadline_covers_the_whole_exchange() {
    let server = OneShot::serve(|mut s| {
        let mut sink = Vec::new();
        let _ = s.read_to_end(&mut sink);
    });
    let mut client =
        HttpsClient::new(server.addr, HOST, Duration::from_millis(300)).expect("client");
    let start = Instant::now();
    let err = client.get("/").expect_err("silent server");
    assert!(err.is_timeout(), "{err}");
    assert!(start.elapsed() < Duration::from_secs(3));
    server.join();
}

#[test]
fn invalid_paths_are_refused_before_connecting() {
    let mut client = HttpsClient::new(unused_addr(), HOST, TIMEOUT).expect("client");
    let err = client.get("/x\r\nInjected: 1").expect_err("CRLF in path");
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
}

#[test]
fn plain_http_reports_status_or_refusal() {
    let server = OneShot::serve(|mut s| {
        let seen = read_request(&mut s);
        assert_eq!(seen.request_line, "GET / HTTP/1.1");
        assert_eq!(
            seen.header("host"),
            Some(format!("{HOST}:{}", s.local_addr().expect("addr").port()).as_str())
        );
        s.write_all(b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://wp.test/\r\n\r\n")
            .expect("reply");
    });
    assert_eq!(
        http_plain_get(server.addr, HOST, TIMEOUT).expect("status"),
        301
    );
    server.join();

    let err = http_plain_get(unused_addr(), HOST, TIMEOUT).expect_err("nothing listens");
    assert!(err.is_connection_refused(), "{err}");
    assert!(
        err.to_string().contains("127.0.0.1"),
        "names the address: {err}"
    );
}

#[test]
fn plain_http_to_a_tls_port_is_an_error_not_a_refusal() {
    let server = SServer::start(&[]);
    let err = http_plain_get(server.addr, HOST, TIMEOUT).expect_err("TLS port");
    assert!(!err.is_connection_refused(), "{err}");
}
