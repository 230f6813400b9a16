//! Self-signed certificates for the services that speak TLS (nginx, vsftpd).
//!
//! The key is generated in the container at first start (never in an image), next to the
//! certificate, both written under temporary names and renamed into place, key first, so a
//! start killed half-way leaves either a complete pair or one that is regenerated. A
//! `domain` file records the name the pair was made for: a new DOMAIN_NAME gets a new pair.

use crate::{exec, files};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a service keeps its pair.
pub struct Pair {
    /// The private key (mode 0600).
    pub key: PathBuf,
    /// The certificate.
    pub cert: PathBuf,
}

/// Makes sure `dir` holds a key and certificate for `domain`, generating them if missing
/// or made for another name.
pub fn ensure(dir: &Path, domain: &str) -> Result<Pair> {
    let pair = Pair {
        key: dir.join("key.pem"),
        cert: dir.join("cert.pem"),
    };
    let name_file = dir.join("domain");
    let current = std::fs::read_to_string(&name_file).unwrap_or_default();
    if pair.key.exists() && pair.cert.exists() && current.trim() == domain {
        return Ok(pair);
    }
    eprintln!("init: generating a self-signed certificate for {domain}");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let (key_tmp, cert_tmp) = (dir.join(".key.pem.tmp"), dir.join(".cert.pem.tmp"));
    exec::run(
        Command::new("/usr/bin/openssl")
            .args(["req", "-x509", "-new", "-nodes", "-newkey", "ec"])
            .args([
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-sha256",
                "-days",
                "825",
            ])
            .args(["-subj", &format!("/CN={domain}")])
            .args(["-addext", &format!("subjectAltName=DNS:{domain}")])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args(["-addext", "extendedKeyUsage=serverAuth"])
            .arg("-keyout")
            .arg(&key_tmp)
            .arg("-out")
            .arg(&cert_tmp)
            .stderr(std::process::Stdio::null()),
        None,
    )?;
    std::fs::set_permissions(
        &key_tmp,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .context("restricting the key's permissions")?;
    std::fs::rename(&key_tmp, &pair.key).context("installing the key")?;
    std::fs::rename(&cert_tmp, &pair.cert).context("installing the certificate")?;
    files::write_atomic(&name_file, domain.as_bytes(), 0o644)?;
    Ok(pair)
}
