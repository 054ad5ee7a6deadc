//! The plan: every run setting settled once, before any row is read — the
//! provider, the batch objects, the order result files are read in, and the
//! normalized sizes every later stage uses.
//!
//! Invariant: later stages read settings only from the plan; no stage
//! re-normalizes a setting (a segment size of 0 becomes 1 here, once).

use std::path::{Path, PathBuf};

use assay_batch::{BatchObject, Provider, ProviderOptions, ReadError, ReadOptions, RetryPolicy};

use super::detect::{Settled, settle};
use super::error::EvalError;
use super::gates::GateConfig;
use super::read::ResultFile;
use crate::judge::state::RunContext;

/// What the command line asked for.
pub struct EvalConfig {
    /// `None`: tell from the files (`--provider auto`).
    pub provider: Option<Provider>,
    pub provider_opts: ProviderOptions,
    /// Provider batch/job objects, the i-th for attempt i+1 (`--batch-object`).
    pub batch_objects: Vec<PathBuf>,
    pub input: PathBuf,
    /// Result files per attempt, in attempt order.
    pub attempts: Vec<Vec<PathBuf>>,
    pub segment_size: u32,
    pub max_bad_lines: u64,
    pub max_line_bytes: usize,
    /// Cap on a gzip input's decompressed size, for prompt and metadata re-reads.
    pub max_unpacked_bytes: u64,
    pub block_bytes: usize,
    pub chunk_rows: usize,
    pub workers: usize,
    pub retry: RetryPolicy,
    pub max_judge_error_rate: f64,
    pub run: RunContext,
    /// `--sync-results`: the same rows' results from the synchronous API.
    pub sync_results: Vec<PathBuf>,
    pub gates: GateConfig,
    /// `--run-id` / `--resume`: where each applied block's results are committed.
    pub checkpoint: Option<std::sync::Arc<super::checkpoint::Checkpoint>>,
    /// `--shard i/N --partial-out PART`: score only this shard's rows and write its partial.
    pub shard: Option<super::shard::ShardRun>,
    /// Files the CLI copied before the run (`s3://` objects): (path read, name
    /// given), so the summary names each as the user did.
    pub copied: Vec<(PathBuf, PathBuf)>,
}

/// The settled run.
pub struct Plan {
    pub settled: Settled,
    /// (as given on the command line, parsed) per attempt, in attempt order.
    pub batch_objects: Vec<(String, BatchObject)>,
    /// Result files attempts last-to-first: a later attempt's result supersedes an earlier one.
    pub files: Vec<ResultFile>,
    /// At least 1.
    pub attempts: u16,
    /// At least 1.
    pub segment_size: u32,
    /// At least 1.
    pub workers: usize,
    /// At least 1.
    pub chunk_rows: usize,
    pub read: ReadOptions,
}

impl Plan {
    pub fn segment(&self, idx: u32) -> u32 {
        idx / self.segment_size
    }

    pub fn segments(&self, rows: usize) -> u32 {
        (rows as u64).div_ceil(u64::from(self.segment_size)) as u32
    }
}

/// Largest batch object read: the providers' objects are a few KiB; a file
/// past this is not one, and reading it whole could exhaust memory.
pub const MAX_BATCH_OBJECT_BYTES: u64 = 16 << 20;

/// Reads a `--batch-object` file: a regular file of at most [`MAX_BATCH_OBJECT_BYTES`].
fn read_batch_object(path: &Path) -> Result<Vec<u8>, EvalError> {
    use std::io::Read;
    let io = |source| ReadError::Io {
        path: path.into(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    if !file.metadata().map_err(io)?.is_file() {
        return Err(EvalError::BadBatchObjectFile {
            path: path.to_owned(),
            reason: "not a regular file".into(),
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_BATCH_OBJECT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_BATCH_OBJECT_BYTES {
        return Err(EvalError::BadBatchObjectFile {
            path: path.to_owned(),
            reason: format!("larger than {} MiB", MAX_BATCH_OBJECT_BYTES >> 20),
        });
    }
    Ok(bytes)
}

pub fn plan(cfg: &EvalConfig) -> Result<Plan, EvalError> {
    let result_paths: Vec<&Path> = cfg.attempts.iter().flatten().map(PathBuf::as_path).collect();
    let settled = settle(cfg.provider, &cfg.input, &result_paths, &cfg.provider_opts)?;
    if cfg.batch_objects.len() > cfg.attempts.len() {
        return Err(EvalError::TooManyBatchObjects(
            cfg.batch_objects.len(),
            cfg.attempts.len(),
        ));
    }
    let mut batch_objects = Vec::new();
    for path in &cfg.batch_objects {
        let bytes = read_batch_object(path)?;
        let obj = settled
            .provider
            .parse_batch_object(&bytes)
            .map_err(|source| EvalError::BatchObject {
                path: path.clone(),
                provider: settled.provider,
                source,
            })?;
        batch_objects.push((path.display().to_string(), obj));
    }
    let attempts = cfg.attempts.len().max(1);
    if attempts > usize::from(u16::MAX) || result_paths.len() >= usize::from(u16::MAX) {
        return Err(EvalError::TooManyFiles);
    }
    let mut files = Vec::new();
    for (a, paths) in cfg.attempts.iter().enumerate().rev() {
        for p in paths {
            files.push(ResultFile {
                attempt: a as u16 + 1,
                path: p.clone(),
            });
        }
    }
    Ok(Plan {
        settled,
        batch_objects,
        files,
        attempts: attempts as u16,
        segment_size: cfg.segment_size.max(1),
        workers: cfg.workers.max(1),
        chunk_rows: cfg.chunk_rows.max(1),
        read: ReadOptions {
            max_line_bytes: cfg.max_line_bytes,
            block_bytes: cfg.block_bytes,
            // Settled by `eval::run`, which knows whether anything re-reads requests.
            offsets: true,
        },
    })
}
