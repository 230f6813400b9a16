//! M16: the root README's first line is the italic 42-curriculum line; README has
//! Description, Instructions and Resources sections (any heading level); USER_DOC.md and
//! DEV_DOC.md sit at the root.

use crate::check::Ctx;
use crate::finding::{Evidence, Finding};

/// Runs the documentation checks.
#[must_use]
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    match ctx.repo.text("README.md") {
        None => out.push(
            Finding::fail("M16", "README.md at the root", "Write README.md with the curriculum line, Description, Instructions and Resources.")
                .with(Evidence::file("README.md", "missing")),
        ),
        Some(t) => {
            let first = t.lines().enumerate().find(|(_, l)| !l.trim().is_empty());
            let rule = "README.md's first line is italic and names the 42 curriculum";
            match first {
                Some((i, l)) => {
                    let s = l.trim();
                    let italic = (s.len() > 2 && ((s.starts_with('*') && s.ends_with('*') && !s.starts_with("**")) || (s.starts_with('_') && s.ends_with('_') && !s.starts_with("__"))))
                        || (s.starts_with("<i>") || s.starts_with("<em>"));
                    let lower = s.to_ascii_lowercase();
                    let curriculum = lower.contains("42") && lower.contains("curriculum");
                    let ev = Evidence::line("README.md", i + 1, s);
                    if italic && curriculum {
                        out.push(Finding::pass("M16", rule).with(ev));
                    } else {
                        out.push(Finding::fail("M16", rule, "Start README.md with `*This project has been created as part of the 42 curriculum by <login>.*`").with(ev));
                    }
                }
                None => out.push(Finding::fail("M16", rule, "Write the README.").with(Evidence::file("README.md", "empty"))),
            }
            for section in ["Description", "Instructions", "Resources"] {
                let rule = format!("README.md has the {section} section");
                let hit = t.lines().enumerate().find(|(_, l)| {
                    let l = l.trim_start();
                    l.starts_with('#') && l.trim_start_matches('#').trim().to_ascii_lowercase().contains(&section.to_ascii_lowercase())
                });
                match hit {
                    Some((i, l)) => out.push(Finding::pass("M16", rule).with(Evidence::line("README.md", i + 1, l))),
                    None => out.push(Finding::fail("M16", rule, format!("Add a `## {section}` section to README.md.")).with(Evidence::file("README.md", format!("no heading containing \"{section}\"")))),
                }
            }
        }
    }
    for doc in ["USER_DOC.md", "DEV_DOC.md"] {
        let rule = format!("{doc} at the root");
        if ctx.repo.has(doc) {
            out.push(Finding::pass("M16", rule).with(Evidence::file(doc, "present")));
        } else {
            out.push(
                Finding::fail("M16", rule, format!("Write {doc} at the repository root."))
                    .with(Evidence::file(doc, "missing")),
            );
        }
    }
    out
}
