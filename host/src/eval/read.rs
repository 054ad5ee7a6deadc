//! The reader stage: streams every result file as blocks of whole lines into
//! the bounded work channel, attempts last-to-first.
//!
//! Invariant: blocks get consecutive sequence numbers in the order the
//! collector must apply them; at most `permits` blocks are in flight between
//! this stage and the collector, so memory stays bounded whatever the file size.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use assay_batch::{BlockReader, FileId, ReadError};
use tokio::runtime::Handle;
use tokio::sync::Semaphore;

use super::work::Job;

#[derive(Debug, Clone)]
pub struct ResultFile {
    pub attempt: u16,
    pub path: PathBuf,
}

#[derive(Debug, Default)]
pub struct ReadStats {
    /// Non-blank lines seen per attempt (index = attempt - 1).
    pub lines_per_attempt: Vec<u64>,
    /// Files that held no rows (legal for an error file, when its attempt has others).
    pub empty_files: Vec<PathBuf>,
}

/// The reader's channels and limits.
pub struct Feed {
    pub tx: async_channel::Sender<Job>,
    /// One permit per block between here and the collector.
    pub permits: Arc<Semaphore>,
    /// Set by the collector to end the run early.
    pub stop: Arc<AtomicBool>,
    pub handle: Handle,
    pub max_line_bytes: usize,
    pub block_bytes: usize,
}

/// Runs on a blocking thread.
pub fn read_results(files: Vec<ResultFile>, attempts: usize, feed: Feed) -> Result<ReadStats, ReadError> {
    let Feed {
        tx,
        permits,
        stop,
        handle,
        max_line_bytes,
        block_bytes,
    } = feed;
    let mut stats = ReadStats {
        lines_per_attempt: vec![0; attempts],
        empty_files: Vec::new(),
    };
    let mut seq = 0u64;
    for (n, f) in files.into_iter().enumerate() {
        let mut reader =
            BlockReader::open(&f.path, FileId(n as u16 + 1), max_line_bytes)?.with_block_bytes(block_bytes);
        let mut lines = 0u64;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(stats);
            }
            let block = match reader.next_block() {
                Ok(Some(b)) => b,
                Ok(None) => break,
                Err(ReadError::Empty { .. }) => {
                    stats.empty_files.push(f.path.clone());
                    break;
                }
                Err(e) => return Err(e),
            };
            lines += (block.lines().count() + block.bad.len()) as u64;
            let Ok(permit) = handle.block_on(permits.clone().acquire_owned()) else {
                return Ok(stats);
            };
            let job = Job {
                seq,
                attempt: f.attempt,
                block,
                permit,
            };
            seq += 1;
            if tx.send_blocking(job).is_err() {
                return Ok(stats);
            }
        }
        if let Some(slot) = stats
            .lines_per_attempt
            .get_mut(usize::from(f.attempt).saturating_sub(1))
        {
            *slot += lines;
        }
    }
    Ok(stats)
}
