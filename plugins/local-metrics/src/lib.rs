//! Shared code of the "local metrics" judges (`json-valid`, `regex`, `contains`,
//! `exact-match`, `levenshtein`, `bleu`, `rouge-l`, `refusal`, `length`,
//! `groundedness-lite`, and the text checks of `batch-sync-drift`): text metrics,
//! groundedness overlap, refusal phrases, row/config helpers and one aggregator.
//!
//! Invariants: nothing here panics on row or config data; every score it computes
//! is finite and in `[0, 1]`; work per row is bounded (Levenshtein and LCS cut their
//! inputs, see [`lev::MAX_CHARS`] and [`rouge::MAX_TOKENS`]); the aggregator's state
//! is O(segments).

pub mod bleu;
pub mod grounding;
pub mod lev;
mod pass_rate;
pub mod refusal;
pub mod rouge;
mod row;
pub mod testing;
pub mod text;

pub use pass_rate::PassRate;
pub use row::{MAX_DETAILS, details, graded, metadata_value, non_empty, threshold};
