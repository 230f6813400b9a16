//! From a request to a response: method check, health endpoint, asset lookup, content
//! negotiation and conditional requests.

use crate::assets::{Asset, Site};
use crate::http::{percent_decode, Request, Response, Status};
use std::time::SystemTime;

/// The path of the health endpoint used by the container's healthcheck.
pub const HEALTH_PATH: &str = "/healthz";

/// The answer of `site` to `request` at time `now`.
pub fn respond<'a>(site: &'a Site, request: &Request, now: SystemTime) -> Response<'a> {
    if request.method != "GET" && request.method != "HEAD" {
        return plain(Status::METHOD_NOT_ALLOWED, b"405 Method Not Allowed\n")
            .header("Allow", "GET, HEAD");
    }
    let Some(path) = percent_decode(&request.path) else {
        return plain(Status::BAD_REQUEST, b"400 Bad Request\n");
    };
    if path == HEALTH_PATH {
        return plain(Status::OK, b"ok\n");
    }
    match site.lookup(&path) {
        Some(asset) => serve_asset(site, asset, request, now),
        None => {
            let page = site.not_found();
            let body = String::from_utf8_lossy(&page.identity.body)
                .replace("{{root}}", &root_prefix(&request.path));
            with_asset_headers(Response::new(Status::NOT_FOUND, body.into_bytes()), page)
        }
    }
}

/// The relative URL of the site's root seen from `path`, so the 404 page's links work at
/// any depth and under any prefix nginx strips (`/a` gives `./`, `/a/b/c` gives `../../`).
fn root_prefix(path: &str) -> String {
    let depth = path.matches('/').count().saturating_sub(1);
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

/// A small text/plain answer that no cache keeps.
fn plain(status: Status, body: &'static [u8]) -> Response<'static> {
    Response::new(status, body)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
}

/// 200 with the negotiated representation, or 304 when the client's copy is current.
fn serve_asset<'a>(
    site: &Site,
    asset: &'a Asset,
    request: &Request,
    now: SystemTime,
) -> Response<'a> {
    let (variant, gzipped) = asset.variant(request.accepts_gzip());
    let last_modified = site.last_modified();
    let status = if request.not_modified(&variant.etag, last_modified, now) {
        Status::NOT_MODIFIED
    } else {
        Status::OK
    };
    let mut response = Response::new(status, &variant.body)
        .header("ETag", variant.etag.clone())
        .header("Last-Modified", crate::date::format(last_modified))
        .header("Cache-Control", asset.cache_control);
    if asset.gzip.is_some() {
        response = response.header("Vary", "Accept-Encoding");
    }
    if status == Status::NOT_MODIFIED {
        return response;
    }
    if gzipped {
        response = response.header("Content-Encoding", "gzip");
    }
    with_asset_headers(response, asset)
}

/// The representation headers of `asset`, and the security headers every page carries.
fn with_asset_headers<'a>(mut response: Response<'a>, asset: &Asset) -> Response<'a> {
    response = response
        .header("Content-Type", asset.content_type)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer");
    if let Some(policy) = asset.content_security_policy {
        response = response.header("Content-Security-Policy", policy);
    }
    if response.status == Status::NOT_FOUND {
        response = response.header("Cache-Control", asset.cache_control);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::from_unix_seconds;
    use crate::http::read_request;

    fn request(text: &str) -> Request {
        read_request(&mut text.as_bytes())
            .expect("valid")
            .expect("request")
    }

    fn header<'a>(response: &'a Response<'_>, name: &str) -> Option<&'a str> {
        response
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn site() -> Site {
        Site::new(from_unix_seconds(1_700_000_000))
    }

    const NOW: u64 = 1_700_000_100;

    #[test]
    fn methods_other_than_get_and_head_are_405() {
        let site = site();
        for method in ["POST", "PUT", "DELETE", "OPTIONS", "get"] {
            let r = respond(
                &site,
                &request(&format!("{method} / HTTP/1.1\r\nHost: a\r\n\r\n")),
                from_unix_seconds(NOW),
            );
            assert_eq!(r.status, Status::METHOD_NOT_ALLOWED, "{method}");
            assert_eq!(header(&r, "Allow"), Some("GET, HEAD"));
        }
    }

    #[test]
    fn index_with_validators_and_negotiated_gzip() {
        let site = site();
        let now = from_unix_seconds(NOW);
        let plain = respond(&site, &request("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), now);
        assert_eq!(plain.status, Status::OK);
        assert_eq!(
            header(&plain, "Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(header(&plain, "Content-Encoding"), None);
        assert_eq!(header(&plain, "Vary"), Some("Accept-Encoding"));
        assert_eq!(
            header(&plain, "Last-Modified"),
            Some("Tue, 14 Nov 2023 22:13:20 GMT")
        );
        assert_eq!(header(&plain, "Cache-Control"), Some("public, max-age=300"));
        assert!(header(&plain, "Content-Security-Policy").is_some());

        let gz = respond(
            &site,
            &request("GET /index.html HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n"),
            now,
        );
        assert_eq!(header(&gz, "Content-Encoding"), Some("gzip"));
        assert_ne!(header(&gz, "ETag"), header(&plain, "ETag"));
        assert!(gz.body.len() < plain.body.len());
    }

    #[test]
    fn conditional_requests_get_304_with_validators_and_no_body() {
        let site = site();
        let now = from_unix_seconds(NOW);
        let first = respond(
            &site,
            &request("GET /style.css HTTP/1.1\r\nHost: a\r\n\r\n"),
            now,
        );
        let etag = header(&first, "ETag").expect("etag").to_owned();
        let again = respond(
            &site,
            &request(&format!(
                "GET /style.css HTTP/1.1\r\nHost: a\r\nIf-None-Match: {etag}\r\n\r\n"
            )),
            now,
        );
        assert_eq!(again.status, Status::NOT_MODIFIED);
        assert_eq!(header(&again, "ETag"), Some(etag.as_str()));
        assert!(!again.sends_body(false));

        let since = respond(
            &site,
            &request(
                "GET /style.css HTTP/1.1\r\nHost: a\r\n\
                 If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n",
            ),
            now,
        );
        assert_eq!(since.status, Status::NOT_MODIFIED);

        // The identity tag does not validate the gzip representation.
        let other = respond(
            &site,
            &request(&format!(
                "GET /style.css HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\
                 If-None-Match: {etag}\r\n\r\n"
            )),
            now,
        );
        assert_eq!(other.status, Status::OK);
    }

    #[test]
    fn unknown_paths_get_the_html_404_page() {
        let site = site();
        for path in [
            "/nope",
            "/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/index.html/",
        ] {
            let r = respond(
                &site,
                &request(&format!("GET {path} HTTP/1.1\r\nHost: a\r\n\r\n")),
                from_unix_seconds(NOW),
            );
            assert_eq!(r.status, Status::NOT_FOUND, "{path}");
            assert_eq!(header(&r, "Content-Type"), Some("text/html; charset=utf-8"));
            let page = String::from_utf8_lossy(&r.body);
            assert!(page.contains("404"));
            assert!(!page.contains("{{root}}"));
        }
    }

    #[test]
    fn the_404_page_links_back_to_the_root_from_any_depth() {
        assert_eq!(root_prefix("/nope"), "./");
        assert_eq!(root_prefix("/a/b/c"), "../../");
        assert_eq!(root_prefix("/a/"), "../");
        let site = site();
        let r = respond(
            &site,
            &request("GET /a/b/c HTTP/1.1\r\nHost: a\r\n\r\n"),
            from_unix_seconds(NOW),
        );
        let page = String::from_utf8_lossy(&r.body);
        assert!(page.contains("href=\"../../style.css\""));
    }

    #[test]
    fn health_and_encoded_paths() {
        let site = site();
        let now = from_unix_seconds(NOW);
        let health = respond(
            &site,
            &request("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"),
            now,
        );
        assert_eq!(health.status, Status::OK);
        assert_eq!(&health.body[..], b"ok\n");
        assert_eq!(header(&health, "Cache-Control"), Some("no-store"));
        let encoded = respond(
            &site,
            &request("GET /style%2Ecss HTTP/1.1\r\nHost: a\r\n\r\n"),
            now,
        );
        assert_eq!(encoded.status, Status::OK);
        let bad = respond(&site, &request("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n"), now);
        assert_eq!(bad.status, Status::BAD_REQUEST);
    }
}
