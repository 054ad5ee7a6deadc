//! `assay eval`: the pipeline from provider files to a summary.
//!
//! reader (`read`) → bounded channel of blocks → workers (`work`: parse,
//! classify, score in chunks) → ordered collector (`run`) → ledger and
//! verdict tables (`table`) → aggregators (`aggregate`) → summary / rows-out.

pub mod aggregate;
pub mod detect;
pub mod input;
pub mod judges;
pub mod read;
pub mod reconcile;
pub mod recover;
pub mod rows;
pub mod rows_json;
pub mod run;
pub mod snapshots;
pub mod spill;
pub mod sync;
pub mod table;
pub mod work;

pub use judges::{HOST_KEY_PREFIX, JudgeInfo, PreparedJudge, prepare, read_config};
pub use run::{EvalConfig, EvalError, EvalOutcome, run};
