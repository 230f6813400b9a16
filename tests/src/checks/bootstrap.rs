//! The MariaDB bootstrap, interrupted and replayed on a scratch datadir: a start killed
//! half-way is finished by the next start, a second start does nothing, and a datadir that
//! is not ours is refused and left untouched.

use crate::ctx::Ctx;
use crate::docker::{docker, inspect};
use anyhow::{bail, ensure, Context, Result};
use std::path::Path;
use std::time::{Duration, Instant};

const NAME: &str = "e2e-mariadb-bootstrap";

fn run_scratch(ctx: &Ctx, datadir: &Path) -> Result<()> {
    let image = inspect("mariadb", "{{.Config.Image}}")?;
    let _ = docker(&["rm", "-f", NAME]);
    docker(&[
        "run",
        "-d",
        "--name",
        NAME,
        "--network",
        "none",
        "-e",
        "MYSQL_DATABASE=wordpress",
        "-e",
        "MYSQL_USER=wp_user",
        "-e",
        "MYSQL_PASSWORD_FILE=/s/db_password",
        "-e",
        "MYSQL_ROOT_PASSWORD_FILE=/s/db_root_password",
        "-v",
        &format!("{}:/s:ro", ctx.dir.join("secrets").display()),
        "-v",
        &format!("{}:/var/lib/mysql", datadir.display()),
        "--tmpfs",
        "/run/mysqld",
        &image,
    ])?;
    Ok(())
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> Result<bool>) -> Result<()> {
    let start = Instant::now();
    while !done()? {
        if start.elapsed() > limit {
            bail!("timed out after {}s waiting for {what}", limit.as_secs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

fn healthy() -> Result<bool> {
    Ok(inspect(NAME, "{{.State.Health.Status}}")? == "healthy")
}

fn logs() -> Result<String> {
    let out = std::process::Command::new("docker")
        .args(["logs", NAME])
        .output()?;
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

fn scenario(ctx: &Ctx, datadir: &Path) -> Result<()> {
    // 1. Kill the first start in the middle of its bootstrap.
    run_scratch(ctx, datadir)?;
    let started = datadir.join(".inception-bootstrap-started");
    wait_for("the bootstrap to start", Duration::from_secs(30), || {
        Ok(started.exists())
    })?;
    docker(&["kill", "-s", "KILL", NAME])?;
    ensure!(
        !datadir.join(".inception-ready").exists(),
        "the bootstrap finished before it could be interrupted"
    );
    // 2. The next start notices, redoes it from scratch, and becomes healthy.
    docker(&["start", NAME])?;
    wait_for("the recovered bootstrap", Duration::from_secs(120), healthy)?;
    ensure!(
        logs()?.contains("interrupted"),
        "the second start did not notice the interrupted bootstrap"
    );
    ensure!(
        datadir.join(".inception-ready").exists() && !started.exists(),
        "markers are wrong after recovery"
    );
    // 3. A third start finds the datadir initialised and changes nothing.
    let ibdata = std::fs::metadata(datadir.join("mysql"))
        .context("system tables")?
        .modified()?;
    docker(&["restart", NAME])?;
    wait_for("the restart", Duration::from_secs(120), healthy)?;
    ensure!(
        logs()?.contains("already initialised"),
        "the restart ran the bootstrap again"
    );
    ensure!(
        std::fs::metadata(datadir.join("mysql"))?.modified()? == ibdata,
        "the restart rewrote the system tables"
    );
    // 4. A datadir holding someone else's data is refused and left as it was.
    docker(&["rm", "-f", NAME])?;
    for entry in std::fs::read_dir(datadir)? {
        let path = entry?.path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?
        } else {
            std::fs::remove_file(&path)?
        }
    }
    std::fs::write(datadir.join("precious.ibd"), b"not ours")?;
    run_scratch(ctx, datadir)?;
    wait_for("the refusal", Duration::from_secs(30), || {
        Ok(inspect(NAME, "{{.State.Running}}")? == "false")
    })?;
    ensure!(
        inspect(NAME, "{{.State.ExitCode}}")? != "0",
        "a foreign datadir was accepted"
    );
    ensure!(
        logs()?.contains("did not initialise"),
        "the refusal does not say why: {}",
        logs()?
    );
    ensure!(
        std::fs::read(datadir.join("precious.ibd"))? == b"not ours",
        "foreign data was touched"
    );
    Ok(())
}

pub fn m8_bootstrap_recovery(ctx: &Ctx) -> Result<()> {
    let datadir = ctx.dir.join("scratch-mariadb");
    let _ = std::fs::remove_dir_all(&datadir);
    std::fs::create_dir_all(&datadir)?;
    let result = scenario(ctx, &datadir);
    let _ = docker(&["rm", "-f", NAME]);
    let _ = std::fs::remove_dir_all(&datadir);
    result
}
