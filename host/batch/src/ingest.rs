//! The one ingest pipeline: a result line becomes a [`LineRec`] (or exactly
//! one [`BadLine`]), and a line record is applied to the [`Ledger`].
//!
//! `assay eval` runs [`read_line`] on its workers and [`apply`] on its
//! ordered collector; [`ingest_results`] runs both on one thread for a single
//! file. Both therefore classify, hash and apply lines the same way.
//!
//! Invariant: every non-blank line of a file is accounted for exactly once —
//! applied to the ledger (final, duplicate, conflict, superseded), counted as
//! unexpected, or returned as a [`BadLine`].

use std::path::Path;

use crate::block::{Block, Line};
use crate::error::{BadLine, LineError, ReadError};
use crate::index::InputIndex;
use crate::intern::Interner;
use crate::ledger::{Applied, Ledger, RowRecord, line_hash};
use crate::lines::{BlockReader, FileId, ReadOptions};
use crate::provider::RawLine;
use crate::row::ResultLine;
use crate::status::Status;

/// Parses one provider result line (e.g. [`crate::openai::parse_result_line`]).
pub type ParseResult = fn(&[u8]) -> Result<ResultLine<'_>, LineError>;

/// What a line of a result file is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The submitted row at this input index.
    Row(u32),
    /// A result for an id that was never submitted.
    Unexpected(String),
}

/// One classified result line, ready for [`apply`].
#[derive(Debug, Clone)]
pub struct LineRec {
    pub target: Target,
    /// [`line_hash`] of the raw line: tells an identical duplicate from a differing one.
    pub hash: u64,
    pub record: RowRecord,
    /// The provider would count this line a success (a normal response,
    /// content-filtered or not): for reconciliation with its counts.
    pub provider_success: bool,
}

/// Parses and classifies one line of `block`. `guess` is the input index the
/// next result most likely has (results usually follow submission order);
/// `name` numbers model and snapshot names as the caller keeps them.
pub fn read_line<'a>(
    block: &Block,
    line: &Line<'a>,
    parse: impl FnOnce(RawLine<'a>) -> Result<ResultLine<'a>, LineError>,
    index: &InputIndex,
    guess: &mut u32,
    mut name: impl FnMut(Option<&str>) -> u16,
) -> Result<(LineRec, ResultLine<'a>), BadLine> {
    let parsed = parse(line.raw()).map_err(|reason| block.bad_line(line, reason))?;
    let o = &parsed.outcome;
    let model = name(o.model.as_deref());
    let snapshot = name(o.snapshot.as_deref());
    let record = RowRecord::from_outcome(o, model, snapshot);
    let provider_success = o.error_code.is_none() && matches!(o.status, Status::Completed | Status::ContentFilter);
    let target = match index.get_near(&parsed.custom_id, *guess) {
        Some(i) => {
            *guess = i.wrapping_add(1);
            Target::Row(i)
        }
        None => Target::Unexpected(parsed.custom_id.to_string()),
    };
    let rec = LineRec {
        target,
        hash: line_hash(line.bytes),
        record,
        provider_success,
    };
    Ok((rec, parsed))
}

/// Applies one line record of `attempt`; `None` for an id never submitted
/// (recorded as unexpected).
pub fn apply(ledger: &mut Ledger, attempt: u16, rec: &LineRec) -> Option<Applied> {
    match &rec.target {
        Target::Unexpected(id) => {
            ledger.record_unexpected(attempt, id);
            None
        }
        Target::Row(idx) => Some(ledger.apply(attempt, *idx, rec.hash, &rec.record)),
    }
}

/// What happened to the lines of one result file.
#[derive(Debug, Default)]
pub struct IngestStats {
    /// Non-blank lines seen (including bad ones).
    pub lines: u64,
    pub finals: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub superseded: u64,
    pub unexpected: u64,
    /// The file had no rows (OpenAI/Azure write empty error files).
    pub empty: bool,
    /// Lines that did not parse, in line order.
    pub bad: Vec<BadLine>,
}

/// Streams `path` (a result file of `attempt`) into `ledger` on this thread,
/// interning model and snapshot names into `names`. An empty file is not an
/// error here: it is reported as `IngestStats::empty`.
#[allow(clippy::too_many_arguments)]
pub fn ingest_results(
    path: &Path,
    file: FileId,
    attempt: u16,
    parse: ParseResult,
    index: &InputIndex,
    ledger: &mut Ledger,
    names: &mut Interner,
    opts: &ReadOptions,
) -> Result<IngestStats, ReadError> {
    let mut reader = BlockReader::open(path, file, opts.max_line_bytes)?.with_block_bytes(opts.block_bytes);
    let mut st = IngestStats::default();
    let mut guess = 0u32;
    loop {
        let mut block = match reader.next_block() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(ReadError::Empty { .. }) => {
                st.empty = true;
                break;
            }
            Err(e) => return Err(e),
        };
        st.lines += block.bad.len() as u64;
        for line in block.lines() {
            st.lines += 1;
            let rec = match read_line(
                &block,
                &line,
                |l| parse(l.bytes),
                index,
                &mut guess,
                |n| names.intern_opt(n),
            ) {
                Ok((rec, _)) => rec,
                Err(bad) => {
                    st.bad.push(bad);
                    continue;
                }
            };
            match apply(ledger, attempt, &rec) {
                None => st.unexpected += 1,
                Some(Applied::Final) => st.finals += 1,
                Some(Applied::Duplicate) => st.duplicates += 1,
                Some(Applied::Conflict) => st.conflicts += 1,
                Some(Applied::Superseded) => st.superseded += 1,
                Some(Applied::Invalid) => st
                    .bad
                    .push(block.bad_line(&line, LineError::WrongShape(format!("attempt {attempt} out of range")))),
            }
        }
        st.bad.append(&mut block.bad);
    }
    st.bad.sort_by_key(|b| b.line);
    Ok(st)
}
