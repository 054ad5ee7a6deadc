//! Worker side of the pipeline: parse and classify one block of result lines,
//! then score its completed rows with every scoring judge, in chunks.
//!
//! Invariant: a block's answer covers every line of the block exactly once
//! (as a record or a bad line), and each scored row gets exactly one result
//! per scoring judge. Workers never decide a row's final status: the
//! collector does, in file order, so the outcome does not depend on timing.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use assay_batch::ingest::{self, LineRec, Target};
use assay_batch::lines::Next;
use assay_batch::{AtomicBitSet, BadLine, FileId, Flags, InputIndex, Provider, ProviderOptions, ResultLine, Status};
use tokio::sync::OwnedSemaphorePermit;

use super::calls::Scorer;
use super::errors::ErrorText;
use super::extras::RequestSource;
use super::rows::{Answer, Place, RequestExtras, wit_row};
use super::score::{Needs, score_all};
use crate::judge::bindings::types as wit;
use crate::judge::{RowResult, StartError};

/// One block of one result file, tagged with its place in the run.
pub struct Job {
    /// Position in the run's global block order (attempts last-to-first).
    pub seq: u64,
    pub attempt: u16,
    /// Checked by the reader, or (a mapped file's) to be checked by the
    /// worker that parses it.
    pub block: Next,
    pub permit: OwnedSemaphorePermit,
}

/// A classified line, and where its verdicts are when it was scored.
pub struct LineDone {
    pub rec: LineRec,
    /// The provider's error code and message, for a line that is not a completion.
    pub error: Option<ErrorText>,
    /// Index into the block's verdict vectors when the row was scored.
    pub slot: Option<u32>,
    /// The response text and provider time as a JSON fragment, when a sink wants content.
    pub content: Option<String>,
}

/// Model and snapshot names seen in one block, numbered from 1 in order of
/// first appearance (0 = none).
#[derive(Default)]
pub struct BlockNames {
    ids: HashMap<String, u16, foldhash::fast::RandomState>,
    /// The names by id: entry `id - 1` is the name numbered `id`.
    names: Vec<String>,
    /// The two ids last returned, latest first: a row's model and snapshot,
    /// which the next row nearly always repeats. Comparing them costs less
    /// than hashing a 20-odd-byte name twice a row.
    recent: [u16; 2],
}

impl BlockNames {
    fn local(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name else { return 0 };
        let id = match self.recent.iter().find(|&&id| self.named(id) == Some(name)) {
            Some(&id) => id,
            None => self.id_of(name),
        };
        if self.recent[0] != id {
            self.recent = [id, self.recent[0]];
        }
        id
    }

    /// The name numbered `id` (none for 0).
    fn named(&self, id: u16) -> Option<&str> {
        self.names.get(usize::from(id).checked_sub(1)?).map(String::as_str)
    }

    fn id_of(&mut self, name: &str) -> u16 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        // A block holds at most a few thousand lines, far below u16::MAX.
        let id = (self.ids.len() + 1).min(usize::from(u16::MAX)) as u16;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }

    /// The names by id: entry `id - 1` is the name numbered `id`.
    fn into_names(self) -> Vec<String> {
        self.names
    }
}

pub struct BlockDone {
    pub seq: u64,
    /// The result file the block is from.
    pub file: FileId,
    /// Rows the block holds (non-blank lines, bad ones included).
    pub rows: u64,
    /// For a block this worker checked: how many lines it holds. Its lines,
    /// those in `bad` too, are numbered from 1 within it; the collector,
    /// which sees the file's blocks in order, numbers them in the file.
    pub lines_in_block: Option<u64>,
    /// Names behind the block-local model/snapshot ids in `lines`.
    pub names: Vec<String>,
    pub attempt: u16,
    pub lines: Vec<LineDone>,
    pub bad: Vec<BadLine>,
    /// Per scoring judge, one result per slot.
    pub verdicts: Vec<Vec<RowResult>>,
    pub abort: Option<StartError>,
    pub permit: OwnedSemaphorePermit,
}

/// Read-only facts every worker shares.
pub struct WorkerCtx {
    pub index: Arc<InputIndex>,
    /// Rows whose final result a later attempt already gave: not scored again.
    pub final_set: Arc<AtomicBitSet>,
    pub segment_size: u32,
    pub chunk_rows: usize,
    pub provider: Provider,
    pub provider_opts: ProviderOptions,
    /// Prompt and metadata re-reads for judges that ask.
    pub requests: RequestSource,
    /// Per scoring judge (in scorer order): what it needs.
    pub needs: Vec<Needs>,
    /// `--sync-results`: paired with completed rows for judges that need metadata.
    pub sync: Option<Arc<super::sync::SyncSet>>,
    /// A sink wants each row's response text and provider time.
    pub keep_content: bool,
    /// A resumable run: rows a committed block holds are not scored again.
    pub checkpoint: Option<Arc<super::checkpoint::Checkpoint>>,
    /// `--shard`: the rows this shard owns; the others are read but not scored.
    pub owned: Option<Arc<AtomicBitSet>>,
}

/// Parses, classifies and scores one block.
pub async fn process(job: Job, ctx: &WorkerCtx, scorers: &mut [Scorer]) -> BlockDone {
    let Job {
        seq,
        attempt,
        block,
        permit,
    } = job;
    // Checked here rather than by the reader: the check brings the block's
    // bytes into this core's cache just before they are parsed (1M rows: 2%
    // less wall and CPU than checking on the reader's thread).
    let (mut block, lines_in_block) = match block {
        Next::Checked(block) => (block, None),
        Next::Unchecked(u) => {
            let (block, lines) = u.check();
            (block, Some(lines))
        }
    };
    let mut bad = std::mem::take(&mut block.bad);
    // The lines the check flagged, then one per line parsed below.
    let mut rows = bad.len() as u64;
    let mut lines = Vec::with_capacity(block.rows());
    // (input index, parsed line) for rows to score
    let mut to_score = Vec::with_capacity(block.rows());
    let parse = ctx.provider.result_parser();
    let mut names = BlockNames::default();
    // Next expected input index: results usually come in submission order.
    let mut guess = 0u32;
    for line in block.lines() {
        rows += 1;
        // Block-local name ids for now; the collector maps them to run-wide
        // ids in file order, so ids never depend on worker timing.
        let read = ingest::read_line(
            &block,
            &line,
            |b| parse(b, &ctx.provider_opts),
            &ctx.index,
            &mut guess,
            |n| names.local(n),
        );
        let (rec, parsed) = match read {
            Ok(r) => r,
            Err(b) => {
                bad.push(b);
                continue;
            }
        };
        let parsed_error = match rec.record.status {
            Status::Completed => None,
            _ => ErrorText::new(
                parsed.outcome.error_code.as_deref(),
                parsed.outcome.error_message.as_deref(),
            ),
        };
        let content = ctx.keep_content.then(|| content_fragment(&parsed.outcome));
        let slot = match rec.target {
            Target::Row(idx)
                if !scorers.is_empty()
                    && rec.record.status == Status::Completed
                    && !ctx.final_set.get(idx as usize)
                    && ctx.owned.as_ref().is_none_or(|o| o.get(idx as usize)) =>
            {
                to_score.push((idx, parsed));
                Some(to_score.len() as u32 - 1)
            }
            _ => None,
        };
        lines.push(LineDone {
            rec,
            slot,
            error: parsed_error,
            content,
        });
    }
    let (verdicts, abort) = match score_or_resume(ctx, seq, attempt, &to_score, scorers).await {
        Ok(v) => (v, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    // The unescaped responses' buffers serve this worker's next block.
    for (_, line) in to_score {
        if let Some(Cow::Owned(text)) = line.outcome.response_text {
            assay_batch::spare::recycle(text);
        }
    }
    BlockDone {
        seq,
        file: block.file,
        rows,
        lines_in_block,
        names: names.into_names(),
        attempt,
        lines,
        bad,
        verdicts,
        abort,
        permit,
    }
}

/// A result's response text and provider time, as the content store keeps them.
pub fn content_fragment(o: &assay_batch::Outcome<'_>) -> String {
    serde_json::json!({ "response": o.response_text, "created": o.created }).to_string()
}

/// Scores a block's completed rows with every scorer, except those the
/// run's checkpoint already holds for this block: theirs are taken as
/// committed. One result vector per scorer, one result per row, in slot order.
async fn score_or_resume(
    ctx: &WorkerCtx,
    seq: u64,
    attempt: u16,
    to_score: &[(u32, ResultLine<'_>)],
    scorers: &mut [Scorer],
) -> Result<Vec<Vec<RowResult>>, StartError> {
    // A blob that cannot be read or decoded only costs rescoring its block.
    let mut saved = match ctx.checkpoint.as_ref().map(|c| c.load(seq)) {
        Some(Ok(Some(rows))) if !to_score.is_empty() => super::checkpoint::by_row(rows),
        _ => return score_block(ctx, attempt, &to_score.iter().collect::<Vec<_>>(), scorers).await,
    };
    // (row, committed results) in slot order; `None` for the rows to score.
    let mut slots: Vec<(u32, Option<Vec<RowResult>>)> = Vec::with_capacity(to_score.len());
    let mut fresh = Vec::new();
    for row in to_score {
        let idx = row.0;
        match saved.remove(&idx).filter(|r| r.len() == scorers.len()) {
            Some(r) => slots.push((idx, Some(r))),
            None => {
                slots.push((idx, None));
                fresh.push(row);
            }
        }
    }
    let scored = score_block(ctx, attempt, &fresh, scorers).await?;
    let mut scored: Vec<_> = scored.into_iter().map(Vec::into_iter).collect();
    scored.resize_with(scorers.len(), || Vec::new().into_iter());
    let mut out: Vec<Vec<RowResult>> = (0..scorers.len()).map(|_| Vec::with_capacity(slots.len())).collect();
    for (_, committed) in slots {
        match committed {
            Some(results) => {
                for (out_t, r) in out.iter_mut().zip(results) {
                    out_t.push(r);
                }
            }
            None => {
                for (out_t, it) in out.iter_mut().zip(scored.iter_mut()) {
                    // score_all returns one result per row (the runner enforces it).
                    out_t.extend(it.next());
                }
            }
        }
    }
    Ok(out)
}

/// Scores a block's completed rows with every scorer.
async fn score_block(
    ctx: &WorkerCtx,
    attempt: u16,
    to_score: &[&(u32, ResultLine<'_>)],
    scorers: &mut [Scorer],
) -> Result<Vec<Vec<RowResult>>, StartError> {
    if to_score.is_empty() {
        return Ok(Vec::new());
    }
    let extras: Vec<RequestExtras> = if ctx.requests.wanted() {
        let idxs: Vec<u32> = to_score.iter().map(|(idx, _)| *idx).collect();
        let mut all = ctx.requests.read_many(&idxs);
        // A batch-completed row with a sync result: the pair, for drift judges.
        if let (true, Some(sync)) = (ctx.requests.needs_metadata(), ctx.sync.as_ref()) {
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
            let place = Place {
                id: &p.custom_id,
                index: *idx,
                segment: *idx / ctx.segment_size,
                provider: ctx.provider.as_str(),
                attempt,
                flags: Flags::default(),
            };
            wit_row(place, Answer::from(&p.outcome), views.get(k))
        })
        .collect();
    score_all(scorers, &ctx.needs, &rows, ctx.chunk_rows).await
}

#[cfg(test)]
mod tests;
