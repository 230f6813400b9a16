//! The static site (bonus B3): our Rust server `inception-site`, run as an unprivileged
//! user; nginx reaches it at /site/.

use anyhow::Result;
use nix::sys::signal::Signal;

/// Returns the site server, listening on the stack's network only.
pub fn prepare() -> Result<pid1::Daemon> {
    super::daemon_as(
        "inception",
        "/usr/local/bin/inception-site",
        &["--listen", "0.0.0.0:8080"],
        Signal::SIGTERM,
    )
}
