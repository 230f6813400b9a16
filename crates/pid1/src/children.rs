//! Finding our own descendants in `/proc`, for when we are not PID 1.
//!
//! As PID 1 of a namespace, `kill(-1, sig)` reaches exactly the processes
//! left in the container. Anywhere else (a subreaper in tests, a developer
//! running the init by hand) `kill(-1)` as root would signal every process
//! of the machine. Then we signal only the processes below us in the tree,
//! which we find by reading the parent pid of every `/proc/<pid>/stat`.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;

use nix::unistd::Pid;

/// The pids of every live process below `root` in the process tree.
///
/// Processes that vanish while we read `/proc` are skipped: they are racing
/// with us to exit, which is what we want from them anyway.
pub(crate) fn descendants(root: Pid) -> io::Result<Vec<Pid>> {
    let mut children: HashMap<i32, Vec<i32>> = HashMap::new();
    for entry in fs::read_dir("/proc")? {
        let entry = entry?;
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if let Some(ppid) = parent_from_stat(&stat) {
            children.entry(ppid).or_default().push(pid);
        }
    }

    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut pending = vec![root.as_raw()];
    while let Some(parent) = pending.pop() {
        for &child in children.get(&parent).map(Vec::as_slice).unwrap_or_default() {
            if seen.insert(child) {
                found.push(Pid::from_raw(child));
                pending.push(child);
            }
        }
    }
    Ok(found)
}

/// The parent pid from the content of `/proc/<pid>/stat`.
///
/// The second field is the command name in parentheses and may itself
/// contain spaces and parentheses, so we split after its *last* `)`:
/// what follows is ` <state> <ppid> ...`.
fn parent_from_stat(stat: &str) -> Option<i32> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_ascii_whitespace();
    let _state = fields.next()?;
    fields.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{descendants, parent_from_stat};
    use nix::unistd::Pid;

    #[test]
    fn parent_pid_is_the_fourth_field() {
        assert_eq!(parent_from_stat("12 (nginx) S 1 12 12 0 -1"), Some(1));
    }

    #[test]
    fn command_names_with_parentheses_and_spaces_do_not_confuse_it() {
        assert_eq!(parent_from_stat("77 (a) b (c d) R 33 77 77 0 -1"), Some(33));
    }

    #[test]
    fn garbage_gives_none() {
        assert_eq!(parent_from_stat(""), None);
        assert_eq!(parent_from_stat("1 (x)"), None);
        assert_eq!(parent_from_stat("1 (x) S notapid"), None);
    }

    #[test]
    fn finds_a_spawned_child_and_only_descendants() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("spawn sleep");
        let child_pid = Pid::from_raw(i32::try_from(child.id()).expect("pid fits"));
        let found = descendants(nix::unistd::getpid()).expect("read /proc");
        // The test process (a plain process, not an init) reaps its own
        // child with Child::wait: no waitpid(-1) runs in this test binary.
        child.kill().expect("kill sleep");
        child.wait().expect("wait sleep");
        assert!(found.contains(&child_pid), "{found:?} lacks {child_pid}");
        assert!(!found.contains(&nix::unistd::getpid()));
        assert!(!found.contains(&Pid::from_raw(1)));
    }
}
