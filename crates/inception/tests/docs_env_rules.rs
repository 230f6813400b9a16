//! M16 (README, USER_DOC, DEV_DOC) and M13 (administrator name).

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass, Skip};

#[test]
fn m16_readme_first_line_sections_and_docs() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M16");
    t.replace(
        "README.md",
        "*This project has been created as part of the 42 curriculum by alice.*",
        "This project has been created as part of the 42 curriculum by alice.",
    );
    assert_has(&t.audit(), "M16", Fail, "README.md:1");
    let t = Tree::good();
    t.replace("README.md", "### Resources", "### Links");
    assert_has(
        &t.audit(),
        "M16",
        Fail,
        "no heading containing \"Resources\"",
    );
    let t = Tree::good();
    t.remove("DEV_DOC.md");
    assert_has(&t.audit(), "M16", Fail, "DEV_DOC.md");
    t.remove("README.md");
    assert_has(&t.audit(), "M16", Fail, "README.md");
}

#[test]
fn m13_admin_name_without_admin() {
    let t = Tree::good();
    assert_has(&t.audit(), "M13", Pass, "WP_ADMIN_USER=alice_boss");
    t.replace(
        "srcs/.env.example",
        "WP_ADMIN_USER=alice_boss",
        "WP_ADMIN_USER=SuperAdmin42",
    );
    assert_has(&t.audit(), "M13", Fail, "SuperAdmin42");
    t.write(
        "srcs/.env.example",
        "LOGIN=alice\nWP_ADMIN_USER=\"Administrator\"\n",
    );
    assert_has(&t.audit(), "M13", Fail, "Administrator");
    t.write("srcs/.env.example", "LOGIN=alice\n");
    assert_has(&t.audit(), "M13", Skip, "no administrator user setting");
}
