//! Shared helpers: run `pid1-harness` as a real PID 1 in a fresh PID
//! namespace, with a hard time limit, and collect what it did.
//!
//! Every run goes through `unshare --pid --fork --mount-proc --kill-child`:
//! the harness is PID 1 of a new namespace with its own `/proc`. If a run
//! exceeds its limit we SIGKILL `unshare`; `--kill-child` then SIGKILLs the
//! harness, and the kernel kills the whole namespace with its PID 1, so a
//! broken init makes a test fail instead of hang.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// The harness binary built by Cargo for these tests.
pub const HARNESS: &str = env!("CARGO_BIN_EXE_pid1-harness");

/// The limit for one run unless a test says otherwise: long enough for a
/// loaded machine, far below anything a hung init would need.
pub const LIMIT: Duration = Duration::from_secs(20);

/// Whether this machine lets us create PID namespaces (root, or a
/// permissive user-namespace setup); when not, prints why the calling test
/// is skipped. Set `PID1_REQUIRE_NAMESPACES=1` to turn a skip into a
/// failure. Use as `if !common::namespaces_available() { return; }`.
pub fn namespaces_available() -> bool {
    static UNAVAILABLE: OnceLock<Option<String>> = OnceLock::new();
    let unavailable = UNAVAILABLE.get_or_init(|| {
        let result = Command::new("unshare")
            .args(["--pid", "--fork", "--mount-proc", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output();
        let reason = match result {
            Ok(output) if output.status.success() => return None,
            Ok(output) => format!(
                "unshare failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
            Err(error) => format!("cannot run unshare: {error}"),
        };
        assert!(
            std::env::var_os("PID1_REQUIRE_NAMESPACES").is_none(),
            "PID1_REQUIRE_NAMESPACES is set but {reason}"
        );
        Some(reason)
    });
    match unavailable {
        None => true,
        Some(reason) => {
            eprintln!(
                "SKIPPED: this test runs the init as PID 1 of a new PID namespace, but {reason} (it needs root)"
            );
            false
        }
    }
}

/// What a finished run did.
#[derive(Debug)]
pub struct Outcome {
    /// The exit status of `unshare`, which is the harness' own.
    pub status: ExitStatus,
    /// Everything the harness (and the daemon) wrote on stderr.
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

impl Outcome {
    /// The harness' exit code; panics, showing stderr, if it was killed.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or_else(|| {
            panic!(
                "the harness died without exit code ({}); stderr:\n{}",
                self.status, self.stderr
            )
        })
    }
}

/// A harness running as PID 1 of its own namespace.
pub struct Pid1 {
    unshare: Child,
    stderr: Option<JoinHandle<String>>,
    started: Instant,
}

impl Pid1 {
    /// Starts `unshare ... pid1-harness <harness_args>`, with `env` added to
    /// the environment the daemon inherits.
    pub fn start<S: AsRef<OsStr>>(harness_args: &[S], env: &[(&str, &OsStr)]) -> Self {
        let mut command = Command::new("unshare");
        command
            .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
            .arg(HARNESS)
            .args(harness_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        Self::spawn(command)
    }

    /// Starts an arbitrary command line inside a new PID namespace (the
    /// command, not the harness, is PID 1 there).
    pub fn start_shell(script: &str, env: &[(&str, &OsStr)]) -> Self {
        let mut command = Command::new("unshare");
        command
            .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
            .args(["sh", "-c", script])
            .env("HARNESS", HARNESS)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        Self::spawn(command)
    }

    fn spawn(mut command: Command) -> Self {
        let started = Instant::now();
        let mut unshare = command.spawn().expect("spawn unshare");
        let mut pipe = unshare.stderr.take().expect("stderr is piped");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        });
        Self {
            unshare,
            stderr: Some(stderr),
            started,
        }
    }

    /// The harness' pid as seen from here: the child `unshare` forked.
    pub fn harness_pid(&self) -> Pid {
        let parent = self.unshare.id().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
                let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                    continue;
                };
                let Some((_, rest)) = stat.rsplit_once(')') else {
                    continue;
                };
                if rest.split_ascii_whitespace().nth(1) == Some(parent.as_str()) {
                    let pid = entry
                        .file_name()
                        .to_str()
                        .and_then(|name| name.parse().ok())
                        .expect("numeric /proc entry");
                    return Pid::from_raw(pid);
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("unshare (pid {parent}) forked no child within 10 s");
    }

    /// Sends `signal` to the harness (PID 1 inside), from the host
    /// namespace, as the container engine does.
    pub fn signal(&self, signal: Signal) {
        kill(self.harness_pid(), signal).expect("signal the harness");
    }

    /// Waits at most `limit` for the harness to exit. On timeout, kills the
    /// whole namespace and panics with the stderr seen so far.
    pub fn finish(mut self, limit: Duration) -> Outcome {
        let deadline = self.started + limit;
        let status = loop {
            if let Some(status) = self.unshare.try_wait().expect("try_wait unshare") {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = self.unshare.kill();
                let _ = self.unshare.wait();
                let stderr = self.collect_stderr();
                panic!("the harness did not exit within {limit:?}; stderr:\n{stderr}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let elapsed = self.started.elapsed();
        Outcome {
            status,
            stderr: self.collect_stderr(),
            elapsed,
        }
    }

    fn collect_stderr(&mut self) -> String {
        self.stderr
            .take()
            .map(|reader| reader.join().expect("stderr reader"))
            .unwrap_or_default()
    }
}

impl Drop for Pid1 {
    /// A panicking test must not leave a namespace behind.
    fn drop(&mut self) {
        if self.stderr.is_some() {
            let _ = self.unshare.kill();
            let _ = self.unshare.wait();
        }
    }
}

/// Runs `pid1-harness <args>` as PID 1 to completion, within [`LIMIT`].
pub fn run_pid1<S: AsRef<OsStr>>(args: &[S]) -> Outcome {
    Pid1::start(args, &[]).finish(LIMIT)
}

/// A scratch directory, removed on drop.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// A fresh, empty directory under the system's temp dir.
    pub fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "pid1-test-{}-{label}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create scratch dir");
        Self { path }
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Waits until `path` exists; panics after `limit`.
pub fn wait_for_file(path: &Path, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} did not appear within {limit:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
