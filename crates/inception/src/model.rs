//! The parsed compose file: services with what the audit needs (build, image, ports,
//! restart, volumes, ...), YAML merge keys (`<<: *anchor`) applied, and a way back from a
//! service key to its line in the file for evidence.

use std::collections::HashMap;

use serde_norway::{Mapping, Value};
use thiserror::Error;

use crate::repo::{dirname, join, Repo};

/// Why a compose file could not be used.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// Relative path.
        file: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The YAML did not parse.
    #[error("{file} is not valid YAML: {message}")]
    Yaml {
        /// Relative path.
        file: String,
        /// 1-based line of the error, when the parser knows it.
        line: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// The YAML parsed but is not a compose file (no `services:` mapping).
    #[error("{file} has no `services:` mapping")]
    NoServices {
        /// Relative path.
        file: String,
    },
}

impl ComposeError {
    /// The file concerned.
    #[must_use]
    pub fn file(&self) -> &str {
        match self {
            Self::Read { file, .. } | Self::Yaml { file, .. } | Self::NoServices { file } => file,
        }
    }

    /// The line concerned, when known.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Yaml { line, .. } => *line,
            _ => None,
        }
    }
}

/// A service's `build:` section, resolved against the repository root.
#[derive(Debug, Clone)]
pub struct Build {
    /// Build context, relative to the repository root (may start with `..`).
    pub context: String,
    /// Dockerfile, relative to the repository root.
    pub dockerfile: String,
}

/// One entry of a service's `volumes:`.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Named volume or host path; `None` for an anonymous volume.
    pub source: Option<String>,
    /// Path in the container.
    pub target: String,
}

impl Mount {
    /// Whether the source is a host path (a bind mount) rather than a named volume.
    #[must_use]
    pub fn is_bind(&self) -> bool {
        self.source.as_deref().is_some_and(|s| {
            s.starts_with('/') || s.starts_with('.') || s.starts_with('~') || s.starts_with('$')
        })
    }
}

/// One service of the compose file.
#[derive(Debug, Clone)]
pub struct Service {
    /// Service name (key under `services:`).
    pub name: String,
    /// Line of the service's key.
    pub line: usize,
    /// `build:`, if any.
    pub build: Option<Build>,
    /// `image:`, raw.
    pub image: Option<String>,
    /// `container_name:`, raw.
    pub container_name: Option<String>,
    /// `restart:`.
    pub restart: Option<String>,
    /// `deploy.restart_policy.condition` (`any` when the policy has no condition).
    pub restart_policy: Option<String>,
    /// Published ports, as strings (`"443:443"`, or `host:target` from the long syntax).
    pub ports: Vec<String>,
    /// Compose profiles.
    pub profiles: Vec<String>,
    /// `network_mode:`.
    pub network_mode: Option<String>,
    /// Whether `links:` is present.
    pub links: bool,
    /// Whether `external_links:` is present.
    pub external_links: bool,
    /// Volume mounts.
    pub mounts: Vec<Mount>,
}

/// A parsed compose file.
#[derive(Debug, Clone)]
pub struct Compose {
    /// Relative path of the file.
    pub file: String,
    /// Its text.
    pub text: String,
    /// Services in file order.
    pub services: Vec<Service>,
    /// Whether a top-level `networks:` section exists.
    pub has_networks: bool,
    /// Top-level `volumes:` (name → definition).
    pub volumes: Vec<(String, Value)>,
    /// Variables from the `.env` next to the compose file (and `srcs/.env`).
    pub env: HashMap<String, String>,
}

impl Compose {
    /// Reads and parses the compose file `file` of `repo`.
    ///
    /// # Errors
    /// When the file is unreadable, not YAML, or has no `services:` mapping.
    pub fn load(repo: &Repo, file: &str) -> Result<Self, ComposeError> {
        let text = repo.read(file).map_err(|source| ComposeError::Read {
            file: file.to_string(),
            source,
        })?;
        let mut root: Value = serde_norway::from_str(&text).map_err(|e| ComposeError::Yaml {
            file: file.to_string(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
        root.apply_merge().map_err(|e| ComposeError::Yaml {
            file: file.to_string(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
        let Some(services) = root.get("services").and_then(Value::as_mapping) else {
            return Err(ComposeError::NoServices {
                file: file.to_string(),
            });
        };
        let dir = dirname(file).to_string();
        let mut out = Vec::new();
        for (key, svc) in services {
            let Some(name) = scalar(key) else { continue };
            let mut service = parse_service(&name, svc, &dir);
            // A service may itself carry merges; apply_merge handled the tree already.
            service.line = service_line(&text, &name).unwrap_or(1);
            out.push(service);
        }
        let volumes = root
            .get("volumes")
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| scalar(k).map(|k| (k, v.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let mut env = HashMap::new();
        for candidate in [join(&dir, ".env"), "srcs/.env".to_string()] {
            if let Some(t) = repo.text(&candidate) {
                for (k, v, _) in crate::check::env::parse_env(&t) {
                    env.entry(k).or_insert(v);
                }
            }
        }
        Ok(Self {
            file: file.to_string(),
            has_networks: root.get("networks").is_some(),
            services: out,
            volumes,
            env,
            text,
        })
    }

    /// The line of `key:` inside service `service`, else the service's own line.
    #[must_use]
    pub fn key_line(&self, service: &Service, key: &str) -> usize {
        key_line_in(&self.text, service.line, key).unwrap_or(service.line)
    }

    /// The text of a 1-based line.
    #[must_use]
    pub fn line_text(&self, line: usize) -> &str {
        self.text
            .lines()
            .nth(line.saturating_sub(1))
            .unwrap_or_default()
            .trim()
    }

    /// Looks a service up by name.
    #[must_use]
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
}

/// A YAML scalar as a string (numbers and booleans included).
#[must_use]
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn get<'a>(m: &'a Value, key: &str) -> Option<&'a Value> {
    m.as_mapping().and_then(|m: &Mapping| m.get(key))
}

fn parse_service(name: &str, v: &Value, dir: &str) -> Service {
    let build = get(v, "build").and_then(|b| {
        let (context, dockerfile) = match b {
            Value::String(s) => (s.clone(), None),
            Value::Mapping(_) => (
                get(b, "context")
                    .and_then(scalar)
                    .unwrap_or_else(|| ".".into()),
                get(b, "dockerfile").and_then(scalar),
            ),
            _ => return None,
        };
        let context = join(dir, &context);
        let dockerfile = join(&context, dockerfile.as_deref().unwrap_or("Dockerfile"));
        Some(Build {
            context,
            dockerfile,
        })
    });
    let ports = get(v, "ports")
        .and_then(Value::as_sequence)
        .map(|seq| {
            seq.iter()
                .filter_map(|p| match p {
                    Value::Mapping(_) => {
                        let target = get(p, "target").and_then(scalar).unwrap_or_default();
                        let published = get(p, "published").and_then(scalar);
                        Some(match published {
                            Some(h) => format!("{h}:{target}"),
                            None => target,
                        })
                    }
                    other => scalar(other),
                })
                .collect()
        })
        .unwrap_or_default();
    let profiles = get(v, "profiles")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(scalar).collect())
        .unwrap_or_default();
    let mounts = get(v, "volumes")
        .and_then(Value::as_sequence)
        .map(|seq| seq.iter().filter_map(parse_mount).collect())
        .unwrap_or_default();
    let restart_policy = get(v, "deploy")
        .and_then(|d| get(d, "restart_policy"))
        .map(|p| {
            get(p, "condition")
                .and_then(scalar)
                .unwrap_or_else(|| "any".into())
        });
    Service {
        name: name.to_string(),
        line: 1,
        build,
        image: get(v, "image").and_then(scalar),
        container_name: get(v, "container_name").and_then(scalar),
        restart: get(v, "restart").and_then(scalar),
        restart_policy,
        ports,
        profiles,
        network_mode: get(v, "network_mode").and_then(scalar),
        links: get(v, "links").is_some(),
        external_links: get(v, "external_links").is_some(),
        mounts,
    }
}

fn parse_mount(v: &Value) -> Option<Mount> {
    match v {
        Value::String(s) => {
            let parts: Vec<&str> = s.split(':').collect();
            match parts.as_slice() {
                [target] => Some(Mount {
                    source: None,
                    target: (*target).to_string(),
                }),
                [source, target, ..] => Some(Mount {
                    source: Some((*source).to_string()),
                    target: (*target).to_string(),
                }),
                [] => None,
            }
        }
        Value::Mapping(_) => Some(Mount {
            source: get(v, "source").and_then(scalar),
            target: get(v, "target").and_then(scalar).unwrap_or_default(),
        }),
        _ => None,
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The 1-based line of `name:` directly under the top-level `services:` key.
fn service_line(text: &str, name: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "services:" || l.starts_with("services:"))?;
    let mut child_indent = None;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        if is_blank(l) {
            continue;
        }
        let ind = indent(l);
        if ind == 0 {
            break;
        }
        let ci = *child_indent.get_or_insert(ind);
        if ind != ci {
            continue;
        }
        let key = l.trim().trim_end_matches(':');
        let key = key.split(':').next().unwrap_or_default().trim();
        let key = key.trim_matches(|c| c == '"' || c == '\'');
        if key == name {
            return Some(i + 1);
        }
    }
    None
}

/// The 1-based line of `key:` inside the block starting at `block_line`.
fn key_line_in(text: &str, block_line: usize, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let head = lines.get(block_line.checked_sub(1)?)?;
    let base = indent(head);
    for (i, l) in lines.iter().enumerate().skip(block_line) {
        if is_blank(l) {
            continue;
        }
        if indent(l) <= base {
            break;
        }
        let t = l.trim().trim_start_matches("- ");
        if t.starts_with(&format!("{key}:")) {
            return Some(i + 1);
        }
    }
    None
}

/// Expands `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR` from `env`; returns the
/// expanded text and the names of variables that had neither a value nor a default.
#[must_use]
pub fn interpolate(s: &str, env: &HashMap<String, String>) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut unresolved = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let inner = &body[..end];
            let (name, default) = match inner.find([':', '-', '?']) {
                Some(j) => {
                    let d = inner[j..].trim_start_matches([':', '-', '?']);
                    (&inner[..j], Some(d))
                }
                None => (inner, None),
            };
            match (env.get(name), default) {
                (Some(v), _) if !v.is_empty() => out.push_str(v),
                (_, Some(d)) => out.push_str(d),
                _ => {
                    out.push_str(&format!("${{{name}}}"));
                    unresolved.push(name.to_string());
                }
            }
            rest = &body[end + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            let name = &after[..len];
            match env.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    out.push_str(&format!("${{{name}}}"));
                    unresolved.push(name.to_string());
                }
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    (out, unresolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation() {
        let mut env = HashMap::new();
        env.insert("LOGIN".to_string(), "bob".to_string());
        assert_eq!(interpolate("/home/${LOGIN}/data", &env).0, "/home/bob/data");
        assert_eq!(interpolate("x:${V:-1.0}", &env).0, "x:1.0");
        let (s, u) = interpolate("/home/$USER/data", &env);
        assert_eq!(s, "/home/${USER}/data");
        assert_eq!(u, vec!["USER".to_string()]);
    }

    #[test]
    fn lines() {
        let t =
            "x: 1\nservices:\n  a:\n    image: a\n  b:\n    build: .\n    ports:\n      - 80:80\n";
        assert_eq!(service_line(t, "b"), Some(5));
        assert_eq!(key_line_in(t, 5, "ports"), Some(7));
        assert_eq!(key_line_in(t, 3, "ports"), None);
    }
}
