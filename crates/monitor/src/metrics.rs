//! Prometheus text exposition format 0.0.4.
//!
//! Each family is written as `# HELP`, `# TYPE`, then one line per series; families with no
//! series are left out. Label values escape `\`, `"` and newline; HELP text escapes `\`
//! and newline. Counters end in `_total`. A probe's families appear only when the probe is
//! configured, and its values only while it is up (its `_up` gauge says which).

use crate::collector::State;
use std::fmt::Write;

/// The `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Escapes a label value.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes HELP text.
pub fn escape_help(text: &str) -> String {
    text.replace('\\', "\\\\").replace('\n', "\\n")
}

/// Formats a sample value (`NaN`, `+Inf`, `-Inf` spelled as Prometheus wants).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// One metric family under construction.
#[derive(Debug, Clone)]
pub struct Family {
    name: String,
    help: String,
    kind: &'static str,
    samples: Vec<(Vec<(&'static str, String)>, f64)>,
}

impl Family {
    /// A family of type `kind` (`gauge` or `counter`).
    pub fn new(name: &str, kind: &'static str, help: &str) -> Self {
        Self {
            name: name.to_owned(),
            help: help.to_owned(),
            kind,
            samples: Vec::new(),
        }
    }

    /// Adds a series.
    pub fn sample(&mut self, labels: Vec<(&'static str, String)>, value: f64) {
        self.samples.push((labels, value));
    }

    /// Appends the family's text to `out` (nothing when it has no series).
    pub fn write(&self, out: &mut String) {
        if self.samples.is_empty() {
            return;
        }
        let _ = writeln!(out, "# HELP {} {}", self.name, escape_help(&self.help));
        let _ = writeln!(out, "# TYPE {} {}", self.name, self.kind);
        for (labels, value) in &self.samples {
            out.push_str(&self.name);
            if !labels.is_empty() {
                out.push('{');
                for (i, (k, v)) in labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{k}=\"{}\"", escape_label(v));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {}", format_value(*value));
        }
    }
}

/// (probe, reading key, metric name, type, help) of every probe metric.
const PROBE_METRICS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "redis",
        "keyspace_hits",
        "inception_redis_keyspace_hits_total",
        "counter",
        "Successful key lookups (INFO stats keyspace_hits).",
    ),
    (
        "redis",
        "keyspace_misses",
        "inception_redis_keyspace_misses_total",
        "counter",
        "Failed key lookups (INFO stats keyspace_misses).",
    ),
    (
        "redis",
        "hit_ratio",
        "inception_redis_keyspace_hit_ratio",
        "gauge",
        "keyspace_hits / (hits + misses) since Redis started.",
    ),
    (
        "redis",
        "used_memory",
        "inception_redis_memory_used_bytes",
        "gauge",
        "Memory allocated by Redis (INFO memory used_memory).",
    ),
    (
        "redis",
        "evicted_keys",
        "inception_redis_evicted_keys_total",
        "counter",
        "Keys evicted because of maxmemory.",
    ),
    (
        "phpfpm",
        "accepted_conn",
        "inception_phpfpm_accepted_connections_total",
        "counter",
        "Requests accepted by the php-fpm pool.",
    ),
    (
        "phpfpm",
        "active_processes",
        "inception_phpfpm_active_processes",
        "gauge",
        "php-fpm workers serving a request.",
    ),
    (
        "phpfpm",
        "idle_processes",
        "inception_phpfpm_idle_processes",
        "gauge",
        "php-fpm workers waiting for a request.",
    ),
    (
        "phpfpm",
        "total_processes",
        "inception_phpfpm_total_processes",
        "gauge",
        "php-fpm workers.",
    ),
    (
        "phpfpm",
        "listen_queue",
        "inception_phpfpm_listen_queue",
        "gauge",
        "Requests waiting for a free php-fpm worker.",
    ),
    (
        "phpfpm",
        "max_children_reached",
        "inception_phpfpm_max_children_reached_total",
        "counter",
        "Times php-fpm hit pm.max_children.",
    ),
    (
        "phpfpm",
        "slow_requests",
        "inception_phpfpm_slow_requests_total",
        "counter",
        "Requests slower than request_slowlog_timeout.",
    ),
    (
        "nginx",
        "active",
        "inception_nginx_connections_active",
        "gauge",
        "Open client connections, idle ones included.",
    ),
    (
        "nginx",
        "reading",
        "inception_nginx_connections_reading",
        "gauge",
        "Connections whose request header nginx is reading.",
    ),
    (
        "nginx",
        "writing",
        "inception_nginx_connections_writing",
        "gauge",
        "Connections nginx is answering.",
    ),
    (
        "nginx",
        "waiting",
        "inception_nginx_connections_waiting",
        "gauge",
        "Idle keep-alive connections.",
    ),
    (
        "nginx",
        "accepted",
        "inception_nginx_connections_accepted_total",
        "counter",
        "Client connections accepted.",
    ),
    (
        "nginx",
        "handled",
        "inception_nginx_connections_handled_total",
        "counter",
        "Client connections handled.",
    ),
    (
        "nginx",
        "requests",
        "inception_nginx_http_requests_total",
        "counter",
        "Client requests.",
    ),
];

/// Renders the whole exposition for `state`.
pub fn render(state: &State) -> String {
    let mut out = String::new();
    let mut engine = Family::new(
        "inception_engine_up",
        "gauge",
        "1 when the last container listing through the engine proxy succeeded.",
    );
    if state.last_sample.is_some() {
        engine.sample(vec![], f64::from(u8::from(state.engine_up)));
    }
    engine.write(&mut out);
    let mut last = Family::new(
        "inception_monitor_last_sample_timestamp_seconds",
        "gauge",
        "Unix time of the last collection.",
    );
    if let Some(t) = state.last_sample {
        last.sample(vec![], t.floor());
    }
    last.write(&mut out);

    type Getter = fn(&crate::collector::ContainerState) -> Option<f64>;
    let container_families: [(&str, &str, &str, Getter); 9] = [
        ("inception_container_running", "gauge", "1 when the container runs.", |c| Some(f64::from(u8::from(c.running())))),
        ("inception_container_cpu_percent", "gauge", "CPU use as docker stats shows it (100 = one CPU).", |c| c.cpu_percent),
        ("inception_container_memory_bytes", "gauge", "Memory used without reclaimable page cache, as docker stats shows it.", |c| c.memory_bytes.map(|v| v as f64)),
        ("inception_container_memory_limit_bytes", "gauge", "Memory limit of the container.", |c| c.memory_limit_bytes.map(|v| v as f64)),
        ("inception_container_network_receive_bytes_total", "counter", "Bytes received, all interfaces.", |c| c.rx_bytes.map(|v| v as f64)),
        ("inception_container_network_transmit_bytes_total", "counter", "Bytes sent, all interfaces.", |c| c.tx_bytes.map(|v| v as f64)),
        ("inception_container_restarts_total", "counter", "Restarts done by the restart policy.", |c| c.restarts.map(|v| v as f64)),
        ("inception_container_healthy", "gauge", "1 when the healthcheck reports healthy, 0 otherwise (only containers with a healthcheck).", |c| c.health.as_deref().map(|h| f64::from(u8::from(h == "healthy")))),
        ("inception_container_uptime_seconds", "gauge", "Seconds since the container started (running containers).", |c| c.uptime_seconds.map(f64::floor)),
    ];
    for (name, kind, help, get) in container_families {
        let mut fam = Family::new(name, kind, help);
        for c in state.containers.values() {
            if let Some(v) = get(c) {
                fam.sample(vec![("container", c.name.clone())], v);
            }
        }
        fam.write(&mut out);
    }

    for probe in &state.probes {
        let mut up = Family::new(
            &format!("inception_{}_up", probe.name),
            "gauge",
            &format!("1 when the last {} probe succeeded.", probe.name),
        );
        if probe.checked {
            up.sample(vec![], f64::from(u8::from(probe.up)));
        }
        up.write(&mut out);
        for (p, key, name, kind, help) in PROBE_METRICS {
            if *p != probe.name {
                continue;
            }
            let mut fam = Family::new(name, kind, help);
            if let Some(v) = probe.reading.values.get(*key) {
                fam.sample(vec![], *v);
            }
            fam.write(&mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_labels_and_help() {
        assert_eq!(escape_label(r#"a\b"c"#), r#"a\\b\"c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
        assert_eq!(escape_help("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
    }

    #[test]
    fn family_text() {
        let mut f = Family::new("m_total", "counter", "Some\nhelp.");
        f.sample(vec![("container", "we\"ird".into())], 3.0);
        f.sample(vec![("container", "b".into())], 0.5);
        let mut out = String::new();
        f.write(&mut out);
        assert_eq!(
            out,
            "# HELP m_total Some\\nhelp.\n# TYPE m_total counter\n\
             m_total{container=\"we\\\"ird\"} 3\nm_total{container=\"b\"} 0.5\n"
        );
        let mut out = String::new();
        Family::new("empty", "gauge", "x").write(&mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn special_values() {
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_value(1e21), "1000000000000000000000");
        assert_eq!(format_value(12.25), "12.25");
    }
}
