//! The trend's gate marks: which runs block the next submission under
//! `assay submit --gate-on-last` (a failed gate, or a `canary-drift`,
//! `segment-drift` or batch-sync `regression` alarm on an evaluated job), and
//! how many submissions that gate refused or `--force` sent past them.
//!
//! Invariant: the mark line has one cell per drawn run, aligned with the
//! series above it; a run that blocks nothing and gated nothing is a dot.

use std::fmt::Write as _;

use serde::Serialize;

use super::RunPoint;
use crate::report::terminal::sanitize;

/// What one run means for the next submission.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NextSubmission {
    /// Why the run blocks the next submission: `gate` and alarm kinds,
    /// each once, in order; empty when it does not.
    pub blocks: Vec<String>,
    /// Submissions the gate refused because of this run.
    pub refused: u64,
    /// Submissions `--force` sent past it.
    pub forced: u64,
}

/// The mark of one run: `x` blocks (`F` when a submission was forced past
/// it), `.` blocks nothing.
fn cell(n: &NextSubmission) -> char {
    match (n.blocks.is_empty(), n.forced > 0) {
        (true, _) => '.',
        (false, true) => 'F',
        (false, false) => 'x',
    }
}

/// The mark line and one line per blocking run; nothing when no run blocks.
pub fn render_text(runs: &[RunPoint]) -> String {
    let mut o = String::new();
    if runs.iter().all(|r| r.next_submission.blocks.is_empty()) {
        return o;
    }
    let line: String = runs.iter().map(|r| cell(&r.next_submission)).collect();
    let _ = writeln!(o, "  {:<28} {line}", "gates the next submission");
    for r in runs.iter().filter(|r| !r.next_submission.blocks.is_empty()) {
        let n = &r.next_submission;
        let _ = writeln!(
            o,
            "  {:<28} run {} (job {}) blocks submit --gate-on-last: {}; {} refused, {} forced",
            "",
            r.run,
            r.job.map_or("-".into(), |j| j.to_string()),
            sanitize(&n.blocks.join(", ")),
            n.refused,
            n.forced
        );
    }
    o
}
