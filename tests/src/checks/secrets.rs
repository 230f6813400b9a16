//! M15: passwords exist only as secret files and where the daemons read them.

use crate::audit;
use crate::ctx::Ctx;
use crate::docker;
use anyhow::{ensure, Context, Result};
use inception::live::rules;
use memchr::memmem;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

/// The test secrets as (name, value).
fn secrets(ctx: &Ctx) -> Vec<(String, String)> {
    ctx.secrets
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
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
    // Tracked credentials, now and in history, are the static audit's M15.
    audit::pass(&audit::static_rule(ctx, "M15")?)?;
    audit::pass(&[audit::snapshot(ctx)?.env_secrets()])?;
    for svc in ctx.services() {
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
    // inspect of containers, images, volumes and networks; history; logs; process
    // arguments and environments in every container and on the host. Every source must
    // be read (a warning means one could not be).
    let snap = audit::snapshot(ctx)?;
    let searched: Vec<String> = snap.secret_values().into_iter().map(|(n, _)| n).collect();
    for name in ctx.secrets.keys() {
        ensure!(
            searched.iter().any(|s| s.ends_with(name.as_str())),
            "the audit does not search for {name}: it found {searched:?}"
        );
    }
    audit::pass(&[snap.secret_leaks()])?;
    let config = std::fs::read(ctx.data_dir().join("wordpress/wp-config.php"))?;
    let leaks = rules::secret_leaks(
        &secrets(ctx),
        &[(
            "wp-config.php in the files volume".to_string(),
            String::from_utf8_lossy(&config).into_owned(),
        )],
    );
    ensure!(leaks.is_empty(), "secrets found: {leaks:?}");
    Ok(())
}

pub fn m15_image_layers(ctx: &Ctx) -> Result<()> {
    let images: Vec<String> = ctx
        .services()
        .iter()
        .map(|s| docker::inspect(s, "{{.Config.Image}}"))
        .collect::<Result<_>>()?;
    let needles = rules::secret_needles(&secrets(ctx));
    let longest = needles.iter().map(|(_, n)| n.len()).max().unwrap_or(1);
    // One searcher per needle, built once: the layers are hundreds of megabytes.
    let finders: Vec<(&str, memmem::Finder)> = needles
        .iter()
        .map(|(name, n)| (name.as_str(), memmem::Finder::new(n.as_bytes())))
        .collect();
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
        for (name, finder) in &finders {
            ensure!(
                finder.find(&carry).is_none(),
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
