//! `assay eval`'s run id (`--run-id ID`, or a fresh one by default) and
//! `--resume ID`: the run's checkpoint in the state database
//! (`assay::eval::checkpoint`), opened before scoring, ended when the run
//! ends, and SIGINT/SIGTERM ending the process with the run marked
//! interrupted.
//!
//! Invariant: every way a checkpointed run's process ends (finished, failed,
//! signalled, killed) leaves it resumable unless it finished; a run gets a
//! fresh id only when it can be resumed and may write the state database
//! (not `--no-history`, no pipe or stdin among its inputs), and a failure to
//! open that fresh checkpoint costs one warning line, never the run.

use std::sync::Arc;

use anyhow::Result;
use assay::eval::checkpoint::{Checkpoint, CheckpointError, Fingerprint, Mode};
use assay::eval::{EvalConfig, PreparedJudge};
use clap::Args;

use super::exit;
use super::job_ctx::fail;

#[derive(Debug, Clone, Default, Args)]
pub struct ResumeArgs {
    /// Name this run (default: a fresh id, printed on stderr); each result
    /// block's scores are committed to the state database as it goes, so that
    /// `--resume ID` continues it after a crash.
    #[arg(long, value_name = "ID", conflicts_with = "resume")]
    pub run_id: Option<String>,
    /// Continue run ID (its id was printed on stderr when it started, or given
    /// with --run-id): the same command, inputs and judges, scoring only the
    /// rows nothing committed holds.
    #[arg(long, value_name = "ID")]
    pub resume: Option<String>,
}

/// Where a run's checkpoint goes: the state database, or nowhere.
pub enum Place<'a> {
    /// `--no-history`, no state location, or a run kind that is not
    /// resumed: only an explicit `--run-id`/`--resume` opens one, in the
    /// database `state` names.
    Explicit(Option<&'a std::path::Path>),
    /// The history's database: every run gets a checkpoint.
    Default(&'a std::path::Path),
}

/// Opens the run's checkpoint: the one `--run-id`/`--resume` names, or a
/// fresh one at `Place::Default`; `None` when there is none.
pub fn open(
    a: &ResumeArgs,
    place: Place<'_>,
    cfg: &EvalConfig,
    judges: &[PreparedJudge],
    scoring: usize,
) -> Result<Option<Arc<Checkpoint>>> {
    let (id, mode, path) = match (&a.run_id, &a.resume, place) {
        (Some(id), _, p) => (id, Mode::Start, p),
        (None, Some(id), p) => (id, Mode::Resume, p),
        (None, None, Place::Default(path)) => return Ok(fresh(path, cfg, judges, scoring)),
        (None, None, Place::Explicit(_)) => return Ok(None),
    };
    let path = match path {
        Place::Default(p) => p.to_owned(),
        Place::Explicit(state) => assay::db::default_path(state).map_err(|e| fail(exit::USAGE, e))?,
    };
    let fp = Fingerprint::of(cfg, judges).map_err(|e| match e {
        CheckpointError::NotAFile(_) => fail(exit::USAGE, e),
        e => fail(exit::INPUT, e),
    })?;
    let cp = Checkpoint::open(&path, id, mode, &fp, scoring).map_err(|e| fail(exit::USAGE, e))?;
    Ok(Some(Arc::new(cp)))
}

/// A fresh run id: the UTC time to the second, then 6 random hex digits
/// (`20261201T151649Z-3fa9c2`), so ids sort by start.
pub fn fresh_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let stamp: String = assay::report::format::utc(now.as_millis() as i64)
        .chars()
        .filter_map(|c| match c {
            '-' | ':' => None,
            ' ' => Some('T'),
            c => Some(c),
        })
        .collect();
    // A randomly keyed hash (the OS seeds `RandomState`) of the time and pid.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(now.as_nanos());
    h.write_u32(std::process::id());
    format!("{stamp}-{:06x}", h.finish() & 0xff_ffff)
}

/// The default checkpoint under a fresh id. A pipe or stdin among the inputs
/// means the run cannot be resumed: it runs without one, silently; any other
/// failure costs one warning line.
fn fresh(
    path: &std::path::Path,
    cfg: &EvalConfig,
    judges: &[PreparedJudge],
    scoring: usize,
) -> Option<Arc<Checkpoint>> {
    let warn = |e: &dyn std::fmt::Display| {
        let e = e.to_string().replace(['\n', '\r'], " ");
        assay::note!("warning: this run cannot be resumed ({e}); it goes on without a checkpoint");
    };
    let fp = match Fingerprint::of(cfg, judges) {
        Ok(fp) => fp,
        Err(CheckpointError::NotAFile(_)) => return None,
        Err(e) => {
            warn(&e);
            return None;
        }
    };
    // A second with the same 24 random bits is not expected; try again if so.
    let mut tries = 0;
    loop {
        match Checkpoint::open(path, &fresh_id(), Mode::Start, &fp, scoring) {
            Ok(cp) => return Some(Arc::new(cp)),
            Err(CheckpointError::Exists(_)) if tries < 3 => tries += 1,
            Err(e) => {
                warn(&e);
                return None;
            }
        }
    }
}

/// Installs the run's signal handling, then says how to resume it. SIGTERM
/// (and SIGINT, unless traces handle it) marks the run interrupted and ends
/// the process at once with 143 (130): everything committed stays. The
/// signals are registered before this returns, so a signal sent after the
/// announcement is always handled. Call inside the run's async runtime.
pub fn watch_signals(cp: Arc<Checkpoint>, sigint: bool, resumed: bool) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let setup = |e: std::io::Error| fail(exit::INTERNAL, format!("cannot install the signal handlers: {e}"));
    let mut term = signal(SignalKind::terminate()).map_err(setup)?;
    let mut int = if sigint {
        Some(signal(SignalKind::interrupt()).map_err(setup)?)
    } else {
        None
    };
    let id = cp.id().to_owned();
    if resumed {
        let n = cp.committed().map_err(|e| fail(exit::OUTPUT, e))?;
        assay::note!("assay: run {id} resumed: {n} result block(s) already committed are not scored again");
    } else {
        assay::note!("assay: run {id}: after a crash or a signal, the same command with --resume {id} continues it");
    }
    tokio::spawn(async move {
        let code = tokio::select! {
            _ = term.recv() => exit::TERMINATED,
            Some(_) = async { match int.as_mut() { Some(i) => i.recv().await, None => std::future::pending().await } } => exit::INTERRUPTED,
        };
        let _ = cp.end("interrupted");
        assay::note!(
            "assay: interrupted; run {id} keeps what it committed: the same command with --resume {id} continues it"
        );
        std::process::exit(code);
    });
    Ok(())
}

/// Ends the run: `finished` when it produced its summary, else resumable.
pub fn end(cp: Option<&Arc<Checkpoint>>, finished: bool) {
    if let Some(cp) = cp {
        let status = if finished { "finished" } else { "failed" };
        if let Err(e) = cp.end(status) {
            assay::note!("warning: run {}: could not record it as {status}: {e}", cp.id());
        }
    }
}
