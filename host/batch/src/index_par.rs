//! Indexing a large input file on several threads: blocks are parsed in
//! parallel, then inserted into the [`InputIndex`] strictly in file order.
//!
//! Invariant: the result is identical to the sequential [`crate::read_input`]
//! (same row indexes, same bad lines in the same order) whatever the thread
//! count; memory stays bounded by a few blocks in flight.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::block::Block;
use crate::error::{BadLine, LineError, ReadError};
use crate::index::{IdHasher, InputIndex, InsertError, same_name};
use crate::lines::{BlockReader, FileId, Next, ReadOptions};
use crate::row::ProviderOptions;

/// One block's parsed rows: ids packed in one string, no allocation per row.
struct Parsed {
    seq: u64,
    /// Bytes of the block, for sizing the index from the first one.
    bytes: usize,
    ids: String,
    /// (end of id in `ids`, line offset, line number, model slot)
    rows: Vec<(u32, u64, u64, u16)>,
    /// Each row's id hashed by the index's [`IdHasher`], here rather than on
    /// the one thread that inserts.
    hashes: Vec<u64>,
    models: Vec<String>,
    bad: Vec<BadLine>,
    /// The block's line count when its lines were numbered from 1 within it
    /// (checked off the reader's lock): the merger renumbers them in order.
    lines: Option<u64>,
}

/// How many ids ahead of the one being inserted the merger prefetches its
/// hash-table slot: enough inserts to cover a trip to memory.
const PREFETCH_AHEAD: usize = 8;

/// A provider's input-line parser.
pub type InputParser = crate::provider::InputFn;

fn parse_block(seq: u64, mut block: Block, parse: InputParser, opts: &ProviderOptions, hasher: &IdHasher) -> Parsed {
    let mut out = Parsed {
        seq,
        bytes: block.bytes().len(),
        ids: String::with_capacity(block.bytes().len() / 32),
        rows: Vec::with_capacity(block.bytes().len() / 256),
        hashes: Vec::with_capacity(block.bytes().len() / 256),
        models: Vec::new(),
        bad: Vec::new(),
        lines: None,
    };
    for line in block.lines() {
        match parse(line.raw(), opts) {
            Ok(p) => {
                out.ids.push_str(&p.custom_id);
                out.hashes.push(hasher.hash(&p.custom_id));
                let model = p.model.as_deref().unwrap_or("");
                let slot = match out.models.iter().position(|m| same_name(m, model)) {
                    Some(i) => i,
                    None => {
                        out.models.push(model.to_owned());
                        out.models.len() - 1
                    }
                };
                out.rows.push((
                    out.ids.len() as u32,
                    line.offset,
                    line.number,
                    slot.min(usize::from(u16::MAX)) as u16,
                ));
            }
            Err(e) => out.bad.push(block.bad_line(&line, e.on_line(line.last_unterminated))),
        }
    }
    out.bad.append(&mut block.bad);
    out
}

/// Like [`crate::read_input`], with `threads` parser threads and a provider's
/// own input-line parser. It gives up when `stop` is set (checked before each
/// block): then the answer is [`ReadError::Stopped`], for a caller that
/// started the index early and no longer wants it.
pub fn read_input_parallel(
    path: &Path,
    file: FileId,
    opts: &ReadOptions,
    threads: usize,
    parse: InputParser,
    provider_opts: &ProviderOptions,
    stop: &AtomicBool,
) -> Result<(InputIndex, Vec<BadLine>), ReadError> {
    let reader = BlockReader::open(path, file, opts.max_line_bytes)?.with_block_bytes(opts.block_bytes);
    let path: Arc<Path> = Arc::clone(reader.path());
    let threads = threads.max(1);
    let source = Mutex::new(Source {
        reader,
        next: 0,
        error: None,
        stop,
    });
    let (done_tx, done_rx) = sync_channel::<Parsed>(threads * 2);
    let fresh = InputIndex::for_options(opts);
    let hasher = fresh.id_hasher();
    let file_bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    let stopped = |who: &str| ReadError::Internal {
        path: Arc::clone(&path),
        reason: format!("input indexing stopped: a {who} thread panicked"),
    };
    let (panicked, merged) = std::thread::scope(|s| {
        let merger = s.spawn(|| merge(done_rx, &path, file_bytes, fresh));
        // The calling thread is the last worker, so `threads` threads parse
        // and none sits waiting on the others.
        let workers: Vec<_> = (1..threads)
            .map(|_| {
                let (source, tx, hasher) = (&source, done_tx.clone(), &hasher);
                s.spawn(move || worker(source, tx, parse, provider_opts, hasher))
            })
            .collect();
        let own = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            worker(&source, done_tx, parse, provider_opts, &hasher)
        }));
        // Every thread is joined here, so a panic in one is this error and
        // never an index short of that thread's blocks.
        let panicked = usize::from(own.is_err()) + workers.into_iter().map(|w| w.join()).filter(Result::is_err).count();
        (panicked, merger.join())
    });
    let merged = merged.map_err(|_| stopped("merging"))?;
    if panicked > 0 {
        return Err(stopped("parsing"));
    }
    match source.into_inner().map_err(|_| stopped("parsing"))?.error {
        Some(e) => Err(e),
        None => merged,
    }
}

/// The file's blocks, handed out in order to whichever worker asks next.
struct Source<'a> {
    reader: BlockReader,
    /// The sequence number of the next block.
    next: u64,
    /// The read error that ended the file early; set once, then no worker
    /// takes another block.
    error: Option<ReadError>,
    /// Set by the caller to end the index early.
    stop: &'a AtomicBool,
}

impl Source<'_> {
    /// The next block and its sequence number; `None` at the end of the
    /// file or after a read error. A mapped file's block comes unchecked,
    /// for the worker to check outside the lock.
    fn take(&mut self) -> Option<(u64, Next)> {
        if self.error.is_some() {
            return None;
        }
        if self.stop.load(Ordering::Relaxed) {
            self.error = Some(ReadError::Stopped {
                path: Arc::clone(self.reader.path()),
            });
            return None;
        }
        match self.reader.next_deferred() {
            Ok(Some(block)) => {
                self.next += 1;
                Some((self.next - 1, block))
            }
            Ok(None) => None,
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// Takes a block (under the lock: blocks are cut in file order), checks
/// its lines when the reader left that to it, and parses it (outside the
/// lock), until the file ends or the merger is gone. Reading in the
/// workers rather than on a reader thread of its own keeps every core
/// parsing: a reader thread that shares the cores starves the parsers each
/// time it waits for one.
fn worker(
    source: &Mutex<Source<'_>>,
    tx: SyncSender<Parsed>,
    parse: InputParser,
    opts: &ProviderOptions,
    hasher: &IdHasher,
) {
    loop {
        let next = match source.lock() {
            Ok(mut s) => s.take(),
            Err(_) => return,
        };
        let Some((seq, next)) = next else { return };
        let (block, lines) = match next {
            Next::Checked(block) => (block, None),
            Next::Unchecked(u) => {
                let (block, lines) = u.check();
                (block, Some(lines))
            }
        };
        let mut parsed = parse_block(seq, block, parse, opts, hasher);
        parsed.lines = lines;
        if tx.send(parsed).is_err() {
            return;
        }
    }
}

fn merge(
    rx: Receiver<Parsed>,
    path: &Arc<Path>,
    file_bytes: u64,
    mut index: InputIndex,
) -> Result<(InputIndex, Vec<BadLine>), ReadError> {
    let mut bad = Vec::new();
    let mut pending: BTreeMap<u64, Parsed> = BTreeMap::new();
    let mut next = 0u64;
    // Lines in the blocks merged so far: where a block numbered from 1 starts.
    let mut lines_before = 0u64;
    for parsed in rx {
        pending.insert(parsed.seq, parsed);
        while let Some(mut p) = pending.remove(&next) {
            if let Some(lines) = p.lines {
                for row in &mut p.rows {
                    row.2 += lines_before;
                }
                for b in &mut p.bad {
                    b.line += lines_before;
                }
                lines_before += lines;
            }
            if next == 0 && !p.rows.is_empty() {
                // Size the index once from the first block's density instead
                // of rehashing a million-entry table as it grows.
                let per_row = (p.bytes / p.rows.len()).max(1) as u64;
                let rows = (file_bytes / per_row).min(u64::from(u32::MAX) / 2) as usize;
                index.reserve(rows + rows / 8, p.ids.len() / p.rows.len() + 1);
            }
            next += 1;
            let mut start = 0usize;
            // Rows per model slot, counted by slot and added to the index once
            // per block: the merger is the one serial step of indexing.
            let mut tally = vec![0u64; p.models.len()];
            let mut first_use = Vec::new();
            for (k, (&(end, offset, line, slot), &hash)) in p.rows.iter().zip(&p.hashes).enumerate() {
                if let Some(&ahead) = p.hashes.get(k + PREFETCH_AHEAD) {
                    index.prefetch(ahead);
                }
                let id = p.ids.get(start..end as usize).unwrap_or("");
                start = end as usize;
                match index.try_insert_hashed(id, hash, offset, line) {
                    Ok(_) => {
                        if let Some(n) = tally.get_mut(usize::from(slot)) {
                            if *n == 0 {
                                first_use.push(usize::from(slot));
                            }
                            *n += 1;
                        }
                    }
                    Err(InsertError::Duplicate(first)) => bad.push(BadLine {
                        path: Arc::clone(path),
                        line,
                        offset,
                        reason: LineError::DuplicateId {
                            id: id.to_owned(),
                            first_line: index.line(first),
                        },
                    }),
                    Err(InsertError::Full) => {
                        return Err(ReadError::TooLarge {
                            path: Arc::clone(path),
                            reason: format!("index full at line {line}"),
                        });
                    }
                }
            }
            // In order of each model's first counted row, so the index lists
            // models in the order a row-by-row count would.
            for slot in first_use {
                index.count_model_rows(&p.models[slot], tally[slot]);
            }
            bad.extend(p.bad);
        }
    }
    bad.sort_by_key(|b| b.line);
    index.shrink_to_fit();
    if index.is_empty() && bad.is_empty() {
        return Err(ReadError::Empty { path: Arc::clone(path) });
    }
    Ok((index, bad))
}

#[cfg(test)]
mod tests;
