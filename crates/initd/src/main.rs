//! Thin entry point: everything lives in the library so it can be tested.

fn main() {
    let code = match initd::run(std::env::args_os().skip(1)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("init: error: {err:#}");
            1
        }
    };
    std::process::exit(code);
}
