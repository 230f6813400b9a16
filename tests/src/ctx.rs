//! What every check needs to know about the stack under test.

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The test stack: where its settings are, its names, and its secrets (to look for leaks).
pub struct Ctx {
    /// Directory with `.env` and `secrets/`.
    pub dir: PathBuf,
    /// Compose project name.
    pub project: String,
    /// Login: domain `<login>.42.fr`, data in `/home/<login>/data`.
    pub login: String,
    /// The `.env` values.
    pub env: BTreeMap<String, String>,
    /// Secret name to value (trailing newline stripped, as the containers read them).
    pub secrets: BTreeMap<String, String>,
    /// The repository root.
    pub repo: PathBuf,
    /// The stack runs the bonus profile (`make bonus`).
    pub bonus: bool,
}

impl Ctx {
    /// Reads the test settings written by `e2e prepare`.
    pub fn load(dir: PathBuf, project: String, login: String, bonus: bool) -> Result<Self> {
        let text = std::fs::read_to_string(dir.join(".env")).context("reading test .env")?;
        let env = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut secrets = BTreeMap::new();
        for name in crate::prepare::SECRETS {
            let raw = std::fs::read_to_string(dir.join("secrets").join(name))
                .with_context(|| format!("reading secret {name}"))?;
            secrets.insert(name.to_owned(), raw.trim_end_matches('\n').to_owned());
        }
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("repository root")?
            .to_path_buf();
        Ok(Ctx {
            dir,
            project,
            login,
            env,
            secrets,
            repo,
            bonus,
        })
    }

    /// A `.env` value.
    pub fn var(&self, key: &str) -> &str {
        self.env.get(key).map(String::as_str).unwrap_or("")
    }

    /// The containers this stack runs.
    pub fn services(&self) -> Vec<&'static str> {
        let mut all = crate::docker::SERVICES.to_vec();
        if self.bonus {
            all.extend(crate::docker::BONUS);
        }
        all
    }

    /// The make target that brings this stack up.
    pub fn up_target(&self) -> &'static str {
        if self.bonus {
            "bonus"
        } else {
            "all"
        }
    }

    /// The site's domain.
    pub fn domain(&self) -> String {
        format!("{}.42.fr", self.login)
    }

    /// Where nginx listens for the tests: loopback, port 443.
    pub fn https_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 443))
    }

    /// The data directory of the test stack.
    pub fn data_dir(&self) -> PathBuf {
        PathBuf::from(format!("/home/{}/data", self.login))
    }

    /// `make` with the test stack's settings.
    pub fn make(&self, target: &str) -> Result<()> {
        let status = std::process::Command::new("make")
            .arg("-C")
            .arg(&self.repo)
            .arg(target)
            .arg(format!("PROJECT={}", self.project))
            .arg(format!("ENV_FILE={}", self.dir.join(".env").display()))
            .arg(format!(
                "SECRETS_DIR={}",
                self.dir.join("secrets").display()
            ))
            .arg(format!("LOGIN={}", self.login))
            .status()
            .with_context(|| format!("running make {target}"))?;
        anyhow::ensure!(status.success(), "make {target} failed ({status})");
        Ok(())
    }
}
