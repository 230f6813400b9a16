//! M6 in the nginx configuration: `ssl_protocols` lists TLSv1.2/TLSv1.3 only (and is
//! present: older nginx builds default to TLSv1 and TLSv1.1 too), nothing listens on port 80
//! and no server redirects plain HTTP to HTTPS (the subject wants 443 only, not a redirect).
//! Every text file under `srcs/` is searched, so configs written by a script or a
//! Dockerfile `RUN echo` are found as well as `.conf` templates.

use crate::check::Ctx;
use crate::finding::{Evidence, Finding};

const ALLOWED: &[&str] = &["TLSv1.2", "TLSv1.3"];

/// Runs the nginx checks.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut protocols_ok = Vec::new();
    let mut protocols_bad = Vec::new();
    let mut plain_http = Vec::new();
    for f in ctx.repo.srcs_files() {
        let Some(text) = ctx.repo.text(&f) else {
            continue;
        };
        if !text.contains("ssl_protocols")
            && !text.contains("listen")
            && !text.contains("return")
            && !text.contains("rewrite")
        {
            continue;
        }
        for (i, raw) in text.lines().enumerate() {
            let l = raw.trim();
            if l.starts_with('#') || l.starts_with("//") {
                continue;
            }
            let n = i + 1;
            if let Some(pos) = l.find("ssl_protocols") {
                let rest = &l[pos + "ssl_protocols".len()..];
                let rest = rest.split(';').next().unwrap_or(rest);
                let protos: Vec<&str> = rest
                    .split_whitespace()
                    .map(|p| p.trim_matches(|c| c == '"' || c == '\'' || c == '\\'))
                    .filter(|p| !p.is_empty())
                    .collect();
                let bad: Vec<&str> = protos
                    .iter()
                    .copied()
                    .filter(|p| !ALLOWED.contains(p))
                    .collect();
                if protos.is_empty() || !bad.is_empty() {
                    protocols_bad.push(Evidence::line(
                        &f,
                        n,
                        format!(
                            "{l} (not allowed: {})",
                            if bad.is_empty() {
                                "empty".to_string()
                            } else {
                                bad.join(" ")
                            }
                        ),
                    ));
                } else {
                    protocols_ok.push(Evidence::line(&f, n, l));
                }
            }
            if let Some(rest) = l
                .strip_prefix("listen ")
                .or_else(|| l.strip_prefix("listen\t"))
            {
                if rest.contains(';') {
                    let addr = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches(';');
                    let port = addr.rsplit(':').next().unwrap_or(addr);
                    if port == "80" {
                        plain_http.push(Evidence::line(
                            &f,
                            n,
                            format!("{l} (plain HTTP on port 80)"),
                        ));
                    }
                }
            }
            let redirect = (l.starts_with("return 301")
                || l.starts_with("return 302")
                || l.starts_with("return 307")
                || l.starts_with("return 308"))
                && l.contains("https://")
                || l.starts_with("rewrite") && l.contains("https://");
            if redirect {
                plain_http.push(Evidence::line(
                    &f,
                    n,
                    format!("{l} (HTTP→HTTPS redirect: port 80 must refuse, not redirect)"),
                ));
            }
        }
    }
    let mut out = Vec::new();
    let rule = "NGINX accepts TLSv1.2 and TLSv1.3 only (`ssl_protocols`)";
    if !protocols_bad.is_empty() {
        out.push(
            Finding::fail(
                "M6",
                rule,
                "Write `ssl_protocols TLSv1.2 TLSv1.3;` in every server/http block that sets it.",
            )
            .with_all(protocols_bad),
        );
    } else if protocols_ok.is_empty() {
        out.push(Finding::fail("M6", rule, "Add `ssl_protocols TLSv1.2 TLSv1.3;` to the nginx configuration: without it, older nginx builds also accept TLSv1 and TLSv1.1.")
            .with(Evidence::file("srcs", "no ssl_protocols directive anywhere under srcs/")));
    } else {
        out.push(Finding::pass("M6", rule).with_all(protocols_ok));
    }
    let rule = "NGINX serves port 443 only: no `listen 80`, no HTTP→HTTPS redirect";
    if plain_http.is_empty() {
        out.push(
            Finding::pass("M6", rule)
                .with(Evidence::file("srcs", "no listen 80, no redirect to https")),
        );
    } else {
        out.push(
            Finding::fail(
                "M6",
                rule,
                "Remove the port-80 server block: plain HTTP must be refused, not redirected.",
            )
            .with_all(plain_http),
        );
    }
    out
}
