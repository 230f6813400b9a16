//! The collector: every `interval`, one sample of every container and every probe.
//!
//! A tick lists the containers (`/containers/json?all=1`), then for each one, in parallel,
//! reads `/containers/{id}/json` (restarts, health, start time) and, when it runs,
//! `/containers/{id}/stats?stream=false`; the service probes run in parallel with that.
//! The network and engine work happens without the lock; the results are folded into the
//! shared [`State`] at the end, under the lock, so the HTTP side never waits on a probe.
//! Each failure becomes one log line and a `None`/"down" in the state.

use crate::cli::ServeOptions;
use crate::engine::Engine;
use crate::history::Ring;
use crate::probes::{Probe, Reading};
use crate::stats::{self, CpuCounters};
use anyhow::Result;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Time allowed to each engine request (a one-shot stats call takes about 2 s).
pub const ENGINE_TIMEOUT: Duration = Duration::from_secs(10);
/// Containers sampled at once.
pub const PARALLEL: usize = 8;
/// Time allowed to each service probe.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// What is known about one container.
#[derive(Debug, Clone)]
pub struct ContainerState {
    /// Full id.
    pub id: String,
    /// Name without the leading `/`.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Engine state: `running`, `exited`, `restarting`, ...
    pub state: String,
    /// Human status, e.g. `Up 3 hours (healthy)`.
    pub status: String,
    /// Healthcheck status (`healthy`, `unhealthy`, `starting`), if it has a healthcheck.
    pub health: Option<String>,
    /// Restarts done by the restart policy.
    pub restarts: Option<u64>,
    /// `State.StartedAt` as the engine wrote it.
    pub started_at: Option<String>,
    /// Seconds since it started, when running.
    pub uptime_seconds: Option<f64>,
    /// CPU %, 100 = one CPU.
    pub cpu_percent: Option<f64>,
    /// Memory used without reclaimable cache.
    pub memory_bytes: Option<u64>,
    /// Memory limit.
    pub memory_limit_bytes: Option<u64>,
    /// Bytes received, all interfaces.
    pub rx_bytes: Option<u64>,
    /// Bytes sent, all interfaces.
    pub tx_bytes: Option<u64>,
    /// Bytes received per second since the previous sample.
    pub rx_rate: Option<f64>,
    /// Bytes sent per second since the previous sample.
    pub tx_rate: Option<f64>,
    /// Last error while sampling it.
    pub error: Option<String>,
    /// CPU % history.
    pub cpu_history: Ring,
    /// Memory history.
    pub memory_history: Ring,
    /// Receive rate history.
    pub rx_history: Ring,
    /// Transmit rate history.
    pub tx_history: Ring,
    prev_cpu: Option<CpuCounters>,
    prev_net: Option<(u64, u64, Instant)>,
}

impl ContainerState {
    fn new(id: &str, name: &str, history: usize) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            image: String::new(),
            state: String::new(),
            status: String::new(),
            health: None,
            restarts: None,
            started_at: None,
            uptime_seconds: None,
            cpu_percent: None,
            memory_bytes: None,
            memory_limit_bytes: None,
            rx_bytes: None,
            tx_bytes: None,
            rx_rate: None,
            tx_rate: None,
            error: None,
            cpu_history: Ring::new(history),
            memory_history: Ring::new(history),
            rx_history: Ring::new(history),
            tx_history: Ring::new(history),
            prev_cpu: None,
            prev_net: None,
        }
    }

    /// True when the engine says it runs.
    pub fn running(&self) -> bool {
        self.state == "running"
    }

    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "image": self.image,
            "state": self.state,
            "status": self.status,
            "health": self.health,
            "restarts": self.restarts,
            "started_at": self.started_at,
            "uptime_seconds": self.uptime_seconds,
            "cpu_percent": self.cpu_percent,
            "memory_bytes": self.memory_bytes,
            "memory_limit_bytes": self.memory_limit_bytes,
            "network_rx_bytes": self.rx_bytes,
            "network_tx_bytes": self.tx_bytes,
            "network_rx_bytes_per_second": self.rx_rate,
            "network_tx_bytes_per_second": self.tx_rate,
            "error": self.error,
            "history": {
                "cpu_percent": self.cpu_history.to_json(),
                "memory_bytes": self.memory_history.to_json(),
                "network_rx_bytes_per_second": self.rx_history.to_json(),
                "network_tx_bytes_per_second": self.tx_history.to_json(),
            }
        })
    }
}

/// What is known about one service probe.
#[derive(Debug, Clone)]
pub struct ProbeState {
    /// `redis`, `phpfpm`, `nginx`, `mariadb`.
    pub name: String,
    /// Address or URL probed.
    pub target: String,
    /// Whether the last probe succeeded.
    pub up: bool,
    /// Why the last probe failed.
    pub error: Option<String>,
    /// The last successful reading's values (cleared when down).
    pub reading: Reading,
    /// History of every numeric value.
    pub history: BTreeMap<String, Ring>,
    /// Whether it ran at least once.
    pub checked: bool,
}

impl ProbeState {
    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "target": self.target,
            "up": self.up,
            "checked": self.checked,
            "error": self.error,
            "values": self.reading.values_json(),
            "info": self.reading.info,
            "history": self.history.iter().map(|(k, r)| (k.clone(), r.to_json())).collect::<serde_json::Map<_, _>>(),
        })
    }
}

/// Everything the HTTP side shows.
#[derive(Debug, Clone)]
pub struct State {
    /// Seconds between samples.
    pub interval: Duration,
    /// Samples kept per series.
    pub history: usize,
    /// Unix time of each sample, oldest first.
    pub timestamps: Ring,
    /// Whether the last container listing succeeded.
    pub engine_up: bool,
    /// Why it failed.
    pub engine_error: Option<String>,
    /// Unix time of the last sample.
    pub last_sample: Option<f64>,
    /// Containers by name.
    pub containers: BTreeMap<String, ContainerState>,
    /// Probes, in command-line order.
    pub probes: Vec<ProbeState>,
}

impl State {
    /// An empty state for the given probes.
    pub fn new(interval: Duration, history: usize, probes: &[Probe]) -> Self {
        Self {
            interval,
            history,
            timestamps: Ring::new(history),
            engine_up: false,
            engine_error: None,
            last_sample: None,
            containers: BTreeMap::new(),
            probes: probes
                .iter()
                .map(|p| ProbeState {
                    name: p.name().to_owned(),
                    target: p.target().to_owned(),
                    up: false,
                    error: None,
                    reading: Reading::default(),
                    history: BTreeMap::new(),
                    checked: false,
                })
                .collect(),
        }
    }

    /// The state as served on `/api/state`.
    pub fn to_json(&self) -> Value {
        json!({
            "generated_at": unix_now(),
            "interval_seconds": self.interval.as_secs(),
            "history_length": self.history,
            "engine": {"up": self.engine_up, "error": self.engine_error},
            "last_sample": self.last_sample,
            "timestamps": self.timestamps.to_json(),
            "containers": self.containers.values().map(ContainerState::to_json).collect::<Vec<_>>(),
            "probes": self.probes.iter().map(ProbeState::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Locks the state, recovering it if a thread panicked while holding it.
pub fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What one container's sampling brought back.
struct Sampled {
    id: String,
    name: String,
    summary: Value,
    inspect: Result<Value>,
    stats: Option<Result<Value>>,
}

/// Samples the engine and the probes into a shared [`State`].
#[derive(Debug)]
pub struct Collector {
    engine: Engine,
    probes: Vec<Probe>,
    interval: Duration,
    state: Arc<Mutex<State>>,
}

impl Collector {
    /// A collector for `engine` and `probes`, keeping `history` samples.
    pub fn new(engine: Engine, probes: Vec<Probe>, interval: Duration, history: usize) -> Self {
        let state = Arc::new(Mutex::new(State::new(interval, history, &probes)));
        Self {
            engine,
            probes,
            interval,
            state,
        }
    }

    /// A collector configured from the `serve` options.
    pub fn from_options(opts: &ServeOptions) -> Result<Self> {
        let mut probes = Vec::new();
        if let Some(addr) = &opts.redis {
            probes.push(Probe::Redis {
                addr: addr.clone(),
                password_file: opts.redis_password_file.clone(),
            });
        }
        if let Some(addr) = &opts.fpm {
            probes.push(Probe::Fpm { addr: addr.clone() });
        }
        if let Some(url) = &opts.nginx {
            crate::engine::split_url(url)?;
            probes.push(Probe::Nginx { url: url.clone() });
        }
        if let Some(addr) = &opts.mariadb {
            probes.push(Probe::Mariadb { addr: addr.clone() });
        }
        let engine = Engine::new(&opts.engine, ENGINE_TIMEOUT)?;
        Ok(Self::new(engine, probes, opts.interval, opts.history))
    }

    /// The shared state the HTTP server reads.
    pub fn state(&self) -> Arc<Mutex<State>> {
        Arc::clone(&self.state)
    }

    /// Samples forever, one tick every `interval` (a slow tick delays the next one).
    pub fn run_forever(&self) {
        loop {
            let start = Instant::now();
            self.tick();
            std::thread::sleep(self.interval.saturating_sub(start.elapsed()));
        }
    }

    /// One sample of everything.
    pub fn tick(&self) {
        let now = Instant::now();
        let wall = unix_now();
        let listing = self.engine.containers();
        let (sampled, readings) = std::thread::scope(|scope| {
            let probe_threads: Vec<_> = self
                .probes
                .iter()
                .map(|p| scope.spawn(move || p.run(PROBE_TIMEOUT)))
                .collect();
            let sampled: Vec<Sampled> = match &listing {
                // At most PARALLEL containers at a time: each stats call holds an engine
                // connection for about two seconds.
                Ok(list) => list
                    .chunks(PARALLEL)
                    .flat_map(|chunk| {
                        let threads: Vec<_> = chunk
                            .iter()
                            .map(|summary| scope.spawn(move || self.sample(summary)))
                            .collect();
                        threads.into_iter().filter_map(|t| t.join().ok())
                    })
                    .collect(),
                Err(_) => Vec::new(),
            };
            let readings: Vec<Result<Reading>> = probe_threads
                .into_iter()
                .map(|t| {
                    t.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("probe panicked")))
                })
                .collect();
            (sampled, readings)
        });

        let mut state = lock(&self.state);
        let history = state.history;
        state.timestamps.push(Some(wall));
        state.last_sample = Some(wall);
        match listing {
            Ok(_) => {
                state.engine_up = true;
                state.engine_error = None;
                let seen: Vec<String> = sampled.iter().map(|s| s.name.clone()).collect();
                state.containers.retain(|name, _| seen.contains(name));
                for s in sampled {
                    let entry = state
                        .containers
                        .entry(s.name.clone())
                        .or_insert_with(|| ContainerState::new(&s.id, &s.name, history));
                    if entry.id != s.id {
                        // Same name, new container: start its series afresh.
                        *entry = ContainerState::new(&s.id, &s.name, history);
                    }
                    apply(entry, &s, now, wall);
                }
            }
            Err(err) => {
                eprintln!("monitor: listing containers: {err:#}");
                state.engine_up = false;
                state.engine_error = Some(format!("{err:#}"));
                for c in state.containers.values_mut() {
                    for ring in [
                        &mut c.cpu_history,
                        &mut c.memory_history,
                        &mut c.rx_history,
                        &mut c.tx_history,
                    ] {
                        ring.push(None);
                    }
                }
            }
        }
        for (probe, result) in state.probes.iter_mut().zip(readings) {
            probe.checked = true;
            match result {
                Ok(reading) => {
                    probe.up = true;
                    probe.error = None;
                    probe.reading = reading;
                }
                Err(err) => {
                    eprintln!("monitor: probe {} ({}): {err:#}", probe.name, probe.target);
                    probe.up = false;
                    probe.error = Some(format!("{err:#}"));
                    probe.reading = Reading::default();
                }
            }
            let mut keys: Vec<String> = probe.history.keys().cloned().collect();
            keys.extend(probe.reading.values.keys().cloned());
            keys.sort();
            keys.dedup();
            for key in keys {
                let value = probe.reading.values.get(&key).copied();
                probe
                    .history
                    .entry(key)
                    .or_insert_with(|| Ring::new(history))
                    .push(value);
            }
        }
    }

    fn sample(&self, summary: &Value) -> Sampled {
        let id = summary["Id"].as_str().unwrap_or_default().to_owned();
        let name = summary["Names"][0]
            .as_str()
            .map(|n| n.trim_start_matches('/').to_owned())
            .unwrap_or_else(|| id.chars().take(12).collect());
        let running = summary["State"].as_str() == Some("running");
        let inspect = self.engine.inspect(&id);
        let stats = running.then(|| self.engine.stats(&id));
        Sampled {
            id,
            name,
            summary: summary.clone(),
            inspect,
            stats,
        }
    }
}

/// Folds one container's sample into its state.
fn apply(c: &mut ContainerState, s: &Sampled, now: Instant, wall: f64) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    c.image = text(&s.summary["Image"]);
    c.state = text(&s.summary["State"]);
    c.status = text(&s.summary["Status"]);
    let mut errors = Vec::new();
    match &s.inspect {
        Ok(inspect) => {
            let st = &inspect["State"];
            if let Some(state) = st["Status"].as_str() {
                c.state = state.to_owned();
            }
            c.restarts = inspect["RestartCount"].as_u64();
            c.health = st["Health"]["Status"].as_str().map(str::to_owned);
            c.started_at = st["StartedAt"].as_str().map(str::to_owned);
            c.uptime_seconds = c
                .started_at
                .as_deref()
                .and_then(stats::parse_rfc3339)
                .filter(|_| c.running())
                .map(|t| (wall - t).max(0.0));
        }
        Err(err) => {
            eprintln!("monitor: inspecting {}: {err:#}", c.name);
            errors.push(format!("inspect: {err:#}"));
        }
    }
    c.cpu_percent = None;
    c.memory_bytes = None;
    c.memory_limit_bytes = None;
    c.rx_rate = None;
    c.tx_rate = None;
    match &s.stats {
        Some(Ok(st)) => {
            c.cpu_percent = stats::cpu_percent(st, c.prev_cpu);
            c.prev_cpu = CpuCounters::from_json(&st["cpu_stats"]);
            c.memory_bytes = stats::memory_usage(st);
            c.memory_limit_bytes = stats::memory_limit(st);
            if let Some((rx, tx)) = stats::network_totals(st) {
                if let Some((prx, ptx, at)) = c.prev_net {
                    let dt = now.duration_since(at).as_secs_f64();
                    c.rx_rate = stats::rate(prx, rx, dt);
                    c.tx_rate = stats::rate(ptx, tx, dt);
                }
                c.rx_bytes = Some(rx);
                c.tx_bytes = Some(tx);
                c.prev_net = Some((rx, tx, now));
            }
        }
        Some(Err(err)) => {
            eprintln!("monitor: stats of {}: {err:#}", c.name);
            errors.push(format!("stats: {err:#}"));
        }
        None => {
            c.prev_cpu = None;
            c.prev_net = None;
            c.rx_bytes = None;
            c.tx_bytes = None;
        }
    }
    c.error = (!errors.is_empty()).then(|| errors.join("; "));
    c.cpu_history.push(c.cpu_percent);
    c.memory_history.push(c.memory_bytes.map(|v| v as f64));
    c.rx_history.push(c.rx_rate);
    c.tx_history.push(c.tx_rate);
}
