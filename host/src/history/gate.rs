//! The gate on the next submission: the last evaluated job of the same tag
//! (or, without a tag, the same shape: provider, API and model), and what in
//! its post-hoc eval stands against submitting again: a failed gate, or a
//! `canary-drift`, `segment-drift` or batch-sync `regression` alarm. Each
//! refused or forced submission is recorded against that run, so the trend
//! can mark it.
//!
//! Invariant: the verdict is read from recorded runs only (the job's newest
//! `eval` run, and its newest `drift-audit` run if any), never from a run in
//! progress; a job that was never evaluated blocks nothing.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The alarm kinds that block the next submission.
pub const BLOCKING_ALARMS: [&str; 3] = ["canary-drift", "segment-drift", "regression"];

/// The previous job and its newest eval run.
#[derive(Debug, Clone, Serialize)]
pub struct LastEval {
    pub job: i64,
    pub run: i64,
    /// Why it blocks the next submission; empty when it does not.
    pub reasons: Vec<Reason>,
}

/// One thing that blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// `gate` or the alarm kind.
    pub kind: String,
    /// The run that raised it.
    pub run: i64,
    /// The gate's name, or the judge that raised the alarm.
    pub name: String,
    pub message: String,
}

/// Where the previous job is looked for.
pub struct Lookup<'a> {
    pub tag: Option<&'a str>,
    pub shape: &'a str,
    /// The job being submitted, which is never its own "last" job.
    pub this_job: i64,
}

/// The last evaluated job matching `l`, with what blocks.
pub fn last_eval(conn: &Connection, l: &Lookup) -> rusqlite::Result<Option<LastEval>> {
    let found: Option<(i64, i64)> = conn
        .query_row(
            "SELECT r.job_id, r.id FROM runs r JOIN jobs j ON j.id = r.job_id
             WHERE r.kind = 'eval' AND j.id != ?3
               AND ((?1 IS NOT NULL AND j.tag = ?1) OR (?1 IS NULL AND j.shape = ?2))
             ORDER BY r.id DESC LIMIT 1",
            params![l.tag, l.shape, l.this_job],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((job, run)) = found else { return Ok(None) };
    let mut reasons = gate_reasons(conn, run)?;
    reasons.extend(alarm_reasons(conn, run)?);
    let audit: Option<i64> = conn
        .query_row(
            "SELECT id FROM runs WHERE job_id = ?1 AND kind = 'drift-audit' ORDER BY id DESC LIMIT 1",
            [job],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(a) = audit {
        reasons.extend(alarm_reasons(conn, a)?);
    }
    Ok(Some(LastEval { job, run, reasons }))
}

fn gate_reasons(conn: &Connection, run: i64) -> rusqlite::Result<Vec<Reason>> {
    let gates: String = conn.query_row("SELECT gates FROM runs WHERE id = ?1", [run], |r| r.get(0))?;
    // A gates column that does not parse blocks: it cannot be shown to have passed.
    let gates: Vec<crate::report::summary::Gate> = match serde_json::from_str(&gates) {
        Ok(g) => g,
        Err(e) => {
            return Ok(vec![Reason {
                kind: "gate".into(),
                run,
                name: "gates".into(),
                message: format!("the recorded gates do not parse: {e}"),
            }]);
        }
    };
    Ok(gates
        .into_iter()
        .filter(|g| !g.passed)
        .map(|g| Reason {
            kind: "gate".into(),
            run,
            message: format!("{} was {}, below its threshold {}", g.name, g.actual, g.threshold),
            name: g.name,
        })
        .collect())
}

fn alarm_reasons(conn: &Connection, run: i64) -> rusqlite::Result<Vec<Reason>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, judge, message FROM run_alarms WHERE run_id = ?1 AND kind IN (?2, ?3, ?4) ORDER BY judge, seq",
    )?;
    let [a, b, c] = BLOCKING_ALARMS;
    let rows = st.query_map(params![run, a, b, c], |r| {
        Ok(Reason {
            kind: r.get(0)?,
            run,
            name: r.get(1)?,
            message: r.get(2)?,
        })
    })?;
    rows.collect()
}

/// A submission the gate refused, or that `--force` sent anyway.
pub struct GateEvent<'a> {
    pub input_sha256: &'a str,
    pub tag: Option<&'a str>,
    pub shape: &'a str,
    pub last: &'a LastEval,
    pub forced: bool,
}

/// Records `e`; returns its id.
pub fn record_event(conn: &Connection, e: &GateEvent) -> rusqlite::Result<i64> {
    let reasons = serde_json::to_string(&e.last.reasons).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO submit_gates (input_sha256, tag, shape, last_job, last_run, reasons, forced, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            e.input_sha256,
            e.tag,
            e.shape,
            e.last.job,
            e.last.run,
            reasons,
            e.forced,
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Refused and forced submissions recorded against each of `runs`:
/// (run, refused, forced).
pub fn events_by_run(conn: &Connection, runs: &[i64]) -> rusqlite::Result<Vec<(i64, u64, u64)>> {
    let mut st =
        conn.prepare_cached("SELECT SUM(forced = 0), SUM(forced = 1) FROM submit_gates WHERE last_run = ?1")?;
    let mut out = Vec::new();
    for &run in runs {
        let (refused, forced): (Option<i64>, Option<i64>) = st.query_row([run], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (refused, forced) = (refused.unwrap_or(0).max(0) as u64, forced.unwrap_or(0).max(0) as u64);
        if refused + forced > 0 {
            out.push((run, refused, forced));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
