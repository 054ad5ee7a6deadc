//! Resumable runs (a run id, `--resume ID`): as the collector applies each
//! result block, in order, the results of the rows it settled and scored are
//! committed to the state database, in groups of up to `GROUP` blocks or
//! `GROUP_AFTER` apart (and all queued ones when the run is interrupted or
//! fails); a resumed run scores only the rows no committed block holds.
//!
//! Invariant: a block's rows are committed whole or not at all, after the
//! collector applied them, so a run killed at any instant resumes to the
//! same summary and rows as a run never killed; a run resumes only with the
//! same inputs (size, modification time and sampled bytes: see
//! `fingerprint`), judges (sha256 and configuration) and settings that decide
//! its rows, else it is refused; one process at a time holds a run (an OS
//! file lock, released even by `kill -9`); runs older than
//! `prune::KEEP_DAYS` go when another run opens.

pub mod codec;
pub mod fingerprint;
pub mod lock;
pub mod prune;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};

use crate::judge::RowResult;
use codec::BlockRows;
pub use fingerprint::Fingerprint;

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Open(#[from] crate::db::DbError),
    #[error("state database {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("run {0} already exists; --resume {0} continues it, or choose another --run-id")]
    Exists(String),
    #[error(
        "no run {0} in the state database {1} (assay eval --run-id ID starts one; runs are kept {days} days after they last ran)",
        days = prune::KEEP_DAYS
    )]
    NoSuchRun(String, String),
    #[error("run {0} already finished; its results are in the history")]
    Finished(String),
    #[error(
        "run {id} was started with other inputs, judges or settings: {what} changed; a run resumes only with the ones it started with"
    )]
    Changed { id: String, what: String },
    #[error(
        "run {id} was started by an earlier assay, which sampled {files} in a form this one cannot compare, so it cannot tell whether they changed; start the run again without --resume, or finish it with the assay that started it"
    )]
    Earlier { id: String, files: String },
    #[error("run {id} is held by another assay process{pid}; wait for it, or stop it first")]
    Busy { id: String, pid: String },
    #[error("run id {0:?} is not valid: use 1-64 characters of A-Z, a-z, 0-9, '-', '_' and '.'")]
    BadId(String),
    #[error("cannot read {path} to fingerprint the run: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{0}: a resumable run (--run-id, --resume) checks its inputs again when resumed, so each must be a regular file, not a pipe or stdin"
    )]
    NotAFile(String),
    #[error("cannot lock run {id} ({path}): {source}")]
    Lock {
        id: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Whether the run is new or continues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Start,
    Resume,
}

/// The most blocks written in one transaction.
pub const GROUP: usize = 8;
/// The longest a block waits to be written, unless the run ends first.
pub const GROUP_AFTER: Duration = Duration::from_millis(250);

struct Pending {
    blocks: Vec<(i64, Vec<u8>)>,
    written: Instant,
}

/// An open run's checkpoint: its database connection and its lock.
pub struct Checkpoint {
    id: String,
    path: PathBuf,
    conn: Mutex<Connection>,
    /// Blocks applied but not yet written.
    pending: Mutex<Pending>,
    judges: usize,
    /// Opened by `--resume`: earlier processes may have committed blocks.
    resumed: bool,
    _lock: File,
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Checkpoint {
    /// Opens run `id` in the state database at `path` for `judges` scoring judges.
    pub fn open(
        path: &Path,
        id: &str,
        mode: Mode,
        fp: &Fingerprint,
        judges: usize,
    ) -> Result<Checkpoint, CheckpointError> {
        if !valid_id(id) {
            return Err(CheckpointError::BadId(id.to_owned()));
        }
        let mut conn = crate::db::open(path)?;
        // In WAL mode a commit is then written to the log without an fsync:
        // a killed process loses nothing committed (the OS has the pages), and
        // a power cut loses at most the last blocks whole, never part of one.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|source| CheckpointError::Sqlite {
                path: path.display().to_string(),
                source,
            })?;
        let lock = match lock::take(path, id, true) {
            Ok(lock::Taken::Held(f)) => f,
            Ok(lock::Taken::Busy(pid)) => {
                return Err(CheckpointError::Busy {
                    id: id.to_owned(),
                    pid: pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
                });
            }
            Err(source) => {
                return Err(CheckpointError::Lock {
                    id: id.to_owned(),
                    path: lock::path(path, id).display().to_string(),
                    source,
                });
            }
        };
        let sql = |source| CheckpointError::Sqlite {
            path: path.display().to_string(),
            source,
        };
        let found: Option<(String, String)> = conn
            .query_row("SELECT fingerprint, status FROM eval_runs WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(sql)?;
        let now = now();
        prune::prune(&mut conn, path, now, id).map_err(sql)?;
        match (mode, found) {
            (Mode::Start, Some(_)) => return Err(CheckpointError::Exists(id.to_owned())),
            (Mode::Start, None) => {
                conn.execute(
                    "INSERT INTO eval_runs (id, fingerprint, status, created_at, updated_at) VALUES (?1, ?2, 'running', ?3, ?3)",
                    params![id, fp.stored(), now],
                )
                .map_err(sql)?;
            }
            (Mode::Resume, None) => {
                return Err(CheckpointError::NoSuchRun(id.to_owned(), path.display().to_string()));
            }
            (Mode::Resume, Some((_, status))) if status == "finished" => {
                return Err(CheckpointError::Finished(id.to_owned()));
            }
            (Mode::Resume, Some((stored, _))) => {
                let differs = fp.differs(&stored);
                if !differs.is_empty() && differs.iter().all(|d| d.ends_with(fingerprint::EARLIER_ONLY)) {
                    let files = differs.iter().map(|d| d.trim_end_matches(fingerprint::EARLIER_ONLY));
                    return Err(CheckpointError::Earlier {
                        id: id.to_owned(),
                        files: files.collect::<Vec<_>>().join(", "),
                    });
                }
                if !differs.is_empty() {
                    return Err(CheckpointError::Changed {
                        id: id.to_owned(),
                        what: differs.join("; "),
                    });
                }
                conn.execute(
                    "UPDATE eval_runs SET status = 'running', updated_at = ?2 WHERE id = ?1",
                    params![id, now],
                )
                .map_err(sql)?;
            }
        }
        Ok(Checkpoint {
            id: id.to_owned(),
            path: path.to_owned(),
            conn: Mutex::new(conn),
            pending: Mutex::new(Pending {
                blocks: Vec::new(),
                written: Instant::now(),
            }),
            judges,
            resumed: mode == Mode::Resume,
            _lock: lock,
        })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn sql(&self, source: rusqlite::Error) -> CheckpointError {
        CheckpointError::Sqlite {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// How many result blocks the run has committed.
    pub fn committed(&self) -> Result<u64, CheckpointError> {
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        conn.query_row(
            "SELECT COUNT(*) FROM eval_blocks WHERE run = ?1 AND seq >= 0",
            [&self.id],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n.max(0) as u64)
        .map_err(|e| self.sql(e))
    }

    /// The rows block `seq` committed, when it did (and its bytes decode);
    /// a run that started in this process has committed nothing before.
    pub fn load(&self, seq: u64) -> Result<Option<BlockRows>, CheckpointError> {
        if !self.resumed {
            return Ok(None);
        }
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let blob: Option<Vec<u8>> = conn
            .query_row(
                "SELECT data FROM eval_blocks WHERE run = ?1 AND seq = ?2",
                params![self.id, seq as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        Ok(blob.and_then(|b| codec::decode(&b, self.judges)))
    }

    /// An encoder for this run's committed rows.
    pub fn encoder(&self) -> codec::Encoder {
        codec::Encoder::new(self.judges)
    }

    /// Commits block `seq`'s rows in one statement (a rerun of the same block
    /// writes the same bytes).
    pub fn commit(&self, seq: u64, rows: codec::Encoder) -> Result<(), CheckpointError> {
        self.put(seq as i64, rows.finish())
    }

    /// Queues a block; the queue is written in one transaction once it holds
    /// [`GROUP`] blocks or the last write is [`GROUP_AFTER`] old.
    fn put(&self, seq: i64, data: Vec<u8>) -> Result<(), CheckpointError> {
        let batch = {
            let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            p.blocks.push((seq, data));
            if p.blocks.len() < GROUP && p.written.elapsed() < GROUP_AFTER {
                return Ok(());
            }
            p.written = Instant::now();
            std::mem::take(&mut p.blocks)
        };
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn.transaction().map_err(|e| self.sql(e))?;
        self.write(&tx, &batch)?;
        tx.commit().map_err(|e| self.sql(e))
    }

    fn write(&self, tx: &rusqlite::Transaction<'_>, batch: &[(i64, Vec<u8>)]) -> Result<(), CheckpointError> {
        let mut st = tx
            .prepare_cached("INSERT OR REPLACE INTO eval_blocks (run, seq, data) VALUES (?1, ?2, ?3)")
            .map_err(|e| self.sql(e))?;
        for (seq, data) in batch {
            st.execute(params![self.id, seq, data]).map_err(|e| self.sql(e))?;
        }
        Ok(())
    }

    /// Commits the results of rows recovered from `--sync-results`, scored
    /// together; they are kept apart from the result blocks (a negative
    /// sequence number, from the first row's index).
    pub fn commit_recovered(&self, rows: codec::Encoder) -> Result<(), CheckpointError> {
        match rows.first() {
            Some(first) => self.put(-1 - i64::from(first), rows.finish()),
            None => Ok(()),
        }
    }

    /// The committed results of rows recovered from `--sync-results`, by row
    /// (a blob that does not decode only costs scoring its rows again).
    pub fn recovered(&self) -> Result<HashMap<u32, Vec<RowResult>>, CheckpointError> {
        if !self.resumed {
            return Ok(HashMap::new());
        }
        let conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let mut st = conn
            .prepare("SELECT data FROM eval_blocks WHERE run = ?1 AND seq < 0")
            .map_err(|e| self.sql(e))?;
        let blobs = st
            .query_map([&self.id], |r| r.get::<_, Vec<u8>>(0))
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.sql(e))?;
        Ok(blobs
            .iter()
            .filter_map(|b| codec::decode(b, self.judges))
            .flatten()
            .collect())
    }

    /// Marks the run `finished` (its blocks are dropped: the history keeps
    /// the result) or else (`interrupted`, `failed`) writes the queued blocks
    /// with the status, in one transaction.
    pub fn end(&self, status: &str) -> Result<(), CheckpointError> {
        let batch = std::mem::take(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner).blocks);
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = conn.transaction().map_err(|e| self.sql(e))?;
        if status != "finished" {
            self.write(&tx, &batch)?;
        }
        tx.execute(
            "UPDATE eval_runs SET status = ?2, updated_at = ?3 WHERE id = ?1",
            params![self.id, status, now()],
        )
        .map_err(|e| self.sql(e))?;
        if status == "finished" {
            tx.execute("DELETE FROM eval_blocks WHERE run = ?1", [&self.id])
                .map_err(|e| self.sql(e))?;
        }
        tx.commit().map_err(|e| self.sql(e))?;
        if status == "finished" {
            lock::remove(&self.path, &self.id);
        }
        Ok(())
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The results of the rows a committed block holds, by row index.
pub fn by_row(rows: BlockRows) -> HashMap<u32, Vec<RowResult>> {
    rows.into_iter().collect()
}

#[cfg(test)]
mod tests;
