//! M1, M2, M3, M4, M5 (compose), M6 (ports), M9, M10, M11: each broken once, each passing
//! on the good tree.

mod common;
use common::*;
use inception::finding::Verdict::{Fail, Pass, Warn};

const C: &str = "srcs/docker-compose.yml";

#[test]
fn m1_makefile_drives_compose_under_srcs() {
    let t = Tree::good();
    assert_has(&t.audit(), "M1", Pass, "srcs/docker-compose.yml");
    t.write("Makefile", "all:\n\tdocker compose up -d\n");
    assert_has(&t.audit(), "M1", Fail, "no reference to the compose file");
    t.write("Makefile", "all:\n\techo hi\n");
    assert_has(&t.audit(), "M1", Fail, "never invokes");
    t.remove("Makefile");
    assert_has(&t.audit(), "M1", Fail, "no Makefile");
}

#[test]
fn m2_compose_under_srcs_and_parsable() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M2");
    let text = std::fs::read_to_string(t.path(C)).expect("read");
    t.remove(C);
    t.write(
        "docker-compose.yml",
        &text.replace("requirements/", "srcs/requirements/"),
    );
    assert_has(&t.audit(), "M2", Fail, "compose file outside srcs/");
}

#[test]
fn m2_unparsable_compose_is_a_finding_not_a_crash() {
    let t = Tree::good();
    t.write(
        C,
        "services:\n  nginx:\n    build: [unclosed\n  ports: - x: :\n",
    );
    let f = t.audit();
    assert_has(&f, "M2", Fail, "not valid YAML");
    // Compose-dependent checks are skipped, not failed or panicking.
    assert!(of(&f, "M11")
        .iter()
        .all(|x| x.verdict == inception::finding::Verdict::Skip));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_inception"))
        .args(["check", "--repo"])
        .arg(t.root())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not valid YAML"));
}

#[test]
fn m3_one_dockerfile_per_service_no_pulled_image() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M3");
    t.remove("srcs/requirements/nginx/Dockerfile");
    assert_has(&t.audit(), "M3", Fail, "Dockerfile not found");
    let t = Tree::good();
    t.replace(C, "    build: requirements/mariadb\n", "");
    assert_has(&t.audit(), "M3", Fail, "ready-made image");
    let t = Tree::good();
    t.replace(C, "  mariadb:\n", "  db:\n");
    assert_has(&t.audit(), "M3", Fail, "missing: mariadb");
}

#[test]
fn m4_image_and_container_named_after_service() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M4");
    t.replace(C, "image: nginx:1.0", "image: my-nginx:1.0");
    assert_has(&t.audit(), "M4", Fail, "my-nginx");
    let t = Tree::good();
    t.replace(C, "container_name: wordpress", "container_name: wp");
    assert_has(&t.audit(), "M4", Fail, "container_name: wp");
}

#[test]
fn m5_untagged_or_latest_compose_image_fails() {
    let t = Tree::good();
    assert_has(&t.audit(), "M5", Pass, "image: nginx:1.0");
    t.replace(C, "image: nginx:1.0", "image: nginx");
    assert_has(&t.audit(), "M5", Fail, "image: nginx");
    let t = Tree::good();
    t.replace(C, "image: mariadb:1.0", "image: mariadb:latest");
    assert_has(&t.audit(), "M5", Fail, "mariadb:latest");
}

#[test]
fn m6_only_443_published() {
    let t = Tree::good();
    assert_has(&t.audit(), "M6", Pass, "443:443");
    t.replace(
        C,
        "      - \"443:443\"\n",
        "      - \"443:443\"\n      - \"80:80\"\n",
    );
    assert_has(&t.audit(), "M6", Fail, "80:80");
    let t = Tree::good();
    t.replace(C, "    ports:\n      - \"443:443\"\n", "");
    assert_has(&t.audit(), "M6", Fail, "no service publishes port 443");
}

#[test]
fn m6_bonus_ftp_ports_under_a_profile_warn() {
    let t = Tree::good();
    t.replace(
        C,
        "networks:\n  inception:",
        "  ftp:\n    build: requirements/bonus/ftp\n    image: ftp:1.0\n    container_name: ftp\n    restart: always\n    profiles: [bonus]\n    ports:\n      - \"21:21\"\n      - \"21000-21010:21000-21010\"\n    networks: [inception]\nnetworks:\n  inception:",
    );
    t.write("srcs/requirements/bonus/ftp/Dockerfile", "FROM debian:bookworm\nRUN apt-get update && apt-get install -y vsftpd\nCMD [\"vsftpd\", \"/etc/vsftpd.conf\"]\n");
    let f = t.audit();
    assert_has(&f, "M6", Warn, "21:21");
    assert_has(&f, "M6", Pass, "443:443");
    assert_has(&f, "B2", Pass, "ftp");
    // Without the profile, `make` itself would publish 21: a failure.
    t.replace(C, "    profiles: [bonus]\n", "");
    assert_has(&t.audit(), "M6", Fail, "21:21");
}

#[test]
fn m9_named_volumes_under_home_login_data() {
    let t = Tree::good();
    let f = t.audit();
    assert_has(&f, "M9", Pass, "/home/alice/data/mariadb");
    assert_has(&f, "M9", Pass, "/home/alice/data/wordpress");
    // Wrong login.
    let f = inception::audit(t.root(), Some("bob")).expect("audit");
    assert_has(&f, "M9", Fail, "not under /home/bob/data");
    // No login: any /home/*/data.
    let f = inception::audit(t.root(), None).expect("audit");
    assert_clean(&f, "M9");
    // Bind mount instead of a named volume.
    t.replace(
        C,
        "      - mariadb:/var/lib/mysql",
        "      - /home/alice/data/mariadb:/var/lib/mysql",
    );
    assert_has(
        &t.audit(),
        "M9",
        Fail,
        "/home/alice/data/mariadb:/var/lib/mysql",
    );
    // Named volume with data in /var/lib/docker.
    let t = Tree::good();
    t.replace(C, "      device: /home/alice/data/wordpress\n", "");
    t.replace(C, "    driver_opts:\n      type: none\n      o: bind\n", "");
    assert_has(&t.audit(), "M9", Fail, "no driver_opts device");
    // Login from a variable resolved through srcs/.env.
    let t = Tree::good();
    t.replace(
        C,
        "device: /home/alice/data/mariadb",
        "device: \"/home/${LOGIN}/data/mariadb\"",
    );
    t.write("srcs/.env", "LOGIN=alice\n");
    assert_clean(&t.audit(), "M9");
    t.write("srcs/.env", "LOGIN=mallory\n");
    assert_has(&t.audit(), "M9", Fail, "/home/mallory/data/mariadb");
}

#[test]
fn m10_network_no_host_no_links() {
    let t = Tree::good();
    assert_clean(&t.audit(), "M10");
    t.replace(
        C,
        "    container_name: nginx\n",
        "    container_name: nginx\n    network_mode: host\n",
    );
    assert_has(&t.audit(), "M10", Fail, "network_mode: host");
    let t = Tree::good();
    t.replace(
        C,
        "    depends_on: [mariadb]\n",
        "    links:\n      - mariadb\n",
    );
    assert_has(&t.audit(), "M10", Fail, "links:");
    let t = Tree::good();
    t.replace(C, "networks:\n  inception:\n    driver: bridge\n", "");
    assert_has(&t.audit(), "M10", Fail, "no top-level networks");
    let t = Tree::good();
    t.write(
        "srcs/tools/run.sh",
        "#!/bin/sh\ndocker run --link mariadb:db wordpress:1.0\n",
    );
    assert_has(&t.audit(), "M10", Fail, "--link mariadb");
}

#[test]
fn m11_every_service_restarts() {
    let t = Tree::good();
    assert_has(&t.audit(), "M11", Pass, "restart: unless-stopped");
    t.replace(C, "    restart: always\n", "");
    assert_has(&t.audit(), "M11", Fail, "wordpress: no restart policy");
    let t = Tree::good();
    t.replace(C, "    restart: on-failure\n", "    restart: \"no\"\n");
    assert_has(&t.audit(), "M11", Fail, "restart: no");
    let t = Tree::good();
    t.replace(
        C,
        "    restart: always\n",
        "    deploy:\n      restart_policy:\n        condition: on-failure\n",
    );
    assert_clean(&t.audit(), "M11");
}

#[test]
fn merge_keys_from_anchors_are_applied() {
    let t = Tree::good();
    t.write(
        C,
        &COMPOSE
            .replace(
                "services:\n",
                "x-svc: &svc\n  restart: unless-stopped\n  networks: [inception]\n\nservices:\n",
            )
            .replace("    restart: unless-stopped\n", "    <<: *svc\n")
            .replace("    restart: always\n", "    <<: *svc\n")
            .replace("    restart: on-failure\n", "    <<: *svc\n"),
    );
    assert_clean(&t.audit(), "M11");
}
