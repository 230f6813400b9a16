//! The workspace's own repository passes its own audit, fast.

use std::time::Instant;

mod common;

#[test]
fn our_repository_passes_every_check_in_under_a_second() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let start = Instant::now();
    let findings = inception::audit(&root, None).expect("audit our repo");
    let elapsed = start.elapsed();
    println!("audit of {} took {elapsed:?}", root.display());
    println!("{}", common::dump(&findings));
    common::assert_no_fail(&findings);
    assert!(elapsed.as_secs_f64() < 1.0, "audit took {elapsed:?}");
}
