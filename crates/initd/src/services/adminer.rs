//! Adminer (bonus B4): Debian's adminer package on its own php-fpm, reached only through
//! nginx at /adminer/ behind HTTP authentication; it logs into MariaDB like any client.

use anyhow::Result;

/// Returns php-fpm for the adminer pool (configuration is static, baked in the image).
pub fn prepare() -> Result<pid1::Daemon> {
    crate::files::ensure_dir(std::path::Path::new("/run/php"), "www-data", 0o755)?;
    Ok(super::php_fpm())
}
