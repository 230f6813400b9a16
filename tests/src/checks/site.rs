//! Checks through the front door: TLS, HTTP, and WordPress itself.

use crate::audit;
use crate::ctx::Ctx;
use crate::docker;
use crate::wp;
use anyhow::{ensure, Context, Result};
use inception::live::{self, rules, snapshot};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// A value remembered between checks (written by one, verified after restarts by others).
pub fn remember(ctx: &Ctx, key: &str, value: &str) -> Result<()> {
    std::fs::write(ctx.dir.join(format!("state-{key}")), value).context("saving test state")
}

/// Reads a value written by [`remember`].
pub fn recall(ctx: &Ctx, key: &str) -> Result<String> {
    std::fs::read_to_string(ctx.dir.join(format!("state-{key}")))
        .with_context(|| format!("no {key} recorded: did the check that makes it run?"))
}

/// A marker unique to this run, so old data can never satisfy a check.
pub fn marker(ctx: &Ctx, what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("e2e-{what}-{}-{nanos}", ctx.login)
}

pub fn m6_tls(ctx: &Ctx) -> Result<()> {
    audit::pass(&[live::tls_finding(
        ctx.https_addr(),
        &ctx.domain(),
        audit::NET_TIMEOUT,
    )])
}

pub fn m6_no_http(ctx: &Ctx) -> Result<()> {
    audit::pass(&[live::port80_finding(&ctx.domain())])
}

pub fn m7_front_page(ctx: &Ctx) -> Result<()> {
    audit::pass(&[live::front_page_finding(ctx.https_addr(), &ctx.domain())])?;
    let mut c = wp::client(ctx)?;
    let front = wp::get_ok(&mut c, "/")?;
    ensure!(
        front.text().contains(ctx.var("WP_TITLE")),
        "the front page does not show the site title"
    );
    let install = c.get("/wp-admin/install.php")?;
    ensure!(
        install.text().contains("already installed"),
        "install.php does not say WordPress is installed"
    );
    ensure!(
        front.header("strict-transport-security").is_some(),
        "no HSTS header"
    );
    Ok(())
}

pub fn m13_users(ctx: &Ctx) -> Result<()> {
    let database = match ctx.var("MYSQL_DATABASE") {
        "" => "wordpress",
        db => db,
    };
    let (cmd, users) =
        snapshot::wordpress_users("mariadb", database).map_err(anyhow::Error::msg)?;
    audit::pass(&rules::users_findings(&users, &cmd))?;
    let admins: Vec<_> = users
        .iter()
        .filter(|(_, caps)| caps.contains("administrator"))
        .collect();
    let admin = ctx.var("WP_ADMIN_USER");
    let user = ctx.var("WP_USER");
    ensure!(
        admins.iter().any(|(l, _)| l == admin),
        "{admin} is not an administrator: {users:?}"
    );
    ensure!(
        users
            .iter()
            .any(|(l, caps)| l == user && !caps.contains("administrator")),
        "{user} is missing or is an administrator: {users:?}"
    );
    Ok(())
}

pub fn m14_domain(ctx: &Ctx) -> Result<()> {
    let domain = ctx.domain();
    let addrs: Vec<SocketAddr> = (domain.as_str(), 443)
        .to_socket_addrs()
        .with_context(|| format!("resolving {domain}"))?
        .collect();
    ensure!(
        addrs.iter().any(|a| a.ip().is_loopback()),
        "{domain} resolves to {addrs:?}, not this machine"
    );
    let addr = addrs
        .iter()
        .find(|a| a.ip().is_loopback())
        .copied()
        .context("loopback address")?;
    let mut c = probes::HttpsClient::new(addr, &domain, Duration::from_secs(20))?;
    let resp = c.get("/")?;
    ensure!(
        resp.status == 200,
        "https://{domain}/ answered {}",
        resp.status
    );
    Ok(())
}

pub fn wp_admin_login(ctx: &Ctx) -> Result<()> {
    let mut c = wp::login(
        ctx,
        ctx.var("WP_ADMIN_USER"),
        &ctx.secrets["wp_admin_password"],
    )?;
    let dash = wp::get_ok(&mut c, "/wp-admin/")?;
    ensure!(
        dash.text().contains("Dashboard"),
        "/wp-admin/ does not show the dashboard"
    );
    Ok(())
}

/// The id of the page wp_install created ("Sample Page").
fn sample_page() -> Result<u64> {
    let out = docker::sql("SELECT ID FROM wordpress.wp_posts WHERE post_type = 'page' AND post_status = 'publish' ORDER BY ID LIMIT 1;")?;
    out.lines()
        .nth(1)
        .context("no published page")?
        .trim()
        .parse()
        .context("page id")
}

pub fn wp_edit_page(ctx: &Ctx) -> Result<()> {
    let mut c = wp::login(
        ctx,
        ctx.var("WP_ADMIN_USER"),
        &ctx.secrets["wp_admin_password"],
    )?;
    let id = sample_page()?;
    let text = marker(ctx, "page");
    wp::rest_post(
        &mut c,
        &format!("/wp/v2/pages/{id}"),
        &[("content", &format!("<p>{text}</p>"))],
    )?;
    remember(ctx, "page", &format!("{id} {text}"))?;
    check_page(ctx)
}

/// The edited page shows the marker to an anonymous visitor.
pub fn check_page(ctx: &Ctx) -> Result<()> {
    let state = recall(ctx, "page")?;
    let (id, text) = state.split_once(' ').context("page state")?;
    let page = wp::get_ok(&mut wp::client(ctx)?, &format!("/?page_id={id}"))?;
    ensure!(page.text().contains(text), "page {id} does not show {text}");
    Ok(())
}

pub fn wp_comment(ctx: &Ctx) -> Result<()> {
    let mut writer = wp::login(ctx, ctx.var("WP_USER"), &ctx.secrets["wp_user_password"])?;
    let post = docker::sql("SELECT ID FROM wordpress.wp_posts WHERE post_type = 'post' AND post_status = 'publish' ORDER BY ID LIMIT 1;")?;
    let post: u64 = post
        .lines()
        .nth(1)
        .context("no published post")?
        .trim()
        .parse()?;
    let text = marker(ctx, "comment");
    let resp = writer.post_form(
        "/wp-comments-post.php",
        &[
            ("comment_post_ID", &post.to_string()),
            ("comment", &text),
            ("comment_parent", "0"),
        ],
    )?;
    ensure!(
        resp.status == 302,
        "posting the comment answered {}: {}",
        resp.status,
        resp.text().chars().take(300).collect::<String>()
    );
    let row = docker::sql(&format!(
        "SELECT c.comment_ID, u.user_login FROM wordpress.wp_comments c JOIN wordpress.wp_users u ON u.ID = c.user_id \
         WHERE c.comment_content = '{text}';"
    ))?;
    let line = row
        .lines()
        .nth(1)
        .with_context(|| format!("comment {text} is not in the database"))?;
    let (comment_id, author) = line.split_once('\t').context("comment row")?;
    ensure!(
        author == ctx.var("WP_USER"),
        "the comment was stored for {author}"
    );
    let mut admin = wp::login(
        ctx,
        ctx.var("WP_ADMIN_USER"),
        &ctx.secrets["wp_admin_password"],
    )?;
    wp::rest_post(
        &mut admin,
        &format!("/wp/v2/comments/{comment_id}"),
        &[("status", "approved")],
    )?;
    remember(ctx, "comment", &format!("{post} {text}"))?;
    check_comment(ctx)
}

/// The approved comment shows on its post.
pub fn check_comment(ctx: &Ctx) -> Result<()> {
    let state = recall(ctx, "comment")?;
    let (post, text) = state.split_once(' ').context("comment state")?;
    let page = wp::get_ok(&mut wp::client(ctx)?, &format!("/?p={post}"))?;
    ensure!(
        page.text().contains(text),
        "post {post} does not show the comment {text}"
    );
    Ok(())
}

pub fn wp_uploads(ctx: &Ctx) -> Result<()> {
    let text = marker(ctx, "upload");
    let dir = "/var/www/wordpress/wp-content/uploads/e2e";
    docker::docker(&["exec", "-u", "www-data", "wordpress", "sh", "-c",
        &format!("mkdir -p {dir} && printf '%s' '{text}' > {dir}/proof.txt && printf '<?php echo 6*7;' > {dir}/evil.php")])?;
    remember(ctx, "upload", &text)?;
    check_upload(ctx)?;
    let mut c = wp::client(ctx)?;
    let evil = c.get("/wp-content/uploads/e2e/evil.php")?;
    ensure!(
        evil.status == 403,
        "a PHP file in uploads answered {}",
        evil.status
    );
    ensure!(
        !evil.text().contains("42"),
        "a PHP file in uploads was executed"
    );
    let dot = c.get("/.inception-files")?;
    ensure!(dot.status == 403, "a dotfile answered {}", dot.status);
    Ok(())
}

/// The uploaded file is served by nginx with its content.
pub fn check_upload(ctx: &Ctx) -> Result<()> {
    let text = recall(ctx, "upload")?;
    let resp = wp::get_ok(&mut wp::client(ctx)?, "/wp-content/uploads/e2e/proof.txt")?;
    ensure!(resp.text() == text, "the uploaded file has changed");
    Ok(())
}
