//! The init's only output: single lines on stderr, prefixed with `init: `.
//!
//! Writing must never panic (as `eprintln!` does on a write error): a PID 1
//! that panics takes the whole container down. A lost diagnostic is the
//! lesser evil, so write errors are ignored.

use std::fmt;
use std::io::Write;

/// Prints one `init: `-prefixed line on stderr, ignoring write errors.
pub(crate) fn say(message: fmt::Arguments<'_>) {
    // One write_fmt on the locked handle keeps the line in one piece.
    let _ = writeln!(std::io::stderr().lock(), "init: {message}");
}

/// Renders an error with its whole `source()` chain, `a: b: c`.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut rendered = error.to_string();
    let mut next = error.source();
    while let Some(source) = next {
        rendered.push_str(": ");
        rendered.push_str(&source.to_string());
        next = source.source();
    }
    rendered
}

#[cfg(test)]
mod tests {
    use super::chain;

    #[test]
    fn chain_shows_every_source_once() {
        let error = crate::Error::Wait {
            source: nix::errno::Errno::EINVAL,
        };
        assert_eq!(
            chain(&error),
            "could not reap children with waitpid: EINVAL: Invalid argument"
        );
    }
}
