//! The host's borrowed interface values as the judge SDK's owned ones and
//! back: what lowering into a component and lifting out of it do, field for
//! field, for the native judges.
//!
//! Invariant: no field is dropped or altered on the way.

use assay_judge_sdk as sdk;

use crate::judge::bindings::types as wit;

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn status(s: wit::RowStatus) -> sdk::RowStatus {
    match s {
        wit::RowStatus::Completed => sdk::RowStatus::Completed,
        wit::RowStatus::ProviderError => sdk::RowStatus::ProviderError,
        wit::RowStatus::ContentFilter => sdk::RowStatus::ContentFilter,
        wit::RowStatus::Timeout => sdk::RowStatus::Timeout,
        wit::RowStatus::Expired => sdk::RowStatus::Expired,
        wit::RowStatus::Canceled => sdk::RowStatus::Canceled,
        wit::RowStatus::RetryExhausted => sdk::RowStatus::RetryExhausted,
        wit::RowStatus::Missing => sdk::RowStatus::Missing,
    }
}

fn flags(f: wit::RowFlags) -> sdk::RowFlags {
    let mut out = sdk::RowFlags::empty();
    for (host, guest) in [
        (wit::RowFlags::TRUNCATED, sdk::RowFlags::TRUNCATED),
        (wit::RowFlags::RETRIED, sdk::RowFlags::RETRIED),
        (wit::RowFlags::SILENTLY_RETRIED, sdk::RowFlags::SILENTLY_RETRIED),
        (wit::RowFlags::DUPLICATE, sdk::RowFlags::DUPLICATE),
    ] {
        if f.contains(host) {
            out |= guest;
        }
    }
    out
}

fn usage(u: &wit::Usage) -> sdk::Usage {
    sdk::Usage {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        cached_input_tokens: u.cached_input_tokens,
        cache_write_tokens: u.cache_write_tokens,
        reasoning_tokens: u.reasoning_tokens,
    }
}

pub fn row(r: &wit::Row<'_>) -> sdk::Row {
    sdk::Row {
        id: r.id.to_owned(),
        index: r.index,
        segment: r.segment,
        provider: r.provider.to_owned(),
        model: r.model.to_owned(),
        snapshot: owned(r.snapshot),
        status: status(r.status),
        flags: flags(r.flags),
        attempt: r.attempt,
        prompt: r
            .prompt
            .iter()
            .map(|m| sdk::Message {
                role: m.role.to_owned(),
                content: m.content.to_owned(),
            })
            .collect(),
        response: owned(r.response),
        finish_reason: owned(r.finish_reason),
        usage: usage(&r.usage),
        error_code: owned(r.error_code),
        error_message: owned(r.error_message),
        metadata: r
            .metadata
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

pub fn verdict(v: sdk::Verdict) -> wit::Verdict {
    wit::Verdict {
        score: v.score,
        label: v.label,
        passed: v.passed,
        details: v.details,
    }
}

pub fn judge_error(e: sdk::JudgeError) -> wit::JudgeError {
    match e {
        sdk::JudgeError::InvalidInput(m) => wit::JudgeError::InvalidInput(m),
        sdk::JudgeError::Unsupported(m) => wit::JudgeError::Unsupported(m),
        sdk::JudgeError::Config(m) => wit::JudgeError::Config(m),
        sdk::JudgeError::Failed(m) => wit::JudgeError::Failed(m),
    }
}

pub fn run_info(i: &wit::RunInfo<'_>) -> sdk::RunInfo {
    sdk::RunInfo {
        rows_submitted: i.rows_submitted,
        segment_size: i.segment_size,
        provider: i.provider.to_owned(),
        models: i.models.iter().map(|m| (*m).to_owned()).collect(),
        snapshots: i.snapshots.iter().map(|s| (*s).to_owned()).collect(),
    }
}

pub fn observation(o: &wit::Observation<'_>) -> sdk::Observation {
    sdk::Observation {
        index: o.index,
        segment: o.segment,
        status: status(o.status),
        flags: flags(o.flags),
        model: o.model,
        snapshot: o.snapshot,
        attempt: o.attempt,
        usage: usage(&o.usage),
        retry_usage: usage(&o.retry_usage),
        verdict: o.verdict.as_ref().map(|v| sdk::SlimVerdict {
            score: v.score,
            label: owned(v.label),
            passed: v.passed,
        }),
        validated: o.validated,
    }
}

pub fn report(r: sdk::Report) -> wit::Report {
    wit::Report {
        metrics: r
            .metrics
            .into_iter()
            .map(|m| wit::Metric {
                name: m.name,
                value: m.value,
                segment: m.segment,
            })
            .collect(),
        alarms: r
            .alarms
            .into_iter()
            .map(|a| wit::Alarm {
                kind: a.kind,
                segment: a.segment,
                message: a.message,
            })
            .collect(),
    }
}
