//! Runs the checks in order and prints one line each, then `N passed, N failed`.

use crate::ctx::Ctx;
use std::time::Instant;

/// One proof of one rule.
pub struct Check {
    /// Rule id from DESIGN.md (M1..M17) or a short tag for cross-cutting checks.
    pub id: &'static str,
    /// What is proven, in plain words.
    pub what: &'static str,
    /// The proof; an error says what was found instead.
    pub run: fn(&Ctx) -> anyhow::Result<()>,
}

/// Runs `checks` (those whose id is `only`, when given); returns the exit code.
pub fn run(ctx: &Ctx, checks: &[Check], only: Option<&str>) -> i32 {
    let (mut passed, mut failed) = (0, 0);
    for check in checks.iter().filter(|c| only.is_none_or(|o| o == c.id)) {
        let start = Instant::now();
        // A panicking check is a failed check, not the end of the suite.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (check.run)(ctx)))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the check panicked")));
        let secs = start.elapsed().as_secs_f32();
        match result {
            Ok(()) => {
                passed += 1;
                println!("ok     {:<4} {} ({secs:.1}s)", check.id, check.what);
            }
            Err(err) => {
                failed += 1;
                println!(
                    "FAILED {:<4} {} ({secs:.1}s)\n       {err:#}",
                    check.id, check.what
                );
            }
        }
    }
    println!("\ne2e: {passed} passed, {failed} failed");
    i32::from(failed > 0)
}
