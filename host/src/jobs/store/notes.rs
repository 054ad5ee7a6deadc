//! Fix notes in the job store: the note each failure cluster of a job got from
//! the last `assay cluster --job J --explain` (or `eval --job J --cluster
//! --explain`), so the next batch's author sees them in `eval --job J`'s report.
//!
//! Invariant: a job's notes are replaced whole, in one transaction: readers see
//! the previous run's notes or this run's, never a mix or a half-written set.

use rusqlite::params;
use serde::Serialize;

use super::{JobError, JobStore, now};

/// A note to store.
pub struct NewNote<'a> {
    pub cluster: u64,
    pub rows: u64,
    pub shape: &'a str,
    pub note: &'a str,
    /// `llm` or `shape`.
    pub source: &'a str,
}

/// A note as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterNote {
    pub id: i64,
    pub job: Option<i64>,
    /// The recorded run that wrote it, when it was recorded in this database.
    pub run: Option<i64>,
    pub cluster: i64,
    pub rows: i64,
    pub shape: String,
    pub note: String,
    pub source: String,
    pub created_at: i64,
}

fn note(r: &rusqlite::Row) -> rusqlite::Result<ClusterNote> {
    Ok(ClusterNote {
        id: r.get(0)?,
        job: r.get(1)?,
        run: r.get(2)?,
        cluster: r.get(3)?,
        rows: r.get(4)?,
        shape: r.get(5)?,
        note: r.get(6)?,
        source: r.get(7)?,
        created_at: r.get(8)?,
    })
}

impl JobStore {
    /// Replaces job `job`'s notes with `notes`, with no run yet (`assay
    /// cluster` records none; an `eval`'s run is recorded after its notes:
    /// [`JobStore::set_cluster_notes_run`]).
    pub fn replace_cluster_notes(&self, job: i64, notes: &[NewNote]) -> Result<(), JobError> {
        self.get(job)?;
        let tx = self.conn.unchecked_transaction().map_err(|e| self.db(e))?;
        tx.execute("DELETE FROM cluster_notes WHERE job_id = ?1", [job])
            .map_err(|e| self.db(e))?;
        let t = now();
        for n in notes {
            tx.execute(
                "INSERT INTO cluster_notes (job_id, cluster, rows, shape, note, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![job, n.cluster as i64, n.rows as i64, n.shape, n.note, n.source, t],
            )
            .map_err(|e| self.db(e))?;
        }
        tx.commit().map_err(|e| self.db(e))
    }

    /// Links job `job`'s notes that have no run yet to run `run` of the same
    /// state database.
    pub fn set_cluster_notes_run(&self, job: i64, run: i64) -> Result<(), JobError> {
        self.conn
            .execute(
                "UPDATE cluster_notes SET run_id = ?2 WHERE job_id = ?1 AND run_id IS NULL",
                params![job, run],
            )
            .map(drop)
            .map_err(|e| self.db(e))
    }

    /// Job `job`'s notes, by cluster number.
    pub fn cluster_notes(&self, job: i64) -> Result<Vec<ClusterNote>, JobError> {
        let mut st = self
            .conn
            .prepare("SELECT id, job_id, run_id, cluster, rows, shape, note, source, created_at FROM cluster_notes WHERE job_id = ?1 ORDER BY cluster, id")
            .map_err(|e| self.db(e))?;
        let rows = st.query_map([job], note).map_err(|e| self.db(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.db(e))
    }
}
