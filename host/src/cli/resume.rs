//! `assay eval --run-id ID` and `--resume ID`: the run's checkpoint in the
//! state database (`assay::eval::checkpoint`), opened before scoring, ended
//! when the run ends, and SIGINT/SIGTERM ending the process with the run
//! marked interrupted.
//!
//! Invariant: a run without these flags writes no checkpoint; with them,
//! every way the process ends (finished, failed, signalled, killed) leaves
//! the run resumable unless it finished.

use std::sync::Arc;

use anyhow::Result;
use assay::eval::checkpoint::{Checkpoint, CheckpointError, Fingerprint, Mode};
use assay::eval::{EvalConfig, PreparedJudge};
use clap::Args;

use super::exit;
use super::job_ctx::fail;

#[derive(Debug, Clone, Default, Args)]
pub struct ResumeArgs {
    /// Name this run and commit each result block's scores to the state
    /// database as it goes, so that `--resume ID` continues it after a crash.
    #[arg(long, value_name = "ID", conflicts_with = "resume")]
    pub run_id: Option<String>,
    /// Continue the run `--run-id ID` started (the same command, inputs and
    /// judges), scoring only the rows no committed block holds.
    #[arg(long, value_name = "ID")]
    pub resume: Option<String>,
}

/// Opens the run's checkpoint, when asked for one.
pub fn open(
    a: &ResumeArgs,
    state: Option<&std::path::Path>,
    cfg: &EvalConfig,
    judges: &[PreparedJudge],
    scoring: usize,
) -> Result<Option<Arc<Checkpoint>>> {
    let (id, mode) = match (&a.run_id, &a.resume) {
        (Some(id), _) => (id, Mode::Start),
        (None, Some(id)) => (id, Mode::Resume),
        (None, None) => return Ok(None),
    };
    let path = assay::db::default_path(state).map_err(|e| fail(exit::USAGE, e))?;
    let fp = Fingerprint::of(cfg, judges).map_err(|e| match e {
        CheckpointError::NotAFile(_) => fail(exit::USAGE, e),
        e => fail(exit::INPUT, e),
    })?;
    let cp = Checkpoint::open(&path, id, mode, &fp, scoring).map_err(|e| fail(exit::USAGE, e))?;
    Ok(Some(Arc::new(cp)))
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
        eprintln!("assay: run {id} resumed: {n} result block(s) already committed are not scored again");
    } else {
        eprintln!("assay: run {id}: after a crash or a signal, the same command with --resume {id} continues it");
    }
    tokio::spawn(async move {
        let code = tokio::select! {
            _ = term.recv() => exit::TERMINATED,
            Some(_) = async { match int.as_mut() { Some(i) => i.recv().await, None => std::future::pending().await } } => exit::INTERRUPTED,
        };
        let _ = cp.end("interrupted");
        eprintln!(
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
            eprintln!("warning: run {}: could not record it as {status}: {e}", cp.id());
        }
    }
}
