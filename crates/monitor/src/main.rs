//! Thin entry point: everything lives in the library so it can be tested.

fn main() {
    let code = match monitor::run(std::env::args_os().skip(1)) {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("inception-monitor: error: {err:#}");
            1
        }
    };
    std::process::exit(code);
}
