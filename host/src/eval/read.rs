//! The reader stage: streams every result file as blocks of whole lines into
//! the bounded work channel, attempts last-to-first.
//!
//! Invariant: blocks get consecutive sequence numbers in the order the
//! collector must apply them; at most `permits` blocks are in flight between
//! this stage and the collector, so memory stays bounded whatever the file size.
//! A mapped file's blocks are only cut here: the worker that parses a block
//! checks it ([`assay_batch::lines::Unchecked`]), numbering its lines from 1,
//! and the collector numbers them in the file and counts each attempt's rows.

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

/// Runs on a blocking thread. A file that holds no row ends quietly: the
/// collector finds an attempt without one.
pub fn read_results(files: Vec<ResultFile>, feed: Feed) -> Result<(), ReadError> {
    let Feed {
        tx,
        permits,
        stop,
        handle,
        max_line_bytes,
        block_bytes,
    } = feed;
    let mut seq = 0u64;
    for (n, f) in files.into_iter().enumerate() {
        let mut reader =
            BlockReader::open(&f.path, FileId(n as u16 + 1), max_line_bytes)?.with_block_bytes(block_bytes);
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let block = match reader.next_deferred() {
                Ok(Some(b)) => b,
                Ok(None) | Err(ReadError::Empty { .. }) => break,
                Err(e) => return Err(e),
            };
            let Ok(permit) = handle.block_on(permits.clone().acquire_owned()) else {
                return Ok(());
            };
            let job = Job {
                seq,
                attempt: f.attempt,
                block,
                permit,
            };
            seq += 1;
            if tx.send_blocking(job).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}
