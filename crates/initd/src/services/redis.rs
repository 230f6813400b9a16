//! Redis (bonus B1): the WordPress object cache. Password required, memory bounded with
//! LRU eviction, no persistence (a cache can be rebuilt), never published.
//!
//! The configuration holds the password, so it is rendered at every start onto the
//! container's tmpfs (`/run/redis`, mode 0600, owned by redis), never into the image.

use crate::{files, settings, template};
use anyhow::Result;
use minijinja::context;
use nix::sys::signal::Signal;
use std::path::Path;

const CONFIG: &str = "/run/redis/redis.conf";

/// Quotes a value for redis.conf (double quotes; `\` and `"` escaped, control bytes hex).
pub fn quote(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders redis.conf and returns redis-server, run as the redis user.
pub fn prepare() -> Result<pid1::Daemon> {
    let password = settings::secret("REDIS_PASSWORD")?;
    let maxmemory = settings::var_or("REDIS_MAXMEMORY", "64mb");
    files::ensure_dir(Path::new("/run/redis"), "redis", 0o700)?;
    template::render_file(
        Path::new("/etc/inception/redis.conf.j2"),
        Path::new(CONFIG),
        context! { password => quote(&password), maxmemory => maxmemory },
        0o600,
    )?;
    files::chown(Path::new(CONFIG), "redis")?;
    super::daemon_as("redis", "/usr/bin/redis-server", &[CONFIG], Signal::SIGTERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_hostile_passwords_intact() {
        assert_eq!(quote(r#"a"b\c $`' é"#), r#""a\"b\\c $`' é""#);
        assert_eq!(quote("x\ny"), r#""x\x0ay""#);
    }
}
