//! The result type of every check: a [`Finding`] names a rule, gives a verdict, shows the
//! evidence (file, line, excerpt) and says how to fix what is wrong.

use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The tree satisfies the rule.
    Pass,
    /// The tree breaks the rule.
    Fail,
    /// Suspicious, or allowed only under conditions the tree cannot show.
    Warn,
    /// The check could not run (missing input, not a git repository, ...).
    Skip,
}

impl Verdict {
    /// The lowercase word used in every output format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::Skip => "skip",
        }
    }
}

/// One piece of evidence: where in the tree, and what is written there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// Path relative to the audited repository root.
    pub file: String,
    /// 1-based line number, when the evidence is a line.
    pub line: Option<usize>,
    /// The line (trimmed) or a short description.
    pub excerpt: String,
}

impl Evidence {
    /// Evidence pointing at one line of a file.
    #[must_use]
    pub fn line(file: impl Into<String>, line: usize, excerpt: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: Some(line),
            excerpt: shorten(excerpt.into().trim()),
        }
    }

    /// Evidence about a whole file (or its absence).
    #[must_use]
    pub fn file(file: impl Into<String>, excerpt: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            excerpt: shorten(excerpt.into().trim()),
        }
    }

    /// `file:line` or `file`.
    #[must_use]
    pub fn location(&self) -> String {
        match self.line {
            Some(n) => format!("{}:{n}", self.file),
            None => self.file.clone(),
        }
    }
}

fn shorten(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// One verdict on one rule (or one aspect of a rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id from DESIGN.md: `M1`..`M16`, `B1`..`B5`.
    pub id: &'static str,
    /// The rule, in plain words, as this check reads it.
    pub rule: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Where the verdict comes from.
    pub evidence: Vec<Evidence>,
    /// How to fix it (empty when there is nothing to fix).
    pub fix: String,
}

impl Finding {
    /// A finding with the given verdict and no evidence yet.
    #[must_use]
    pub fn new(id: &'static str, rule: impl Into<String>, verdict: Verdict) -> Self {
        Self {
            id,
            rule: rule.into(),
            verdict,
            evidence: Vec::new(),
            fix: String::new(),
        }
    }

    /// A passing finding.
    #[must_use]
    pub fn pass(id: &'static str, rule: impl Into<String>) -> Self {
        Self::new(id, rule, Verdict::Pass)
    }

    /// A failing finding with its fix.
    #[must_use]
    pub fn fail(id: &'static str, rule: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, rule, Verdict::Fail).with_fix(fix)
    }

    /// A warning with its fix.
    #[must_use]
    pub fn warn(id: &'static str, rule: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(id, rule, Verdict::Warn).with_fix(fix)
    }

    /// A skipped check, with the reason as evidence.
    #[must_use]
    pub fn skip(id: &'static str, rule: impl Into<String>, file: &str, reason: &str) -> Self {
        Self::new(id, rule, Verdict::Skip).with(Evidence::file(file, reason))
    }

    /// Adds one piece of evidence.
    #[must_use]
    pub fn with(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    /// Adds several pieces of evidence.
    #[must_use]
    pub fn with_all(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }

    /// Sets the fix.
    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }
}

/// Counts of each verdict over a set of findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings that pass.
    pub passed: usize,
    /// Findings that fail.
    pub failed: usize,
    /// Warnings.
    pub warnings: usize,
    /// Skipped checks.
    pub skipped: usize,
}

impl Summary {
    /// Counts the verdicts of `findings`.
    #[must_use]
    pub fn of(findings: &[Finding]) -> Self {
        let mut s = Self::default();
        for f in findings {
            match f.verdict {
                Verdict::Pass => s.passed += 1,
                Verdict::Fail => s.failed += 1,
                Verdict::Warn => s.warnings += 1,
                Verdict::Skip => s.skipped += 1,
            }
        }
        s
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} warnings, {} skipped",
            self.passed, self.failed, self.warnings, self.skipped
        )
    }
}
