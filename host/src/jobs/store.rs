//! The job store: the `jobs` table of the state database (`crate::db`:
//! `--state PATH`, `$ASSAY_STATE`, or the user data directory) with one row per
//! submitted job, and a `jobs/ID/` directory beside it for each job's fetched files.
//!
//! Invariant: a job is found again by its key (provider, base URL, input
//! hash), so rerunning the same submission returns the same job; every update
//! is its own committed statement, so a crash leaves the last step recorded.
//! A store written by an older assay is brought up to date when opened
//! (missing tables created, missing columns added), never rewritten.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("job store {path}: {source}")]
    Db {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("job store: {0}")]
    Open(#[source] crate::db::DbError),
    #[error("job {0} is not in the store (assay jobs lists them)")]
    NoSuchJob(i64),
    #[error("canary {0} is not in the store")]
    NoSuchCanary(i64),
    #[error("job store: {what} is malformed: {reason}")]
    Malformed { what: String, reason: String },
}

/// One job as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: i64,
    pub key: String,
    pub provider: String,
    pub base_url: String,
    pub input: PathBuf,
    pub input_sha256: String,
    /// OpenAI: the uploaded input file. Anthropic (no input file): `after:ID`,
    /// the newest batch at the provider before this job's create was sent.
    pub input_file_id: Option<String>,
    pub batch_id: Option<String>,
    pub status: String,
    pub total: Option<i64>,
    pub completed: Option<i64>,
    pub failed: Option<i64>,
    /// Set once every result file is whole in the job directory.
    pub fetched: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Azure OpenAI: the api-version the job was submitted with.
    pub api_version: Option<String>,
    /// The canary run on the same input before the job was submitted.
    pub canary_id: Option<i64>,
    /// `submit --tag`.
    pub tag: Option<String>,
    /// Provider, API and model of the input (`submit --gate-on-last` without a tag).
    pub shape: Option<String>,
}

pub struct JobStore {
    conn: Connection,
    path: PathBuf,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

const COLUMNS: &str = "id, key, provider, base_url, input, input_sha256, input_file_id, batch_id, status, total, completed, failed, fetched, created_at, updated_at, api_version, canary_id, tag, shape";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Job> {
    Ok(Job {
        id: r.get(0)?,
        key: r.get(1)?,
        provider: r.get(2)?,
        base_url: r.get(3)?,
        input: PathBuf::from(r.get::<_, String>(4)?),
        input_sha256: r.get(5)?,
        input_file_id: r.get(6)?,
        batch_id: r.get(7)?,
        status: r.get(8)?,
        total: r.get(9)?,
        completed: r.get(10)?,
        failed: r.get(11)?,
        fetched: r.get::<_, i64>(12)? != 0,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        api_version: r.get(15)?,
        canary_id: r.get(16)?,
        tag: r.get(17)?,
        shape: r.get(18)?,
    })
}

impl JobStore {
    /// `--state`, else `$ASSAY_STATE`, else the user data directory (`db::default_path`).
    pub fn default_path(state: Option<&Path>) -> Result<PathBuf, JobError> {
        crate::db::default_path(state).map_err(JobError::Open)
    }

    /// Opens the state database at `path`, creating and migrating it as needed.
    pub fn open(path: &Path) -> Result<JobStore, JobError> {
        let conn = crate::db::open(path).map_err(JobError::Open)?;
        Ok(JobStore {
            conn,
            path: path.to_owned(),
        })
    }

    /// The state database's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open connection, for the queries that span jobs and runs
    /// (`crate::history::gate`).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    fn db(&self, source: rusqlite::Error) -> JobError {
        JobError::Db {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// The directory for job `id`'s fetched files (not created here).
    pub fn job_dir(&self, id: i64) -> PathBuf {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        dir.join("jobs").join(id.to_string())
    }

    pub fn by_key(&self, key: &str) -> Result<Option<Job>, JobError> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE key = ?1"), [key], row)
            .optional()
            .map_err(|e| self.db(e))
    }

    pub fn get(&self, id: i64) -> Result<Job, JobError> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"), [id], row)
            .optional()
            .map_err(|e| self.db(e))?
            .ok_or(JobError::NoSuchJob(id))
    }

    pub fn list(&self) -> Result<Vec<Job>, JobError> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM jobs ORDER BY id"))
            .map_err(|e| self.db(e))?;
        let rows = st.query_map([], row).map_err(|e| self.db(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.db(e))
    }

    /// Records a new job in state `submitting`, before anything is sent.
    pub fn insert(&self, key: &str, provider: &str, base_url: &str, input: &Path, sha: &str) -> Result<Job, JobError> {
        let t = now();
        self.conn
            .execute(
                "INSERT INTO jobs (key, provider, base_url, input, input_sha256, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'submitting', ?6, ?6)",
                params![key, provider, base_url, input.display().to_string(), sha, t],
            )
            .map_err(|e| self.db(e))?;
        self.get(self.conn.last_insert_rowid())
    }

    pub fn set_input_file(&self, id: i64, file_id: &str) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE jobs SET input_file_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, file_id, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    pub fn set_batch(&self, id: i64, batch_id: &str, status: &str) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE jobs SET batch_id = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, batch_id, status, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// The provider's latest status and counts.
    pub fn set_progress(&self, id: i64, status: &str, counts: [u64; 3]) -> Result<(), JobError> {
        let [t, c, f] = counts.map(|n| n as i64);
        self.conn
            .execute(
                "UPDATE jobs SET status = ?2, total = ?3, completed = ?4, failed = ?5, updated_at = ?6 WHERE id = ?1",
                params![id, status, t, c, f, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    pub fn set_api_version(&self, id: i64, version: &str) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE jobs SET api_version = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, version, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// The job's tag and shape, as the latest submission named them.
    pub fn set_labels(&self, id: i64, tag: Option<&str>, shape: &str) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE jobs SET tag = ?2, shape = ?3, updated_at = ?4 WHERE id = ?1",
                params![id, tag, shape, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Links the job to the canary scored on its input.
    pub fn set_canary(&self, id: i64, canary: i64) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE jobs SET canary_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, canary, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    pub fn set_fetched(&self, id: i64) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE jobs SET fetched = 1, updated_at = ?2 WHERE id = ?1",
                params![id, now()],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }
}

mod audits;
mod canaries;
mod notes;

pub use audits::{Audit, AuditResult, NewAudit};
pub use canaries::{Canary, CanaryJudge, NewCanary};
pub use notes::{ClusterNote, NewNote};

#[cfg(test)]
mod tests;
