//! Test settings: a `.env` for the test login and secrets full of hostile characters.

use anyhow::{Context, Result};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Every secret carries these, between random parts: each one has broken a stack somewhere
/// (SQL and PHP quoting, shell expansion, option files, form encoding, UTF-8 handling).
pub const HOSTILE: &str = "'\"$`\\ é日本#;&%{}";

/// The secret names the compose file expects.
pub const SECRETS: [&str; 7] = [
    "db_password",
    "db_root_password",
    "wp_admin_password",
    "wp_user_password",
    "redis_password",
    "web_tools_password",
    "ftp_password",
];

fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes `DIR/.env` and `DIR/secrets/*` for a test stack of `login`.
pub fn write(dir: &Path, login: &str) -> Result<()> {
    let secrets = dir.join("secrets");
    std::fs::create_dir_all(&secrets).with_context(|| format!("creating {}", secrets.display()))?;
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o700))?;
    let env = format!(
        "LOGIN={login}\nDOMAIN_NAME={login}.42.fr\nWP_TITLE=Inception e2e\n\
WP_ADMIN_USER={login}_boss\nWP_ADMIN_EMAIL=boss@{login}.42.fr\nWP_USER={login}_writer\n\
WP_USER_EMAIL=writer@{login}.42.fr\nMYSQL_DATABASE=wordpress\nMYSQL_USER=wp_user\n\
WEB_TOOLS_USER=e2eops\nFTP_USER={login}_ftp\n"
    );
    std::fs::write(dir.join(".env"), env)?;
    for name in SECRETS {
        let value = format!("{}{HOSTILE}{}", random_hex(8)?, random_hex(8)?);
        let path = secrets.join(name);
        std::fs::write(&path, format!("{value}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}
