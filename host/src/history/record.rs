//! Recording one run: a `RunRecord` taken from the final `Summary`, written as
//! one row of `runs` with its judges, metrics and alarms.
//!
//! Invariant: everything recorded comes from the summary and the run's own
//! facts (kind, job, tag, start time); one transaction per run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use serde::Serialize;

use super::HistoryError;
use crate::report::summary::{Alarm, Gate, StatusCounts, Summary};

/// Which command made the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RunKind {
    #[serde(rename = "eval")]
    Eval,
    #[serde(rename = "canary")]
    Canary,
    #[serde(rename = "drift-audit")]
    DriftAudit,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Eval => "eval",
            RunKind::Canary => "canary",
            RunKind::DriftAudit => "drift-audit",
        }
    }
}

/// The run's own facts, beside its summary.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub kind: RunKind,
    /// assay's job id (`eval --job`), when the run evaluated a job.
    pub job_id: Option<i64>,
    pub tag: Option<String>,
    /// Unix time in milliseconds.
    pub started_at: i64,
}

/// One judge of a run.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeRecord {
    pub version: String,
    pub sha256: String,
    pub quality: bool,
    pub scored: u64,
    pub passed: u64,
    /// `None` when the judge scored nothing.
    pub pass_rate: Option<f64>,
    pub judge_errors: u64,
    pub metrics: BTreeMap<String, f64>,
    pub alarms: Vec<Alarm>,
}

/// One run, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    pub kind: String,
    pub job_id: Option<i64>,
    pub tag: Option<String>,
    pub started_at: i64,
    pub assay_version: String,
    pub provider: String,
    pub input: String,
    pub majority_model: Option<String>,
    pub majority_snapshot: Option<String>,
    /// Completed rows per model, and per serving snapshot, most first.
    pub models: Vec<(String, u64)>,
    pub snapshots: Vec<(String, u64)>,
    pub rotated_segments: Vec<u32>,
    pub rows_submitted: u64,
    pub status_counts: StatusCounts,
    pub completion_rate: f64,
    pub cost_per_validated_row_usd: Option<f64>,
    pub gates: Vec<Gate>,
    pub gates_passed: bool,
    pub exit_code: i32,
    pub elapsed_ms: u64,
    pub judges: BTreeMap<String, JudgeRecord>,
}

/// Sums (name, rows) lists, most rows first, then by name.
fn total(lists: impl Iterator<Item = (String, u64)>) -> Vec<(String, u64)> {
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for (k, n) in lists {
        *m.entry(k).or_default() += n;
    }
    let mut v: Vec<(String, u64)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

impl RunRecord {
    pub fn from_summary(meta: &RunMeta, s: &Summary) -> RunRecord {
        let snaps = &s.snapshots;
        let judges = s
            .judges
            .iter()
            .map(|(name, j)| {
                let rec = JudgeRecord {
                    version: j.version.clone(),
                    sha256: j.sha256.clone(),
                    quality: j.quality,
                    scored: j.scored,
                    passed: j.passed,
                    pass_rate: (j.scored > 0).then_some(j.pass_rate),
                    judge_errors: j.judge_errors,
                    metrics: j.metrics.clone(),
                    alarms: j.alarms.clone(),
                };
                (name.clone(), rec)
            })
            .collect();
        RunRecord {
            kind: meta.kind.as_str().to_owned(),
            job_id: meta.job_id,
            tag: meta.tag.clone(),
            started_at: meta.started_at,
            assay_version: s.assay_version.to_owned(),
            provider: s.provider.clone(),
            input: s.input.clone(),
            majority_model: snaps.majority.as_ref().and_then(|m| m.model.clone()),
            majority_snapshot: snaps.majority.as_ref().and_then(|m| m.snapshot.clone()),
            models: total(snaps.segments.iter().flat_map(|g| g.models.iter().cloned())),
            snapshots: total(snaps.segments.iter().flat_map(|g| g.snapshots.iter().cloned())),
            rotated_segments: snaps.rotated_segments.clone(),
            rows_submitted: s.rows_submitted,
            status_counts: s.status_counts.clone(),
            completion_rate: s.completion_rate,
            cost_per_validated_row_usd: s
                .judges
                .values()
                .find_map(|j| j.metrics.get("cost_per_validated_row_usd").copied())
                .filter(|v| v.is_finite()),
            gates: s.gates.clone(),
            gates_passed: s.gates.iter().all(|g| g.passed),
            exit_code: s.exit_code,
            elapsed_ms: s.elapsed_ms,
            judges,
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn json<T: Serialize>(v: &T) -> String {
    // Plain data (strings, numbers, lists): serialization cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Writes `r` in one transaction; returns its run id.
pub fn insert(conn: &mut Connection, r: &RunRecord) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute(
        "INSERT INTO runs (kind, job_id, tag, started_at, recorded_at, assay_version, provider, input,
            majority_model, majority_snapshot, models, snapshots, rotated_segments, rows_submitted,
            status_counts, completion_rate, cost_per_validated_row_usd, gates, gates_passed, exit_code, elapsed_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        params![
            r.kind,
            r.job_id,
            r.tag,
            r.started_at,
            now_ms(),
            r.assay_version,
            r.provider,
            r.input,
            r.majority_model,
            r.majority_snapshot,
            json(&r.models),
            json(&r.snapshots),
            json(&r.rotated_segments),
            r.rows_submitted as i64,
            json(&r.status_counts),
            r.completion_rate,
            r.cost_per_validated_row_usd,
            json(&r.gates),
            r.gates_passed,
            r.exit_code,
            r.elapsed_ms as i64,
        ],
    )?;
    let run = tx.last_insert_rowid();
    for (name, j) in &r.judges {
        tx.execute(
            "INSERT INTO run_judges (run_id, judge, version, sha256, quality, scored, passed, pass_rate, judge_errors)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                run,
                name,
                j.version,
                j.sha256,
                j.quality,
                j.scored as i64,
                j.passed as i64,
                j.pass_rate,
                j.judge_errors as i64
            ],
        )?;
        for (m, v) in &j.metrics {
            tx.execute(
                "INSERT INTO run_metrics (run_id, judge, name, value) VALUES (?1, ?2, ?3, ?4)",
                params![run, name, m, Some(*v).filter(|v| v.is_finite())],
            )?;
        }
        for (seq, a) in j.alarms.iter().enumerate() {
            tx.execute(
                "INSERT INTO run_alarms (run_id, judge, seq, kind, segment, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![run, name, seq as i64, a.kind, a.segment, a.message],
            )?;
        }
    }
    tx.commit()?;
    Ok(run)
}

/// Opens (creating it when absent) the state database at `path` and records `r`.
pub fn record(path: &Path, r: &RunRecord) -> Result<i64, HistoryError> {
    let mut conn = crate::db::open(path)?;
    insert(&mut conn, r).map_err(|source| HistoryError::Sqlite {
        path: path.display().to_string(),
        source,
    })
}
