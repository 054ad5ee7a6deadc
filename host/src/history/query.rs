//! Reading the history back: runs newest first, optionally of one tag, each
//! with its judges, metrics and alarms; and each run as a trend point.
//!
//! Invariant: reading opens only a database that exists (`open_existing`);
//! a stored JSON column that does not parse is an error naming the run and the
//! column, never a silently empty value.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::HistoryError;
use super::record::{JudgeRecord, RunRecord};
use crate::report::summary::Alarm;
use crate::report::trend::RunPoint;
use crate::report::trend::marks::NextSubmission;

/// One recorded run.
#[derive(Debug, Clone, Serialize)]
pub struct StoredRun {
    pub run: i64,
    /// Unix time in milliseconds.
    pub recorded_at: i64,
    #[serde(flatten)]
    pub record: RunRecord,
}

impl StoredRun {
    /// The run as the trend reads it: quality judges' pass rates only.
    pub fn point(&self) -> RunPoint {
        let r = &self.record;
        RunPoint {
            run: self.run,
            kind: r.kind.clone(),
            job: r.job_id,
            tag: r.tag.clone(),
            started_at: r.started_at,
            completion_rate: r.completion_rate,
            pass_rates: r
                .judges
                .iter()
                .filter(|(_, j)| j.quality)
                .map(|(n, j)| (n.clone(), j.pass_rate))
                .collect(),
            cost_per_validated_row_usd: r.cost_per_validated_row_usd,
            gates_passed: r.gates_passed,
            exit_code: r.exit_code,
            next_submission: NextSubmission {
                blocks: self.blocks(),
                ..NextSubmission::default()
            },
        }
    }

    /// Why this run blocks `submit --gate-on-last` (see `super::gate`):
    /// only an evaluated job's eval or drift audit can.
    pub fn blocks(&self) -> Vec<String> {
        let r = &self.record;
        if r.job_id.is_none() || r.kind == "canary" {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        if r.kind == "eval" && !r.gates_passed {
            out.push("gate".into());
        }
        for a in r.judges.values().flat_map(|j| &j.alarms) {
            if super::gate::BLOCKING_ALARMS.contains(&a.kind.as_str()) && !out.contains(&a.kind) {
                out.push(a.kind.clone());
            }
        }
        out
    }
}

/// The state database at `path`, migrated, or `None` when there is no file.
pub fn open_existing(path: &Path) -> Result<Option<Connection>, HistoryError> {
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(crate::db::open(path)?))
}

fn column<T: DeserializeOwned>(path: &Path, run: i64, column: &'static str, text: &str) -> Result<T, HistoryError> {
    serde_json::from_str(text).map_err(|source| HistoryError::Column {
        path: path.display().to_string(),
        run,
        column,
        source,
    })
}

/// The latest run before `run` that recorded `judge`, and the sha256 it ran.
pub fn previous_sha256(conn: &Connection, judge: &str, run: i64) -> rusqlite::Result<Option<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT run_id, sha256 FROM run_judges WHERE judge = ?1 AND run_id < ?2 ORDER BY run_id DESC LIMIT 1",
    )?;
    let mut rows = st.query(rusqlite::params![judge, run])?;
    match rows.next()? {
        Some(r) => Ok(Some((r.get(0)?, r.get(1)?))),
        None => Ok(None),
    }
}

/// Up to `limit` runs, newest first, of `tag` when given.
pub fn list(conn: &Connection, path: &Path, tag: Option<&str>, limit: usize) -> Result<Vec<StoredRun>, HistoryError> {
    let sql = |source| HistoryError::Sqlite {
        path: path.display().to_string(),
        source,
    };
    let mut st = conn
        .prepare(
            "SELECT id, recorded_at, kind, job_id, tag, started_at, assay_version, provider, input,
                majority_model, majority_snapshot, models, snapshots, rotated_segments, rows_submitted,
                status_counts, completion_rate, cost_per_validated_row_usd, gates, gates_passed, exit_code, elapsed_ms
             FROM runs WHERE ?1 IS NULL OR tag = ?1 ORDER BY id DESC LIMIT ?2",
        )
        .map_err(sql)?;
    type Raw = (i64, i64, RunRecord, [String; 5]);
    let raws: Vec<Raw> = st
        .query_map(params![tag, limit.min(i64::MAX as usize) as i64], |r| {
            let record = RunRecord {
                kind: r.get(2)?,
                job_id: r.get(3)?,
                tag: r.get(4)?,
                started_at: r.get(5)?,
                assay_version: r.get(6)?,
                provider: r.get(7)?,
                input: r.get(8)?,
                majority_model: r.get(9)?,
                majority_snapshot: r.get(10)?,
                models: Vec::new(),
                snapshots: Vec::new(),
                rotated_segments: Vec::new(),
                rows_submitted: r.get::<_, i64>(14)?.max(0) as u64,
                status_counts: Default::default(),
                completion_rate: r.get(16)?,
                cost_per_validated_row_usd: r.get(17)?,
                gates: Vec::new(),
                gates_passed: r.get(19)?,
                exit_code: r.get(20)?,
                elapsed_ms: r.get::<_, i64>(21)?.max(0) as u64,
                judges: BTreeMap::new(),
            };
            Ok((
                r.get(0)?,
                r.get(1)?,
                record,
                [r.get(11)?, r.get(12)?, r.get(13)?, r.get(15)?, r.get(18)?],
            ))
        })
        .map_err(sql)?
        .collect::<Result<_, _>>()
        .map_err(sql)?;
    let mut runs = Vec::with_capacity(raws.len());
    for (run, recorded_at, mut record, [models, snapshots, rotated, counts, gates]) in raws {
        record.models = column(path, run, "models", &models)?;
        record.snapshots = column(path, run, "snapshots", &snapshots)?;
        record.rotated_segments = column(path, run, "rotated_segments", &rotated)?;
        record.status_counts = column(path, run, "status_counts", &counts)?;
        record.gates = column(path, run, "gates", &gates)?;
        record.judges = judges(conn, run).map_err(sql)?;
        runs.push(StoredRun {
            run,
            recorded_at,
            record,
        });
    }
    Ok(runs)
}

fn judges(conn: &Connection, run: i64) -> rusqlite::Result<BTreeMap<String, JudgeRecord>> {
    let mut out = BTreeMap::new();
    let mut st = conn.prepare_cached(
        "SELECT judge, version, sha256, quality, scored, passed, pass_rate, judge_errors FROM run_judges WHERE run_id = ?1 ORDER BY judge",
    )?;
    let rows = st.query_map([run], |r| {
        Ok((
            r.get::<_, String>(0)?,
            JudgeRecord {
                version: r.get(1)?,
                sha256: r.get(2)?,
                quality: r.get(3)?,
                scored: r.get::<_, i64>(4)?.max(0) as u64,
                passed: r.get::<_, i64>(5)?.max(0) as u64,
                pass_rate: r.get(6)?,
                judge_errors: r.get::<_, i64>(7)?.max(0) as u64,
                metrics: BTreeMap::new(),
                alarms: Vec::new(),
            },
        ))
    })?;
    for row in rows {
        let (name, j) = row?;
        out.insert(name, j);
    }
    let mut st = conn.prepare_cached("SELECT judge, name, value FROM run_metrics WHERE run_id = ?1")?;
    let rows = st.query_map([run], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<f64>>(2)?,
        ))
    })?;
    for row in rows {
        let (judge, name, value) = row?;
        if let Some(j) = out.get_mut(&judge) {
            j.metrics.insert(name, value.unwrap_or(f64::NAN));
        }
    }
    let mut st = conn
        .prepare_cached("SELECT judge, kind, segment, message FROM run_alarms WHERE run_id = ?1 ORDER BY judge, seq")?;
    let rows = st.query_map([run], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Alarm {
                kind: r.get(1)?,
                segment: r.get(2)?,
                message: r.get(3)?,
            },
        ))
    })?;
    for row in rows {
        let (judge, alarm) = row?;
        if let Some(j) = out.get_mut(&judge) {
            j.alarms.push(alarm);
        }
    }
    Ok(out)
}
