//! Checks on the repository and the built images.

use crate::ctx::Ctx;
use crate::docker::{self, SERVICES};
use anyhow::{bail, ensure, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

fn read(ctx: &Ctx, rel: &str) -> Result<String> {
    std::fs::read_to_string(ctx.repo.join(rel)).with_context(|| format!("reading {rel}"))
}

/// Every file under `dir` whose name is `name`, skipping build output.
fn find(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let skip = [".git", "target", ".build", "node_modules"];
        if path.is_dir() {
            if !skip.iter().any(|s| path.ends_with(s)) {
                find(&path, name, out);
            }
        } else if path.file_name().is_some_and(|n| n == name) {
            out.push(path);
        }
    }
}

pub fn m1_makefile(ctx: &Ctx) -> Result<()> {
    let makefile = read(ctx, "Makefile")?;
    ensure!(
        makefile.contains("srcs/docker-compose.yml"),
        "the Makefile does not drive srcs/docker-compose.yml"
    );
    for svc in SERVICES {
        let project = docker::inspect(
            svc,
            "{{index .Config.Labels \"com.docker.compose.project\"}}",
        )?;
        ensure!(
            project == ctx.project,
            "{svc} belongs to compose project {project:?}, not {:?}",
            ctx.project
        );
        let image = docker::inspect(svc, "{{.Config.Image}}")?;
        let digests = docker::inspect(&image, "{{len .RepoDigests}}")?;
        ensure!(
            digests == "0",
            "{image} has registry digests: it was pulled, not built"
        );
    }
    Ok(())
}

pub fn m2_srcs(ctx: &Ctx) -> Result<()> {
    for rel in ["srcs/docker-compose.yml", "srcs/.env.example"] {
        ensure!(ctx.repo.join(rel).is_file(), "{rel} is missing");
    }
    let mut dockerfiles = Vec::new();
    find(&ctx.repo, "Dockerfile", &mut dockerfiles);
    ensure!(!dockerfiles.is_empty(), "no Dockerfile found");
    for file in dockerfiles {
        let rel = file.strip_prefix(&ctx.repo).unwrap_or(&file);
        ensure!(
            rel.starts_with("srcs"),
            "{} is outside srcs/",
            rel.display()
        );
    }
    Ok(())
}

pub fn m3_dockerfiles(ctx: &Ctx) -> Result<()> {
    let compose = read(ctx, "srcs/docker-compose.yml")?;
    for svc in SERVICES {
        let rel = format!("srcs/requirements/{svc}/Dockerfile");
        ensure!(ctx.repo.join(&rel).is_file(), "{rel} is missing");
        ensure!(
            compose.contains(&format!("context: requirements/{svc}")),
            "the compose file does not build {svc} from requirements/{svc}"
        );
    }
    Ok(())
}

pub fn m5_base(ctx: &Ctx) -> Result<()> {
    let mut dockerfiles = Vec::new();
    find(&ctx.repo.join("srcs"), "Dockerfile", &mut dockerfiles);
    for file in &dockerfiles {
        let text = std::fs::read_to_string(file)?;
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| l.to_ascii_uppercase().starts_with("FROM "))
        {
            let image = line.split_whitespace().nth(1).unwrap_or("");
            let ok = image == "debian:bookworm" || image == "inception-build:${INCEPTION_VERSION}";
            ensure!(
                ok,
                "{}: {line:?} is not debian:bookworm (or our own build image)",
                file.display()
            );
        }
    }
    let build = read(ctx, "srcs/build/Dockerfile")?;
    ensure!(
        build.lines().any(|l| l.trim() == "FROM debian:bookworm"),
        "the build image is not FROM debian:bookworm"
    );
    let compose = read(ctx, "srcs/docker-compose.yml")?;
    for line in compose
        .lines()
        .filter(|l| l.trim_start().starts_with("image:"))
    {
        let image = line.trim_start().trim_start_matches("image:").trim();
        ensure!(
            image.contains(':') && !image.ends_with(":latest"),
            "{line:?} resolves to latest"
        );
    }
    for svc in SERVICES {
        let tags = docker::inspect(
            &docker::inspect(svc, "{{.Config.Image}}")?,
            "{{join .RepoTags \" \"}}",
        )?;
        ensure!(
            !tags.contains(":latest"),
            "{svc}'s image is tagged latest: {tags}"
        );
        let version = docker::exec(svc, &["cat", "/etc/debian_version"])?;
        ensure!(
            version.starts_with("12."),
            "{svc} runs Debian {version:?}, not bookworm"
        );
    }
    Ok(())
}

/// Runs `make <target>` with extra variables; returns (success, combined output).
fn make(
    ctx: &Ctx,
    target: &str,
    vars: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Result<(bool, String)> {
    let mut cmd = Command::new("make");
    cmd.arg("-C").arg(&ctx.repo).arg(target);
    for (k, v) in vars {
        cmd.arg(format!("{k}={v}"));
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().context("running make")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status.success(), text))
}

fn bad_env(ctx: &Ctx, name: &str, replace: &str, by: &str) -> Result<String> {
    let text = std::fs::read_to_string(ctx.dir.join(".env"))?;
    ensure!(text.contains(replace), "test .env has no {replace:?}");
    let path = ctx.dir.join(name);
    std::fs::write(&path, text.replace(replace, by))?;
    Ok(path.display().to_string())
}

pub fn m13_reject_admin(ctx: &Ctx) -> Result<()> {
    let admin = format!("WP_ADMIN_USER={}", ctx.var("WP_ADMIN_USER"));
    for bad in ["WP_ADMIN_USER=Administrator", "WP_ADMIN_USER=site_ADMIN"] {
        let file = bad_env(ctx, "bad-admin.env", &admin, bad)?;
        let (ok, out) = make(
            ctx,
            "validate",
            &[("ENV_FILE", &file), ("LOGIN", &ctx.login)],
            &[],
        )?;
        ensure!(!ok, "make validate accepted {bad}");
        ensure!(
            out.contains("contains \"admin\""),
            "the error does not name the problem: {out}"
        );
    }
    Ok(())
}

pub fn m16_docs(ctx: &Ctx) -> Result<()> {
    let readme = read(ctx, "README.md")?;
    let first = readme.lines().next().unwrap_or("");
    let italic = (first.starts_with('*') && first.ends_with('*'))
        || (first.starts_with('_') && first.ends_with('_'));
    ensure!(
        italic && first.contains("42 curriculum"),
        "README's first line is not the italic curriculum line: {first:?}"
    );
    for heading in ["Description", "Instructions", "Resources"] {
        ensure!(
            readme
                .lines()
                .any(|l| l.starts_with('#') && l.contains(heading)),
            "README has no {heading} section"
        );
    }
    for doc in ["USER_DOC.md", "DEV_DOC.md"] {
        ensure!(
            read(ctx, doc)?.len() > 500,
            "{doc} is missing or nearly empty"
        );
    }
    Ok(())
}

pub fn bad_input(ctx: &Ctx) -> Result<()> {
    let before = std::fs::read_dir(ctx.data_dir().join("wordpress"))?.count();
    let malformed = bad_env(ctx, "bad-line.env", "WP_TITLE=", "WP TITLE ")?;
    let (ok, out) = make(
        ctx,
        "validate",
        &[("ENV_FILE", &malformed), ("LOGIN", &ctx.login)],
        &[],
    )?;
    ensure!(
        !ok && out.contains("expected KEY=VALUE") && out.contains("line"),
        "malformed .env not reported: {out}"
    );
    let quoted = bad_env(ctx, "bad-quote.env", "WP_TITLE=", "WP_TITLE=\"")?;
    let (ok, out) = make(
        ctx,
        "validate",
        &[("ENV_FILE", &quoted), ("LOGIN", &ctx.login)],
        &[],
    )?;
    ensure!(
        !ok && out.contains("remove the quotes"),
        "quoted value not reported: {out}"
    );
    let (ok, out) = make(
        ctx,
        "docker-ok",
        &[],
        &[("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
    )?;
    ensure!(
        !ok && out.contains("Docker daemon is not running"),
        "stopped Docker not reported: {out}"
    );
    let (ok, out) = make(ctx, "port-free", &[("PROJECT", "someone-else")], &[])?;
    ensure!(
        !ok && out.contains("another stack"),
        "a clash with running containers not reported: {out}"
    );
    let secret = ctx.dir.join("secrets/wp_user_password");
    let aside = ctx.dir.join("wp_user_password.aside");
    std::fs::rename(&secret, &aside)?;
    let vars = [
        ("ENV_FILE", ctx.dir.join(".env").display().to_string()),
        ("SECRETS_DIR", ctx.dir.join("secrets").display().to_string()),
        ("LOGIN", ctx.login.clone()),
    ];
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let result = make(ctx, "secrets", &vars, &[]);
    let regenerated = secret.exists();
    std::fs::rename(&aside, &secret)?;
    let (ok, out) = result?;
    ensure!(
        !ok && !regenerated,
        "a lost secret was regenerated over initialised data"
    );
    ensure!(
        out.contains("secrets missing"),
        "a lost secret is not reported: {out}"
    );
    let after = std::fs::read_dir(ctx.data_dir().join("wordpress"))?.count();
    if before != after {
        bail!("the data directory changed during failed runs ({before} -> {after} entries)");
    }
    Ok(())
}
