//! Service probes: each asks a daemon for its own figures, with a short timeout, and a
//! failure is a "down" reading with its reason, never an error of the whole collection.

pub mod fpm;
pub mod mariadb;
pub mod nginx;
pub mod redis;

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// What a probe read: numeric values (metrics, charts) and text facts (versions, names).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Numeric values by name, e.g. `keyspace_hits`.
    pub values: BTreeMap<String, f64>,
    /// Text values by name, e.g. `version`.
    pub info: BTreeMap<String, String>,
}

impl Reading {
    /// Sets a numeric value.
    pub fn value(&mut self, name: &str, v: f64) {
        self.values.insert(name.to_owned(), v);
    }

    /// Sets a text value.
    pub fn info(&mut self, name: &str, v: impl Into<String>) {
        self.info.insert(name.to_owned(), v.into());
    }

    /// The numeric values as a JSON object.
    pub fn values_json(&self) -> Value {
        Value::Object(
            self.values
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(*v)))
                .collect::<Map<_, _>>(),
        )
    }
}

/// One configured probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Redis `INFO stats` and `INFO memory`, after `AUTH` when a password file is given.
    Redis {
        /// `host:port`.
        addr: String,
        /// File holding the password.
        password_file: Option<PathBuf>,
    },
    /// php-fpm's status page over FastCGI.
    Fpm {
        /// `host:port` of the FastCGI listener.
        addr: String,
    },
    /// nginx's stub_status page over HTTP.
    Nginx {
        /// `http://host:port/path`.
        url: String,
    },
    /// MariaDB's protocol greeting.
    Mariadb {
        /// `host:port`.
        addr: String,
    },
}

impl Probe {
    /// Short name: `redis`, `phpfpm`, `nginx`, `mariadb` (also the metric prefix).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Redis { .. } => "redis",
            Self::Fpm { .. } => "phpfpm",
            Self::Nginx { .. } => "nginx",
            Self::Mariadb { .. } => "mariadb",
        }
    }

    /// What is probed (address or URL), for display.
    pub fn target(&self) -> &str {
        match self {
            Self::Redis { addr, .. } | Self::Fpm { addr } | Self::Mariadb { addr } => addr,
            Self::Nginx { url } => url,
        }
    }

    /// Runs the probe once.
    pub fn run(&self, timeout: Duration) -> anyhow::Result<Reading> {
        match self {
            Self::Redis {
                addr,
                password_file,
            } => redis::probe(addr, password_file.as_deref(), timeout),
            Self::Fpm { addr } => fpm::probe(addr, timeout),
            Self::Nginx { url } => nginx::probe(url, timeout),
            Self::Mariadb { addr } => mariadb::probe(addr, timeout),
        }
    }
}
