//! Fixture builder: a minimal Inception tree that passes every check, written into a temp
//! dir; each test then breaks one thing and looks at the verdict.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use inception::finding::{Finding, Verdict};

/// A fixture tree in a temporary directory.
pub struct Tree {
    dir: tempfile::TempDir,
}

pub const COMPOSE: &str = r#"services:
  mariadb:
    build: requirements/mariadb
    image: mariadb:1.0
    container_name: mariadb
    restart: unless-stopped
    networks: [inception]
    env_file: .env
    volumes:
      - mariadb:/var/lib/mysql
  wordpress:
    build:
      context: requirements/wordpress
    image: wordpress:1.0
    container_name: wordpress
    restart: always
    networks: [inception]
    volumes:
      - wordpress:/var/www/html
    depends_on: [mariadb]
  nginx:
    build: requirements/nginx
    image: nginx:1.0
    container_name: nginx
    restart: on-failure
    networks: [inception]
    ports:
      - "443:443"
    volumes:
      - wordpress:/var/www/html
networks:
  inception:
    driver: bridge
volumes:
  mariadb:
    driver: local
    driver_opts: { type: none, o: bind, device: /home/alice/data/mariadb }
  wordpress:
    driver: local
    driver_opts:
      type: none
      o: bind
      device: /home/alice/data/wordpress
"#;

pub const NGINX_CONF: &str = "server {
    listen 443 ssl;
    server_name alice.42.fr;
    ssl_certificate /etc/nginx/ssl/cert.pem;
    ssl_certificate_key /etc/nginx/ssl/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root /var/www/html;
    location ~ \\.php$ { fastcgi_pass wordpress:9000; }
}
";

pub const WP_ENTRY: &str = "#!/bin/sh
set -e
tries=0
until nc -z mariadb 3306; do
  tries=$((tries + 1))
  [ \"$tries\" -ge 30 ] && { echo 'mariadb never came up' >&2; exit 1; }
  sleep 1
done
DB_PASSWORD=$(cat /run/secrets/db_password)
sed -i \"s/PASSWORD_HERE/${DB_PASSWORD}/\" /var/www/html/wp-config.php
exec php-fpm8.2 -F
";

pub const DB_ENTRY: &str = "#!/bin/sh
set -e
exec mysqld --user=mysql
";

impl Tree {
    /// A tree that passes every check.
    pub fn good() -> Self {
        let t = Self {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        t.write(
            "Makefile",
            "all:\n\tdocker compose -f srcs/docker-compose.yml up -d --build\n\ndown:\n\tdocker compose -f srcs/docker-compose.yml down\n",
        );
        t.write("srcs/docker-compose.yml", COMPOSE);
        t.write(
            "srcs/.env.example",
            "LOGIN=alice\nDOMAIN_NAME=alice.42.fr\nWP_ADMIN_USER=alice_boss\nWP_USER=bob\n",
        );
        t.write(
            "srcs/requirements/nginx/Dockerfile",
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y nginx openssl\nCOPY conf/default.conf /etc/nginx/conf.d/default.conf\nEXPOSE 443\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
        );
        t.write("srcs/requirements/nginx/conf/default.conf", NGINX_CONF);
        t.write(
            "srcs/requirements/wordpress/Dockerfile",
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y php8.2-fpm php8.2-mysql netcat-openbsd\nCOPY tools/entrypoint.sh /usr/local/bin/entrypoint.sh\nRUN chmod +x /usr/local/bin/entrypoint.sh\nENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]\n",
        );
        t.write("srcs/requirements/wordpress/tools/entrypoint.sh", WP_ENTRY);
        t.write(
            "srcs/requirements/mariadb/Dockerfile",
            "FROM alpine:3.22\nRUN apk add --no-cache mariadb mariadb-client\nCOPY tools/ /docker/\nENTRYPOINT [\"sh\", \"/docker/init.sh\"]\n",
        );
        t.write("srcs/requirements/mariadb/tools/init.sh", DB_ENTRY);
        t.write(
            "README.md",
            "*This project has been created as part of the 42 curriculum by alice.*\n\n# Inception\n\n## Description\nx\n\n## Instructions\nmake\n\n### Resources\nlinks\n",
        );
        t.write("USER_DOC.md", "# User doc\n");
        t.write("DEV_DOC.md", "# Dev doc\n");
        t.write(".gitignore", "srcs/.env\nsecrets/\n");
        t
    }

    /// Root of the tree.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Absolute path of a relative one.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes (or overwrites) a file.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    /// Replaces `from` by `to` in a file; panics if `from` is not there.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(rel)).expect("read");
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, &text.replacen(from, to, 1));
    }

    /// Removes a file.
    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).expect("remove");
    }

    /// Runs git in the tree.
    pub fn git(&self, args: &[&str]) {
        let st = Command::new("git")
            .arg("-C")
            .arg(self.root())
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .expect("git");
        assert!(
            st.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
    }

    /// `git init` + commit everything.
    pub fn git_init_commit(&self) {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "init"]);
    }

    /// Audits the tree (login `alice`).
    pub fn audit(&self) -> Vec<Finding> {
        inception::audit(self.root(), Some("alice")).expect("audit")
    }
}

/// Findings of rule `id`.
pub fn of<'a>(findings: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.id == id).collect()
}

/// Renders findings for assertion messages.
pub fn dump(findings: &[Finding]) -> String {
    let mut out = Vec::new();
    inception::report::table(&mut out, findings, false).expect("render");
    String::from_utf8_lossy(&out).into_owned()
}

/// Asserts that some finding of `id` has verdict `v` and evidence mentioning `needle`.
pub fn assert_has(findings: &[Finding], id: &str, v: Verdict, needle: &str) {
    let hit = of(findings, id).into_iter().any(|f| {
        f.verdict == v
            && (f.rule.contains(needle)
                || f.evidence
                    .iter()
                    .any(|e| e.excerpt.contains(needle) || e.location().contains(needle)))
    });
    assert!(
        hit,
        "expected {id} {v:?} mentioning {needle:?}\n{}",
        dump(findings)
    );
}

/// Asserts no finding of `id` fails or warns.
pub fn assert_clean(findings: &[Finding], id: &str) {
    let bad: Vec<_> = of(findings, id)
        .into_iter()
        .filter(|f| matches!(f.verdict, Verdict::Fail | Verdict::Warn))
        .collect();
    assert!(bad.is_empty(), "expected {id} clean\n{}", dump(findings));
}

/// Asserts nothing fails at all.
pub fn assert_no_fail(findings: &[Finding]) {
    assert!(
        !findings.iter().any(|f| f.verdict == Verdict::Fail),
        "expected no failure\n{}",
        dump(findings)
    );
}
