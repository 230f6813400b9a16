//! `inception-site`: the static showcase website of the stack (bonus B3).

use std::process::ExitCode;

fn main() -> ExitCode {
    match site::run(std::env::args_os().skip(1)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole context chain on one line, never a backtrace.
            eprintln!("inception-site: {error:#}");
            ExitCode::FAILURE
        }
    }
}
