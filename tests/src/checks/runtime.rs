//! Checks on the running containers: the live audit's rules, plus what is specific to our
//! stack (image tags, our init as PID 1, the data really on the host).

use crate::audit;
use crate::ctx::Ctx;
use crate::docker::{exec, SERVICES};
use anyhow::{ensure, Context, Result};

const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn m4_names(ctx: &Ctx) -> Result<()> {
    let snap = audit::snapshot(ctx)?;
    audit::pass(&[snap.names()])?;
    for svc in ctx.services() {
        let c = snap
            .containers
            .iter()
            .find(|c| c.name == svc)
            .with_context(|| format!("no container {svc}"))?;
        ensure!(
            c.image == format!("{svc}:{VERSION}"),
            "{svc} runs image {}, expected {svc}:{VERSION}",
            c.image
        );
    }
    Ok(())
}

pub fn m6_ports(ctx: &Ctx) -> Result<()> {
    let snap = audit::snapshot(ctx)?;
    ensure!(
        snap.containers.len() >= SERVICES.len(),
        "only {} containers running",
        snap.containers.len()
    );
    // The FTP bonus's ports are the one documented exception, and only when it runs.
    audit::hold(&[snap.ports()], |f| {
        ctx.bonus && audit::ftp_ports_warning(f)
    })?;
    audit::hold(&audit::static_rule(ctx, "M6")?, audit::ftp_ports_warning)
}

fn has_file(container: &str, path: &str) -> bool {
    exec(container, &["test", "-e", path]).is_ok()
}

fn role(ctx: &Ctx, id: &str) -> Result<()> {
    let snap = audit::snapshot(ctx)?;
    let roles: Vec<_> = snap.roles().into_iter().filter(|f| f.id == id).collect();
    audit::pass(&roles)
}

pub fn m7_wordpress(ctx: &Ctx) -> Result<()> {
    role(ctx, "M7")?;
    ensure!(
        has_file("wordpress", "/var/www/wordpress/wp-includes/version.php"),
        "WordPress files are missing"
    );
    Ok(())
}

pub fn m8_mariadb(ctx: &Ctx) -> Result<()> {
    role(ctx, "M8")?;
    let version = crate::docker::sql("SELECT VERSION();")?;
    ensure!(version.contains("10.11"), "MariaDB is not 10.11: {version}");
    Ok(())
}

pub fn m9_volumes(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M9")?)?;
    audit::pass(&[audit::snapshot(ctx)?.volumes()])?;
    // The data is really there, on the host.
    for (volume, witness) in [("mariadb", "ibdata1"), ("wordpress", "wp-config.php")] {
        let dir = ctx.data_dir().join(volume);
        ensure!(
            dir.join(witness).exists(),
            "{} has no {witness}: data is not there",
            dir.display()
        );
    }
    Ok(())
}

pub fn m10_network(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M10")?)?;
    audit::pass(&[audit::snapshot(ctx)?.network_rule()])
}

pub fn m11_policy(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M11")?)?;
    audit::pass(&[audit::snapshot(ctx)?.restart()])
}

pub fn m12_pid1(ctx: &Ctx) -> Result<()> {
    audit::pass(&audit::static_rule(ctx, "M12")?)?;
    let snap = audit::snapshot(ctx)?;
    audit::pass(&[snap.pid1()])?;
    // Ours in particular: initd is PID 1 everywhere, with its daemon as a direct child.
    let mut daemons = vec![
        ("nginx", "nginx"),
        ("wordpress", "php-fpm"),
        ("mariadb", "mariadbd"),
    ];
    if ctx.bonus {
        daemons.extend([
            ("redis", "redis-server"),
            ("adminer", "php-fpm"),
            ("ftp", "vsftpd"),
            ("site", "inception-site"),
            ("engine-proxy", "inception-monit"),
            ("monitor", "inception-monit"),
        ]);
    }
    for (svc, daemon) in daemons {
        let inside = snap
            .inside(svc)
            .with_context(|| format!("no container {svc}"))?;
        let cmdline = inside
            .cmdline
            .clone()
            .map_err(anyhow::Error::msg)?
            .replace('\0', " ");
        ensure!(
            cmdline.trim() == format!("/usr/local/bin/initd run {svc}"),
            "PID 1 of {svc} is {cmdline:?}"
        );
        let procs = inside
            .procs
            .as_ref()
            .with_context(|| format!("no process table for {svc}"))?;
        ensure!(
            procs
                .iter()
                .any(|(_, ppid, comm)| *ppid == 1 && comm.starts_with(daemon)),
            "{daemon} is not a direct child of PID 1 in {svc}: {procs:?}"
        );
    }
    Ok(())
}

/// The whole audit, as `make check` runs it: nothing fails, static or live. The
/// per-rule checks above prove each rule; this one catches a finding none of them asks for.
pub fn audit_clean(ctx: &Ctx) -> Result<()> {
    let repo = audit::static_audit(ctx)?;
    audit::hold(&repo, audit::ftp_ports_warning).context("inception check --repo")?;
    let live = inception::live::audit_live(&audit::live_opts(ctx));
    audit::hold(&live, |f| ctx.bonus && audit::ftp_ports_warning(f))
        .context("inception check --live")
}
