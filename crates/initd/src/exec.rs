//! Running the helper programs of a bootstrap (mariadb-install-db, php, openssl).
//!
//! These run before the supervisor loop starts, one at a time, so waiting on them with
//! `std::process::Child::wait` cannot steal a status from the reaper (which is not running
//! yet). Secrets never go in their arguments: they are piped on stdin or read from files.

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `cmd` to completion, feeding `stdin` if given; fails naming the program and status.
pub fn run(cmd: &mut Command, stdin: Option<&[u8]>) -> Result<()> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    } else {
        cmd.stdin(Stdio::null());
    }
    let mut child = cmd.spawn().with_context(|| format!("starting {program}"))?;
    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(data)
            .with_context(|| format!("writing to {program}'s stdin"))?;
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for {program}"))?;
    if !status.success() {
        bail!("{program} failed ({status})");
    }
    Ok(())
}

/// A command that runs as the given system user (uid, gid and no supplementary groups).
pub fn as_user(program: &str, user: &str) -> Result<Command> {
    use std::os::unix::process::CommandExt;
    let (uid, gid) = crate::files::user_ids(user)?;
    let mut cmd = Command::new(program);
    // std drops supplementary groups itself when root sets a uid.
    cmd.uid(uid.as_raw()).gid(gid.as_raw());
    Ok(cmd)
}
