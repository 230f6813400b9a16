//! The real server on a loopback port, spoken to over raw TCP.

use site::assets::{crc32, Site};
use site::Config;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Starts the server with `config` on 127.0.0.1, port chosen by the system.
fn start_with(config: Config) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || site::serve_with(listener, Arc::new(Site::at_startup()), &config));
    addr
}

fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    thread::spawn(move || site::serve(listener));
    addr
}

/// A parsed response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client connection that can send several requests.
struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        Self {
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, raw: &str) {
        self.reader
            .get_mut()
            .write_all(raw.as_bytes())
            .expect("send request");
    }

    /// Reads one response; `head` says whether it answers a HEAD (no content follows).
    fn read(&mut self, head: bool) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let mut parts = line.trim_end().splitn(3, ' ');
        assert_eq!(parts.next(), Some("HTTP/1.1"), "status line {line:?}");
        let status: u16 = parts
            .next()
            .and_then(|code| code.parse().ok())
            .expect("status code");
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header line");
            let text = line.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                break;
            }
            let (name, value) = text.split_once(':').expect("header colon");
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        if !head && status != 304 {
            let length: usize = reply
                .header("Content-Length")
                .expect("every response has a Content-Length")
                .parse()
                .expect("numeric length");
            reply.body = vec![0; length];
            self.reader
                .read_exact(&mut reply.body)
                .expect("response body");
        }
        reply
    }

    fn request(&mut self, raw: &str) -> Reply {
        self.send(raw);
        self.read(raw.starts_with("HEAD "))
    }

    /// Whether the server closed the connection (EOF or reset within the read timeout).
    fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match self.reader.read(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(error) => matches!(
                error.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
        }
    }
}

fn get(addr: SocketAddr, path: &str, extra: &str) -> Reply {
    Client::connect(addr).request(&format!(
        "GET {path} HTTP/1.1\r\nHost: test.42.fr\r\n{extra}Connection: close\r\n\r\n"
    ))
}

/// The values of the `href` and `src` attributes of an HTML page.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let value = &rest[start + attribute.len()..];
            let end = value.find('"').expect("closing quote");
            found.push(value[..end].to_owned());
            rest = &value[end..];
        }
    }
    found
}

/// Resolves a relative reference against the path of the page that holds it; panics on an
/// absolute one, which would break under nginx's `/site/` prefix.
fn resolve(base: &str, reference: &str) -> String {
    assert!(
        !reference.starts_with('/') && !reference.contains("://"),
        "{reference:?} is not relative: it breaks under /site/"
    );
    let mut segments: Vec<&str> = base.split('/').collect();
    segments.pop(); // the page's own name
    for part in reference.split('/') {
        match part {
            "." => {}
            ".." => {
                assert!(
                    segments.len() > 1,
                    "{reference:?} climbs above the site root"
                );
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let path = segments.join("/");
    if reference.ends_with('/') || reference == "." || reference.ends_with("/.") {
        format!("{}/", path.trim_end_matches('/'))
    } else {
        path
    }
}

fn expected_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "text/html; charset=utf-8",
    }
}

/// Fetches every reference of the page at `page_path` and checks it answers 200 with the
/// right type; returns how many were checked.
fn check_links(addr: SocketAddr, page_path: &str, page: &str) -> usize {
    let mut checked = 0;
    for reference in references(page) {
        if let Some(anchor) = reference.strip_prefix('#') {
            let id = format!("id=\"{anchor}\"");
            assert!(page.contains(&id), "anchor {reference} has no target");
            continue;
        }
        let path = resolve(page_path, &reference);
        let reply = get(addr, &path, "");
        assert_eq!(reply.status, 200, "{reference} (resolved to {path})");
        assert_eq!(
            reply.header("Content-Type"),
            Some(expected_type(&path)),
            "{path}"
        );
        checked += 1;
    }
    checked
}

#[test]
fn index_is_html_with_validators() {
    let addr = start();
    let reply = get(addr, "/", "");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(reply.header("ETag").is_some_and(|tag| tag.starts_with('"')));
    assert!(reply
        .header("Last-Modified")
        .is_some_and(|d| d.ends_with(" GMT")));
    assert_eq!(reply.header("Cache-Control"), Some("public, max-age=300"));
    assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(reply.header("Connection"), Some("close"));
    assert!(reply.text().contains("<h2>Security</h2>"));
    // The same page under its own name.
    assert_eq!(get(addr, "/index.html", "").body, reply.body);
}

#[test]
fn conditional_requests_answer_304_without_body() {
    let addr = start();
    let first = get(addr, "/", "");
    let etag = first.header("ETag").expect("ETag").to_owned();
    let modified = first
        .header("Last-Modified")
        .expect("Last-Modified")
        .to_owned();

    let mut client = Client::connect(addr);
    let again = client.request(&format!(
        "GET / HTTP/1.1\r\nHost: t\r\nIf-None-Match: {etag}\r\n\r\n"
    ));
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("ETag"), Some(etag.as_str()));
    // Nothing followed the 304 head: the next response on the connection parses cleanly.
    let since = client.request(&format!(
        "GET / HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: {modified}\r\n\r\n"
    ));
    assert_eq!(since.status, 304);
    let changed = client.request("GET / HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"stale\"\r\n\r\n");
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body, first.body);
}

#[test]
fn gzip_is_negotiated_and_decompresses_to_the_original() {
    let addr = start();
    for path in ["/", "/style.css", "/architecture.svg"] {
        let plain = get(addr, path, "");
        let packed = get(addr, path, "Accept-Encoding: br, gzip, deflate\r\n");
        assert_eq!(plain.header("Content-Encoding"), None, "{path}");
        assert_eq!(packed.header("Content-Encoding"), Some("gzip"), "{path}");
        assert_eq!(packed.header("Vary"), Some("Accept-Encoding"), "{path}");
        assert_eq!(plain.header("Vary"), Some("Accept-Encoding"), "{path}");
        assert_eq!(
            packed.header("Content-Type"),
            plain.header("Content-Type"),
            "{path}"
        );
        assert_ne!(packed.header("ETag"), plain.header("ETag"));
        assert!(packed.body.len() < plain.body.len());

        let gz = &packed.body;
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8], "gzip magic and deflate");
        let deflated = &gz[10..gz.len() - 8];
        let unpacked = miniz_oxide::inflate::decompress_to_vec(deflated).expect("inflate");
        assert_eq!(unpacked, plain.body, "{path}");
        let trailer = &gz[gz.len() - 8..];
        assert_eq!(trailer[..4], crc32(&plain.body).to_le_bytes());
        assert_eq!(
            trailer[4..],
            u32::try_from(plain.body.len())
                .expect("small")
                .to_le_bytes()
        );
    }
}

#[test]
fn every_link_of_the_pages_resolves() {
    let addr = start();
    let index = get(addr, "/", "").text();
    let checked = check_links(addr, "/", &index);
    // style.css, favicon.svg, architecture.svg at least.
    assert!(checked >= 3, "only {checked} links checked");

    // The 404 page's links work from any depth too.
    for path in ["/missing", "/deep/er/page", "/dir/"] {
        let reply = get(addr, path, "");
        assert_eq!(reply.status, 404);
        assert!(check_links(addr, path, &reply.text()) >= 3, "{path}");
    }
}

#[test]
fn assets_have_their_types_and_a_day_of_cache() {
    let addr = start();
    for (path, content_type) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/architecture.svg", "image/svg+xml"),
        ("/favicon.svg", "image/svg+xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let reply = get(addr, path, "");
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("Content-Type"), Some(content_type), "{path}");
        assert_eq!(
            reply.header("Cache-Control"),
            Some("public, max-age=86400"),
            "{path}"
        );
    }
    // Query strings are ignored.
    assert_eq!(get(addr, "/style.css?v=42", "").status, 200);
}

#[test]
fn head_sends_the_headers_and_no_body() {
    let addr = start();
    let full = get(addr, "/style.css", "");
    let mut client = Client::connect(addr);
    let head = client.request("HEAD /style.css HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("Content-Length"),
        Some(full.body.len().to_string().as_str())
    );
    assert_eq!(head.header("ETag"), full.header("ETag"));
    assert_eq!(head.header("Content-Type"), full.header("Content-Type"));
    // Had any content followed the HEAD response, this would not parse as a status line.
    let next = client.request("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(next.status, 200);
}

#[test]
fn other_methods_are_405_with_allow() {
    let addr = start();
    let mut client = Client::connect(addr);
    let reply = client.request("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
    // The unread body must not be taken for a request: the server closes instead.
    assert_eq!(reply.header("Connection"), Some("close"));
    assert!(client.is_closed());

    let delete = get(addr, "/", "").status;
    assert_eq!(delete, 200);
    let reply = Client::connect(addr).request("DELETE /style.css HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(reply.status, 405);
}

#[test]
fn traversal_and_unknown_paths_are_404_html() {
    let addr = start();
    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/nope",
        "/src/main.rs",
        "/Cargo.toml",
    ] {
        let reply = get(addr, path, "");
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.header("Content-Type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        assert!(!reply.text().contains("root:"), "{path}");
    }
}

#[test]
fn healthz_answers_ok() {
    let addr = start();
    let reply = get(addr, "/healthz", "");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "ok\n");
    assert_eq!(reply.header("Cache-Control"), Some("no-store"));
}

#[test]
fn oversized_and_malformed_requests_are_refused() {
    let addr = start();
    let big = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nCookie: {}\r\n\r\n",
        "x".repeat(16 * 1024)
    );
    let mut client = Client::connect(addr);
    let reply = client.request(&big);
    assert_eq!(reply.status, 431);
    assert!(client.is_closed());

    let long = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "a".repeat(9000));
    assert_eq!(Client::connect(addr).request(&long).status, 414);

    for bad in [
        "GET / HTTP/1.1\r\n\r\n",
        "GET /\r\n\r\n",
        "NOT-HTTP\r\n\r\n",
        "GET / HTTP/1.1\r\nHost t\r\n\r\n",
    ] {
        assert_eq!(Client::connect(addr).request(bad).status, 400, "{bad:?}");
    }
    assert_eq!(
        Client::connect(addr)
            .request("GET / HTTP/2.0\r\nHost: t\r\n\r\n")
            .status,
        505
    );
}

#[test]
fn keep_alive_serves_several_requests_then_honours_close() {
    let addr = start();
    let mut client = Client::connect(addr);
    let first = client.request("GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(first.status, 200);
    assert_eq!(first.header("Connection"), None);
    let second = client.request("GET /style.css HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(second.status, 200);
    // Pipelined: two requests in one write, two responses in order.
    client.send(
        "GET /favicon.svg HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    assert_eq!(
        client.read(false).header("Content-Type"),
        Some("image/svg+xml")
    );
    assert_eq!(client.read(false).text(), "ok\n");
    let last = client.request("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(last.header("Connection"), Some("close"));
    assert!(client.is_closed());

    // HTTP/1.0 closes unless asked to keep the connection.
    let mut old = Client::connect(addr);
    let reply = old.request("GET /healthz HTTP/1.0\r\n\r\n");
    assert_eq!(reply.header("Connection"), Some("close"));
    assert!(old.is_closed());
    let mut old = Client::connect(addr);
    let reply = old.request("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(reply.header("Connection"), Some("keep-alive"));
    assert_eq!(
        old.request("GET /healthz HTTP/1.0\r\n\r\n").status,
        200,
        "second request on a kept HTTP/1.0 connection"
    );
}

#[test]
fn idle_and_slow_connections_are_closed_after_the_timeout() {
    let addr = start_with(Config {
        request_timeout: Duration::from_millis(300),
        ..Config::default()
    });
    let started = Instant::now();
    let mut idle = Client::connect(addr);
    assert!(idle.is_closed());
    assert!(started.elapsed() < Duration::from_secs(3));

    // A head trickled in byte by byte does not extend the deadline.
    let mut slow = Client::connect(addr);
    let started = Instant::now();
    for byte in b"GET / HTTP/1.1\r\nHost: t\r\n".iter().cycle().take(40) {
        if slow.reader.get_mut().write_all(&[*byte]).is_err() {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }
    assert!(slow.is_closed());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn connections_over_the_cap_get_503() {
    let addr = start_with(Config {
        max_connections: 1,
        ..Config::default()
    });
    let mut holder = Client::connect(addr);
    assert_eq!(
        holder
            .request("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            .status,
        200
    );
    let mut refused = Client::connect(addr);
    let reply = refused.read(false);
    assert_eq!(reply.status, 503);
    assert_eq!(reply.header("Retry-After"), Some("1"));
    drop(holder);
    // The slot is freed when the first connection ends.
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let status = get(addr, "/healthz", "").status;
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "slot never freed");
        thread::sleep(Duration::from_millis(20));
    }
}
