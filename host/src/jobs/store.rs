//! The job store: one SQLite database (`--state PATH`, `$ASSAY_STATE`, or
//! the user data directory) with one row per submitted job, and a `jobs/ID/`
//! directory beside it for each job's fetched files.
//!
//! Invariant: a job is found again by its key (provider, base URL, input
//! hash), so rerunning the same submission returns the same job; every update
//! is its own committed statement, so a crash leaves the last step recorded.

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
    #[error("job store {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("no job store location: set --state, ASSAY_STATE, XDG_DATA_HOME or HOME")]
    NoLocation,
    #[error("job {0} is not in the store (assay jobs lists them)")]
    NoSuchJob(i64),
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

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    base_url TEXT NOT NULL,
    input TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    input_file_id TEXT,
    batch_id TEXT,
    status TEXT NOT NULL,
    total INTEGER,
    completed INTEGER,
    failed INTEGER,
    fetched INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);";

const COLUMNS: &str = "id, key, provider, base_url, input, input_sha256, input_file_id, batch_id, status, total, completed, failed, fetched, created_at, updated_at";

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
    })
}

impl JobStore {
    /// `--state`, else `$ASSAY_STATE`, else `$XDG_DATA_HOME/assay/state.db`
    /// or `~/.local/share/assay/state.db`.
    pub fn default_path(state: Option<&Path>) -> Result<PathBuf, JobError> {
        if let Some(p) = state {
            return Ok(p.to_owned());
        }
        if let Some(p) = std::env::var_os("ASSAY_STATE").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(p));
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))
            .ok_or(JobError::NoLocation)?;
        Ok(base.join("assay").join("state.db"))
    }

    pub fn open(path: &Path) -> Result<JobStore, JobError> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| JobError::Io {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let db = |source| JobError::Db {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        Ok(JobStore {
            conn,
            path: path.to_owned(),
        })
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

#[cfg(test)]
mod tests;
