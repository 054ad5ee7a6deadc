//! Shared by the provider end-to-end tests: status-count tables and one
//! loop that streams a result file into a `Ledger` with a provider's parser.
#![allow(dead_code)]

use std::path::Path;

use assay_batch::{
    Applied, BadLine, BlockReader, FileId, InputIndex, Interner, Ledger, LineError, ProviderOptions, ResultLine,
    Status, ingest,
};

/// A provider's result-line parser.
pub type ParseResult = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<ResultLine<'a>, LineError>;

/// Counts indexed by `Status::index`, zero for statuses not named.
pub fn counts(pairs: &[(Status, u64)]) -> [u64; 8] {
    let mut c = [0; 8];
    for (s, n) in pairs {
        c[s.index()] = *n;
    }
    c
}

/// What one result file did to the ledger.
#[derive(Default, Debug)]
pub struct Stats {
    pub lines: u64,
    pub finals: u64,
    pub duplicates: u64,
    /// Lines applied as anything but `Final` or `Duplicate`.
    pub others: Vec<Applied>,
    pub unexpected: Vec<String>,
    pub bad: Vec<BadLine>,
}

/// Streams one results file into the ledger as attempt 1, in small blocks
/// so block boundaries are crossed.
pub fn ingest(
    path: &Path,
    parse: ParseResult,
    block_bytes: usize,
    index: &InputIndex,
    ledger: &mut Ledger,
    names: &mut Interner,
) -> Stats {
    let opts = ProviderOptions::default();
    let mut st = Stats::default();
    let mut r = BlockReader::open(path, FileId(1), 1 << 20)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_block_bytes(block_bytes);
    let mut guess = 0u32;
    while let Some(mut block) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
        for line in block.lines() {
            st.lines += 1;
            // The one ingest pipeline, as `assay eval` runs it; models interned, snapshots not.
            let read = ingest::read_line(
                &block,
                &line,
                |b| parse(b.bytes(), &opts),
                index,
                &mut guess,
                |n| names.intern_opt(n),
            );
            let mut rec = match read {
                Ok((rec, _)) => rec,
                Err(bad) => {
                    st.bad.push(bad);
                    continue;
                }
            };
            rec.record.snapshot = 0;
            match ingest::apply(ledger, 1, &rec) {
                None => {
                    if let ingest::Target::Unexpected(id) = rec.target {
                        st.unexpected.push(id);
                    }
                }
                Some(Applied::Final) => st.finals += 1,
                Some(Applied::Duplicate) => st.duplicates += 1,
                Some(other) => st.others.push(other),
            }
        }
        st.bad.append(&mut block.bad);
    }
    st
}
