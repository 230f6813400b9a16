//! Bonus services (`make bonus`): B1 Redis object cache, B4 Adminer.

use crate::audit;
use crate::ctx::Ctx;
use crate::docker::{self, inspect};
use crate::wp;
use anyhow::{bail, ensure, Context, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Sends one command to the redis container over its network address (RESP, so any
/// password bytes are safe); returns the raw reply.
fn redis(ctx: &Ctx, args: &[&str]) -> Result<String> {
    let ip = inspect(
        "redis",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    )?;
    let mut stream = TcpStream::connect((ip.as_str(), 6379)).context("connecting to redis")?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    let mut wire = Vec::new();
    for cmd in [&["AUTH", ctx.secrets["redis_password"].as_str()][..], args] {
        wire.extend(format!("*{}\r\n", cmd.len()).bytes());
        for a in cmd {
            wire.extend(format!("${}\r\n", a.len()).bytes());
            wire.extend(a.bytes());
            wire.extend(b"\r\n");
        }
    }
    stream.write_all(&wire)?;
    let mut reply = Vec::new();
    let mut buf = [0u8; 8192];
    let start = Instant::now();
    // AUTH's +OK, then one reply: a status line or a bulk string we read to its end.
    loop {
        let n = stream.read(&mut buf)?;
        reply.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&reply);
        let rest = text.strip_prefix("+OK\r\n").unwrap_or(&text);
        let done = match rest.chars().next() {
            Some('$') => rest
                .split_once("\r\n")
                .and_then(|(len, body)| len[1..].parse::<usize>().ok().map(|l| body.len() >= l + 2))
                .unwrap_or(false),
            Some(_) => rest.ends_with("\r\n"),
            None => false,
        };
        if n == 0 || done || start.elapsed() > Duration::from_secs(3) {
            return Ok(rest.to_owned());
        }
    }
}

fn info_field(info: &str, key: &str) -> Result<String> {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().to_owned())
        .with_context(|| format!("INFO has no {key}"))
}

/// Questions MariaDB answered so far (every query from every client).
fn questions() -> Result<u64> {
    let out = docker::sql("SHOW GLOBAL STATUS LIKE 'Questions';")?;
    out.lines()
        .nth(1)
        .and_then(|l| l.split('\t').nth(1))
        .context("Questions")?
        .trim()
        .parse()
        .context("Questions value")
}

/// Database queries per uncached front-page load, over `n` loads.
fn queries_per_load(ctx: &Ctx, n: u64) -> Result<f64> {
    let mut c = wp::client(ctx)?;
    wp::get_ok(&mut c, "/?nocache=1")?; // warm-up
    let before = questions()?;
    for _ in 0..n {
        wp::get_ok(&mut c, "/?nocache=1")?;
    }
    let after = questions()?;
    // Each SHOW GLOBAL STATUS counts itself once.
    Ok((after - before).saturating_sub(1) as f64 / n as f64)
}

pub fn b1_redis_locked_down(ctx: &Ctx) -> Result<()> {
    let anonymous = docker::exec("redis", &["redis-cli", "PING"]).unwrap_or_default();
    ensure!(
        anonymous.contains("NOAUTH"),
        "redis answers without a password: {anonymous:?}"
    );
    let memory = redis(ctx, &["INFO", "memory"])?;
    ensure!(
        info_field(&memory, "maxmemory_policy")? == "allkeys-lru",
        "eviction is not allkeys-lru"
    );
    ensure!(
        info_field(&memory, "maxmemory")?.parse::<u64>()? > 0,
        "maxmemory is unbounded"
    );
    let persistence = redis(ctx, &["INFO", "persistence"])?;
    ensure!(
        info_field(&persistence, "aof_enabled")? == "0",
        "append-only file enabled"
    );
    let ports = inspect(
        "redis",
        "{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{$p}} {{end}}{{end}}",
    )?;
    ensure!(ports.trim().is_empty(), "redis publishes {ports}");
    Ok(())
}

pub fn b1_cache_used(ctx: &Ctx) -> Result<()> {
    let hits = |ctx: &Ctx| -> Result<u64> {
        Ok(info_field(&redis(ctx, &["INFO", "stats"])?, "keyspace_hits")?.parse()?)
    };
    let before = hits(ctx)?;
    let with_cache = queries_per_load(ctx, 5)?;
    let after = hits(ctx)?;
    ensure!(
        after > before + 5,
        "page loads made no Redis hits ({before} -> {after})"
    );
    docker::docker(&["stop", "redis"])?;
    let result = (|| -> Result<f64> {
        let mut c = wp::client(ctx)?;
        wp::get_ok(&mut c, "/?nocache=1").context("the site with redis stopped")?;
        queries_per_load(ctx, 5)
    })();
    docker::docker(&["start", "redis"])?;
    let without_cache = result?;
    docker::wait_healthy(&ctx.services(), Duration::from_secs(60))?;
    println!("       queries per front-page load: {with_cache:.1} with Redis, {without_cache:.1} without; hits {before} -> {after}");
    ensure!(
        with_cache < without_cache,
        "Redis does not save queries: {with_cache:.1} with it, {without_cache:.1} without"
    );
    let logs = std::process::Command::new("docker")
        .args(["logs", "wordpress"])
        .output()?;
    let logs = String::from_utf8_lossy(&logs.stderr);
    ensure!(
        logs.contains("redis unavailable"),
        "the outage was not logged"
    );
    let mut c = wp::client(ctx)?;
    wp::get_ok(&mut c, "/?nocache=1").context("the site after redis came back")?;
    Ok(())
}

pub fn b1_dashboard(ctx: &Ctx) -> Result<()> {
    let mut c = wp::login(
        ctx,
        ctx.var("WP_ADMIN_USER"),
        &ctx.secrets["wp_admin_password"],
    )?;
    let dash = wp::get_ok(&mut c, "/wp-admin/")?.text();
    ensure!(
        dash.contains("Redis object cache"),
        "no Redis widget on the dashboard"
    );
    ensure!(
        dash.contains(">connected<"),
        "the widget does not show Redis connected"
    );
    ensure!(dash.contains("Hit ratio"), "the widget shows no hit ratio");
    Ok(())
}

pub fn b4_adminer(ctx: &Ctx) -> Result<()> {
    let mut anonymous = wp::client(ctx)?;
    let denied = anonymous.get("/adminer/")?;
    ensure!(
        denied.status == 401,
        "/adminer/ without credentials answered {}",
        denied.status
    );
    let ports = inspect(
        "adminer",
        "{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{$p}} {{end}}{{end}}",
    )?;
    ensure!(ports.trim().is_empty(), "adminer publishes {ports}");
    let mut c = wp::client(ctx)?;
    c.set_basic_auth(
        ctx.var("WEB_TOOLS_USER"),
        &ctx.secrets["web_tools_password"],
    )?;
    let page = wp::get_ok(&mut c, "/adminer/")?.text();
    ensure!(
        page.contains("Login - Adminer"),
        "/adminer/ is not Adminer's login page"
    );
    let resp = c.post_form(
        "/adminer/",
        &[
            ("auth[driver]", "server"),
            ("auth[server]", "mariadb"),
            ("auth[username]", ctx.var("MYSQL_USER")),
            ("auth[password]", &ctx.secrets["db_password"]),
            ("auth[db]", ctx.var("MYSQL_DATABASE")),
        ],
    )?;
    let target = match (resp.status, resp.location()) {
        (302, Some(location)) => location.to_owned(),
        (status, _) => bail!(
            "Adminer login answered {status}: {}",
            resp.text().chars().take(300).collect::<String>()
        ),
    };
    let path = if target.starts_with('?') {
        format!("/adminer/{target}")
    } else {
        target
            .split_once("://")
            .map_or(target.as_str(), |(_, r)| {
                r.find('/').map_or("/", |i| &r[i..])
            })
            .to_owned()
    };
    let tables = wp::get_ok(&mut c, &path)?.text();
    for table in ["wp_posts", "wp_users", "wp_comments"] {
        ensure!(
            tables.contains(table),
            "Adminer does not list {table} after login"
        );
    }
    Ok(())
}

/// Runs curl against the FTP server with the credentials in a mode-0600 netrc file (never
/// in arguments); returns (success, stdout, stderr).
fn curl_ftp(ctx: &Ctx, args: &[&str]) -> Result<(bool, Vec<u8>, String)> {
    let netrc = ctx.dir.join("ftp.netrc");
    let line = format!(
        "machine 127.0.0.1 login {} password {}\n",
        ctx.var("FTP_USER"),
        netrc_quote(&ctx.secrets["ftp_password"])
    );
    std::fs::write(&netrc, line)?;
    std::fs::set_permissions(&netrc, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    let out = std::process::Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "20",
            "--netrc-file",
        ])
        .arg(&netrc)
        .args(args)
        .output()
        .context("running curl")?;
    let _ = std::fs::remove_file(&netrc);
    Ok((
        out.status.success(),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// curl's netrc accepts a double-quoted password with backslash escapes.
fn netrc_quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn b2_ftp(ctx: &Ctx) -> Result<()> {
    // The live audit's B2 probe: AUTH TLS, then 1.0/1.1 refused and 1.2/1.3 accepted.
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 21));
    audit::pass(&[inception::live::ftps_finding(addr, audit::NET_TIMEOUT)])?;
    let anonymous = std::process::Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "20",
            "--ssl-reqd",
            "--insecure",
        ])
        .args(["--user", "anonymous:guest@example.com", "ftp://127.0.0.1/"])
        .output()?;
    ensure!(
        !anonymous.status.success(),
        "an anonymous FTPS login was accepted"
    );
    let (ok, listing, err) = curl_ftp(
        ctx,
        &[
            "--ssl-reqd",
            "--insecure",
            "--list-only",
            "ftp://127.0.0.1/",
        ],
    )?;
    let listing = String::from_utf8_lossy(&listing);
    ensure!(
        ok && listing.contains("wp-includes") && listing.contains("wp-content"),
        "the FTP root is not the WordPress volume: {err}{listing}"
    );
    let (ok, _, err) = curl_ftp(ctx, &["ftp://127.0.0.1/"])?;
    ensure!(!ok, "a login without TLS was accepted");
    ensure!(
        err.contains("530")
            || err.to_lowercase().contains("denied")
            || err.contains("Access denied"),
        "plain login refused for another reason: {err}"
    );
    let text = super::site::marker(ctx, "ftp");
    let local = ctx.dir.join("ftp-upload.txt");
    std::fs::write(&local, &text)?;
    let local = local.display().to_string();
    let (ok, _, err) = curl_ftp(
        ctx,
        &[
            "--ssl-reqd",
            "--insecure",
            "--tlsv1.2",
            "--ftp-create-dirs",
            "-T",
            &local,
            "ftp://127.0.0.1/wp-content/uploads/e2e-ftp/proof.txt",
        ],
    )?;
    ensure!(ok, "upload over FTPS failed: {err}");
    let served = wp::get_ok(
        &mut wp::client(ctx)?,
        "/wp-content/uploads/e2e-ftp/proof.txt",
    )?;
    ensure!(
        served.text() == text,
        "the uploaded file is not served at its https URL"
    );
    let owner = docker::exec(
        "wordpress",
        &[
            "stat",
            "-c",
            "%U",
            "/var/www/wordpress/wp-content/uploads/e2e-ftp/proof.txt",
        ],
    )?;
    ensure!(
        owner.trim() == "www-data",
        "the upload belongs to {owner:?}, not www-data"
    );
    let (ok, body, err) = curl_ftp(
        ctx,
        &[
            "--ssl-reqd",
            "--insecure",
            "ftp://127.0.0.1/wp-includes/version.php",
        ],
    )?;
    ensure!(
        ok && String::from_utf8_lossy(&body).contains("$wp_version"),
        "downloading a WordPress file failed: {err}"
    );
    Ok(())
}

pub fn b3_site(ctx: &Ctx) -> Result<()> {
    let mut c = wp::client(ctx)?;
    let index = wp::get_ok(&mut c, "/site/")?;
    ensure!(
        index
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "/site/ is not HTML"
    );
    ensure!(
        index.header("etag").is_some() || index.header("last-modified").is_some(),
        "no caching validators"
    );
    let html = index.text();
    ensure!(
        html.contains("nginx") && html.contains("MariaDB"),
        "the page does not describe the stack"
    );
    let mut assets = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            let url = part.split('"').next().unwrap_or("");
            if !url.is_empty()
                && !url.contains("://")
                && !url.starts_with('#')
                && !url.starts_with("mailto:")
            {
                assets.push(url.to_owned());
            }
        }
    }
    ensure!(
        assets.iter().any(|a| a.ends_with(".css")),
        "the page links no stylesheet"
    );
    for asset in &assets {
        let path = if asset.starts_with('/') {
            asset.clone()
        } else {
            format!("/site/{asset}")
        };
        let resp = c.get(&path)?;
        ensure!(resp.status == 200, "{path} answered {}", resp.status);
    }
    let ports = inspect(
        "site",
        "{{range $p, $b := .NetworkSettings.Ports}}{{if $b}}{{$p}} {{end}}{{end}}",
    )?;
    ensure!(ports.trim().is_empty(), "the site publishes {ports}");
    Ok(())
}

/// One raw HTTP/1.1 request to the engine proxy from this machine (its address on the
/// stack's network); returns the status code.
fn engine_proxy(method: &str, path: &str) -> Result<u16> {
    let ip = inspect(
        "engine-proxy",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    )?;
    let mut stream =
        TcpStream::connect((ip.as_str(), 2375)).context("connecting to engine-proxy")?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{method} {path} HTTP/1.1\r\nHost: engine\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").as_bytes())?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head)?;
    String::from_utf8_lossy(&head[9..12])
        .parse()
        .context("status code")
}

pub fn b5_monitor(ctx: &Ctx) -> Result<()> {
    let mut anonymous = wp::client(ctx)?;
    ensure!(
        anonymous.get("/monitor/")?.status == 401,
        "/monitor/ answers without credentials"
    );
    let mut c = wp::client(ctx)?;
    c.set_basic_auth(
        ctx.var("WEB_TOOLS_USER"),
        &ctx.secrets["web_tools_password"],
    )?;
    let dash = wp::get_ok(&mut c, "/monitor/")?;
    ensure!(
        dash.text().contains("<svg") || dash.text().contains("api/state"),
        "/monitor/ is not the dashboard"
    );
    // The collector samples every few seconds: wait (bounded) for a full sample.
    let start = Instant::now();
    let metrics = loop {
        let m = wp::get_ok(&mut c, "/monitor/metrics")?;
        let text = m.text();
        if text.contains("inception_container_cpu_percent{container=\"nginx\"}")
            && text.contains("inception_redis_keyspace_hits_total")
        {
            ensure!(
                m.header("content-type")
                    .is_some_and(|t| t.starts_with("text/plain")),
                "metrics content type"
            );
            break text;
        }
        ensure!(
            start.elapsed() < Duration::from_secs(30),
            "metrics never showed containers and Redis: {}",
            text.chars().take(500).collect::<String>()
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    for needle in [
        "# TYPE inception_container_memory_bytes gauge",
        "inception_mariadb_up 1",
        "inception_phpfpm_up 1",
        "inception_nginx_up 1",
        "inception_container_restarts_total{container=\"wordpress\"}",
    ] {
        ensure!(metrics.contains(needle), "metrics lack {needle:?}");
    }
    ensure!(
        engine_proxy("GET", "/v1.41/containers/json")? == 200,
        "the engine proxy refuses reads"
    );
    for (method, path) in [
        ("POST", "/v1.41/containers/nginx/kill"),
        ("DELETE", "/v1.41/containers/nginx"),
        ("POST", "/v1.41/containers/nginx/exec"),
        ("GET", "/v1.41/containers/nginx/logs"),
    ] {
        let status = engine_proxy(method, path)?;
        ensure!(
            status == 403,
            "{method} {path} through the engine proxy answered {status}"
        );
    }
    ensure!(
        inspect("nginx", "{{.State.Running}}")? == "true",
        "nginx was stopped through the proxy"
    );
    let mounts = inspect("monitor", "{{range .Mounts}}{{.Source}} {{end}}")?;
    ensure!(
        !mounts.contains("docker.sock"),
        "the web-facing monitor has the engine socket"
    );
    Ok(())
}
