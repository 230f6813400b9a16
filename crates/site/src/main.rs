//! `inception-site`: the static showcase website of the stack (bonus B3).

fn main() -> anyhow::Result<()> {
    site::run(std::env::args_os().skip(1))
}
