//! The checks, one function each, in the order they run: read-only checks first, then the
//! ones that change the site, then the destructive ones (kill -9, down/up, engine restart),
//! each followed by a proof that every earlier change is still there.

mod bonus;
mod bootstrap;
mod config;
mod persistence;
mod runtime;
mod secrets;
mod site;

use crate::harness::Check;

/// Every check of the suite, in running order; with `bonus`, the bonus checks too, before
/// the destructive ones (which then cover the bonus containers as well).
pub fn all(bonus: bool) -> Vec<Check> {
    let mut checks = vec![
        Check { id: "M1", what: "make built the images and started the stack through srcs/docker-compose.yml", run: config::m1_makefile },
        Check { id: "M2", what: "every configuration file lives under srcs/", run: config::m2_srcs },
        Check { id: "M3", what: "one Dockerfile of ours per service, each referenced by the compose file", run: config::m3_dockerfiles },
        Check { id: "M4", what: "images and containers are named after their services", run: runtime::m4_names },
        Check { id: "M5", what: "everything is built FROM debian:bookworm, nothing tagged latest", run: config::m5_base },
        Check { id: "M6", what: "TLS 1.0/1.1 refused, TLS 1.2/1.3 accepted on 443 (probe at security level 0)", run: site::m6_tls },
        Check { id: "M6", what: "port 80 is refused, not redirected", run: site::m6_no_http },
        Check { id: "M6", what: "443 on nginx is the only published port", run: runtime::m6_ports },
        Check { id: "M7", what: "WordPress runs on php-fpm with no web server in its container", run: runtime::m7_wordpress },
        Check { id: "M7", what: "the front page is the installed site, never the installer", run: site::m7_front_page },
        Check { id: "M8", what: "MariaDB runs alone in its container, unpublished", run: runtime::m8_mariadb },
        Check { id: "M8", what: "a bootstrap killed half-way is finished by the next start; a foreign datadir is refused", run: bootstrap::m8_bootstrap_recovery },
        Check { id: "M9", what: "two named volumes keep their data in /home/<login>/data", run: runtime::m9_volumes },
        Check { id: "M10", what: "one user-defined bridge network; no host network, no links", run: runtime::m10_network },
        Check { id: "M11", what: "every container has a restart policy", run: runtime::m11_policy },
        Check { id: "M12", what: "PID 1 is initd and the daemon runs in the foreground as its child", run: runtime::m12_pid1 },
        Check { id: "M13", what: "two WordPress users, the administrator's name free of \"admin\"", run: site::m13_users },
        Check { id: "M13", what: "an administrator name containing \"admin\" is rejected before anything starts", run: config::m13_reject_admin },
        Check { id: "M14", what: "<login>.42.fr resolves to this machine and serves the site", run: site::m14_domain },
        Check { id: "M15", what: "passwords are Docker secrets: *_FILE paths only, mode 600, git-ignored, not in .env", run: secrets::m15_secret_files },
        Check { id: "M15", what: "no secret in docker inspect, image history, logs, process arguments or the files volume", run: secrets::m15_no_leaks },
        Check { id: "M15", what: "no secret in any image layer (docker save scanned)", run: secrets::m15_image_layers },
        Check { id: "M16", what: "README, USER_DOC.md and DEV_DOC.md as the subject asks", run: config::m16_docs },
        Check { id: "AUD", what: "inception check --repo and --live find nothing wrong with this repository and stack", run: runtime::audit_clean },
        Check { id: "WP", what: "the administrator logs in through wp-login.php", run: site::wp_admin_login },
        Check { id: "WP", what: "the administrator edits a page and the change shows on the site", run: site::wp_edit_page },
        Check { id: "WP", what: "the second user posts a comment, approved by the administrator", run: site::wp_comment },
        Check { id: "WP", what: "uploads are served by nginx; PHP in uploads is never executed", run: site::wp_uploads },
        Check { id: "IN", what: "bad input: malformed .env, stopped Docker, lost secrets get clear errors, nothing changed", run: config::bad_input },
    ];
    if bonus {
        checks.extend([
            Check { id: "B1", what: "Redis requires a password, evicts LRU within maxmemory, keeps nothing on disk, is not published", run: bonus::b1_redis_locked_down },
            Check { id: "B1", what: "WordPress uses Redis: hits grow, fewer queries than without; Redis stopped keeps the site at 200", run: bonus::b1_cache_used },
            Check { id: "B1", what: "the dashboard shows the object cache connected with its hit ratio", run: bonus::b1_dashboard },
            Check { id: "B2", what: "FTP: TLS 1.2+ only, no anonymous or plain login, root = the files volume; an FTPS upload is served over https; WordPress's files download", run: bonus::b2_ftp },
            Check { id: "B3", what: "the static site through nginx at /site/: HTML, validators, every linked asset 200", run: bonus::b3_site },
            Check { id: "B4", what: "Adminer only through nginx behind HTTP auth; the DB user logs in and sees the WordPress tables", run: bonus::b4_adminer },
            Check { id: "B5", what: "monitor behind auth: dashboard, Prometheus metrics for containers and services; the engine proxy refuses writes", run: bonus::b5_monitor },
        ]);
    }
    checks.extend([
        Check {
            id: "M11",
            what: "kill -9 of each container's PID 1: it comes back healthy, data intact",
            run: persistence::m11_kill,
        },
        Check {
            id: "M17",
            what: "make down, 443 taken is refused, then make: every change is still there",
            run: persistence::m17_down_up,
        },
        Check {
            id: "M17",
            what: "restart of the Docker engine (a reboot): every change is still there",
            run: persistence::m17_engine_restart,
        },
    ]);
    checks
}
