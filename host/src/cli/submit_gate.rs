//! `assay submit --gate-on-last [--tag TAG] [--force]`: the batch's own eval
//! cannot gate the submission it measures (it lands hours later), so it gates
//! the next one. The last evaluated job of the same tag (or, without a tag,
//! the same shape: provider, API and models) must have passed its gates and
//! raised no `canary-drift`, `segment-drift` or `regression` alarm.
//!
//! Invariant: a refused submission sends nothing and records no job, only the
//! refusal; a forced one is recorded as forced against the run it overrode.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Result;
use assay::history::gate::{GateEvent, LastEval, Lookup, last_eval, record_event};
use assay::jobs::JobStore;
use serde_json::Value;

use super::exit;
use super::job_ctx::fail;

/// The input's shape: provider, API (`messages` for Anthropic) and the
/// models its lines name, sorted.
pub fn shape(provider: &str, api: Option<&str>, input: &Path) -> Result<String> {
    let f = std::fs::File::open(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
    let mut models = BTreeSet::new();
    // Line by line: an input can be far larger than memory should hold.
    for (n, line) in std::io::BufRead::lines(std::io::BufReader::new(f)).enumerate() {
        let line = line.map_err(|e| fail(exit::INPUT, format!("{}:{}: {e}", input.display(), n + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| fail(exit::INPUT, format!("{}:{}: not JSON: {e}", input.display(), n + 1)))?;
        let body = v.get("body").or_else(|| v.get("params"));
        if let Some(m) = body.and_then(|b| b.get("model")).and_then(Value::as_str) {
            models.insert(m.to_owned());
        }
    }
    let models: Vec<String> = models.into_iter().collect();
    Ok(format!(
        "{provider} {} {}",
        api.unwrap_or("messages"),
        if models.is_empty() {
            "-".into()
        } else {
            models.join(",")
        }
    ))
}

/// What the gate decided.
pub enum Decision {
    /// No earlier evaluated job, or it blocks nothing.
    Clear(Option<LastEval>),
    /// Blocked, but `--force` was given: recorded, and the submission goes on.
    Forced(LastEval),
}

/// The gate's facts about this submission.
pub struct Ask<'a> {
    pub tag: Option<&'a str>,
    pub shape: &'a str,
    pub input_sha256: &'a str,
    /// The job already recorded for this input, if any.
    pub this_job: Option<i64>,
    pub force: bool,
}

fn sql(store: &JobStore, e: rusqlite::Error) -> anyhow::Error {
    fail(exit::INPUT, format!("state database {}: {e}", store.path().display()))
}

/// Checks the last evaluated job; a refusal is an error with exit 1 that
/// names the job, the run, each reason and the commands to see and override it.
pub fn check(store: &JobStore, ask: &Ask) -> Result<Decision> {
    let lookup = Lookup {
        tag: ask.tag,
        shape: ask.shape,
        this_job: ask.this_job.unwrap_or(-1),
    };
    let Some(last) = last_eval(store.conn(), &lookup).map_err(|e| sql(store, e))? else {
        return Ok(Decision::Clear(None));
    };
    if last.reasons.is_empty() {
        return Ok(Decision::Clear(Some(last)));
    }
    let event = GateEvent {
        input_sha256: ask.input_sha256,
        tag: ask.tag,
        shape: ask.shape,
        last: &last,
        forced: ask.force,
    };
    record_event(store.conn(), &event).map_err(|e| sql(store, e))?;
    if ask.force {
        return Ok(Decision::Forced(last));
    }
    Err(fail(exit::GATE, refusal(&last, ask)))
}

fn refusal(last: &LastEval, ask: &Ask) -> String {
    let whose = match ask.tag {
        Some(t) => format!("tag {t:?}"),
        None => format!("shape {:?}", ask.shape),
    };
    let mut m = format!(
        "submission refused: the last evaluated job with {whose}, job {} (run {}), did not pass:\n",
        last.job, last.run
    );
    for r in &last.reasons {
        m.push_str(&format!("  {}: {}\n", r.kind, r.message.replace(['\n', '\r'], " ")));
    }
    let tag = ask.tag.map(|t| format!(" --tag {t}")).unwrap_or_default();
    m.push_str(&format!(
        "see it: assay history{tag} (run {}), or assay eval --job {} --report report.html\nsubmit anyway: add --force",
        last.run, last.job
    ));
    m
}

/// One stderr line for a forced submission.
pub fn forced_note(last: &LastEval) -> String {
    let kinds: Vec<&str> = last.reasons.iter().map(|r| r.kind.as_str()).collect();
    format!(
        "warning: --force: submitting although job {} (run {}) did not pass ({}); recorded",
        last.job,
        last.run,
        kinds.join(", ")
    )
}
