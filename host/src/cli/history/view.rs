//! The text view of `assay history`: one line per run, newest first.
//!
//! Invariant: text that came from a run (tags, judge names, inputs) is printed
//! through `sanitize`, so a stored value cannot drive the terminal.

use std::fmt::Write as _;
use std::path::Path;

use assay::history::StoredRun;
use assay::report::format::{pct, usd, utc};
use assay::report::terminal::sanitize;

pub fn runs(path: &Path, runs: &[StoredRun]) -> String {
    let mut o = String::new();
    if runs.is_empty() {
        let _ = writeln!(o, "no runs recorded in {}", path.display());
        return o;
    }
    let _ = writeln!(
        o,
        "{:<5} {:<21} {:<11} {:<12} {:<5} {:<9} {:>8} {:>10} {:>11} {:>4}  judges (pass rate, alarms)",
        "run", "started (UTC)", "kind", "tag", "job", "provider", "rows", "completion", "unit cost", "exit"
    );
    for s in runs {
        let r = &s.record;
        let judges: Vec<String> = r
            .judges
            .iter()
            .map(|(name, j)| {
                let rate = j.pass_rate.map_or("n/a".into(), pct);
                let alarms = if j.alarms.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} alarm{})",
                        j.alarms.len(),
                        if j.alarms.len() == 1 { "" } else { "s" }
                    )
                };
                format!("{} {rate}{alarms}", sanitize(name))
            })
            .collect();
        let _ = writeln!(
            o,
            "{:<5} {:<21} {:<11} {:<12} {:<5} {:<9} {:>8} {:>10} {:>11} {:>4}  {}",
            s.run,
            utc(r.started_at),
            sanitize(&r.kind),
            sanitize(r.tag.as_deref().unwrap_or("-")),
            r.job_id.map_or("-".into(), |j| j.to_string()),
            sanitize(&r.provider),
            r.rows_submitted,
            pct(r.completion_rate),
            r.cost_per_validated_row_usd.map_or("n/a".into(), usd),
            r.exit_code,
            judges.join(", ")
        );
    }
    o
}
