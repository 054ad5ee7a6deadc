//! Drift audits in the job store: one row per `assay drift-audit` run, with
//! the job whose batch answers it compared (none for an audit of files), so
//! audits of the same work can be compared over time.
//!
//! Invariant: an audit row is written `running` before any provider call and
//! gets its result in one statement at the end, so an interrupted audit shows
//! as `running`, never as a result it did not reach.

use rusqlite::params;
use serde::Serialize;

use super::{JobError, JobStore, now};

/// What an audit is asked to do.
pub struct NewAudit<'a> {
    pub input: &'a str,
    pub judge: &'a str,
    pub pairs_asked: Option<u64>,
    pub seed: u64,
}

/// What an audit found.
pub struct AuditResult<'a> {
    pub pairs: u64,
    pub mean_score: Option<f64>,
    pub band: &'a str,
    /// The drift judge's metrics, as JSON.
    pub metrics: &'a serde_json::Value,
    pub sync_results: &'a [String],
}

/// One audit as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub id: i64,
    pub job: Option<i64>,
    pub input: String,
    pub judge: String,
    pub pairs_asked: Option<i64>,
    pub seed: i64,
    pub status: String,
    pub pairs: Option<i64>,
    pub mean_score: Option<f64>,
    pub band: Option<String>,
    pub metrics: Option<serde_json::Value>,
    pub sync_results: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn audit(r: &rusqlite::Row) -> rusqlite::Result<Audit> {
    let json = |t: Option<String>| t.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    Ok(Audit {
        id: r.get(0)?,
        job: r.get(1)?,
        input: r.get(2)?,
        judge: r.get(3)?,
        pairs_asked: r.get(4)?,
        seed: r.get(5)?,
        status: r.get(6)?,
        pairs: r.get(7)?,
        mean_score: r.get(8)?,
        band: r.get(9)?,
        metrics: json(r.get(10)?),
        sync_results: json(r.get(11)?)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default(),
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
    })
}

impl JobStore {
    /// Records an audit as `running`; returns its id.
    pub fn insert_audit(&self, a: &NewAudit) -> Result<i64, JobError> {
        let t = now();
        self.conn
            .execute(
                "INSERT INTO audits (input, judge, pairs_asked, seed, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?5)",
                params![a.input, a.judge, a.pairs_asked.map(|n| n as i64), a.seed as i64, t],
            )
            .map_err(|e| self.db(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The job whose batch answers the audit compares.
    pub fn set_audit_job(&self, id: i64, job: i64) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE audits SET job_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, job, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Records the audit's result and marks it `done`.
    pub fn finish_audit(&self, id: i64, r: &AuditResult) -> Result<(), JobError> {
        let sync = serde_json::to_string(r.sync_results).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "UPDATE audits SET status = 'done', pairs = ?2, mean_score = ?3, band = ?4, metrics = ?5, sync_results = ?6, updated_at = ?7 WHERE id = ?1",
                params![id, r.pairs as i64, r.mean_score, r.band, r.metrics.to_string(), sync, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Every audit, oldest first.
    pub fn audits(&self) -> Result<Vec<Audit>, JobError> {
        let mut st = self
            .conn
            .prepare("SELECT id, job_id, input, judge, pairs_asked, seed, status, pairs, mean_score, band, metrics, sync_results, created_at, updated_at FROM audits ORDER BY id")
            .map_err(|e| self.db(e))?;
        let rows = st.query_map([], audit).map_err(|e| self.db(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.db(e))
    }
}
