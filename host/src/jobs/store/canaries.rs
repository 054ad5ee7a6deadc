//! Canaries in the job store: the per-judge scores of each `assay canary`,
//! kept by the provider and the sha256 of the input it sampled, so that the
//! job later submitted from the same input carries them (`jobs.canary_id`)
//! and `assay eval --job` can hold the batch up against them.
//!
//! Invariant: a canary row is written once, whole, after its scoring ended;
//! scores are stored as they were summarized (non-finite metrics left out,
//! never written as a number they were not).

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{JobError, JobStore, now};
use crate::report::summary::Summary;

/// One judge's scores on a canary's sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanaryJudge {
    pub version: String,
    pub sha256: String,
    pub quality: bool,
    pub scored: u64,
    pub passed: u64,
    /// Batch-wide metrics from the judge's aggregator (finite values only).
    pub metrics: BTreeMap<String, f64>,
}

impl CanaryJudge {
    /// passed / scored; `None` when nothing was scored.
    pub fn pass_rate(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.passed as f64 / self.scored as f64)
    }
}

/// One canary as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Canary {
    pub id: i64,
    pub provider: String,
    pub input_sha256: String,
    /// `--sample` as given.
    pub sample: String,
    pub seed: i64,
    /// Rows sampled.
    pub rows: u64,
    pub judges: BTreeMap<String, CanaryJudge>,
    /// The canary's run in the history, when it was recorded there.
    pub run_id: Option<i64>,
    pub created_at: i64,
}

/// What `assay canary` records.
pub struct NewCanary<'a> {
    pub provider: &'a str,
    pub input_sha256: &'a str,
    pub sample: &'a str,
    pub seed: u64,
    pub run_id: Option<i64>,
    pub summary: &'a Summary,
}

/// The judges' scores of a canary's summary.
pub fn scores(s: &Summary) -> BTreeMap<String, CanaryJudge> {
    s.judges
        .iter()
        .map(|(name, j)| {
            let judge = CanaryJudge {
                version: j.version.clone(),
                sha256: j.sha256.clone(),
                quality: j.quality,
                scored: j.scored,
                passed: j.passed,
                metrics: j
                    .metrics
                    .iter()
                    .filter(|(_, v)| v.is_finite())
                    .map(|(k, v)| (k.clone(), *v))
                    .collect(),
            };
            (name.clone(), judge)
        })
        .collect()
}

const COLUMNS: &str = "id, provider, input_sha256, sample, seed, rows, judges, run_id, created_at";

fn canary(r: &rusqlite::Row) -> rusqlite::Result<(Canary, String)> {
    Ok((
        Canary {
            id: r.get(0)?,
            provider: r.get(1)?,
            input_sha256: r.get(2)?,
            sample: r.get(3)?,
            seed: r.get(4)?,
            rows: r.get::<_, i64>(5)?.max(0) as u64,
            judges: BTreeMap::new(),
            run_id: r.get(7)?,
            created_at: r.get(8)?,
        },
        r.get(6)?,
    ))
}

impl JobStore {
    /// Records a canary; returns its id.
    pub fn insert_canary(&self, c: &NewCanary) -> Result<i64, JobError> {
        // Plain data (strings, counts, finite numbers): serialization cannot fail.
        let judges = serde_json::to_string(&scores(c.summary)).unwrap_or_else(|_| "{}".into());
        self.conn
            .execute(
                "INSERT INTO canaries (provider, input_sha256, sample, seed, rows, judges, run_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    c.provider,
                    c.input_sha256,
                    c.sample,
                    c.seed as i64,
                    c.summary.rows_submitted as i64,
                    judges,
                    c.run_id,
                    now()
                ],
            )
            .map_err(|e| self.db(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    fn parse(&self, (mut c, judges): (Canary, String)) -> Result<Canary, JobError> {
        c.judges = serde_json::from_str(&judges).map_err(|e| JobError::Malformed {
            what: format!("canary {}", c.id),
            reason: e.to_string(),
        })?;
        Ok(c)
    }

    /// The canary with id `id`.
    pub fn canary(&self, id: i64) -> Result<Canary, JobError> {
        let raw = self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM canaries WHERE id = ?1"), [id], canary)
            .optional()
            .map_err(|e| self.db(e))?
            .ok_or(JobError::NoSuchCanary(id))?;
        self.parse(raw)
    }

    /// The newest canary of `provider` on the input with this sha256.
    pub fn latest_canary(&self, provider: &str, input_sha256: &str) -> Result<Option<Canary>, JobError> {
        let raw = self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM canaries WHERE provider = ?1 AND input_sha256 = ?2 ORDER BY id DESC LIMIT 1"
                ),
                params![provider, input_sha256],
                canary,
            )
            .optional()
            .map_err(|e| self.db(e))?;
        raw.map(|r| self.parse(r)).transpose()
    }
}
