//! `--sync-results`: results for some of the batch's rows obtained through the
//! provider's synchronous API (a drift-canary sample, or retries of failed
//! rows), in the batch's own provider format.
//!
//! Invariant: only rows named in the sync files are kept, and only the fields
//! pairing and recovery need; every line of a sync file becomes a sync result
//! for a submitted row or a bad line naming its file, line and reason — an id
//! that is not in the input, or that has a sync result already, is an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::report::sync::SyncSummary;
use assay_batch::{
    BadLine, BlockReader, DetectError, ErrorKind, FileId, FileRole, InputIndex, LineError, Provider, ProviderOptions,
    ReadError, Status, Usage, detect_file,
};

use super::error::EvalError;
use super::plan::{EvalConfig, Plan};
use super::rows::Answer;

/// Metadata keys a judge that needs metadata sees (a contract with judge authors).
pub const SYNC_STATUS: &str = "assay.sync.status";
pub const SYNC_RESPONSE: &str = "assay.sync.response";
pub const SYNC_FINISH_REASON: &str = "assay.sync.finish_reason";
pub const SYNC_TRUNCATED: &str = "assay.sync.truncated";
pub const SYNC_MODEL: &str = "assay.sync.model";
/// Set to [`CHANNEL_SYNC`] on rows completed through a sync retry.
pub const ATTEMPT_CHANNEL: &str = "assay.attempt.channel";
pub const CHANNEL_SYNC: &str = "sync";

/// What one sync result keeps: enough to pair it with the batch row, or to
/// stand in for it.
#[derive(Debug, Clone)]
pub struct SyncResult {
    pub status: Status,
    pub error_kind: Option<ErrorKind>,
    pub response: Option<String>,
    pub finish_reason: Option<String>,
    pub truncated: bool,
    pub model: Option<String>,
    pub snapshot: Option<String>,
    pub usage: Usage,
    /// Where it was read: (file number in flag order, line).
    origin: (usize, u64),
}

impl SyncResult {
    /// The sync answer, as the judge interface shows a completed row.
    pub fn answer(&self) -> Answer<'_> {
        Answer {
            status: Status::Completed,
            model: self.model.as_deref(),
            snapshot: self.snapshot.as_deref(),
            response: self.response.as_deref(),
            finish_reason: self.finish_reason.as_deref(),
            truncated: self.truncated,
            usage: self.usage,
            error_code: None,
            error_message: None,
        }
    }

    /// The `assay.sync.*` pairs for a batch-completed row.
    pub fn pairing_metadata(&self) -> Vec<(String, String)> {
        let mut out = vec![(SYNC_STATUS.to_owned(), self.status.as_str().to_owned())];
        if let Some(r) = &self.response {
            out.push((SYNC_RESPONSE.to_owned(), r.clone()));
        }
        if let Some(f) = &self.finish_reason {
            out.push((SYNC_FINISH_REASON.to_owned(), f.clone()));
        }
        out.push((SYNC_TRUNCATED.to_owned(), self.truncated.to_string()));
        out.push((SYNC_MODEL.to_owned(), self.model.clone().unwrap_or_default()));
        out
    }
}

/// The sync results of one run, by input row.
#[derive(Debug, Default)]
pub struct SyncSet {
    pub files: Vec<PathBuf>,
    rows: BTreeMap<u32, SyncResult>,
}

impl SyncSet {
    pub fn get(&self, idx: u32) -> Option<&SyncResult> {
        self.rows.get(&idx)
    }

    /// Rows with a sync result, in submission order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &SyncResult)> {
        self.rows.iter().map(|(i, r)| (*i, r))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("--sync-results {0}")]
    Detect(#[from] DetectError),
    #[error("--sync-results {}:{line}: id {id:?} is not in the input", path.display())]
    UnknownId { path: PathBuf, line: u64, id: String },
    #[error("--sync-results {}:{line}: a second sync result for id {id:?} (first: {}:{first_line})", path.display(), first.display())]
    Duplicate {
        path: PathBuf,
        line: u64,
        id: String,
        first: PathBuf,
        first_line: u64,
    },
}

/// Reads every sync file with `provider`'s result parser. A file whose lines
/// have another provider's (or the input's) shape is refused; lines that do
/// not parse come back as bad lines, for the run's `--max-bad-lines`.
pub fn read_sync(
    paths: &[PathBuf],
    provider: Provider,
    opts: &ProviderOptions,
    index: &InputIndex,
    max_line_bytes: usize,
) -> Result<(SyncSet, Vec<BadLine>), SyncError> {
    let mut set = SyncSet {
        files: paths.to_vec(),
        rows: BTreeMap::new(),
    };
    let mut bad = Vec::new();
    let parse = provider.result_parser();
    for (n, path) in paths.iter().enumerate() {
        detect_file(path, FileRole::Results, Some(provider))?;
        let mut reader = BlockReader::open(path, FileId(0), max_line_bytes)?.with_block_bytes(1 << 20);
        while let Some(mut block) = reader.next_block()? {
            bad.append(&mut block.bad);
            for line in block.lines() {
                let parsed = match parse(line.raw(), opts) {
                    Ok(p) => p,
                    Err(reason) => {
                        let reason = match reason {
                            LineError::Malformed(m) if line.last_unterminated => LineError::TruncatedLast(m),
                            other => other,
                        };
                        bad.push(block.bad_line(&line, reason));
                        continue;
                    }
                };
                let id = parsed.custom_id.as_ref();
                let Some(idx) = index.get(id) else {
                    return Err(SyncError::UnknownId {
                        path: path.clone(),
                        line: line.number,
                        id: id.to_owned(),
                    });
                };
                if let Some(first) = set.rows.get(&idx) {
                    return Err(SyncError::Duplicate {
                        path: path.clone(),
                        line: line.number,
                        id: id.to_owned(),
                        first: first_path(paths, first.origin.0),
                        first_line: first.origin.1,
                    });
                }
                let o = parsed.outcome;
                let owned = |s: Option<std::borrow::Cow<'_, str>>| s.map(|s| s.into_owned());
                set.rows.insert(
                    idx,
                    SyncResult {
                        status: o.status,
                        error_kind: o.error_kind,
                        truncated: o.truncated,
                        usage: o.usage,
                        response: owned(o.response_text),
                        finish_reason: owned(o.finish_reason),
                        model: owned(o.model),
                        snapshot: owned(o.snapshot),
                        origin: (n, line.number),
                    },
                );
            }
        }
    }
    Ok((set, bad))
}

/// [`read_sync`] on a blocking thread.
/// Reads the run's `--sync-results` files on a blocking thread; their bad
/// lines join `bad`. `None` when the run has none.
pub async fn read(
    cfg: &EvalConfig,
    plan: &Plan,
    index: &Arc<InputIndex>,
    bad: &mut Vec<BadLine>,
) -> Result<Option<Arc<SyncSet>>, EvalError> {
    if cfg.sync_results.is_empty() {
        return Ok(None);
    }
    let (paths, provider, opts, index) = (
        cfg.sync_results.clone(),
        plan.settled.provider,
        cfg.provider_opts.clone(),
        index.clone(),
    );
    let max_line_bytes = cfg.max_line_bytes;
    let (set, sync_bad) =
        tokio::task::spawn_blocking(move || read_sync(&paths, provider, &opts, &index, max_line_bytes))
            .await
            .map_err(|e| EvalError::task("sync results", e))??;
    bad.extend(sync_bad);
    Ok(Some(Arc::new(set)))
}

fn first_path(paths: &[PathBuf], n: usize) -> PathBuf {
    paths.get(n).cloned().unwrap_or_else(|| Path::new("?").to_owned())
}
