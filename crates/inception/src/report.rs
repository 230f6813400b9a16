//! Rendering findings: an aligned table for terminals (coloured only when stdout is a
//! terminal and `NO_COLOR` is unset), JSON (an array of findings), and Markdown.

use std::io::{self, Write};

use crate::finding::{Finding, Summary, Verdict};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable table.
    Table,
    /// JSON array of findings.
    Json,
    /// Markdown table.
    Markdown,
}

/// Whether to colour the table: stdout is a terminal and `NO_COLOR` is unset or empty.
#[must_use]
pub fn want_colour() -> bool {
    use std::io::IsTerminal;
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn paint(v: Verdict, colour: bool) -> String {
    let word = match v {
        Verdict::Fail => "FAIL",
        other => other.as_str(),
    };
    if !colour {
        return format!("{word:<7}");
    }
    let code = match v {
        Verdict::Pass => "32",
        Verdict::Fail => "1;31",
        Verdict::Warn => "33",
        Verdict::Skip => "2",
    };
    format!("\x1b[{code}m{word:<7}\x1b[0m")
}

/// Writes the findings as a table, then the summary line.
///
/// # Errors
/// When writing fails.
pub fn table(out: &mut dyn Write, findings: &[Finding], colour: bool) -> io::Result<()> {
    writeln!(out, "{:<5} {:<7} RULE / EVIDENCE", "ID", "VERDICT")?;
    for f in findings {
        writeln!(out, "{:<5} {} {}", f.id, paint(f.verdict, colour), f.rule)?;
        for e in &f.evidence {
            writeln!(out, "{:<13}  {}  {}", "", e.location(), e.excerpt)?;
        }
        if matches!(f.verdict, Verdict::Fail | Verdict::Warn) && !f.fix.is_empty() {
            writeln!(out, "{:<13}  fix: {}", "", f.fix)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", Summary::of(findings))
}

/// Writes the findings as a JSON array.
///
/// # Errors
/// When writing fails.
pub fn json(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, findings).map_err(io::Error::other)?;
    writeln!(out)
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Writes the findings as a Markdown table, then the summary line.
///
/// # Errors
/// When writing fails.
pub fn markdown(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    writeln!(out, "| ID | Verdict | Rule | Evidence | Fix |")?;
    writeln!(out, "|----|---------|------|----------|-----|")?;
    for f in findings {
        let ev: Vec<String> = f
            .evidence
            .iter()
            .map(|e| {
                format!(
                    "`{}` {}",
                    md_escape(&e.location()),
                    md_escape(&e.excerpt).replace('`', "'")
                )
            })
            .collect();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            f.id,
            f.verdict.as_str(),
            md_escape(&f.rule),
            ev.join("<br>"),
            md_escape(&f.fix)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "**{}**", Summary::of(findings))
}
