//! Pruning old runs from the state database, so that checkpoints on by
//! default do not make it grow for ever: each run that opens a checkpoint
//! first deletes every other run last started, resumed, interrupted or
//! finished more than [`KEEP_DAYS`] days ago, with its committed blocks and
//! its lock file.
//!
//! Invariant: a run a live process holds is never pruned (its lock is taken
//! first, and a held one is skipped); a run is deleted whole (its row and
//! blocks in one transaction), and only when it is still that old under the
//! lock.

use std::path::Path;

use rusqlite::{Connection, params};

use super::lock::{self, Taken};

/// How long a run's checkpoint is kept after its last start, resume or end.
pub const KEEP_DAYS: i64 = 7;
/// The most runs one opening prunes (the rest go at the next).
const AT_MOST: i64 = 256;

/// Prunes the runs other than `except` last touched before `now - KEEP_DAYS`;
/// returns how many went.
pub fn prune(conn: &mut Connection, db: &Path, now: i64, except: &str) -> rusqlite::Result<usize> {
    let cutoff = now - KEEP_DAYS * 86_400;
    let ids: Vec<String> = {
        let mut st = conn.prepare("SELECT id FROM eval_runs WHERE updated_at < ?1 AND id <> ?2 LIMIT ?3")?;
        st.query_map(params![cutoff, except, AT_MOST], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut pruned = 0;
    for id in ids {
        let Ok(Taken::Held(_held)) = lock::take(db, &id, false) else {
            continue;
        };
        let tx = conn.transaction()?;
        // Still that old under the lock: nobody resumed it meanwhile.
        let old: i64 = tx.query_row(
            "SELECT COUNT(*) FROM eval_runs WHERE id = ?1 AND updated_at < ?2",
            params![id, cutoff],
            |r| r.get(0),
        )?;
        let mut gone = 0;
        if old > 0 {
            tx.execute("DELETE FROM eval_blocks WHERE run = ?1", [&id])?;
            gone = tx.execute("DELETE FROM eval_runs WHERE id = ?1", [&id])?;
        }
        let left: i64 = tx.query_row("SELECT COUNT(*) FROM eval_runs WHERE id = ?1", [&id], |r| r.get(0))?;
        tx.commit()?;
        // Taking the lock made its file; it goes with the run (or when
        // another process pruned the run first).
        if left == 0 {
            lock::remove(db, &id);
        }
        pruned += usize::from(gone > 0);
    }
    Ok(pruned)
}
