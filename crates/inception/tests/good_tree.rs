//! The fixture builder's minimal tree passes everything: every other test breaks one thing.

mod common;
use common::*;
use inception::finding::Verdict;

#[test]
fn the_good_fixture_has_no_failure_and_no_warning() {
    let t = Tree::good();
    t.git_init_commit();
    let f = t.audit();
    assert_no_fail(&f);
    assert!(
        !f.iter().any(|x| x.verdict == Verdict::Warn),
        "{}",
        dump(&f)
    );
    // The entrypoint scripts were found through COPY + ENTRYPOINT.
    assert_has(
        &f,
        "M12",
        Verdict::Pass,
        "srcs/requirements/wordpress/tools/entrypoint.sh",
    );
    assert_has(
        &f,
        "M12",
        Verdict::Pass,
        "srcs/requirements/mariadb/tools/init.sh",
    );
}
