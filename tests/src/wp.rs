//! WordPress as a person uses it: log in through wp-login.php, write through the REST API
//! with the cookie and nonce the admin screens use, read the public pages.

use crate::ctx::Ctx;
use anyhow::{bail, ensure, Context, Result};
use probes::{HttpsClient, Response};
use std::time::Duration;

/// A fresh HTTPS client for the test stack's domain.
pub fn client(ctx: &Ctx) -> Result<HttpsClient> {
    Ok(HttpsClient::new(
        ctx.https_addr(),
        &ctx.domain(),
        Duration::from_secs(20),
    )?)
}

/// GET that must end in 200, following redirects within the site (WordPress sends
/// `/?page_id=2` on to its pretty permalink).
pub fn get_ok(client: &mut HttpsClient, path: &str) -> Result<Response> {
    let mut path = path.to_owned();
    for _ in 0..5 {
        let resp = client.get(&path).with_context(|| format!("GET {path}"))?;
        match (resp.status, resp.location()) {
            (200, _) => return Ok(resp),
            (301 | 302 | 307 | 308, Some(location)) => {
                let local = location.split_once("://").map_or(location, |(_, rest)| {
                    rest.find('/').map_or("/", |i| &rest[i..])
                });
                path = local.to_owned();
            }
            (status, _) => bail!("GET {path} answered {status}"),
        }
    }
    bail!("GET {path}: too many redirects")
}

/// Logs `user` in through the real login form; returns the client holding the session.
pub fn login(ctx: &Ctx, user: &str, password: &str) -> Result<HttpsClient> {
    let mut c = client(ctx)?;
    get_ok(&mut c, "/wp-login.php")?;
    let target = format!("https://{}/wp-admin/", ctx.domain());
    let resp = c.post_form(
        "/wp-login.php",
        &[
            ("log", user),
            ("pwd", password),
            ("wp-submit", "Log In"),
            ("redirect_to", &target),
            ("testcookie", "1"),
        ],
    )?;
    let logged_in = c
        .cookies()
        .iter()
        .any(|(name, _)| name.starts_with("wordpress_logged_in_"));
    if resp.status != 302 || !logged_in {
        let text = resp.text();
        let reason = text
            .split("id=\"login_error\"")
            .nth(1)
            .map(|s| s.chars().take(300).collect::<String>())
            .unwrap_or_default();
        bail!(
            "login of {user} failed: status {}, no session cookie {reason}",
            resp.status
        );
    }
    ensure!(
        resp.location().is_some_and(|l| l.contains("/wp-admin")),
        "login redirected to {:?}",
        resp.location()
    );
    Ok(c)
}

/// The REST nonce of a logged-in session (what the block editor sends as X-WP-Nonce).
pub fn rest_nonce(c: &mut HttpsClient) -> Result<String> {
    let resp = get_ok(c, "/wp-admin/admin-ajax.php?action=rest-nonce")?;
    let nonce = resp.text().trim().to_owned();
    ensure!(
        !nonce.is_empty() && nonce.len() < 20 && nonce.chars().all(|c| c.is_ascii_alphanumeric()),
        "unexpected nonce answer {nonce:?}"
    );
    Ok(nonce)
}

/// POSTs a form to a REST route with the session's nonce; the answer must be 2xx.
pub fn rest_post(c: &mut HttpsClient, route: &str, fields: &[(&str, &str)]) -> Result<String> {
    let nonce = rest_nonce(c)?;
    let path = format!("/?rest_route={route}&_wpnonce={nonce}");
    let resp = c.post_form(&path, fields)?;
    ensure!(
        (200..300).contains(&resp.status),
        "POST {route} answered {}: {}",
        resp.status,
        resp.text().chars().take(300).collect::<String>()
    );
    Ok(resp.text())
}
