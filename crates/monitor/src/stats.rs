//! Container figures computed from the engine's stats JSON the way `docker stats` does.
//!
//! - CPU %: `(Δ cpu_usage.total_usage / Δ system_cpu_usage) × online_cpus × 100`, the deltas
//!   taken between `cpu_stats` and `precpu_stats` (the engine's previous reading). When the
//!   engine gives no usable `precpu_stats` (first read of a container), our own previous
//!   sample is the baseline. `online_cpus` falls back to the length of `percpu_usage`
//!   (cgroup v1 engines that do not report it). Same fields under cgroup v1 and v2.
//! - Memory: `memory_stats.usage` minus the page cache the kernel can drop at once:
//!   `stats.total_inactive_file` (cgroup v1) or `stats.inactive_file` (cgroup v2), when
//!   smaller than the usage. Limit: `memory_stats.limit`.
//! - Network: `rx_bytes`/`tx_bytes` summed over `networks.*`; rates are deltas over the
//!   time between two of our samples, and a counter that went down (container restarted)
//!   gives no rate rather than a negative one.

use serde_json::Value;

/// The CPU counters of one reading, kept to serve as the next baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuCounters {
    /// `cpu_usage.total_usage`, nanoseconds of CPU used by the container.
    pub total: u64,
    /// `system_cpu_usage`, nanoseconds of CPU time of the host.
    pub system: u64,
}

impl CpuCounters {
    /// Reads the counters of `cpu_stats` or `precpu_stats`; `None` when absent or zero.
    pub fn from_json(cpu: &Value) -> Option<Self> {
        let total = cpu["cpu_usage"]["total_usage"].as_u64()?;
        let system = cpu["system_cpu_usage"].as_u64()?;
        (system > 0).then_some(Self { total, system })
    }
}

fn online_cpus(cpu: &Value) -> f64 {
    match cpu["online_cpus"].as_u64() {
        Some(n) if n > 0 => n as f64,
        _ => cpu["cpu_usage"]["percpu_usage"]
            .as_array()
            .map_or(0.0, |a| a.len() as f64),
    }
}

/// CPU % of one stats reading, 100 = one CPU busy. `previous` is our own last reading of
/// the same container, used when the engine's `precpu_stats` is empty.
pub fn cpu_percent(stats: &Value, previous: Option<CpuCounters>) -> Option<f64> {
    let cpu = &stats["cpu_stats"];
    let now = CpuCounters::from_json(cpu)?;
    let before = CpuCounters::from_json(&stats["precpu_stats"])
        .filter(|pre| pre.system < now.system)
        .or(previous)?;
    if before.system >= now.system {
        return None;
    }
    let system_delta = (now.system - before.system) as f64;
    let cpu_delta = now.total.saturating_sub(before.total) as f64;
    Some(cpu_delta / system_delta * online_cpus(cpu) * 100.0)
}

/// Memory in use without the reclaimable page cache, as `docker stats` shows it.
pub fn memory_usage(stats: &Value) -> Option<u64> {
    let mem = &stats["memory_stats"];
    let usage = mem["usage"].as_u64()?;
    if let Some(v1) = mem["stats"]["total_inactive_file"].as_u64() {
        if v1 < usage {
            return Some(usage - v1);
        }
    }
    match mem["stats"]["inactive_file"].as_u64() {
        Some(v2) if v2 < usage => Some(usage - v2),
        _ => Some(usage),
    }
}

/// The memory limit the container sees (the host's memory when it has none of its own).
pub fn memory_limit(stats: &Value) -> Option<u64> {
    stats["memory_stats"]["limit"].as_u64().filter(|&l| l > 0)
}

/// Bytes received and transmitted, summed over the container's interfaces.
pub fn network_totals(stats: &Value) -> Option<(u64, u64)> {
    let networks = stats["networks"].as_object()?;
    Some(networks.values().fold((0, 0), |(rx, tx), n| {
        (
            rx + n["rx_bytes"].as_u64().unwrap_or(0),
            tx + n["tx_bytes"].as_u64().unwrap_or(0),
        )
    }))
}

/// Per-second rate between two readings of a counter; `None` if it went down or no time
/// passed.
pub fn rate(previous: u64, current: u64, seconds: f64) -> Option<f64> {
    (current >= previous && seconds > 0.0).then(|| (current - previous) as f64 / seconds)
}

/// Seconds since the Unix epoch of an RFC 3339 time as the engine writes it
/// (`2024-05-01T10:20:30.123456789Z`, or with a `+hh:mm` offset).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut rest = &s[19..];
    let mut frac = 0.0;
    if let Some(r) = rest.strip_prefix('.') {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        frac = format!("0.{}", &r[..digits]).parse().ok()?;
        rest = &r[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && matches!(&rest[3..4], ":") => {
            let sign = match &rest[..1] {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let h: i64 = rest[1..3].parse().ok()?;
            let m: i64 = rest[4..6].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
        _ => return None,
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
    Some(secs as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cpu_from_precpu() {
        let s = json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 3_000_000_000u64}, "system_cpu_usage": 20_000_000_000u64, "online_cpus": 2},
            "precpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000u64}, "system_cpu_usage": 10_000_000_000u64}
        });
        // 1 s of CPU over 10 s of host time on 2 CPUs: 20 %.
        assert_eq!(cpu_percent(&s, None), Some(20.0));
    }

    #[test]
    fn cpu_falls_back_to_our_previous_sample() {
        let s = json!({
            "cpu_stats": {"cpu_usage": {"total_usage": 500u64, "percpu_usage": [1, 2, 3, 4]}, "system_cpu_usage": 2000u64, "online_cpus": 0},
            "precpu_stats": {"cpu_usage": {"total_usage": 0}, "system_cpu_usage": 0}
        });
        assert_eq!(cpu_percent(&s, None), None);
        let prev = CpuCounters {
            total: 400,
            system: 1000,
        };
        // 100 / 1000 × 4 CPUs (percpu_usage length) × 100.
        assert_eq!(cpu_percent(&s, Some(prev)), Some(40.0));
    }

    #[test]
    fn memory_v1_v2_and_neither() {
        let v1 = json!({"memory_stats": {"usage": 1000, "stats": {"total_inactive_file": 300, "inactive_file": 100}}});
        assert_eq!(memory_usage(&v1), Some(700));
        let v2 = json!({"memory_stats": {"usage": 1000, "stats": {"inactive_file": 100}}});
        assert_eq!(memory_usage(&v2), Some(900));
        let odd = json!({"memory_stats": {"usage": 1000, "stats": {"inactive_file": 5000}}});
        assert_eq!(memory_usage(&odd), Some(1000));
        assert_eq!(memory_usage(&json!({"memory_stats": {}})), None);
    }

    #[test]
    fn network_and_rates() {
        let s = json!({"networks": {"eth0": {"rx_bytes": 10, "tx_bytes": 1}, "eth1": {"rx_bytes": 5, "tx_bytes": 2}}});
        assert_eq!(network_totals(&s), Some((15, 3)));
        assert_eq!(network_totals(&json!({})), None);
        assert_eq!(rate(100, 600, 5.0), Some(100.0));
        assert_eq!(rate(600, 100, 5.0), None);
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00Z"), Some(1_709_208_000.0));
        assert_eq!(
            parse_rfc3339("2024-02-29T13:00:00.5+01:00"),
            Some(1_709_208_000.5)
        );
        assert!(parse_rfc3339("0001-01-01T00:00:00Z").is_some_and(|t| t < 0.0));
        assert_eq!(parse_rfc3339("yesterday"), None);
        assert_eq!(parse_rfc3339("2024-13-01T00:00:00Z"), None);
    }
}
