//! M5 (FROM lines), M15 (passwords in Dockerfiles), M12 (ENTRYPOINT/CMD).

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass};

const NGX: &str = "srcs/requirements/nginx/Dockerfile";

#[test]
fn m5_from_penultimate_debian_or_alpine() {
    let t = Tree::good();
    let f = t.audit();
    assert_has(&f, "M5", Pass, "FROM debian:bookworm");
    assert_has(&f, "M5", Pass, "FROM alpine:3.22");
    t.replace(NGX, "FROM debian:bookworm", "FROM debian");
    assert_has(&t.audit(), "M5", Fail, "FROM debian (untagged or latest)");
    t.replace(NGX, "FROM debian", "FROM debian:latest");
    assert_has(&t.audit(), "M5", Fail, "debian:latest");
    t.replace(NGX, "FROM debian:latest", "FROM debian:buster");
    assert_has(&t.audit(), "M5", Fail, "not the penultimate");
    t.replace(NGX, "FROM debian:buster", "FROM nginx:1.25");
    assert_has(&t.audit(), "M5", Fail, "ready-made image");
    t.replace(NGX, "FROM nginx:1.25", "FROM alpine:3.18");
    assert_has(&t.audit(), "M5", Fail, "alpine:3.18");
    t.replace(NGX, "FROM alpine:3.18", "FROM debian:12.7-slim");
    assert_clean(&t.audit(), "M5");
}

#[test]
fn m5_build_stages_and_own_images_are_allowed() {
    let t = Tree::good();
    t.write(
        NGX,
        "ARG VERSION=1.0\nFROM inception-build:${VERSION} AS rust\nFROM debian:bookworm AS build\nRUN true\nFROM build\nCOPY --from=rust /out/x /x\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
    );
    // inception-build is not built in the tree yet: a failure.
    assert_has(&t.audit(), "M5", Fail, "inception-build");
    t.write(
        "Makefile",
        "BUILD_IMAGE := inception-build:1.0\nall:\n\tdocker build -t $(BUILD_IMAGE) -f srcs/build/Dockerfile .\n\tdocker compose -f srcs/docker-compose.yml up -d --build\n",
    );
    let f = t.audit();
    assert_clean(&f, "M5");
    assert_has(&f, "M5", Pass, "FROM build");
}

#[test]
fn m5_arg_defaults_are_expanded() {
    let t = Tree::good();
    t.write(
        NGX,
        "ARG DEBIAN=buster\nFROM debian:${DEBIAN}\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
    );
    assert_has(&t.audit(), "M5", Fail, "debian:${DEBIAN}");
    t.replace(NGX, "DEBIAN=buster", "DEBIAN=bookworm");
    assert_clean(&t.audit(), "M5");
}

#[test]
fn m15_no_password_in_dockerfiles() {
    let t = Tree::good();
    assert_has(&t.audit(), "M15", Pass, "Dockerfile(s) checked");
    t.replace(NGX, "EXPOSE 443\n", "EXPOSE 443\nENV DB_PASSWORD=hunter2\n");
    assert_has(&t.audit(), "M15", Fail, "ENV DB_PASSWORD=hunter2");
    let t = Tree::good();
    t.replace(NGX, "EXPOSE 443\n", "EXPOSE 443\nARG ROOT_PASS=toor\n");
    assert_has(&t.audit(), "M15", Fail, "ARG ROOT_PASS=toor");
    let t = Tree::good();
    t.replace(
        NGX,
        "EXPOSE 443\n",
        "EXPOSE 443\nRUN mysql -e \"CREATE USER 'wp'@'%' IDENTIFIED BY 'secret42';\"\n",
    );
    assert_has(&t.audit(), "M15", Fail, "IDENTIFIED BY 'secret42'");
    // A *_FILE path is not a password.
    let t = Tree::good();
    t.replace(
        NGX,
        "EXPOSE 443\n",
        "EXPOSE 443\nENV DB_PASSWORD_FILE=/run/secrets/db_password\n",
    );
    assert_clean(&t.audit(), "M15");
}

#[test]
fn m12_entrypoint_and_cmd_hacks() {
    let t = Tree::good();
    assert_has(&t.audit(), "M12", Pass, "daemon off;");
    t.replace(
        NGX,
        "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
        "CMD [\"bash\"]",
    );
    assert_has(&t.audit(), "M12", Fail, "bare shell");
    t.replace(NGX, "CMD [\"bash\"]", "CMD tail -f /dev/null");
    assert_has(&t.audit(), "M12", Fail, "tail -f");
    t.replace(
        NGX,
        "CMD tail -f /dev/null",
        "CMD [\"sleep\", \"infinity\"]",
    );
    assert_has(&t.audit(), "M12", Fail, "sleep infinity");
    t.replace(
        NGX,
        "CMD [\"sleep\", \"infinity\"]",
        "CMD [\"nginx\", \"-g\", \"daemon on;\"]",
    );
    assert_has(&t.audit(), "M12", Fail, "daemon on");
}
