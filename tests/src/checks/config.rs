//! Checks on the repository and the built images (the static audit's rules), and on how
//! the Makefile treats bad input.

use crate::audit;
use crate::ctx::Ctx;
use anyhow::{bail, ensure, Context, Result};
use std::process::Command;

pub fn m1_makefile(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M1")?)?;
    // `make` brought this stack up: every service runs in the test's compose project.
    let snap = audit::snapshot(ctx)?;
    for svc in ctx.services() {
        ensure!(
            snap.containers.iter().any(|c| c.name == svc),
            "{svc} is not running in compose project {}",
            ctx.project
        );
    }
    Ok(())
}

pub fn m2_srcs(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M2")?)
}

pub fn m3_dockerfiles(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M3")?)
}

pub fn m5_base(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M5")?)?;
    let snap = audit::snapshot(ctx)?;
    audit::pass(&[snap.images(), snap.os()])
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
    audit::pass(&audit::static_rule(ctx, "M16")?)
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
