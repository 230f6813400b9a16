//! `inception check --live --destructive`: checks that disturb the running stack.
//!
//! - M11 kill-and-recover: `kill -9` the host PID of every container's PID 1, then wait until
//!   the engine restarted it (new `StartedAt`, higher `RestartCount`) and it is healthy again.
//! - M17 persistence: write a marker row through `initd sql`, take the stack down and up
//!   again, wait until everything is healthy, read the marker back, drop it. With `--repo`
//!   (a tree with a Makefile) the cycle is the defense's own `make down` then `make`, which
//!   removes and recreates the containers; without it, `compose stop` + `compose start` of
//!   the project, found from its compose labels (no Makefile variables needed).
//!
//! The pure parts (state parsing, the poll decision, compose command construction, the marker
//! SQL) are unit-tested; the rest shells out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::rules::{ev, Container};
use super::{docker, run_with_deadline};
use crate::finding::Finding;

/// How long a killed container may take to be healthy again.
const RECOVER_TIMEOUT: Duration = Duration::from_secs(90);
/// How long the whole project may take to be healthy after `start`.
const START_TIMEOUT: Duration = Duration::from_secs(180);
/// Poll interval.
const POLL: Duration = Duration::from_millis(500);
/// Deadline of `make down` or `make` (which may rebuild images).
const MAKE_TIMEOUT: Duration = Duration::from_secs(1200);
/// Deadline of one compose `stop` / `start`.
const COMPOSE_TIMEOUT: Duration = Duration::from_secs(120);

const M11_RULE: &str =
    "A container whose PID 1 is killed (kill -9) is restarted by the engine and healthy again";
const M17_RULE: &str =
    "Data persists when the stack is taken down and brought up again (make down + make, or compose stop/start)";

/// The parts of `docker inspect` that tell whether a container is up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// `State.StartedAt`.
    pub started_at: String,
    /// `RestartCount`.
    pub restart_count: u64,
    /// `State.Running`.
    pub running: bool,
    /// `State.Pid`.
    pub pid: u64,
    /// `State.Health.Status`, when the container has a healthcheck.
    pub health: Option<String>,
}

impl State {
    /// Healthy, or running when there is no healthcheck.
    #[must_use]
    pub fn is_up(&self) -> bool {
        match &self.health {
            Some(h) => self.running && h == "healthy",
            None => self.running,
        }
    }

    /// One-line description for evidence.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "running={} health={} RestartCount={} StartedAt={} pid={}",
            self.running,
            self.health.as_deref().unwrap_or("(no healthcheck)"),
            self.restart_count,
            self.started_at,
            self.pid
        )
    }
}

/// Parses the JSON array printed by `docker inspect <one container>`.
///
/// # Errors
/// When the text is not a non-empty JSON array.
pub fn parse_state(json: &str) -> Result<State, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let c = v
        .as_array()
        .and_then(|a| a.first())
        .ok_or("empty docker inspect output")?;
    let st = &c["State"];
    Ok(State {
        started_at: st["StartedAt"].as_str().unwrap_or_default().to_string(),
        restart_count: c["RestartCount"].as_u64().unwrap_or_default(),
        running: st["Running"].as_bool().unwrap_or(false),
        pid: st["Pid"].as_u64().unwrap_or_default(),
        health: st["Health"]["Status"].as_str().map(str::to_string),
    })
}

/// Whether a killed container has recovered: `Ok(())` when restarted and up, otherwise why
/// not yet.
///
/// # Errors
/// The reason it has not recovered yet.
pub fn recovered(before: &State, now: &State) -> Result<(), String> {
    if now.started_at == before.started_at {
        return Err(format!(
            "not restarted yet (StartedAt still {})",
            now.started_at
        ));
    }
    if now.restart_count <= before.restart_count {
        return Err(format!(
            "RestartCount did not grow ({} -> {})",
            before.restart_count, now.restart_count
        ));
    }
    if !now.is_up() {
        return Err(format!("restarted but not up: {}", now.describe()));
    }
    Ok(())
}

/// Polls `probe` every `every` until it says `Ok`, or `timeout` has passed. Returns the
/// elapsed time on success, or the last reason and the elapsed time.
///
/// # Errors
/// The last reason `probe` gave, when the timeout passed.
pub fn poll_until<F>(
    timeout: Duration,
    every: Duration,
    mut probe: F,
) -> Result<Duration, (String, Duration)>
where
    F: FnMut() -> Result<(), String>,
{
    let start = Instant::now();
    loop {
        let last = match probe() {
            Ok(()) => return Ok(start.elapsed()),
            Err(e) => e,
        };
        if start.elapsed() >= timeout {
            return Err((last, start.elapsed()));
        }
        thread::sleep(every);
    }
}

/// The compose binary: `docker compose` (v2) or `docker-compose` (v1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeBin {
    /// `docker compose`.
    V2,
    /// `docker-compose`.
    V1,
}

/// What compose needs to find the project again, from the compose labels of a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComposeLabels {
    /// `com.docker.compose.project.working_dir`.
    pub working_dir: Option<String>,
    /// `com.docker.compose.project.config_files` (comma-separated).
    pub config_files: Vec<String>,
    /// `com.docker.compose.project.environment_file`.
    pub env_file: Option<String>,
}

/// Reads the compose labels from one container's `docker inspect` JSON object.
#[must_use]
pub fn compose_labels(container: &Value) -> ComposeLabels {
    let labels = &container["Config"]["Labels"];
    let label = |k: &str| {
        labels[k]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    ComposeLabels {
        working_dir: label("com.docker.compose.project.working_dir"),
        config_files: label("com.docker.compose.project.config_files")
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        env_file: label("com.docker.compose.project.environment_file"),
    }
}

/// The program and arguments of `compose -p <project> ... <action>`.
#[must_use]
pub fn compose_command(
    bin: ComposeBin,
    project: &str,
    labels: &ComposeLabels,
    action: &str,
) -> (String, Vec<String>) {
    let (program, mut args) = match bin {
        ComposeBin::V2 => ("docker".to_string(), vec!["compose".to_string()]),
        ComposeBin::V1 => ("docker-compose".to_string(), Vec::new()),
    };
    args.extend(["-p".to_string(), project.to_string()]);
    if let Some(wd) = &labels.working_dir {
        args.extend(["--project-directory".to_string(), wd.clone()]);
    }
    for f in &labels.config_files {
        args.extend(["-f".to_string(), f.clone()]);
    }
    if let Some(env) = &labels.env_file {
        args.extend(["--env-file".to_string(), env.clone()]);
    }
    args.push(action.to_string());
    (program, args)
}

fn sql_ident(s: &str) -> String {
    s.replace('`', "")
}

fn sql_str(s: &str) -> String {
    s.replace(['\\', '\''], "")
}

/// SQL creating the marker table and inserting `value`.
#[must_use]
pub fn marker_write_sql(database: &str, value: &str) -> String {
    let (db, v) = (sql_ident(database), sql_str(value));
    format!(
        "CREATE TABLE IF NOT EXISTS `{db}`.inception_audit_marker (v VARCHAR(64));\n\
         INSERT INTO `{db}`.inception_audit_marker (v) VALUES ('{v}');\n"
    )
}

/// SQL reading the marker back.
#[must_use]
pub fn marker_read_sql(database: &str, value: &str) -> String {
    let (db, v) = (sql_ident(database), sql_str(value));
    format!("SELECT v FROM `{db}`.inception_audit_marker WHERE v = '{v}';\n")
}

/// SQL dropping the marker table.
#[must_use]
pub fn marker_drop_sql(database: &str) -> String {
    format!(
        "DROP TABLE IF EXISTS `{}`.inception_audit_marker;\n",
        sql_ident(database)
    )
}

/// Whether the output of [`marker_read_sql`] contains the marker.
#[must_use]
pub fn marker_present(out: &str, value: &str) -> bool {
    out.lines().any(|l| l.trim() == value)
}

fn marker_value() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("inception-{:x}-{:x}", nanos, std::process::id())
}

fn inspect_state(name: &str) -> Result<State, String> {
    docker(&["inspect", name], None).and_then(|j| parse_state(&j))
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Runs both destructive checks against the containers of `project`; with `repo` (a tree
/// with a Makefile), persistence is proven across its `make down` and `make`.
#[must_use]
pub fn run(project: &str, containers: &[Container], repo: Option<&Path>) -> Vec<Finding> {
    vec![
        kill_and_recover(containers),
        persistence(project, containers, repo),
    ]
}

/// M11: `kill -9` each container's PID 1 (its host pid) in turn and wait, bounded, until the
/// engine has restarted it and it is healthy again.
#[must_use]
pub fn kill_and_recover(containers: &[Container]) -> Finding {
    let fix = "Give every service `restart: unless-stopped` (or always) and a healthcheck that turns healthy again after a crash.";
    let mut evidence = Vec::new();
    let mut ok = true;
    for c in containers {
        let name = c.name.as_str();
        let cmd = format!("docker inspect {name}");
        let before = match inspect_state(name) {
            Ok(s) => s,
            Err(e) => {
                ok = false;
                evidence.push(ev(cmd, e));
                continue;
            }
        };
        if before.pid == 0 || !before.running {
            ok = false;
            evidence.push(ev(
                cmd,
                format!("not running before the kill: {}", before.describe()),
            ));
            continue;
        }
        eprintln!("killing {name}'s PID 1 (host pid {})...", before.pid);
        let kill_cmd = format!("kill -9 {}", before.pid);
        match Command::new("kill")
            .args(["-9", &before.pid.to_string()])
            .output()
        {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                ok = false;
                evidence.push(ev(
                    kill_cmd,
                    format!(
                        "failed ({}): {}",
                        o.status,
                        String::from_utf8_lossy(&o.stderr).trim()
                    ),
                ));
                continue;
            }
            Err(e) => {
                ok = false;
                evidence.push(ev(kill_cmd, format!("could not start: {e}")));
                continue;
            }
        }
        eprintln!(
            "waiting for {name} to be restarted and healthy (up to {}s)...",
            RECOVER_TIMEOUT.as_secs()
        );
        let mut last = before.clone();
        let res = poll_until(RECOVER_TIMEOUT, POLL, || {
            let now = inspect_state(name)?;
            let r = recovered(&before, &now);
            last = now;
            r
        });
        match res {
            Ok(t) => evidence.push(ev(
                format!("{kill_cmd} ({name})"),
                format!(
                    "recovered in {}: RestartCount {} -> {}, health {}",
                    secs(t),
                    before.restart_count,
                    last.restart_count,
                    last.health.as_deref().unwrap_or("(none, running)")
                ),
            )),
            Err((why, t)) => {
                ok = false;
                evidence.push(ev(
                    format!("{kill_cmd} ({name})"),
                    format!("not recovered after {}: {why}", secs(t)),
                ));
            }
        }
    }
    if containers.is_empty() {
        return Finding::skip("M11", M11_RULE, "docker ps", "no container to kill");
    }
    if ok {
        Finding::pass("M11", M11_RULE).with_all(evidence)
    } else {
        Finding::fail("M11", M11_RULE, fix).with_all(evidence)
    }
}

fn detect_compose() -> Option<ComposeBin> {
    let works =
        |p: &str, a: &[&str]| run_with_deadline(p, a, None, Duration::from_secs(10)).is_ok();
    if works("docker", &["compose", "version"]) {
        Some(ComposeBin::V2)
    } else if works("docker-compose", &["version"]) {
        Some(ComposeBin::V1)
    } else {
        None
    }
}

/// `Ok` when every named container is running and, if it has a healthcheck, healthy;
/// otherwise which are not, and their state.
///
/// # Errors
/// The containers that are not up yet, or why one could not be inspected.
pub fn all_up<S: AsRef<str>>(names: &[S]) -> Result<(), String> {
    let mut waiting = Vec::new();
    for name in names {
        let name = name.as_ref();
        let st = inspect_state(name)?;
        if !st.is_up() {
            waiting.push(format!("{name}: {}", st.describe()));
        }
    }
    if waiting.is_empty() {
        Ok(())
    } else {
        Err(waiting.join("; "))
    }
}

fn compose(
    bin: ComposeBin,
    project: &str,
    labels: &ComposeLabels,
    action: &str,
) -> Result<(String, Duration), (String, String)> {
    let (program, args) = compose_command(bin, project, labels, action);
    let shown = format!("{program} {}", args.join(" "));
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let start = Instant::now();
    match run_with_deadline(&program, &argv, None, COMPOSE_TIMEOUT) {
        Ok(_) => Ok((shown, start.elapsed())),
        Err(e) => Err((shown, e)),
    }
}

/// How the persistence check takes the stack down and up again.
enum Cycle {
    /// The repository's own Makefile: `make down`, then `make` (what a defense does).
    Make(PathBuf),
    /// Without a repository: compose stop/start of the project, found from its labels.
    Compose(ComposeBin, ComposeLabels),
}

/// One step: the command shown and how long it took, or the command and its error.
type Step<'a> = Box<dyn Fn() -> Result<(String, Duration), (String, String)> + 'a>;

impl Cycle {
    fn name(&self) -> &'static str {
        match self {
            Self::Make(_) => "make down + make",
            Self::Compose(..) => "compose stop + start",
        }
    }

    /// The down and up steps, each with what to print while it runs.
    fn steps<'a>(&'a self, project: &'a str) -> [(String, Step<'a>); 2] {
        match self {
            Self::Make(repo) => {
                let make = move |target: Option<&'static str>| -> Step<'a> {
                    Box::new(move || {
                        let dir = repo.display().to_string();
                        let mut args = vec!["-C", dir.as_str()];
                        args.extend(target);
                        let shown = format!("make {}", args.join(" "));
                        let start = Instant::now();
                        match run_with_deadline("make", &args, None, MAKE_TIMEOUT) {
                            Ok(_) => Ok((shown, start.elapsed())),
                            Err(e) => Err((shown, e)),
                        }
                    })
                };
                [
                    (
                        format!("make -C {} down", repo.display()),
                        make(Some("down")),
                    ),
                    (format!("make -C {}", repo.display()), make(None)),
                ]
            }
            Self::Compose(bin, labels) => [
                (
                    format!("stopping project {project} (compose stop)"),
                    Box::new(move || compose(*bin, project, labels, "stop")),
                ),
                (
                    format!("starting project {project} (compose start)"),
                    Box::new(move || compose(*bin, project, labels, "start")),
                ),
            ],
        }
    }
}

fn persistence(project: &str, containers: &[Container], repo: Option<&Path>) -> Finding {
    let fix = "Store the database and the site in named volumes (bind to /home/<login>/data) so they survive container restarts.";
    let Some(db) = containers.iter().find(|c| c.service_or_name() == "mariadb") else {
        return Finding::skip("M17", M17_RULE, "docker ps", "no mariadb container");
    };
    let probe = format!("docker exec {} test -x /usr/local/bin/initd", db.name);
    if let Err(e) = docker(
        &["exec", &db.name, "test", "-x", "/usr/local/bin/initd"],
        None,
    ) {
        return Finding::skip(
            "M17",
            M17_RULE,
            &probe,
            &format!(
                "not our stack (no /usr/local/bin/initd sql in {}): {e}",
                db.name
            ),
        );
    }
    let database = containers
        .iter()
        .find(|c| c.service_or_name() == "wordpress")
        .and_then(|c| c.env_var("MYSQL_DATABASE"))
        .or_else(|| db.env_var("MYSQL_DATABASE"))
        .unwrap_or("wordpress")
        .to_string();
    let cycle = match repo.filter(|r| r.join("Makefile").is_file()) {
        Some(r) => Cycle::Make(r.to_path_buf()),
        None => {
            let Some(bin) = detect_compose() else {
                return Finding::skip(
                    "M17",
                    M17_RULE,
                    "docker compose version",
                    "neither `docker compose` nor `docker-compose` works",
                );
            };
            match docker(&["inspect", &db.name], None).and_then(|j| {
                let v: Value = serde_json::from_str(&j).map_err(|e| format!("not JSON: {e}"))?;
                Ok(compose_labels(&v[0]))
            }) {
                Ok(l) => Cycle::Compose(bin, l),
                Err(e) => {
                    return Finding::fail("M17", M17_RULE, "")
                        .with(ev(format!("docker inspect {}", db.name), e))
                }
            }
        }
    };
    let sql_cmd = format!("docker exec -i {} /usr/local/bin/initd sql", db.name);
    let marker = marker_value();
    let mut evidence = Vec::new();
    eprintln!("writing marker {marker} into {database}.inception_audit_marker...");
    if let Err(e) = super::initd_sql(&db.name, &marker_write_sql(&database, &marker)) {
        return Finding::fail("M17", M17_RULE, "Make sure the database is reachable.")
            .with(ev(sql_cmd, format!("writing the marker: {e}")));
    }
    evidence.push(ev(sql_cmd.clone(), format!("marker {marker} written")));

    let mut ok = true;
    let [(down_what, down), (up_what, up)] = cycle.steps(project);
    eprintln!("{down_what}...");
    match down() {
        Ok((cmd, t)) => evidence.push(ev(cmd, format!("done in {}", secs(t)))),
        Err((cmd, e)) => {
            ok = false;
            evidence.push(ev(cmd, e));
        }
    }
    eprintln!("{up_what}...");
    let mut started = false;
    for attempt in 1..=2 {
        match up() {
            Ok((cmd, t)) => {
                evidence.push(ev(cmd, format!("up in {} (attempt {attempt})", secs(t))));
                started = true;
                break;
            }
            Err((cmd, e)) => {
                ok = false;
                evidence.push(ev(cmd, format!("attempt {attempt}: {e}")));
                eprintln!("bringing the stack up failed ({e}); trying once more...");
            }
        }
    }
    if !started {
        return Finding::fail(
            "M17",
            M17_RULE,
            "The stack could not be started again: run `make` by hand.",
        )
        .with_all(evidence);
    }
    // `make` may bring back fewer containers than ran before (ours drops the bonus
    // services): wait for those that exist again, and say which did not come back.
    let present = docker(
        &[
            "ps",
            "-a",
            "--format",
            "{{.Names}}",
            "--filter",
            &format!("label=com.docker.compose.project={project}"),
        ],
        None,
    )
    .unwrap_or_default();
    let present: Vec<&str> = present.split_whitespace().collect();
    let (names, gone): (Vec<&str>, Vec<&str>) = containers
        .iter()
        .map(|c| c.name.as_str())
        .partition(|n| present.contains(n));
    if !gone.is_empty() {
        evidence.push(ev(
            "docker ps -a",
            format!("not brought back by the restart: {}", gone.join(", ")),
        ));
    }
    eprintln!(
        "waiting for every container of {project} to be healthy (up to {}s)...",
        START_TIMEOUT.as_secs()
    );
    match poll_until(START_TIMEOUT, POLL, || all_up(&names)) {
        Ok(t) => evidence.push(ev(
            "docker inspect (all containers)",
            format!("all healthy {} after start", secs(t)),
        )),
        Err((why, t)) => {
            ok = false;
            evidence.push(ev(
                "docker inspect (all containers)",
                format!("not all healthy after {}: {why}", secs(t)),
            ));
        }
    }
    eprintln!("reading the marker back...");
    // mariadb may need a moment after turning healthy; retry briefly.
    let read = poll_until(Duration::from_secs(30), POLL, || {
        super::initd_sql(&db.name, &marker_read_sql(&database, &marker)).map(|_| ())
    });
    let out = read
        .map_err(|(e, _)| e)
        .and_then(|_| super::initd_sql(&db.name, &marker_read_sql(&database, &marker)));
    match out {
        Ok(o) if marker_present(&o, &marker) => {
            evidence.push(ev(
                sql_cmd.clone(),
                format!("marker {marker} still present after {}", cycle.name()),
            ));
        }
        Ok(o) => {
            ok = false;
            evidence.push(ev(
                sql_cmd.clone(),
                format!(
                    "marker {marker} missing after {}; got {:?}",
                    cycle.name(),
                    o.trim()
                ),
            ));
        }
        Err(e) => {
            ok = false;
            evidence.push(ev(sql_cmd.clone(), format!("reading the marker: {e}")));
        }
    }
    match super::initd_sql(&db.name, &marker_drop_sql(&database)) {
        Ok(_) => evidence.push(ev(sql_cmd, "marker table dropped")),
        Err(e) => evidence.push(ev(
            sql_cmd,
            format!("dropping the marker table failed: {e}"),
        )),
    }
    if ok {
        Finding::pass("M17", M17_RULE).with_all(evidence)
    } else {
        Finding::fail("M17", M17_RULE, fix).with_all(evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_cycle_runs_the_repositorys_down_then_all() {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("calls");
        std::fs::write(
            dir.path().join("Makefile"),
            format!(
                "all:\n\techo all >> {0}\ndown:\n\techo down >> {0}\n",
                log.display()
            ),
        )
        .expect("Makefile");
        let cycle = Cycle::Make(dir.path().to_path_buf());
        assert_eq!(cycle.name(), "make down + make");
        let [(down_what, down), (up_what, up)] = cycle.steps("p");
        assert!(down_what.ends_with(" down"), "{down_what}");
        assert!(!up_what.contains("down"), "{up_what}");
        let (shown, _) = down().expect("make down");
        assert!(
            shown.starts_with("make -C ") && shown.ends_with(" down"),
            "{shown}"
        );
        up().expect("make");
        assert_eq!(std::fs::read_to_string(&log).expect("log"), "down\nall\n");
        // A failing target is an error that names the command.
        std::fs::write(dir.path().join("Makefile"), "all:\n\tfalse\n").expect("Makefile");
        let (shown, err) = up().expect_err("false fails");
        assert!(shown.starts_with("make -C "), "{shown}");
        assert!(err.contains("failed"), "{err}");
    }

    fn st(started: &str, count: u64, running: bool, health: Option<&str>) -> State {
        State {
            started_at: started.into(),
            restart_count: count,
            running,
            pid: 42,
            health: health.map(str::to_string),
        }
    }

    #[test]
    fn parses_state() {
        let j = r#"[{"RestartCount":2,"State":{"Running":true,"Pid":1234,"StartedAt":"t1","Health":{"Status":"starting"}}}]"#;
        let s = parse_state(j).expect("must succeed");
        assert_eq!(s, st("t1", 2, true, Some("starting")).clone_with_pid(1234));
        let j = r#"[{"RestartCount":0,"State":{"Running":true,"Pid":7,"StartedAt":"t"}}]"#;
        assert_eq!(parse_state(j).expect("must succeed").health, None);
        assert!(parse_state("[]").is_err());
        assert!(parse_state("nope").is_err());
    }

    impl State {
        fn clone_with_pid(mut self, pid: u64) -> Self {
            self.pid = pid;
            self
        }
    }

    #[test]
    fn recovery_decision() {
        let before = st("t1", 0, true, Some("healthy"));
        assert!(recovered(&before, &before)
            .expect_err("must fail")
            .contains("not restarted"));
        assert!(recovered(&before, &st("t2", 0, true, Some("healthy")))
            .expect_err("must fail")
            .contains("RestartCount"));
        assert!(recovered(&before, &st("t2", 1, true, Some("starting")))
            .expect_err("must fail")
            .contains("not up"));
        assert!(recovered(&before, &st("t2", 1, false, None)).is_err());
        assert!(recovered(&before, &st("t2", 1, true, Some("healthy"))).is_ok());
        assert!(recovered(&before, &st("t2", 1, true, None)).is_ok());
    }

    #[test]
    fn poll_stops_on_success_and_times_out() {
        let mut states = vec![
            st("t1", 0, true, Some("healthy")),
            st("t2", 1, true, Some("starting")),
            st("t2", 1, true, Some("healthy")),
        ]
        .into_iter();
        let before = st("t1", 0, true, Some("healthy"));
        let mut calls = 0;
        let r = poll_until(Duration::from_secs(5), Duration::ZERO, || {
            calls += 1;
            recovered(&before, &states.next().expect("must succeed"))
        });
        assert!(r.is_ok());
        assert_eq!(calls, 3);
        let r = poll_until(Duration::from_millis(20), Duration::from_millis(5), || {
            Err("still starting".to_string())
        });
        let (why, t) = r.expect_err("must fail");
        assert_eq!(why, "still starting");
        assert!(t >= Duration::from_millis(20));
    }

    #[test]
    fn compose_command_from_labels() {
        let v: Value = serde_json::from_str(
            r#"{"Config":{"Labels":{
                "com.docker.compose.project.working_dir":"/work/main/srcs",
                "com.docker.compose.project.config_files":"/work/main/srcs/docker-compose.yml,/work/main/srcs/extra.yml",
                "com.docker.compose.project.environment_file":"/work/main/srcs/.env"}}}"#,
        )
        .expect("must succeed");
        let l = compose_labels(&v);
        let (p, a) = compose_command(ComposeBin::V2, "inception", &l, "stop");
        assert_eq!(p, "docker");
        assert_eq!(
            a.join(" "),
            "compose -p inception --project-directory /work/main/srcs \
             -f /work/main/srcs/docker-compose.yml -f /work/main/srcs/extra.yml \
             --env-file /work/main/srcs/.env stop"
        );
        let bare = compose_labels(&serde_json::json!({"Config":{"Labels":{}}}));
        assert_eq!(bare, ComposeLabels::default());
        let (p, a) = compose_command(ComposeBin::V1, "x", &bare, "start");
        assert_eq!(p, "docker-compose");
        assert_eq!(a, ["-p", "x", "start"]);
    }

    #[test]
    fn marker_sql() {
        assert_eq!(
            marker_write_sql("wordpress", "m1"),
            "CREATE TABLE IF NOT EXISTS `wordpress`.inception_audit_marker (v VARCHAR(64));\n\
             INSERT INTO `wordpress`.inception_audit_marker (v) VALUES ('m1');\n"
        );
        assert_eq!(
            marker_read_sql("w`p", "a'b"),
            "SELECT v FROM `wp`.inception_audit_marker WHERE v = 'ab';\n"
        );
        assert_eq!(
            marker_drop_sql("wordpress"),
            "DROP TABLE IF EXISTS `wordpress`.inception_audit_marker;\n"
        );
        assert!(marker_present("v\nm1\n", "m1"));
        assert!(!marker_present("v\n", "m1"));
        assert!(marker_value().starts_with("inception-"));
        assert!(marker_value().len() <= 64);
    }
}
