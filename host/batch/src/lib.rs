//! Provider batch files to normalized, classified rows.
//!
//! Flow: provider files → [`BlockReader`] (blocks of whole lines, exact line
//! numbers) → provider parser ([`openai`]) → normalized [`Outcome`] →
//! [`Ledger`] (per-row state across resubmission attempts) → aggregates.
//!
//! 1. [`read_input`] indexes the submitted ids ([`InputIndex`]) in input
//!    order; duplicate ids and malformed lines come back as [`BadLine`]s.
//! 2. Each result file (output and error files, every attempt) is streamed
//!    through a [`BlockReader`]; each line is parsed and classified
//!    ([`openai::parse_result_line`]) and applied to the [`Ledger`] —
//!    attempts from the last to the first, lines in file order
//!    ([`ingest_results`] does this single-threaded).
//! 3. [`Ledger::finish`] settles missing rows, retries and retry exhaustion.
//!
//! Invariants: every submitted row ends in exactly one [`Status`], so the
//! status counts add up to the rows submitted; a row is never counted twice
//! (duplicates and conflicting lines are flagged, not counted); every line
//! that is not a row is reported with its file, line and reason — nothing
//! is dropped silently.

pub mod anthropic;
pub mod batch_object;
pub mod bedrock;
pub mod bitset;
pub mod block;
pub mod block_pool;
pub mod error;
pub mod google;
pub mod index;
pub mod index_par;
pub mod ingest;
pub mod intern;
mod json;
pub mod ledger;
pub mod lines;
pub mod mapped;
pub mod openai;
pub mod provider;
pub mod row;
pub mod spare;
pub mod status;
mod str_pairs;

pub use batch_object::{BatchObject, BatchObjectError};
pub use bitset::AtomicBitSet;
pub use block::{Block, Line, Lines};
pub use error::{BadLine, BadLines, LineError, ReadError};
pub use index::{InputIndex, InsertError, read_input};
pub use index_par::{InputParser, read_input_parallel};
pub use ingest::{IngestStats, ParseResult, ingest_results};
pub use intern::Interner;
pub use ledger::{Applied, FlagCounts, Ledger, RowRecord, SettledRow, line_hash};
pub use lines::{BlockReader, FileId, ReadOptions, Source, is_gzip, lines_of_file};
pub use provider::{DetectError, FileRole, Format, Provider, RawLine, detect_file, sniff};
pub use row::{InputLine, Outcome, ProviderOptions, ResultLine};
pub use status::{ErrorKind, Flags, PolicyError, RetryPolicy, Status, Usage};
