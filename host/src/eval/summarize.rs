//! Summarizing a settled run: each judge's scoring counters, then the
//! summary value every reporter reads.
//!
//! Invariant: the status counts come from the final ledger and add up to the
//! rows submitted; bad lines are listed in file order; every judge the run
//! prepared has exactly one entry, scoring or not.

use std::collections::BTreeMap;
use std::path::Path;

use assay_batch::{BadLine, ErrorKind, Ledger, Status};

use super::calls::Scorer;
use super::judges::PreparedJudge;
use super::plan::{EvalConfig, Plan};
use super::streams::Streams;
use super::verdicts::VerdictStore;
use crate::judge::FailureKind;
use crate::judge::state::LogLine;
use crate::report::reconcile::Reconciliation;
use crate::report::snapshots::Snapshots;
use crate::report::summary::{BadLineEntry, BadLines, CodeCount, Flags, JudgeLlm, JudgeSummary, StatusCounts, Summary};
use crate::report::sync::SyncSummary;

/// What one judge (or its aggregator) logged: (label, lines).
pub type JudgeLog = (String, Vec<LogLine>);

/// Bad lines listed in the summary; the count covers them all.
const BAD_LINES_LISTED: usize = 100;

/// Each judge's summary from scoring alone (the aggregators add to it), and
/// the logs its scorers captured. `scoring[t]` is the judge index of scorer `t`.
pub fn judge_summaries(
    judges: &[PreparedJudge],
    scoring: &[usize],
    store: &VerdictStore,
    scorers_by_worker: &mut [Vec<Scorer>],
    segment_size: u32,
) -> (BTreeMap<String, JudgeSummary>, Vec<JudgeLog>) {
    let mut summaries = BTreeMap::new();
    let mut logs = Vec::new();
    for (j, pj) in judges.iter().enumerate() {
        let mut s = JudgeSummary {
            version: pj.info.version.clone(),
            sha256: pj.loaded.sha256.clone(),
            origin: pj.loaded.entry.origin.to_owned(),
            component: pj.loaded.entry.component_path().display().to_string(),
            quality: pj.info.quality,
            ..JudgeSummary::default()
        };
        if let Some(t) = scoring.iter().position(|&x| x == j) {
            let table = &store.tables[t];
            let (host, judge) = store.firsts(t);
            s.first_host_failure = host.map(str::to_owned);
            s.first_judge_error = judge.map(str::to_owned);
            s.scored = table.scored;
            s.passed = table.passed;
            s.pass_rate = if table.scored > 0 {
                table.passed as f64 / table.scored as f64
            } else {
                0.0
            };
            s.judge_errors = table.judge_errors;
            s.segment_pass = table.segment_pass(segment_size);
            for k in FailureKind::ALL {
                s.failures
                    .insert(k.as_str(), table.failures.get(&k).copied().unwrap_or(0));
            }
            let mut log = Vec::new();
            for w in scorers_by_worker.iter_mut() {
                if let Some(sc) = w.get_mut(t) {
                    s.fuel_used += sc.fuel_used();
                    s.instance_restarts += sc.restarts();
                    log.append(&mut sc.take_log());
                }
            }
            logs.push((pj.info.name.clone(), log));
        }
        s.llm = pj.loaded.llm.as_deref().map(judge_llm);
        summaries.insert(pj.info.name.clone(), s);
    }
    (summaries, logs)
}

/// A granted judge's model spend, for the summary.
fn judge_llm(access: &crate::judge::llm::LlmAccess) -> JudgeLlm {
    let st = access.stats();
    JudgeLlm {
        calls: st.calls,
        cached: st.cached,
        input_tokens: st.input_tokens,
        output_tokens: st.output_tokens,
        token_budget: access.grant.token_budget,
        cost_usd: access.grant.cost_usd(st.input_tokens, st.output_tokens),
        errors: st.errors,
    }
}

/// Everything the summary is made of besides the ledger.
pub struct Parts {
    pub error_codes: BTreeMap<&'static str, Vec<CodeCount>>,
    pub judges: BTreeMap<String, JudgeSummary>,
    /// Every bad line, in file order ([`bad_entries`]).
    pub bad: Vec<BadLineEntry>,
    pub reconciliation: Vec<Reconciliation>,
    pub snapshots: Snapshots,
    pub sync: Option<SyncSummary>,
    pub elapsed_ms: u64,
}

/// The run's settings and names the summary shows besides its rows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub provider: String,
    pub input: String,
    pub attempts: Vec<Vec<String>>,
    pub segment_size: u32,
    pub max_bad_lines: u64,
}

impl Head {
    /// `streams` maps the copies of piped inputs back to the names the user gave.
    pub fn of(cfg: &EvalConfig, plan: &Plan, streams: &Streams) -> Head {
        Head {
            provider: plan.settled.provider.as_str().to_owned(),
            input: streams.shown(&cfg.input).display().to_string(),
            attempts: cfg
                .attempts
                .iter()
                .map(|a| a.iter().map(|p| streams.shown(p).display().to_string()).collect())
                .collect(),
            segment_size: plan.segment_size,
            max_bad_lines: cfg.max_bad_lines,
        }
    }
}

/// Every bad line as the summary shows it, in file order.
pub fn bad_entries(mut bad: Vec<BadLine>, streams: &Streams) -> Vec<BadLineEntry> {
    bad.sort_by(|a, b| (a.path.as_ref(), a.line).cmp(&(b.path.as_ref(), b.line)));
    bad.iter().map(|b| bad_entry(b, streams)).collect()
}

/// The sync result files under the names the user gave.
pub fn show_sync_files(sync: &mut Option<SyncSummary>, streams: &Streams) {
    if let Some(sync) = sync.as_mut() {
        for f in &mut sync.files {
            *f = streams.shown(Path::new(f.as_str())).display().to_string();
        }
    }
}

/// A scoring judge on an endpoint without text (embeddings) gets a note
/// saying why it scored nothing.
pub fn note_unscorable(judges: &[PreparedJudge], summaries: &mut BTreeMap<String, JudgeSummary>, has_text: bool) {
    if has_text {
        return;
    }
    for (name, s) in summaries.iter_mut() {
        if judges.iter().any(|j| &j.info.name == name && j.info.scores) {
            s.skipped = Some("the endpoint returns no text (embeddings): nothing to score".into());
        }
    }
}

pub fn summary(head: &Head, ledger: &Ledger, parts: Parts) -> Summary {
    let rows = ledger.len();
    let mut error_kinds: BTreeMap<&'static str, u64> = ErrorKind::ALL.iter().map(|k| (k.as_str(), 0)).collect();
    for idx in 0..rows as u32 {
        if matches!(ledger.status(idx), Status::ProviderError | Status::RetryExhausted)
            && let Some(k) = ledger.error_kind(idx)
        {
            *error_kinds.entry(k.as_str()).or_default() += 1;
        }
    }
    let counts = ledger.status_counts();
    let fc = ledger.flag_counts();
    let (unexpected, unexpected_ids) = ledger.unexpected();
    let completed = counts[Status::Completed.index()];
    let segment_size = head.segment_size.max(1);
    Summary {
        assay_version: env!("CARGO_PKG_VERSION"),
        provider: head.provider.clone(),
        input: head.input.clone(),
        attempts: head.attempts.clone(),
        rows_submitted: rows as u64,
        segment_size,
        segments: (rows as u64).div_ceil(u64::from(segment_size)) as u32,
        status_counts: StatusCounts::from_counts(counts),
        error_kinds,
        error_codes: parts.error_codes,
        completion_rate: if rows > 0 { completed as f64 / rows as f64 } else { 0.0 },
        flags: Flags {
            truncated: fc.truncated,
            retried: fc.retried,
            silently_retried: fc.silently_retried,
            duplicate: fc.duplicate,
            unexpected,
        },
        unexpected_ids: unexpected_ids.iter().map(|id| shown_id(id)).collect(),
        bad_lines: BadLines {
            count: parts.bad.len() as u64,
            max_allowed: head.max_bad_lines,
            lines: parts.bad.into_iter().take(BAD_LINES_LISTED).collect(),
        },
        judges: parts.judges,
        reconciliation: parts.reconciliation,
        snapshots: parts.snapshots,
        sync: parts.sync,
        canary: None,
        clusters: None,
        fix_notes: None,
        gates: Vec::new(),
        exit_code: 0,
        elapsed_ms: parts.elapsed_ms,
        traces: None,
    }
}

/// Longest id shown in the summary: an id is data, and a 10 MB one must not
/// flood a terminal or a JSON summary.
const ID_BYTES: usize = 256;

fn shown_id(id: &str) -> String {
    match id.len() > ID_BYTES {
        true => format!("{}…({} bytes)", super::errors::cap(id, ID_BYTES), id.len()),
        false => id.to_owned(),
    }
}

fn bad_entry(b: &BadLine, streams: &Streams) -> BadLineEntry {
    BadLineEntry {
        file: streams.shown(&b.path).display().to_string(),
        line: b.line,
        reason: b.reason.to_string(),
    }
}
