//! CPU, memory and network figures from engine stats samples, as `docker stats` shows them.

mod common;

use monitor::stats::{cpu_percent, memory_limit, memory_usage, network_totals, CpuCounters};
use serde_json::Value;

fn load(name: &str) -> Value {
    serde_json::from_str(&common::fixture(name)).expect("fixture is JSON")
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

#[test]
fn cgroup_v2_sample() {
    let s = load("stats_cgroup2.json");
    // 50 ms of CPU over 2 s of host CPU time, 2 CPUs online: 5 %.
    assert!(
        close(cpu_percent(&s, None), 5.0),
        "{:?}",
        cpu_percent(&s, None)
    );
    // usage 30408704 − inactive_file 3923968.
    assert_eq!(memory_usage(&s), Some(26_484_736));
    assert_eq!(memory_limit(&s), Some(4_102_754_304));
    assert_eq!(network_totals(&s), Some((123_456, 654_321)));
}

#[test]
fn cgroup_v1_sample() {
    let s = load("stats_cgroup1.json");
    // 0.4 s of CPU over 4 s of host CPU time, 4 CPUs: 40 %.
    assert!(
        close(cpu_percent(&s, None), 40.0),
        "{:?}",
        cpu_percent(&s, None)
    );
    // usage 52428800 − total_inactive_file 10485760 (not inactive_file: v1 reports both).
    assert_eq!(memory_usage(&s), Some(41_943_040));
    // Summed over eth0 and eth1.
    assert_eq!(network_totals(&s), Some((1_000_500, 2_000_700)));
}

#[test]
fn cgroup_v1_without_online_cpus_counts_percpu_entries() {
    let mut s = load("stats_cgroup1.json");
    s["cpu_stats"]["online_cpus"] = Value::from(0);
    assert!(close(cpu_percent(&s, None), 40.0));
}

#[test]
fn first_read_without_precpu_uses_our_previous_sample() {
    let s = load("stats_first_read.json");
    assert_eq!(cpu_percent(&s, None), None, "no baseline, no figure");
    let previous = CpuCounters {
        total: 2_797_221_000,
        system: 1_232_560_000_000,
    };
    assert!(close(cpu_percent(&s, Some(previous)), 5.0));
}

#[test]
fn idle_container_is_zero_not_missing() {
    let mut s = load("stats_cgroup2.json");
    s["precpu_stats"]["cpu_usage"]["total_usage"] =
        s["cpu_stats"]["cpu_usage"]["total_usage"].clone();
    assert_eq!(cpu_percent(&s, None), Some(0.0));
}

/// Captured read-only from this machine's engine (Docker 20.10, cgroup v1, API 1.41)
/// through the proxy: `GET /containers/{id}/stats?stream=false` of the e2e stack's mariadb.
#[test]
fn real_docker_20_sample() {
    let s = load("stats_real_docker20_cgroup1.json");
    // (1058954995 − 1058834850) / (7069460000000 − 7067400000000) × 2 × 100.
    assert!(close(cpu_percent(&s, None), 0.011_664_563_106_796_116));
    // usage 97456128 − total_inactive_file 4587520.
    assert_eq!(memory_usage(&s), Some(92_868_608));
    assert_eq!(memory_limit(&s), Some(25_276_063_744));
    assert_eq!(network_totals(&s), Some((373_540, 353_615)));
}
