//! Indexing the submitted rows: JSONL input files on every core, or an
//! Anthropic `{"requests": [...]}` body streamed element by element.
//!
//! Invariant: row indexes follow submission order; every line or element
//! that is not a row comes back as a bad line, never skipped silently.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use assay_batch::anthropic::{self, BodyError, ElementError};
use assay_batch::{BadLine, FileId, InputIndex, InsertError, LineError, ReadError, ReadOptions, read_input_parallel};

use super::detect::Settled;
use super::error::EvalError;
use super::plan::{EvalConfig, Plan};

/// The input's index and its bad lines, or the error that ended them.
pub type Indexed = Result<(InputIndex, Vec<BadLine>), EvalError>;

/// Indexes the run's input on a blocking thread of `handle`'s runtime, with
/// every core, inside the "input index" phase span; a JSONL input stops at
/// the next block once `stop` is set.
pub fn spawn(handle: &Handle, cfg: &EvalConfig, plan: &Plan, stop: Arc<AtomicBool>) -> JoinHandle<Indexed> {
    let (path, settled, opts) = (cfg.input.clone(), plan.settled.clone(), plan.read);
    let (popts, threads) = (cfg.provider_opts.clone(), plan.workers);
    let span = super::phase_span("input index");
    handle.spawn_blocking(move || {
        let _phase = span.enter();
        index_input(&path, &settled, &opts, &popts, threads, &stop).map_err(EvalError::from)
    })
}

/// [`spawn`] on the current runtime, waited for.
pub async fn index(cfg: &EvalConfig, plan: &Plan) -> Indexed {
    spawn(&Handle::current(), cfg, plan, Arc::default())
        .await
        .map_err(|e| EvalError::task("input index", e))?
}

/// An input whose every line was bad is an input error, whatever
/// `--max-bad-lines` allows (an empty file is the reader's own error).
pub fn require_rows(cfg: &EvalConfig, index: &InputIndex, bad: &[BadLine]) -> Result<(), EvalError> {
    if !index.is_empty() {
        return Ok(());
    }
    Err(EvalError::NoRows {
        path: cfg.input.clone(),
        bad: bad.len() as u64,
        first: bad.first().map(|b| b.to_string()).unwrap_or_default(),
    })
}

/// An attempt whose result files hold neither a row nor a bad line is an
/// input error: a run never reports an attempt it did not read.
pub fn check_attempts(cfg: &EvalConfig, rows_per_attempt: &[u64], bad: &[BadLine]) -> Result<(), EvalError> {
    for (a, files) in cfg.attempts.iter().enumerate() {
        if rows_per_attempt.get(a).copied().unwrap_or(0) == 0
            && bad.iter().all(|b| !files.iter().any(|f| *f == *b.path))
        {
            return Err(EvalError::EmptyAttempt {
                attempt: a + 1,
                files: files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    Ok(())
}

/// The index of `path`; a JSONL input stops early when `stop` is set (a
/// request body is read to its end).
pub fn index_input(
    path: &Path,
    settled: &Settled,
    opts: &ReadOptions,
    provider_opts: &assay_batch::ProviderOptions,
    threads: usize,
    stop: &AtomicBool,
) -> Result<(InputIndex, Vec<BadLine>), ReadError> {
    if !settled.input_body {
        let parse = settled.provider.input_parser();
        return read_input_parallel(path, FileId(0), opts, threads, parse, provider_opts, stop);
    }
    let shared: Arc<Path> = Arc::from(path);
    let mut index = InputIndex::for_options(opts);
    let mut bad = Vec::new();
    let element_bad = |e: ElementError| BadLine {
        path: Arc::clone(&shared),
        line: e.index + 1,
        offset: e.offset,
        reason: LineError::WrongShape(e.to_string()),
    };
    let scanned = anthropic::read_requests_body(path, |span| -> Result<(), ReadError> {
        let (n, offset) = (span.index + 1, span.offset);
        match span.parse(provider_opts) {
            Ok(line) => match index.try_insert(&line.custom_id, offset, n) {
                Ok(_) => {}
                Err(InsertError::Duplicate(first)) => bad.push(BadLine {
                    path: Arc::clone(&shared),
                    line: n,
                    offset,
                    reason: LineError::DuplicateId {
                        id: line.custom_id.into_owned(),
                        first_line: index.line(first),
                    },
                }),
                Err(InsertError::Full) => {
                    return Err(ReadError::TooLarge {
                        path: Arc::clone(&shared),
                        reason: format!("index full at request {n}"),
                    });
                }
            },
            Err(e) => bad.push(element_bad(e)),
        }
        Ok(())
    });
    match scanned {
        Ok(_) => {}
        Err(BodyError::Stopped { error, .. }) => return Err(error),
        Err(BodyError::Io { path, source }) => return Err(ReadError::Io { path, source }),
        Err(e) => {
            return Err(ReadError::Invalid {
                path: Arc::clone(&shared),
                reason: e.to_string(),
            });
        }
    }
    if index.is_empty() && bad.is_empty() {
        return Err(ReadError::Empty { path: shared });
    }
    index.shrink_to_fit();
    Ok((index, bad))
}
