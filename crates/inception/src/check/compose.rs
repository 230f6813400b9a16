//! Rules read from the Makefile and the compose file: M1 (Makefile drives compose), M2
//! (configuration under `srcs/`), M3 (one Dockerfile per service), M4 (image and container
//! named after the service), M5 for compose `image:` tags, M6 for published ports, M9
//! (named volumes under `/home/<login>/data`), M10 (network), M11 (restart), and which bonus
//! services exist (B1..B5).

use crate::check::{grep, Ctx};
use crate::finding::{Evidence, Finding};
use crate::model::{interpolate, Compose, Service};
use crate::repo::basename;

/// The mandatory services of the subject.
pub const MANDATORY: &[&str] = &["nginx", "wordpress", "mariadb"];

/// Runs the compose and Makefile checks.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut out = vec![m1(ctx)];
    out.extend(m2(ctx));
    let Some(c) = ctx.compose() else {
        for (id, rule) in [
            (
                "M3",
                "One Dockerfile per service, referenced from the compose file",
            ),
            ("M4", "Each image and container is named after its service"),
            ("M5", "No `latest` tag on compose images"),
            ("M6", "Only port 443 is published"),
            (
                "M9",
                "Named volumes for the database and WordPress under /home/<login>/data",
            ),
            ("M10", "A user-defined network; no host network, no links"),
            ("M11", "Every service restarts after a crash"),
        ] {
            out.push(ctx.no_compose(id, rule));
        }
        out.extend(m10_outside_compose(ctx));
        return out;
    };
    out.extend(m3(ctx, c));
    out.push(m4(c));
    out.push(m5_images(c));
    out.extend(m6_ports(c));
    out.extend(m9(ctx, c));
    out.extend(m10(ctx, c));
    out.push(m11(c));
    out
}

fn invokes_compose(line: &str) -> bool {
    if line.contains("docker compose") {
        return true;
    }
    line.match_indices("docker-compose").any(|(i, m)| {
        let after = &line[i + m.len()..];
        !(after.starts_with(".y") || after.starts_with(".override"))
    })
}

fn m1(ctx: &Ctx) -> Finding {
    const RULE: &str =
        "A Makefile at the root builds and starts the stack through the compose file under srcs/";
    let Some(mk) = ctx.repo.makefile() else {
        return Finding::fail("M1", RULE, "Add a Makefile at the repository root whose default target runs `docker compose -f srcs/docker-compose.yml up -d --build`.")
            .with(Evidence::file("Makefile", "no Makefile at the repository root"));
    };
    let Some(text) = ctx.repo.text(&mk) else {
        return Finding::fail("M1", RULE, "Make the Makefile readable.")
            .with(Evidence::file(&mk, "unreadable"));
    };
    let calls = grep(&mk, &text, invokes_compose);
    let compose_name = ctx
        .compose_file
        .as_deref()
        .map_or("docker-compose.yml", basename)
        .to_string();
    let refs = grep(&mk, &text, |l| {
        (l.contains("srcs/") && (l.contains(&compose_name) || l.contains("compose.y")))
            || l.contains("--project-directory srcs")
            || l.contains("cd srcs")
            || l.contains("-C srcs")
    });
    if calls.is_empty() {
        return Finding::fail(
            "M1",
            RULE,
            "Call `docker compose` (or `docker-compose`) from the Makefile.",
        )
        .with(Evidence::file(
            &mk,
            "the Makefile never invokes docker compose / docker-compose",
        ));
    }
    if refs.is_empty() {
        return Finding::fail(
            "M1",
            RULE,
            "Point compose at the file under srcs/ (`-f srcs/docker-compose.yml`).",
        )
        .with_all(calls.into_iter().take(3))
        .with(Evidence::file(
            &mk,
            "no reference to the compose file under srcs/",
        ));
    }
    Finding::pass("M1", RULE)
        .with_all(calls.into_iter().take(1))
        .with_all(refs.into_iter().take(1))
}

fn m2(ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "The compose file and the services' configuration live under srcs/";
    let mut out = Vec::new();
    let Some(file) = ctx.compose_file.as_deref() else {
        out.push(
            Finding::fail("M2", RULE, "Write srcs/docker-compose.yml.").with(Evidence::file(
                "srcs/docker-compose.yml",
                "no compose file in the tree",
            )),
        );
        return out;
    };
    if file.starts_with("srcs/") {
        out.push(Finding::pass("M2", RULE).with(Evidence::file(file, "compose file")));
    } else {
        out.push(
            Finding::fail(
                "M2",
                RULE,
                "Move the compose file to srcs/docker-compose.yml.",
            )
            .with(Evidence::file(file, "compose file outside srcs/")),
        );
    }
    match &ctx.compose {
        Some(Err(e)) => {
            let ev = match e.line() {
                Some(n) => Evidence::line(e.file(), n, e.to_string()),
                None => Evidence::file(e.file(), e.to_string()),
            };
            out.push(
                Finding::fail(
                    "M2",
                    "The compose file parses",
                    "Fix the YAML syntax (run `docker compose config` to see the same error).",
                )
                .with(ev),
            );
        }
        Some(Ok(c)) => {
            let outside: Vec<Evidence> = c
                .services
                .iter()
                .filter_map(|s| {
                    let b = s.build.as_ref()?;
                    (!b.context.starts_with("srcs/") && b.context != "srcs").then(|| {
                        let n = c.key_line(s, "build");
                        Evidence::line(
                            &c.file,
                            n,
                            format!("{}: build context {}", s.name, b.context),
                        )
                    })
                })
                .collect();
            if outside.is_empty() {
                out.push(
                    Finding::pass("M2", "Every build context is under srcs/")
                        .with(Evidence::file(&c.file, "build contexts under srcs/")),
                );
            } else {
                out.push(
                    Finding::fail("M2", "Every build context is under srcs/", "Move each service's Dockerfile and configuration to srcs/requirements/<service>/.")
                        .with_all(outside),
                );
            }
        }
        None => {}
    }
    out
}

fn m3(ctx: &Ctx, c: &Compose) -> Vec<Finding> {
    let mut out = Vec::new();
    let missing: Vec<&str> = MANDATORY
        .iter()
        .copied()
        .filter(|m| !c.services.iter().any(|s| s.name.contains(m)))
        .collect();
    let rule = "The mandatory services nginx, wordpress and mariadb exist";
    if missing.is_empty() {
        out.push(
            Finding::pass("M3", rule).with(Evidence::file(&c.file, "nginx, wordpress, mariadb")),
        );
    } else {
        out.push(
            Finding::fail(
                "M3",
                rule,
                "Add the missing services, each built from its own Dockerfile.",
            )
            .with(Evidence::file(
                &c.file,
                format!("missing: {}", missing.join(", ")),
            )),
        );
    }
    for s in &c.services {
        let rule = format!("Service `{}` is built from its own Dockerfile", s.name);
        match &s.build {
            Some(b) if ctx.repo.has(&b.dockerfile) => out.push(
                Finding::pass("M3", rule)
                    .with(Evidence::line(
                        &c.file,
                        c.key_line(s, "build"),
                        c.line_text(c.key_line(s, "build")),
                    ))
                    .with(Evidence::file(&b.dockerfile, "Dockerfile exists")),
            ),
            Some(b) => out.push(
                Finding::fail(
                    "M3",
                    rule,
                    "Write the Dockerfile at the path the build section names.",
                )
                .with(Evidence::line(
                    &c.file,
                    c.key_line(s, "build"),
                    c.line_text(c.key_line(s, "build")),
                ))
                .with(Evidence::file(&b.dockerfile, "Dockerfile not found")),
            ),
            None => {
                let n = c.key_line(s, "image");
                out.push(
                    Finding::fail("M3", rule, "Build the service from srcs/requirements/<service>/Dockerfile instead of pulling a ready-made image.")
                        .with(Evidence::line(&c.file, n, format!("{}: image without build (ready-made image pulled)", c.line_text(n)))),
                );
            }
        }
    }
    out
}

/// Splits an image reference into (repository, tag); `${...}` may contain colons.
#[must_use]
pub fn split_image(reference: &str) -> (String, Option<String>) {
    let no_digest = match reference.find('@') {
        Some(i) => &reference[..i],
        None => reference,
    };
    let mut depth = 0usize;
    let mut last_colon = None;
    let mut last_slash = None;
    for (i, ch) in no_digest.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => last_colon = Some(i),
            '/' if depth == 0 => last_slash = Some(i),
            _ => {}
        }
    }
    match last_colon {
        Some(i) if last_slash.is_none_or(|s| s < i) => (
            no_digest[..i].to_string(),
            Some(no_digest[i + 1..].to_string()),
        ),
        _ => (no_digest.to_string(), None),
    }
}

fn m4(c: &Compose) -> Finding {
    const RULE: &str = "Each image and container is named after its service";
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for s in &c.services {
        if let Some(img) = &s.image {
            let (repo, _) = split_image(img);
            let name = basename(&repo);
            let n = c.key_line(s, "image");
            let ev = Evidence::line(&c.file, n, format!("{}: {}", s.name, c.line_text(n)));
            if name == s.name {
                good.push(ev);
            } else {
                bad.push(ev);
            }
        }
        if let Some(cn) = &s.container_name {
            let n = c.key_line(s, "container_name");
            let ev = Evidence::line(&c.file, n, format!("{}: {}", s.name, c.line_text(n)));
            if *cn == s.name {
                good.push(ev);
            } else {
                bad.push(ev);
            }
        }
    }
    if bad.is_empty() {
        Finding::pass("M4", RULE).with_all(good.into_iter().take(6))
    } else {
        Finding::fail(
            "M4",
            RULE,
            "Name each image `<service>:<version>` and each container `<service>`.",
        )
        .with_all(bad)
    }
}

fn m5_images(c: &Compose) -> Finding {
    const RULE: &str = "No `latest` tag on compose images (an untagged image is `latest`)";
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for s in &c.services {
        let Some(img) = &s.image else { continue };
        let (expanded, _) = interpolate(img, &c.env);
        let (_, tag) = split_image(&expanded);
        let n = c.key_line(s, "image");
        let ev = Evidence::line(&c.file, n, format!("{}: {}", s.name, c.line_text(n)));
        match tag.as_deref() {
            None | Some("" | "latest") => bad.push(ev),
            Some(_) => good.push(ev),
        }
    }
    if bad.is_empty() {
        Finding::pass("M5", RULE).with_all(good.into_iter().take(6))
    } else {
        Finding::fail(
            "M5",
            RULE,
            "Give every image an explicit version tag, e.g. `image: nginx:1.0.0`.",
        )
        .with_all(bad)
    }
}

/// The host side of a published port, as a range `(first, last)`.
fn host_ports(spec: &str) -> Option<(u32, u32)> {
    let spec = spec.split('/').next().unwrap_or(spec);
    let parts: Vec<&str> = spec.split(':').collect();
    let host = match parts.as_slice() {
        [one] => *one,
        [h, _] => *h,
        [_, h, _] => *h,
        _ => return None,
    };
    let mut range = host.splitn(2, '-');
    let a: u32 = range.next()?.trim().parse().ok()?;
    let b: u32 = match range.next() {
        Some(x) => x.trim().parse().ok()?,
        None => a,
    };
    Some((a, b))
}

fn is_ftp_port(range: (u32, u32)) -> bool {
    range.0 == 20 || range.0 == 21 || (range.0 >= 1024 && range.1 > range.0)
}

fn m6_ports(c: &Compose) -> Vec<Finding> {
    const RULE: &str = "Only port 443 is published, and only by nginx";
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    let mut ok = Vec::new();
    for s in &c.services {
        for p in &s.ports {
            let n = key_line_value(c, s, "ports", p);
            let ev = Evidence::line(&c.file, n, format!("{}: {}", s.name, c.line_text(n)));
            let range = host_ports(p);
            let bonus_ftp = !s.profiles.is_empty()
                && (s.name.contains("ftp")
                    || s.image.as_deref().is_some_and(|i| i.contains("ftp")))
                && range.is_some_and(is_ftp_port);
            if range == Some((443, 443)) && s.name.contains("nginx") {
                ok.push(ev);
            } else if bonus_ftp {
                warns.push(ev);
            } else {
                fails.push(ev);
            }
        }
    }
    let mut out = Vec::new();
    if !fails.is_empty() {
        out.push(
            Finding::fail("M6", RULE, "Publish only `443:443` on nginx; reach every other service through the compose network or through nginx.")
                .with_all(fails),
        );
    } else if ok.is_empty() {
        out.push(
            Finding::fail("M6", RULE, "Publish `443:443` on the nginx service.")
                .with(Evidence::file(&c.file, "no service publishes port 443")),
        );
    } else {
        out.push(Finding::pass("M6", RULE).with_all(ok));
    }
    if !warns.is_empty() {
        out.push(
            Finding::warn("M6", "Bonus FTP ports are published (allowed for the FTP bonus only)", "Keep the FTP service under a bonus profile and document its ports; `make` alone must publish 443 only.")
                .with_all(warns),
        );
    }
    out
}

/// Line of a list item under `key:` in a service whose text contains `value`.
fn key_line_value(c: &Compose, s: &Service, key: &str, value: &str) -> usize {
    let start = c.key_line(s, key);
    let first = value.split(':').next().unwrap_or(value);
    c.text
        .lines()
        .enumerate()
        .skip(start.saturating_sub(1))
        .take(40)
        .find(|(_, l)| l.contains(value) || (l.contains("published") && l.contains(first)))
        .map_or(start, |(i, _)| i + 1)
}

fn m9(ctx: &Ctx, c: &Compose) -> Vec<Finding> {
    let mut out = Vec::new();
    for (what, name_hints, target_hint) in [
        ("database", &["mariadb", "mysql"][..], "/var/lib/mysql"),
        ("WordPress files", &["wordpress"][..], "/var/www"),
    ] {
        let rule =
            format!("A named volume holds the {what}, with its data under /home/<login>/data");
        let svc = c
            .services
            .iter()
            .find(|s| name_hints.iter().any(|h| s.name.contains(h)))
            .or_else(|| {
                c.services
                    .iter()
                    .find(|s| s.mounts.iter().any(|m| m.target.starts_with(target_hint)))
            });
        let Some(svc) = svc else {
            out.push(Finding::skip(
                "M9",
                rule,
                &c.file,
                &format!("no {what} service"),
            ));
            continue;
        };
        let mount = svc
            .mounts
            .iter()
            .find(|m| m.target.starts_with(target_hint))
            .or_else(|| svc.mounts.first());
        let vline = c.key_line(svc, "volumes");
        let Some(mount) = mount else {
            out.push(
                Finding::fail(
                    "M9",
                    rule,
                    format!("Mount a named volume at {target_hint} in `{}`.", svc.name),
                )
                .with(Evidence::line(
                    &c.file,
                    svc.line,
                    format!("{}: no volume", svc.name),
                )),
            );
            continue;
        };
        let mline = key_line_value(c, svc, "volumes", &mount.target);
        let mev = Evidence::line(&c.file, mline, c.line_text(mline));
        let Some(source) = mount.source.as_deref() else {
            out.push(
                Finding::fail(
                    "M9",
                    rule,
                    "Use a named volume declared under the top-level `volumes:`.",
                )
                .with(mev),
            );
            continue;
        };
        if mount.is_bind() {
            out.push(
                Finding::fail("M9", rule, "Use a named volume (top-level `volumes:` with driver_opts device /home/<login>/data/...), not a bind mount.")
                    .with(mev),
            );
            continue;
        }
        let Some((_, def)) = c.volumes.iter().find(|(k, _)| k == source) else {
            out.push(
                Finding::fail(
                    "M9",
                    rule,
                    format!("Declare volume `{source}` under the top-level `volumes:`."),
                )
                .with(mev),
            );
            continue;
        };
        let device = def
            .get("driver_opts")
            .and_then(|o| o.get("device"))
            .and_then(crate::model::scalar);
        let dline = c
            .text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("device"))
            .find(|(_, l)| device.as_deref().is_some_and(|d| l.contains(d)))
            .map_or(vline, |(i, _)| i + 1);
        let Some(device) = device else {
            out.push(
                Finding::fail("M9", rule, format!("Give volume `{source}` driver_opts {{ type: none, o: bind, device: /home/<login>/data/{source} }}."))
                    .with(mev)
                    .with(Evidence::file(&c.file, format!("volume `{source}` has no driver_opts device: data would live in /var/lib/docker/volumes"))),
            );
            continue;
        };
        let (expanded, unresolved) = interpolate(&device, &c.env);
        let dev = Evidence::line(&c.file, dline, c.line_text(dline));
        match data_dir_verdict(&expanded, &unresolved, ctx.login.as_deref()) {
            Ok(note) => out.push(
                Finding::pass("M9", rule)
                    .with(mev)
                    .with(dev)
                    .with_all(note.map(|n| Evidence::file(&c.file, n))),
            ),
            Err(why) => out.push(
                Finding::fail(
                    "M9",
                    rule,
                    "Set the volume's device to /home/<login>/data/<name>.",
                )
                .with(dev)
                .with(Evidence::file(&c.file, why)),
            ),
        }
    }
    out
}

/// Whether an (interpolated) device path is under `/home/<login>/data`.
fn data_dir_verdict(
    path: &str,
    unresolved: &[String],
    login: Option<&str>,
) -> Result<Option<String>, String> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let ["", "home", user, "data", ..] = parts.as_slice() else {
        return Err(format!("{path} is not under /home/<login>/data"));
    };
    match login {
        None => Ok(None),
        Some(l) if *user == l => Ok(None),
        Some(l) => {
            if user.starts_with("${") {
                let var = user.trim_start_matches("${").trim_end_matches('}');
                if unresolved.iter().any(|u| u == var)
                    && (var.contains("LOGIN") || var.contains("USER"))
                {
                    return Ok(Some(format!(
                        "login taken from ${{{var}}} at run time (expected {l})"
                    )));
                }
            }
            Err(format!("{path} is not under /home/{l}/data"))
        }
    }
}

fn is_host_net(l: &str) -> bool {
    let l = l.replace(['"', '\''], "");
    l.contains("--network host")
        || l.contains("--network=host")
        || l.contains("--net=host")
        || l.contains("--net host")
}

fn has_link_flag(l: &str) -> bool {
    l.contains("--link ") || l.contains("--link=")
}

fn m10_outside_compose(ctx: &Ctx) -> Vec<Finding> {
    const RULE: &str = "No `--link` or host network in the Makefile and scripts";
    let mut files: Vec<String> = ctx.repo.scripts();
    files.extend(ctx.repo.makefile());
    files.extend(ctx.repo.dockerfiles());
    let mut bad = Vec::new();
    for f in &files {
        if let Some(t) = ctx.repo.text(f) {
            bad.extend(grep(f, &t, |l| has_link_flag(l) || is_host_net(l)));
        }
    }
    if bad.is_empty() {
        vec![Finding::pass("M10", RULE)
            .with(Evidence::file("Makefile", "no --link, no host network"))]
    } else {
        vec![Finding::fail(
            "M10",
            RULE,
            "Join containers through a user-defined network and reach them by service name.",
        )
        .with_all(bad)]
    }
}

fn m10(ctx: &Ctx, c: &Compose) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for s in &c.services {
        if s.network_mode.as_deref() == Some("host") {
            let n = c.key_line(s, "network_mode");
            bad.push(Evidence::line(
                &c.file,
                n,
                format!("{}: {}", s.name, c.line_text(n)),
            ));
        }
        for key in ["links", "external_links"] {
            let present = if key == "links" {
                s.links
            } else {
                s.external_links
            };
            if present {
                let n = c.key_line(s, key);
                bad.push(Evidence::line(
                    &c.file,
                    n,
                    format!("{}: {}", s.name, c.line_text(n)),
                ));
            }
        }
    }
    let rule = "No `network_mode: host`, `links:` or `external_links:` in the compose file";
    if bad.is_empty() {
        out.push(Finding::pass("M10", rule).with(Evidence::file(&c.file, "none used")));
    } else {
        out.push(
            Finding::fail(
                "M10",
                rule,
                "Remove them; put the services on a user-defined network and use service names.",
            )
            .with_all(bad),
        );
    }
    let rule = "A user-defined network joins the containers (top-level `networks:`)";
    if c.has_networks {
        let n = c
            .text
            .lines()
            .position(|l| l.starts_with("networks:"))
            .map_or(1, |i| i + 1);
        out.push(Finding::pass("M10", rule).with(Evidence::line(&c.file, n, c.line_text(n))));
    } else {
        out.push(
            Finding::fail("M10", rule, "Declare `networks: { inception: { driver: bridge } }` and attach every service to it.")
                .with(Evidence::file(&c.file, "no top-level networks: section")),
        );
    }
    out.extend(m10_outside_compose(ctx));
    out
}

fn m11(c: &Compose) -> Finding {
    const RULE: &str = "Every service restarts after a crash (`restart:` or deploy.restart_policy)";
    let mut bad = Vec::new();
    let mut good = Vec::new();
    for s in &c.services {
        let ok_restart = s
            .restart
            .as_deref()
            .is_some_and(|r| r == "always" || r == "unless-stopped" || r.starts_with("on-failure"));
        let ok_policy = s.restart_policy.as_deref().is_some_and(|p| p != "none");
        let n = if s.restart.is_some() {
            c.key_line(s, "restart")
        } else {
            c.key_line(s, "deploy")
        };
        if ok_restart || ok_policy {
            let text = match &s.restart {
                Some(r) => format!("{}: restart: {r}", s.name),
                None => format!("{}: deploy.restart_policy", s.name),
            };
            good.push(Evidence::line(&c.file, n, text));
        } else {
            let what = s
                .restart
                .as_deref()
                .map_or("no restart policy".to_string(), |r| format!("restart: {r}"));
            bad.push(Evidence::line(&c.file, n, format!("{}: {what}", s.name)));
        }
    }
    if bad.is_empty() {
        Finding::pass("M11", RULE).with_all(good)
    } else {
        Finding::fail(
            "M11",
            RULE,
            "Add `restart: unless-stopped` (or always / on-failure) to every service.",
        )
        .with_all(bad)
    }
}

/// Bonus category of a service name: `Some("B1")` for redis, etc.; `None` for mandatory.
#[must_use]
pub fn bonus_id(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if MANDATORY.iter().any(|m| n.contains(m)) {
        return None;
    }
    Some(if n.contains("redis") {
        "B1"
    } else if n.contains("ftp") {
        "B2"
    } else if [
        "static",
        "site",
        "web",
        "portfolio",
        "hugo",
        "resume",
        "cv",
        "page",
    ]
    .iter()
    .any(|k| n.contains(k))
    {
        "B3"
    } else if n.contains("adminer") {
        "B4"
    } else {
        "B5"
    })
}

/// Runs the bonus checks (B1..B5) when the compose file has more than the mandatory services.
#[must_use]
pub fn check_bonus(ctx: &Ctx) -> Vec<Finding> {
    const NAMES: [(&str, &str); 5] = [
        (
            "B1",
            "Redis cache for WordPress, in its own container from its own Dockerfile",
        ),
        (
            "B2",
            "FTP server on the WordPress volume, in its own container from its own Dockerfile",
        ),
        (
            "B3",
            "Static website (not PHP), in its own container from its own Dockerfile",
        ),
        (
            "B4",
            "Adminer, in its own container from its own Dockerfile",
        ),
        (
            "B5",
            "A service of our choice, in its own container from its own Dockerfile",
        ),
    ];
    let Some(c) = ctx.compose() else {
        return NAMES
            .iter()
            .map(|(id, rule)| ctx.no_compose(id, rule))
            .collect();
    };
    let mut out = Vec::new();
    for (id, rule) in NAMES {
        let services: Vec<&Service> = c
            .services
            .iter()
            .filter(|s| bonus_id(&s.name) == Some(id))
            .collect();
        if services.is_empty() {
            out.push(Finding::skip(
                id,
                rule,
                &c.file,
                "no such bonus service in the compose file",
            ));
            continue;
        }
        for s in services {
            match &s.build {
                Some(b) if ctx.repo.has(&b.dockerfile) => out.push(
                    Finding::pass(id, format!("{rule}: `{}`", s.name))
                        .with(Evidence::line(&c.file, s.line, c.line_text(s.line)))
                        .with(Evidence::file(&b.dockerfile, "Dockerfile exists")),
                ),
                _ => out.push(
                    Finding::fail(id, format!("{rule}: `{}`", s.name), "Build the bonus service from its own Dockerfile under srcs/requirements/bonus/<service>/.")
                        .with(Evidence::line(&c.file, s.line, format!("{}: no Dockerfile built", s.name))),
                ),
            }
        }
    }
    out.extend(ftp_config(ctx));
    out
}

fn ftp_config(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    let confs: Vec<&String> = ctx
        .repo
        .files()
        .iter()
        .filter(|f| {
            f.starts_with("srcs/")
                && basename(f).contains("vsftpd")
                && !basename(f).ends_with(".sh")
        })
        .collect();
    for f in confs {
        let Some(t) = ctx.repo.text(f) else { continue };
        let anon = grep(f, &t, |l| {
            l.replace(' ', "")
                .eq_ignore_ascii_case("ANONYMOUS_ENABLE=YES")
        });
        if anon.is_empty() {
            out.push(
                Finding::pass("B2", "FTP refuses anonymous logins")
                    .with(Evidence::file(f.as_str(), "anonymous_enable is not YES")),
            );
        } else {
            out.push(
                Finding::fail(
                    "B2",
                    "FTP refuses anonymous logins",
                    "Set anonymous_enable=NO.",
                )
                .with_all(anon),
            );
        }
        let nossl = grep(f, &t, |l| {
            l.replace(' ', "").eq_ignore_ascii_case("SSL_ENABLE=NO")
        });
        if !nossl.is_empty() {
            out.push(Finding::warn("B2", "FTP encrypts logins (ssl_enable=YES)", "Set ssl_enable=YES with a certificate, or document why plain FTP is acceptable.").with_all(nossl));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        assert_eq!(split_image("nginx"), ("nginx".into(), None));
        assert_eq!(
            split_image("nginx:1.0"),
            ("nginx".into(), Some("1.0".into()))
        );
        assert_eq!(
            split_image("nginx:${V:-1.0.0}"),
            ("nginx".into(), Some("${V:-1.0.0}".into()))
        );
        assert_eq!(
            split_image("reg:5000/x/nginx"),
            ("reg:5000/x/nginx".into(), None)
        );
    }

    #[test]
    fn ports() {
        assert_eq!(host_ports("443:443"), Some((443, 443)));
        assert_eq!(host_ports("127.0.0.1:8080:80/tcp"), Some((8080, 8080)));
        assert_eq!(host_ports("21000-21010:21000-21010"), Some((21000, 21010)));
    }

    #[test]
    fn data_dirs() {
        assert!(data_dir_verdict("/home/bob/data/db", &[], Some("bob")).is_ok());
        assert!(data_dir_verdict("/home/bob/data/db", &[], Some("al")).is_err());
        assert!(data_dir_verdict("/var/lib/x", &[], None).is_err());
        assert!(data_dir_verdict("/home/${LOGIN}/data/db", &["LOGIN".into()], Some("al")).is_ok());
    }
}
