//! Worker side of the pipeline: parse and classify one block of result lines,
//! then score its completed rows with every scoring judge, in chunks.
//!
//! Invariant: a block's answer covers every line of the block exactly once
//! (as a record or a bad line), and each scored row gets exactly one result
//! per scoring judge. Workers never decide a row's final status: the
//! collector does, in file order, so the outcome does not depend on timing.

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use assay_batch::{
    AtomicBitSet, BadLine, Block, InputIndex, LineError, Provider, ProviderOptions, RowRecord, Status, anthropic,
};
use tokio::sync::OwnedSemaphorePermit;

use super::rows::{RequestExtras, narrow, wit_flags, wit_status, wit_usage};
use crate::judge::bindings::types as wit;
use crate::judge::runner::Scorer;
use crate::judge::{RowResult, StartError};

/// One block of one result file, tagged with its place in the run.
pub struct Job {
    /// Position in the run's global block order (attempts last-to-first).
    pub seq: u64,
    pub attempt: u16,
    pub block: Block,
    pub permit: OwnedSemaphorePermit,
}

/// What a line of a result file turned out to be.
pub enum Target {
    Row(u32),
    /// A result for an id that was never submitted.
    Unexpected(String),
}

pub struct LineRec {
    pub target: Target,
    pub hash: u64,
    pub record: RowRecord,
    /// The provider would count this line a success (a normal response,
    /// content-filtered or not): for reconciliation with its counts.
    pub provider_success: bool,
    /// Index into the block's verdict vectors when the row was scored.
    pub slot: Option<u32>,
}

/// Model and snapshot names seen in one block, numbered from 1 in order of
/// first appearance (0 = none). Each new name is allocated once, as its map key.
#[derive(Default)]
pub struct BlockNames {
    ids: HashMap<String, u16, foldhash::fast::RandomState>,
}

impl BlockNames {
    fn local(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name else { return 0 };
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        // A block holds at most a few thousand lines, far below u16::MAX.
        let id = (self.ids.len() + 1).min(usize::from(u16::MAX)) as u16;
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// The names by id: entry `id - 1` is the name numbered `id`.
    fn into_names(self) -> Vec<String> {
        let mut names = vec![String::new(); self.ids.len()];
        for (name, id) in self.ids {
            names[usize::from(id) - 1] = name;
        }
        names
    }
}

pub struct BlockDone {
    pub seq: u64,
    /// Names behind the block-local model/snapshot ids in `lines`.
    pub names: Vec<String>,
    pub attempt: u16,
    pub lines: Vec<LineRec>,
    pub bad: Vec<BadLine>,
    /// Per scoring judge, one result per slot.
    pub verdicts: Vec<Vec<RowResult>>,
    pub abort: Option<StartError>,
    pub permit: OwnedSemaphorePermit,
}

/// Read-only facts every worker shares.
pub struct WorkerCtx {
    pub index: Arc<InputIndex>,
    pub final_set: Arc<AtomicBitSet>,
    pub segment_size: u32,
    pub chunk_rows: usize,
    pub provider: Provider,
    pub provider_opts: ProviderOptions,
    /// The input is an Anthropic `{"requests": [...]}` body: offsets point at elements.
    pub input_body: bool,
    /// Re-read prompts / metadata from the input file for judges that ask.
    pub needs_prompt: bool,
    pub needs_metadata: bool,
    pub input: Arc<File>,
    pub input_path: std::path::PathBuf,
    pub max_line_bytes: usize,
    /// Per scoring judge (in scorer order): whether it needs (prompt, metadata).
    pub scorer_needs: Vec<(bool, bool)>,
    /// `--sync-results`: paired with completed rows for judges that need metadata.
    pub sync: Option<Arc<super::sync::SyncSet>>,
}

/// xxh3 of the raw line: tells an identical duplicate from a differing one.
fn line_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Reads the input line at `offset` and pulls out what judges asked for.
pub(super) fn read_extras(ctx: &WorkerCtx, idx: u32) -> RequestExtras {
    if ctx.input_body {
        let element =
            anthropic::read_request_at(&ctx.input, &ctx.input_path, ctx.index.offset(idx)).unwrap_or_default();
        return extras_of(ctx, &element);
    }
    // Most request lines are a few KiB: start small, double as needed.
    let mut buf = vec![0u8; 4 * 1024];
    let mut len = 0;
    let offset = ctx.index.offset(idx);
    loop {
        if len == buf.len() {
            if buf.len() >= ctx.max_line_bytes {
                break;
            }
            buf.resize(buf.len() * 2, 0);
        }
        match ctx.input.read_at(&mut buf[len..], offset + len as u64) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let had_newline = memchr::memchr(b'\n', &buf[len..len + n]).is_some();
                len += n;
                if had_newline {
                    break;
                }
            }
        }
    }
    let end = memchr::memchr(b'\n', &buf[..len]).unwrap_or(len);
    extras_of(ctx, &buf[..end])
}

/// [`read_extras`] for many rows. Results mostly follow submission order, so
/// the input lines of one block's rows lie close together: they are read
/// with one `pread` per window of up to 1 MiB instead of one per row. A line
/// that does not end inside its window is read on its own.
pub(super) fn read_extras_many(ctx: &WorkerCtx, idxs: &[u32]) -> Vec<RequestExtras> {
    const WINDOW: u64 = 1 << 20;
    const TAIL: u64 = 16 * 1024;
    if ctx.input_body {
        return idxs.iter().map(|&i| read_extras(ctx, i)).collect();
    }
    let mut out: Vec<RequestExtras> = idxs.iter().map(|_| RequestExtras::default()).collect();
    let mut order: Vec<(u64, usize)> = idxs
        .iter()
        .enumerate()
        .map(|(k, &i)| (ctx.index.offset(i), k))
        .collect();
    order.sort_unstable();
    let mut buf = Vec::new();
    let mut k = 0;
    while let Some(&(start, _)) = order.get(k) {
        let group = order[k..].iter().take_while(|(o, _)| *o < start + WINDOW).count();
        let last = order[k + group - 1].0;
        buf.resize((last - start + TAIL) as usize, 0);
        let mut len = 0;
        while len < buf.len() {
            match ctx.input.read_at(&mut buf[len..], start + len as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => len += n,
            }
        }
        for &(offset, slot) in &order[k..k + group] {
            let rel = (offset - start) as usize;
            let line = buf
                .get(rel..len)
                .and_then(|rest| Some(&rest[..memchr::memchr(b'\n', rest)?]));
            let at_eof = len < buf.len();
            out[slot] = match (line, at_eof) {
                (Some(line), _) => extras_of(ctx, line),
                // The file's last line, with no newline after it.
                (None, true) => extras_of(ctx, buf.get(rel..len).unwrap_or_default()),
                (None, false) => read_extras(ctx, idxs[slot]),
            };
        }
        k += group;
    }
    out
}

fn extras_of(ctx: &WorkerCtx, line: &[u8]) -> RequestExtras {
    RequestExtras {
        messages: if ctx.needs_prompt {
            ctx.provider.parse_input_messages(line).unwrap_or_default()
        } else {
            Vec::new()
        },
        metadata: if ctx.needs_metadata {
            ctx.provider.parse_input_metadata(line)
        } else {
            Vec::new()
        },
    }
}

/// Parses, classifies and scores one block.
pub async fn process(job: Job, ctx: &WorkerCtx, scorers: &mut [Scorer]) -> BlockDone {
    let Job {
        seq,
        attempt,
        mut block,
        permit,
    } = job;
    let mut bad = std::mem::take(&mut block.bad);
    let mut lines = Vec::new();
    // (record position, input index, parsed line) for rows to score
    let mut to_score = Vec::new();
    let parse = ctx.provider.result_parser();
    let mut names = BlockNames::default();
    // Next expected input index: results usually come in submission order.
    let mut guess = 0u32;
    for line in block.lines() {
        let parsed = match parse(line.bytes, &ctx.provider_opts) {
            Ok(p) => p,
            Err(reason) => {
                let reason = if line.last_unterminated {
                    LineError::TruncatedLast(reason.to_string())
                } else {
                    reason
                };
                bad.push(block.bad_line(&line, reason));
                continue;
            }
        };
        let o = &parsed.outcome;
        let record = RowRecord {
            status: o.status,
            error_kind: o.error_kind,
            truncated: o.truncated,
            usage: o.usage,
            // Block-local ids for now; the collector maps them to run-wide
            // ids in file order, so ids never depend on worker timing.
            model: names.local(o.model.as_deref()),
            snapshot: names.local(o.snapshot.as_deref()),
        };
        let hash = line_hash(line.bytes);
        let provider_success = o.error_code.is_none() && matches!(o.status, Status::Completed | Status::ContentFilter);
        let found = ctx.index.get_near(&parsed.custom_id, guess);
        if let Some(i) = found {
            guess = i.wrapping_add(1);
        }
        match found {
            None => lines.push(LineRec {
                target: Target::Unexpected(parsed.custom_id.into_owned()),
                hash,
                record,
                provider_success,
                slot: None,
            }),
            Some(idx) => {
                let score = !scorers.is_empty() && o.status == Status::Completed && !ctx.final_set.get(idx as usize);
                let slot = score.then_some(to_score.len() as u32);
                lines.push(LineRec {
                    target: Target::Row(idx),
                    hash,
                    record,
                    provider_success,
                    slot,
                });
                if score {
                    to_score.push((idx, parsed));
                }
            }
        }
    }
    let mut verdicts = Vec::with_capacity(scorers.len());
    let mut abort = None;
    if !to_score.is_empty() {
        let extras: Vec<RequestExtras> = if ctx.needs_prompt || ctx.needs_metadata {
            let idxs: Vec<u32> = to_score.iter().map(|(idx, _)| *idx).collect();
            let mut all = read_extras_many(ctx, &idxs);
            // A batch-completed row with a sync result: the pair, for drift judges.
            if let (true, Some(sync)) = (ctx.needs_metadata, ctx.sync.as_ref()) {
                for (extras, idx) in all.iter_mut().zip(&idxs) {
                    if let Some(s) = sync.get(*idx) {
                        extras.metadata.extend(s.pairing_metadata());
                    }
                }
            }
            all
        } else {
            Vec::new()
        };
        let views: Vec<_> = extras.iter().map(RequestExtras::view).collect();
        let rows: Vec<wit::Row<'_>> = to_score
            .iter()
            .enumerate()
            .map(|(k, (idx, p))| {
                let o = &p.outcome;
                let mut flags = assay_batch::Flags::default();
                if o.truncated {
                    flags.insert(assay_batch::Flags::TRUNCATED);
                }
                wit::Row {
                    id: &p.custom_id,
                    index: u64::from(*idx),
                    segment: *idx / ctx.segment_size,
                    provider: ctx.provider.as_str(),
                    model: o.model.as_deref().unwrap_or(""),
                    snapshot: o.snapshot.as_deref(),
                    status: wit_status(o.status),
                    flags: wit_flags(flags),
                    attempt: u32::from(attempt),
                    prompt: views.get(k).map_or(&[][..], |v| &v.messages[..]),
                    response: o.response_text.as_deref(),
                    finish_reason: o.finish_reason.as_deref(),
                    usage: wit_usage(&o.usage),
                    error_code: o.error_code.as_deref(),
                    error_message: o.error_message.as_deref(),
                    metadata: views.get(k).map_or(&[][..], |v| &v.metadata[..]),
                }
            })
            .collect();
        for (t, scorer) in scorers.iter_mut().enumerate() {
            let (p, m) = ctx.scorer_needs.get(t).copied().unwrap_or((true, true));
            let narrowed = narrow(&rows, p, m);
            let mine = narrowed.as_deref().unwrap_or(&rows);
            let mut out = Vec::with_capacity(rows.len());
            for chunk in mine.chunks(ctx.chunk_rows.max(1)) {
                match scorer.score(chunk).await {
                    Ok(r) => out.extend(r),
                    Err(e) => {
                        abort = Some(e);
                        break;
                    }
                }
            }
            verdicts.push(out);
            if abort.is_some() {
                break;
            }
        }
    }
    BlockDone {
        seq,
        names: names.into_names(),
        attempt,
        lines,
        bad,
        verdicts,
        abort,
        permit,
    }
}

#[cfg(test)]
#[path = "work_tests.rs"]
mod tests;
