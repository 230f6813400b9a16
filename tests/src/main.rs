//! `e2e`: the end-to-end suite of `make test`.
//!
//! `e2e prepare` writes a test `.env` and fresh secrets that contain every character that
//! has broken stacks before (quotes, `$`, backticks, backslashes, spaces, non-ASCII).
//! The Makefile then brings a real stack up with those settings (its own compose project,
//! login and data directory) and `e2e run` proves rules M1-M17 against it, printing one
//! line per check and the closing line `N passed, N failed`.

mod audit;
mod checks;
mod ctx;
mod docker;
mod harness;
mod prepare;
mod wp;

use anyhow::{bail, Context, Result};
use std::path::PathBuf;

fn main() {
    match real_main() {
        Ok(code) => std::process::exit(code),
        Err(err) => {
            eprintln!("e2e: error: {err:#}");
            std::process::exit(2);
        }
    }
}

fn flag(args: &[String], name: &str) -> Result<String> {
    args.windows(2)
        .find(|w| w[0] == name)
        .map(|w| w[1].clone())
        .with_context(|| format!("missing {name}"))
}

fn real_main() -> Result<i32> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("prepare") => {
            prepare::write(&PathBuf::from(flag(&args, "--dir")?), &flag(&args, "--login")?)?;
            Ok(0)
        }
        Some("run") => {
            let ctx = ctx::Ctx::load(
                PathBuf::from(flag(&args, "--dir")?),
                flag(&args, "--project")?,
                flag(&args, "--login")?,
                args.iter().any(|a| a == "--bonus"),
            )?;
            let only = flag(&args, "--only").ok();
            Ok(harness::run(&ctx, &checks::all(ctx.bonus), only.as_deref()))
        }
        _ => bail!("usage: e2e prepare --dir DIR --login LOGIN | e2e run --dir DIR --project NAME --login LOGIN [--bonus] [--only ID]"),
    }
}
