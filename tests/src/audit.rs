//! The suite's use of `inception check`: for each rule, the e2e check asks the audit's own
//! code (the static audit of the repository, or a live snapshot of the stack) for the
//! findings of that rule and requires every one to pass. The rules the audit reports and
//! the rules the tests enforce are therefore one implementation; the e2e checks add only
//! what is specific to this stack (our init, our tags, our test data).

use crate::ctx::Ctx;
use anyhow::{anyhow, bail, Result};
use inception::finding::{Finding, Verdict};
use inception::live::{LiveOpts, Snapshot};
use std::time::Duration;

/// The live audit's options for the test stack.
pub fn live_opts(ctx: &Ctx) -> LiveOpts {
    LiveOpts {
        domain: Some(ctx.domain()),
        addr: ctx.https_addr(),
        project: Some(ctx.project.clone()),
        // The test directory holds `secrets/`, which the leak search looks for.
        repo: Some(ctx.dir.clone()),
        login: Some(ctx.login.clone()),
        destructive: false,
    }
}

/// A fresh look at the running test stack (engine side only; the network probes are run by
/// the checks that need them).
pub fn snapshot(ctx: &Ctx) -> Result<Snapshot> {
    Snapshot::gather(&live_opts(ctx), false).map_err(|f| anyhow!(describe(&f)))
}

/// The static audit of this repository. Without a login: the tree's own `srcs/.env` (if
/// the developer has one) names the developer's login, not the test stack's, so the login
/// binding of M9 is proven live ([`Snapshot::volumes`]) instead.
pub fn static_audit(ctx: &Ctx) -> Result<Vec<Finding>> {
    Ok(inception::audit(&ctx.repo, None)?)
}

/// The static audit's findings for rule `id` on this repository.
pub fn static_rule(ctx: &Ctx, id: &str) -> Result<Vec<Finding>> {
    Ok(static_audit(ctx)?
        .into_iter()
        .filter(|f| f.id == id)
        .collect())
}

/// A finding in one paragraph: verdict, rule, evidence, fix.
pub fn describe(f: &Finding) -> String {
    let mut s = format!("{} {} {}", f.id, f.verdict.as_str(), f.rule);
    for e in &f.evidence {
        s.push_str(&format!("\n         {}: {}", e.location(), e.excerpt));
    }
    if !f.fix.is_empty() {
        s.push_str(&format!("\n         fix: {}", f.fix));
    }
    s
}

/// Every finding passes; a warning only where `warn_ok` says this stack expects it. An
/// empty list fails too: a rule nobody judged is not a rule that holds.
pub fn hold(findings: &[Finding], warn_ok: impl Fn(&Finding) -> bool) -> Result<()> {
    if findings.is_empty() {
        bail!("the audit produced no finding for this rule");
    }
    let bad: Vec<String> = findings
        .iter()
        .filter(|f| match f.verdict {
            Verdict::Pass => false,
            Verdict::Warn => !warn_ok(f),
            Verdict::Fail | Verdict::Skip => true,
        })
        .map(describe)
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        bail!("{}", bad.join("\n       "))
    }
}

/// Every finding passes, no warning accepted.
pub fn pass(findings: &[Finding]) -> Result<()> {
    hold(findings, |_| false)
}

/// The one warning our repository and the bonus stack carry by design: the FTP bonus
/// publishes its control port and passive range.
pub fn ftp_ports_warning(f: &Finding) -> bool {
    f.id == "M6" && f.rule.contains("FTP")
}

/// Deadline of the network probes the checks run.
pub const NET_TIMEOUT: Duration = Duration::from_secs(5);
