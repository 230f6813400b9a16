//! Fake engine → proxy → collector (one tick) → HTTP server: `/metrics` and `/api/state`
//! show the fake containers, and a dead probe is "down" without spoiling the rest.

mod common;

use monitor::collector::Collector;
use monitor::engine::{self, Engine};
use monitor::probes::Probe;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

/// A fake nginx answering stub_status on every connection.
fn fake_nginx() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut buf = [0u8; 2048];
            let _ = conn.read(&mut buf);
            let body = "Active connections: 3 \nserver accepts handled requests\n 10 10 42 \nReading: 0 Writing: 1 Waiting: 2 \n";
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/stub_status")
}

/// A local port with nothing listening.
fn closed_port() -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    drop(l);
    addr
}

#[test]
fn one_tick_end_to_end() {
    let engine = common::fake_engine();
    let proxy = common::start_proxy(&engine);
    let probes = vec![
        Probe::Nginx { url: fake_nginx() },
        Probe::Mariadb {
            addr: closed_port(),
        },
    ];
    let collector = Collector::new(
        Engine::new(&format!("http://{proxy}"), Duration::from_secs(5)).expect("engine"),
        probes,
        Duration::from_secs(5),
        10,
    );
    collector.tick();
    collector.tick();

    let state = collector.state();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        monitor::http::serve(
            listener,
            Arc::new(move |req| monitor::http::route(&state, req)),
        )
    });
    let get = |path: &str| {
        engine::get(&format!("http://{addr}{path}"), Duration::from_secs(5)).expect("GET")
    };

    let metrics = get("/metrics");
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8(metrics.body).expect("utf-8");
    for line in [
        "inception_engine_up 1",
        "inception_container_running{container=\"nginx\"} 1",
        "inception_container_running{container=\"old\\\"job\"} 0",
        "inception_container_cpu_percent{container=\"nginx\"} 5",
        "inception_container_cpu_percent{container=\"mariadb\"} 40",
        "inception_container_memory_bytes{container=\"nginx\"} 26484736",
        "inception_container_memory_bytes{container=\"mariadb\"} 41943040",
        "inception_container_network_receive_bytes_total{container=\"mariadb\"} 1000500",
        "inception_container_network_transmit_bytes_total{container=\"nginx\"} 654321",
        "inception_container_restarts_total{container=\"nginx\"} 2",
        "inception_container_healthy{container=\"nginx\"} 1",
        "inception_container_healthy{container=\"mariadb\"} 0",
        "inception_nginx_up 1",
        "inception_nginx_connections_active 3",
        "inception_nginx_http_requests_total 42",
        "inception_mariadb_up 0",
        "# TYPE inception_container_restarts_total counter",
        "# TYPE inception_container_cpu_percent gauge",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(text.contains("inception_container_uptime_seconds{container=\"nginx\"} "));
    // No health series for a container without a healthcheck; no stats for a stopped one.
    assert!(!text.contains("inception_container_healthy{container=\"old"));
    assert!(!text.contains("inception_container_cpu_percent{container=\"old"));
    // Every sample line belongs to a family announced by HELP and TYPE, once.
    let mut announced = std::collections::HashSet::new();
    let mut series = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap_or("");
            assert!(announced.insert(name.to_owned()), "TYPE twice for {name}");
            assert!(
                text.contains(&format!("# HELP {name} ")),
                "no HELP for {name}"
            );
        } else if !line.starts_with('#') {
            let (key, _) = line.rsplit_once(' ').expect("name value");
            let name = key.split('{').next().unwrap_or("");
            assert!(announced.contains(name), "{name} sampled before its TYPE");
            assert!(series.insert(key.to_owned()), "series twice: {key}");
        }
    }

    let api = get("/api/state");
    assert_eq!(api.status, 200);
    let v: Value = serde_json::from_slice(&api.body).expect("JSON");
    assert_eq!(v["engine"]["up"], true);
    let names: Vec<&str> = v["containers"]
        .as_array()
        .expect("containers")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["mariadb", "nginx", "old\"job"]);
    let nginx = &v["containers"][1];
    assert_eq!(nginx["health"], "healthy");
    assert_eq!(nginx["restarts"], 2);
    assert_eq!(
        nginx["history"]["cpu_percent"],
        serde_json::json!([5.0, 5.0])
    );
    // Second tick: same counters, so a zero rate (the first tick has none).
    assert_eq!(
        nginx["history"]["network_rx_bytes_per_second"],
        serde_json::json!([null, 0.0])
    );
    assert_eq!(v["timestamps"].as_array().map(Vec::len), Some(2));
    let probes = v["probes"].as_array().expect("probes");
    assert_eq!(probes[0]["name"], "nginx");
    assert_eq!(probes[0]["up"], true);
    assert_eq!(probes[0]["values"]["requests"], 42.0);
    assert_eq!(probes[1]["name"], "mariadb");
    assert_eq!(probes[1]["up"], false);
    assert!(probes[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("connecting")));

    assert_eq!(get("/healthz").status, 200);
    assert_eq!(get("/nope").status, 404);
    let page = get("/");
    assert!(String::from_utf8_lossy(&page.body).contains("api/state"));

    // Everything the collector asked for was a read, and all of it passed the proxy.
    let lines = engine.request_lines();
    assert!(lines.iter().all(|l| l.starts_with("GET ")), "{lines:?}");
    assert!(lines.iter().any(|l| l.contains("/stats?stream=false")));
}

#[test]
fn engine_unreachable_is_reported_not_fatal() {
    let collector = Collector::new(
        Engine::new(&format!("http://{}", closed_port()), Duration::from_secs(1)).expect("engine"),
        vec![],
        Duration::from_secs(5),
        10,
    );
    collector.tick();
    let state = collector.state();
    let text = monitor::metrics::render(&monitor::collector::lock(&state));
    assert!(text.lines().any(|l| l == "inception_engine_up 0"), "{text}");
}
