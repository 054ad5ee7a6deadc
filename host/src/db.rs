//! The state database: one SQLite file shared by the job store (`jobs`) and the
//! run history (`history`), found at `--state`/`--history`, `$ASSAY_STATE`, or
//! the user data directory.
//!
//! Invariant: the schema only moves forward, one numbered migration at a time
//! (`PRAGMA user_version`), inside one write transaction, so concurrent openers
//! never apply a migration twice; the file is in write-ahead-log mode with a busy
//! timeout, so concurrent writers wait instead of failing; a database that is not
//! assay's, or that a newer assay wrote, is refused before anything is written.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

/// `PRAGMA application_id` of an assay state database ("assy").
pub const APPLICATION_ID: i64 = 0x6173_7379;

/// The migrations, in order: `MIGRATIONS[i]` takes the schema from version `i`
/// to `i + 1`. Append only; never edit a released one.
pub const MIGRATIONS: &[&str] = &[
    // 1: the job store.
    "CREATE TABLE IF NOT EXISTS jobs (
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
    );",
    // 2: the run history: one row per eval, canary or drift audit, with its
    // judges, their batch-wide metrics and their alarms.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        job_id INTEGER,
        tag TEXT,
        started_at INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        assay_version TEXT NOT NULL,
        provider TEXT NOT NULL,
        input TEXT NOT NULL,
        majority_model TEXT,
        majority_snapshot TEXT,
        models TEXT NOT NULL,
        snapshots TEXT NOT NULL,
        rotated_segments TEXT NOT NULL,
        rows_submitted INTEGER NOT NULL,
        status_counts TEXT NOT NULL,
        completion_rate REAL NOT NULL,
        cost_per_validated_row_usd REAL,
        gates TEXT NOT NULL,
        gates_passed INTEGER NOT NULL,
        exit_code INTEGER NOT NULL,
        elapsed_ms INTEGER NOT NULL
    );
    CREATE INDEX runs_by_tag ON runs (tag, id);
    CREATE INDEX runs_by_job ON runs (job_id, id);
    CREATE TABLE run_judges (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        judge TEXT NOT NULL,
        version TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        quality INTEGER NOT NULL,
        scored INTEGER NOT NULL,
        passed INTEGER NOT NULL,
        pass_rate REAL,
        judge_errors INTEGER NOT NULL,
        PRIMARY KEY (run_id, judge)
    );
    CREATE TABLE run_metrics (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        judge TEXT NOT NULL,
        name TEXT NOT NULL,
        value REAL,
        PRIMARY KEY (run_id, judge, name)
    );
    CREATE TABLE run_alarms (
        run_id INTEGER NOT NULL REFERENCES runs (id),
        judge TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        segment INTEGER,
        message TEXT NOT NULL,
        PRIMARY KEY (run_id, judge, seq)
    );
    CREATE INDEX run_alarms_by_kind ON run_alarms (kind, run_id);",
    // 3: Azure jobs keep their api-version; drift audits, one row per
    // `assay drift-audit`, with the job whose batch answers it compared.
    "ALTER TABLE jobs ADD COLUMN api_version TEXT;
    CREATE TABLE audits (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER REFERENCES jobs(id),
        input TEXT NOT NULL,
        judge TEXT NOT NULL,
        pairs_asked INTEGER,
        seed INTEGER NOT NULL,
        status TEXT NOT NULL,
        pairs INTEGER,
        mean_score REAL,
        band TEXT,
        metrics TEXT,
        sync_results TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );",
    // 4: the feedback loop. A canary's per-judge scores, kept by the input
    // they sampled so the job submitted from that input carries them; a job's
    // tag and shape (provider, API, model), by which `submit --gate-on-last`
    // finds the previous job; each submission that gate refused or was forced
    // past; and the fix notes `assay cluster --explain` wrote per cluster.
    "CREATE TABLE canaries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,
        sample TEXT NOT NULL,
        seed INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        judges TEXT NOT NULL,
        run_id INTEGER,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX canaries_by_input ON canaries (input_sha256, id);
    ALTER TABLE jobs ADD COLUMN canary_id INTEGER REFERENCES canaries (id);
    ALTER TABLE jobs ADD COLUMN tag TEXT;
    ALTER TABLE jobs ADD COLUMN shape TEXT;
    CREATE INDEX jobs_by_tag ON jobs (tag, id);
    CREATE INDEX jobs_by_shape ON jobs (shape, id);
    CREATE TABLE submit_gates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        input_sha256 TEXT NOT NULL,
        tag TEXT,
        shape TEXT NOT NULL,
        last_job INTEGER NOT NULL REFERENCES jobs (id),
        last_run INTEGER NOT NULL REFERENCES runs (id),
        reasons TEXT NOT NULL,
        forced INTEGER NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX submit_gates_by_run ON submit_gates (last_run, id);
    CREATE TABLE cluster_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER REFERENCES jobs (id),
        run_id INTEGER REFERENCES runs (id),
        cluster INTEGER NOT NULL,
        rows INTEGER NOT NULL,
        shape TEXT NOT NULL,
        note TEXT NOT NULL,
        source TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE INDEX cluster_notes_by_job ON cluster_notes (job_id, id);",
    // 5: resumable runs (`eval --run-id`, `--resume`): each run's fingerprint
    // and state, and the results of each result block it committed.
    "CREATE TABLE eval_runs (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE eval_blocks (
        run TEXT NOT NULL REFERENCES eval_runs (id),
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (run, seq)
    );",
];

/// The schema version this assay writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("state database {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the directory {path}: {source}")]
    Dir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not an assay state database (it holds {what}); assay leaves it alone")]
    Foreign { path: String, what: String },
    #[error(
        "state database {path} was written by a newer assay (schema version {found}; this assay knows up to {LATEST})"
    )]
    Newer { path: String, found: i64 },
    #[error("no state location: set --state, ASSAY_STATE, XDG_DATA_HOME or HOME")]
    NoLocation,
}

/// The state database: `explicit` (`--state`, `--history`), else
/// `$ASSAY_STATE`, else `$XDG_DATA_HOME/assay/state.db` or
/// `~/.local/share/assay/state.db`.
pub fn default_path(explicit: Option<&Path>) -> Result<PathBuf, DbError> {
    if let Some(p) = explicit {
        return Ok(p.to_owned());
    }
    if let Some(p) = std::env::var_os("ASSAY_STATE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("share")))
        .ok_or(DbError::NoLocation)?;
    Ok(base.join("assay").join("state.db"))
}

/// Opens (creating it and its directory when absent) and migrates the state
/// database at `path`.
pub fn open(path: &Path) -> Result<Connection, DbError> {
    let shown = path.display().to_string();
    let sql = |source| DbError::Sqlite {
        path: shown.clone(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Dir {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let conn = Connection::open(path).map_err(sql)?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(sql)?;
    // Another opener may commit its migration between the two reads of
    // `check_ours` (id, then tables); a file that looks foreign is looked at
    // again under the write lock, where no migration can be half seen.
    if let Err(DbError::Foreign { .. }) = check_ours(&conn, &shown) {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
        let again = check_ours(&conn, &shown);
        conn.execute_batch("ROLLBACK").map_err(sql)?;
        again?;
    }
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).map_err(sql)?;
    if !mode.eq_ignore_ascii_case("wal") {
        wal(&conn).map_err(sql)?;
    }
    migrate(&conn, &shown)?;
    Ok(conn)
}

/// Switches a new file to WAL. The switch needs the exclusive lock, and
/// SQLite answers "busy" at once, without the busy handler, when another
/// opener holds the write lock (its migration): retry for up to 30 s.
fn wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other.map(drop),
        }
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Refuses a database that another program made, reading only.
fn check_ours(conn: &Connection, path: &str) -> Result<(), DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let app: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(sql)?;
    if app == APPLICATION_ID {
        return Ok(());
    }
    if app != 0 {
        return Err(DbError::Foreign {
            path: path.to_owned(),
            what: format!("application id {app:#x}"),
        });
    }
    // No id: a new file, or a job store from before migrations (only `jobs`).
    let mut st = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(sql)?;
    let tables: Vec<String> = st
        .query_map([], |r| r.get(0))
        .map_err(sql)?
        .collect::<Result<_, _>>()
        .map_err(sql)?;
    let foreign: Vec<&str> = tables.iter().map(String::as_str).filter(|t| *t != "jobs").collect();
    if foreign.is_empty() {
        Ok(())
    } else {
        Err(DbError::Foreign {
            path: path.to_owned(),
            what: format!("tables {}", foreign.join(", ")),
        })
    }
}

/// Applies the migrations past the file's version, in one write transaction.
fn migrate(conn: &Connection, path: &str) -> Result<(), DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let found = user_version(conn).map_err(sql)?;
    if found == LATEST {
        return Ok(());
    }
    if found > LATEST {
        return Err(DbError::Newer {
            path: path.to_owned(),
            found,
        });
    }
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
    let applied = (|| -> rusqlite::Result<i64> {
        // Read again under the write lock: another opener may have migrated.
        let found = user_version(conn)?;
        if found >= LATEST {
            return Ok(found);
        }
        for m in &MIGRATIONS[found.max(0) as usize..] {
            conn.execute_batch(m)?;
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {LATEST};"
        ))?;
        Ok(LATEST)
    })();
    match applied {
        Ok(v) if v > LATEST => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(DbError::Newer {
                path: path.to_owned(),
                found: v,
            })
        }
        Ok(_) => conn.execute_batch("COMMIT").map_err(sql),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(sql(e))
        }
    }
}

#[cfg(test)]
mod tests;
