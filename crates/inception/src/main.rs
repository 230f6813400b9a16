//! `inception`: static audit of a 42 Inception repository. See the library crate.

fn main() {
    std::process::exit(inception::run());
}
