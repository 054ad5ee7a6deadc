//! Single-threaded driver: stream one result file into a [`Ledger`].
//!
//! Invariant: every non-blank line of the file is accounted for exactly
//! once — applied to the ledger (final, duplicate, conflict, superseded),
//! counted as unexpected, or returned as a [`BadLine`].

use std::path::Path;

use crate::error::{BadLine, LineError, ReadError};
use crate::index::InputIndex;
use crate::intern::Interner;
use crate::ledger::{Applied, Ledger, RowRecord, line_hash};
use crate::lines::{BlockReader, FileId, ReadOptions};
use crate::row::ResultLine;

/// Parses one provider result line (e.g. [`crate::openai::parse_result_line`]).
pub type ParseResult = fn(&[u8]) -> Result<ResultLine<'_>, LineError>;

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

/// Streams `path` (a result file of `attempt`) into `ledger`. An empty file
/// is not an error here: it is reported as `IngestStats::empty`.
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
    loop {
        let block = match reader.next_block() {
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
            let r = match parse(line.bytes) {
                Ok(r) => r,
                Err(e) => {
                    st.bad.push(block.bad_line(&line, e));
                    continue;
                }
            };
            let Some(idx) = index.get(&r.custom_id) else {
                ledger.record_unexpected(attempt, &r.custom_id);
                st.unexpected += 1;
                continue;
            };
            let o = &r.outcome;
            let model = names.intern_opt(o.model.as_deref());
            let snapshot = names.intern_opt(o.snapshot.as_deref());
            let rec = RowRecord::from_outcome(o, model, snapshot);
            match ledger.apply(attempt, idx, line_hash(line.bytes), &rec) {
                Applied::Final => st.finals += 1,
                Applied::Duplicate => st.duplicates += 1,
                Applied::Conflict => st.conflicts += 1,
                Applied::Superseded => st.superseded += 1,
                Applied::Invalid => st
                    .bad
                    .push(block.bad_line(&line, LineError::WrongShape(format!("attempt {attempt} out of range")))),
            }
        }
        st.bad.extend(block.bad);
    }
    st.bad.sort_by_key(|b| b.line);
    Ok(st)
}
