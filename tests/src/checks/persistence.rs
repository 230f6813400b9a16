//! Destructive checks: crashes, down/up and an engine restart; after each, every change
//! made by the earlier checks must still be there.

use super::site;
use crate::audit;
use crate::ctx::Ctx;
use crate::docker;
use anyhow::{ensure, Context, Result};
use inception::live::destructive;
use std::time::Duration;

const HEALTHY_WITHIN: Duration = Duration::from_secs(180);

/// Everything the earlier checks changed is still there.
fn changes_survived(ctx: &Ctx) -> Result<()> {
    site::check_page(ctx).context("the edited page")?;
    site::check_comment(ctx).context("the comment")?;
    site::check_upload(ctx).context("the upload")?;
    site::m13_users(ctx).context("the users")?;
    site::wp_admin_login(ctx).context("the administrator's session")
}

pub fn m11_kill(ctx: &Ctx) -> Result<()> {
    // The live audit's --destructive M11: kill -9 of every PID 1, each back and healthy.
    let snap = audit::snapshot(ctx)?;
    audit::pass(&[destructive::kill_and_recover(&snap.containers)])?;
    docker::wait_healthy(&ctx.services(), HEALTHY_WITHIN).context("after the kills")?;
    changes_survived(ctx)
}

pub fn m17_down_up(ctx: &Ctx) -> Result<()> {
    ctx.make("down")?;
    let left = docker::docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=com.docker.compose.project={}", ctx.project),
    ])?;
    ensure!(left.trim().is_empty(), "make down left containers: {left}");
    port_taken_is_refused(ctx)?;
    ctx.make(ctx.up_target())?;
    docker::wait_healthy(&ctx.services(), HEALTHY_WITHIN)?;
    changes_survived(ctx)
}

pub fn m17_engine_restart(ctx: &Ctx) -> Result<()> {
    docker::restart_engine()?;
    docker::wait_healthy(&ctx.services(), HEALTHY_WITHIN).context("after the engine restart")?;
    changes_survived(ctx)
}

/// With 443 held by another program, `make` stops before changing anything and says so.
fn port_taken_is_refused(ctx: &Ctx) -> Result<()> {
    let squatter =
        std::net::TcpListener::bind("0.0.0.0:443").context("binding 443 for the test")?;
    let out = std::process::Command::new("make")
        .arg("-C")
        .arg(&ctx.repo)
        .args(["port-free", &format!("PROJECT={}", ctx.project)])
        .output()?;
    drop(squatter);
    let text = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "make accepted a taken port 443");
    ensure!(
        text.contains("port 443 is already in use"),
        "the error does not name the port: {text}"
    );
    Ok(())
}
