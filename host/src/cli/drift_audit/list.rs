//! `assay drift-audit --list`: the stored audits, as recorded.
//!
//! Invariant: listing only reads the store; it makes no provider call.

use anyhow::Result;
use assay::jobs::JobStore;

use super::super::args::Format;
use super::super::exit;
use super::super::job_ctx::fail;

/// `--list`: every stored audit, oldest first.
pub fn list(store: &JobStore, format: Format) -> Result<i32> {
    let audits = store.audits().map_err(|e| fail(exit::INPUT, e))?;
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&audits)? + "\n",
        Format::Text => {
            let mut t = String::from("audit job  status   pairs  mean   band        judge              input\n");
            for x in &audits {
                t.push_str(&format!(
                    "{:<5} {:<4} {:<8} {:>5}  {:<6} {:<11} {:<18} {}\n",
                    x.id,
                    x.job.map_or("-".to_owned(), |j| j.to_string()),
                    x.status,
                    x.pairs.map_or("-".to_owned(), |p| p.to_string()),
                    x.mean_score.map_or("-".to_owned(), |m| format!("{m:.3}")),
                    x.band.as_deref().unwrap_or("-"),
                    x.judge,
                    x.input
                ));
            }
            t
        }
    };
    super::super::out::emit(&text)?;
    Ok(exit::OK)
}
