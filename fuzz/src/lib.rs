//! Shared harness of the fuzz targets: each target hands its bytes to one
//! of these checks, which run the real assay-batch code and panic (a fuzz
//! crash) when an invariant of the readers does not hold.
//!
//! Invariants checked: every non-blank line of a file is either yielded as
//! a line or recorded as exactly one bad line, never both, with exact line
//! numbers and offsets ([`reader`]); no yielded line is longer than the
//! reader's cap; every line of a result file either applies to the ledger or
//! is one bad line; every row of the fixed input index ends in exactly one
//! status, the status counts add up to the rows, and each row's final
//! status is the one its first result line carried ([`pipeline`]); the
//! host's manifest and policy parsers accept only what keeps its rules
//! (`config`, with the `config` feature).

pub mod body;
#[cfg(feature = "config")]
pub mod config;
pub mod pipeline;
pub mod reader;
pub mod render;

use std::sync::OnceLock;

use assay_batch::InputIndex;

/// The id prefixes the fixtures use (`r02`, `p01`, `e1`, `a01`, `b01`, `g01`, `l1`, ...).
const PREFIXES: [&str; 8] = ["r", "p", "e", "a", "b", "g", "l", "v"];

/// The ids of the fixed input index, in index order: each prefix with
/// numbers 0..=20 written with one and two digits.
pub fn fixed_ids() -> &'static [String] {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let mut ids = Vec::new();
        for p in PREFIXES {
            for n in 0..=20u32 {
                ids.push(format!("{p}{n}"));
                if n < 10 {
                    ids.push(format!("{p}0{n}"));
                }
            }
        }
        ids
    })
}

/// The fixed input index every result file is joined against.
pub fn fixed_index() -> &'static InputIndex {
    static INDEX: OnceLock<InputIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = InputIndex::new();
        for (line, id) in fixed_ids().iter().enumerate() {
            let fresh = index.try_insert(id, line as u64 * 100, line as u64 + 1).is_ok();
            assert!(fresh, "fixed ids are distinct");
        }
        index
    })
}

/// Reader settings derived from the input itself, so one corpus entry
/// always reads the same way: a small line cap (long lines are common) and
/// small blocks (many block boundaries).
pub fn settings(data: &[u8]) -> (usize, usize) {
    let h = data
        .iter()
        .take(64)
        .fold(data.len(), |h, &b| h.wrapping_mul(31).wrapping_add(b as usize));
    let max_line = 256 + (h % 4096);
    let block_bytes = 1 + (h / 7) % 512;
    (max_line, block_bytes)
}
