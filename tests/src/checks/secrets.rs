//! M15: passwords exist only as secret files and where the daemons read them.

use crate::ctx::Ctx;
use crate::docker;
use anyhow::{ensure, Context, Result};
use memchr::memmem;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

/// The forms a leaked secret could take: as written, and JSON-escaped (docker inspect).
fn needles(ctx: &Ctx) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, value) in &ctx.secrets {
        out.push((name.clone(), value.as_bytes().to_vec()));
        let json = value.replace('\\', "\\\\").replace('"', "\\\"");
        out.push((format!("{name} (JSON-escaped)"), json.into_bytes()));
        // A distinctive random prefix catches partial leaks and other escapings.
        out.push((format!("{name} (prefix)"), value.as_bytes()[..16].to_vec()));
    }
    out
}

fn scan(ctx: &Ctx, place: &str, haystack: &[u8]) -> Result<()> {
    for (name, needle) in needles(ctx) {
        ensure!(
            memmem::find(haystack, &needle).is_none(),
            "secret {name} found in {place}"
        );
    }
    Ok(())
}

pub fn m15_secret_files(ctx: &Ctx) -> Result<()> {
    let env = std::fs::read_to_string(ctx.repo.join("srcs/.env.example"))?;
    for line in env.lines().filter(|l| !l.starts_with('#')) {
        ensure!(
            !line.to_uppercase().contains("PASSWORD"),
            "srcs/.env.example holds a password: {line}"
        );
    }
    for name in crate::prepare::SECRETS {
        let path = ctx.dir.join("secrets").join(name);
        let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        ensure!(mode == 0o600, "{} has mode {mode:o}", path.display());
    }
    for path in ["secrets/db_password", "srcs/.env"] {
        let ignored = Command::new("git")
            .arg("-C")
            .arg(&ctx.repo)
            .args(["check-ignore", "-q", path])
            .status()?;
        ensure!(ignored.success(), "{path} is not git-ignored");
    }
    let tracked = Command::new("git")
        .arg("-C")
        .arg(&ctx.repo)
        .args(["ls-files", "secrets", "srcs/.env"])
        .output()?;
    ensure!(
        tracked.stdout.is_empty(),
        "credentials are tracked: {}",
        String::from_utf8_lossy(&tracked.stdout)
    );
    for svc in ctx.services() {
        let env = docker::inspect(svc, "{{range .Config.Env}}{{println .}}{{end}}")?;
        for line in env.lines().filter(|l| l.contains("PASSWORD")) {
            ensure!(
                line.contains("_FILE=/run/secrets/"),
                "{svc} gets a password in its environment: {}",
                line.split('=').next().unwrap_or("")
            );
        }
        let mounts = docker::inspect(svc, "{{range .Mounts}}{{.Destination}} {{end}}")?;
        // Every service that needs a password gets it as a Docker secret (adminer, the
        // site and the engine proxy need none).
        if ["mariadb", "wordpress", "nginx", "redis", "ftp", "monitor"].contains(&svc) {
            ensure!(
                mounts.contains("/run/secrets/"),
                "{svc} has no Docker secrets mounted: {mounts}"
            );
        }
    }
    Ok(())
}

pub fn m15_no_leaks(ctx: &Ctx) -> Result<()> {
    let services = ctx.services();
    let mut targets: Vec<String> = services.iter().map(|s| (*s).to_owned()).collect();
    for svc in &services {
        targets.push(docker::inspect(svc, "{{.Config.Image}}")?);
    }
    targets.push(format!("{}_inception", ctx.project));
    for t in &targets {
        scan(
            ctx,
            &format!("docker inspect {t}"),
            docker::docker(&["inspect", t])?.as_bytes(),
        )?;
    }
    for svc in services {
        let image = docker::inspect(svc, "{{.Config.Image}}")?;
        let history = docker::docker(&["history", "--no-trunc", &image])?;
        scan(ctx, &format!("docker history {image}"), history.as_bytes())?;
        let logs = Command::new("docker").args(["logs", svc]).output()?;
        scan(
            ctx,
            &format!("docker logs {svc}"),
            &[logs.stdout, logs.stderr].concat(),
        )?;
        let procs = docker::exec(
            svc,
            &[
                "sh",
                "-c",
                "cat /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null; true",
            ],
        )?;
        scan(
            ctx,
            &format!("process arguments and environment in {svc}"),
            procs.as_bytes(),
        )?;
    }
    let host = Command::new("ps").args(["-eo", "args"]).output()?;
    scan(ctx, "host process arguments", &host.stdout)?;
    let config = std::fs::read(ctx.data_dir().join("wordpress/wp-config.php"))?;
    scan(ctx, "wp-config.php in the files volume", &config)?;
    Ok(())
}

pub fn m15_image_layers(ctx: &Ctx) -> Result<()> {
    let images: Vec<String> = ctx
        .services()
        .iter()
        .map(|s| docker::inspect(s, "{{.Config.Image}}"))
        .collect::<Result<_>>()?;
    let needles = needles(ctx);
    let longest = needles.iter().map(|(_, n)| n.len()).max().unwrap_or(1);
    let mut child = Command::new("docker")
        .arg("save")
        .args(&images)
        .stdout(Stdio::piped())
        .spawn()
        .context("docker save")?;
    let mut out = child.stdout.take().context("docker save stdout")?;
    // Streamed with an overlap, so a secret split across two reads is still seen.
    let mut carry: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0usize;
    loop {
        let n = out.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n;
        carry.extend_from_slice(&buf[..n]);
        for (name, needle) in &needles {
            ensure!(
                memmem::find(&carry, needle).is_none(),
                "secret {name} found in the layers of {images:?}"
            );
        }
        let keep = carry.len().saturating_sub(longest);
        carry.drain(..keep);
    }
    ensure!(child.wait()?.success(), "docker save failed");
    ensure!(total > 10 << 20, "docker save produced only {total} bytes");
    Ok(())
}
