//! Shared by the provider end-to-end tests: status-count tables and one
//! loop that streams a result file into a `Ledger` with a provider's parser.
#![allow(dead_code)]

use std::path::Path;

use assay_batch::{
    Applied, BadLine, BlockReader, FileId, InputIndex, Interner, Ledger, LineError, ProviderOptions, ResultLine,
    RowRecord, Status, line_hash,
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
    while let Some(block) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
        for line in block.lines() {
            st.lines += 1;
            let res = match parse(line.bytes, &opts) {
                Ok(res) => res,
                Err(e) => {
                    st.bad.push(block.bad_line(&line, e));
                    continue;
                }
            };
            let Some(idx) = index.get(&res.custom_id) else {
                ledger.record_unexpected(1, &res.custom_id);
                st.unexpected.push(res.custom_id.into_owned());
                continue;
            };
            let o = &res.outcome;
            let rec = RowRecord::from_outcome(o, names.intern_opt(o.model.as_deref()), 0);
            match ledger.apply(1, idx, line_hash(line.bytes), &rec) {
                Applied::Final => st.finals += 1,
                Applied::Duplicate => st.duplicates += 1,
                other => st.others.push(other),
            }
        }
        st.bad.extend(block.bad);
    }
    st
}
