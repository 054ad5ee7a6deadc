//! Reconciliation: the provider's own account of a batch (its batch or job
//! object) set against the rows actually present in that attempt's files.
//!
//! Invariant: a check is made only where the provider stated a number; every
//! disagreement is reported with both numbers and what the gap means, and
//! nothing here changes a row's status.

pub use crate::report::reconcile::{Check, Reconciliation};
use assay_batch::{BatchObject, Status, Usage};

use assay_batch::ingest::LineRec;

/// What one attempt's files hold, counted once per id.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AttemptTally {
    /// Distinct submitted ids with at least one result line.
    pub ids: u64,
    /// Of those, lines the provider counts as successes (a normal response,
    /// including a content-filtered 200 or a refusal).
    pub succeeded: u64,
    pub errored: u64,
    pub canceled: u64,
    pub expired: u64,
    pub usage: Usage,
}

impl AttemptTally {
    pub fn add(&mut self, rec: &LineRec) {
        self.ids += 1;
        if rec.provider_success {
            self.succeeded += 1;
        } else {
            match rec.record.status {
                Status::Canceled => self.canceled += 1,
                Status::Expired => self.expired += 1,
                _ => self.errored += 1,
            }
        }
        self.usage += rec.record.usage;
    }

    fn failed(&self) -> u64 {
        self.errored + self.canceled + self.expired
    }
}

fn check(
    name: &'static str,
    provider: Option<u64>,
    files: u64,
    describe: impl Fn(u64, u64) -> String,
) -> Option<Check> {
    let p = provider?;
    let ok = p == files;
    Some(Check {
        name,
        provider: p,
        files,
        delta: files as i64 - p as i64,
        ok,
        message: if ok {
            format!("{name}: {p} agree")
        } else {
            describe(p, files)
        },
    })
}

fn lost_or_extra(p: u64, f: u64) -> String {
    match p.abs_diff(f) {
        1 if f < p => "1 row lost".to_owned(),
        n if f < p => format!("{n} rows lost"),
        n => format!("{n} more than the provider reports"),
    }
}

/// Compares one batch object with the attempt's tally and the input size.
pub fn reconcile(
    attempt: usize,
    source: &str,
    obj: &BatchObject,
    tally: &AttemptTally,
    submitted: u64,
) -> Reconciliation {
    let mut checks = Vec::new();
    let named = |n: &str, p: u64, f: u64, what: &str| {
        format!(
            "provider reports {p} {n}, result files hold {f} distinct {what}: {}",
            lost_or_extra(p, f)
        )
    };
    checks.extend(check("total", obj.total, submitted, |p, f| {
        format!("provider reports {p} requests, the input file holds {f} rows")
    }));
    checks.extend(check("succeeded", obj.succeeded, tally.succeeded, |p, f| {
        named("succeeded", p, f, "succeeded ids")
    }));
    if obj.errored.is_some() || obj.canceled.is_some() || obj.expired.is_some() {
        checks.extend(check("errored", obj.errored, tally.errored, |p, f| {
            named("errored", p, f, "errored ids")
        }));
        checks.extend(check("canceled", obj.canceled, tally.canceled, |p, f| {
            named("canceled", p, f, "canceled ids")
        }));
        checks.extend(check("expired", obj.expired, tally.expired, |p, f| {
            named("expired", p, f, "expired ids")
        }));
    } else {
        checks.extend(check("failed", obj.failed, tally.failed(), |p, f| {
            named("failed", p, f, "failed ids")
        }));
    }
    if let (Some(s), Some(f)) = (
        obj.succeeded,
        obj.failed.or_else(|| Some(obj.errored? + obj.canceled? + obj.expired?)),
    ) {
        checks.extend(check("answered", Some(s + f), tally.ids, |p, f| {
            named("answered requests", p, f, "ids")
        }));
    }
    checks.extend(check("input_tokens", obj.input_tokens, tally.usage.input, |p, f| {
        format!("provider reports {p} input tokens, result lines add up to {f}")
    }));
    checks.extend(check("output_tokens", obj.output_tokens, tally.usage.output, |p, f| {
        format!("provider reports {p} output tokens, result lines add up to {f}")
    }));
    checks.extend(check(
        "cached_input_tokens",
        obj.cached_input_tokens,
        tally.usage.cached_input,
        |p, f| format!("provider reports {p} cached input tokens, result lines add up to {f}"),
    ));
    Reconciliation {
        attempt,
        batch_object: source.to_owned(),
        provider_id: obj.id.clone(),
        provider_status: obj.status.clone(),
        ok: checks.iter().all(|c| c.ok),
        checks,
    }
}

#[cfg(test)]
mod tests;
