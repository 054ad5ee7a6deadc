//! Write assay judges in plain Rust.
//!
//! A judge is a WebAssembly component (`wasm32-wasip2`) for the WIT world
//! `assay:judge/judge@0.2.0` (`wit/judge-0.2/judge.wit`, which includes 0.1's world
//! from `wit/judge/judge.wit`; both embedded in this crate). This crate generates the
//! bindings, and turns one [`Judge`] implementation into the `meta`, `scorer`,
//! `packed-scorer` and `aggregator` exports with [`export_judge!`]: a host that knows
//! 0.2 passes each chunk as two buffers (`score-packed`), an 0.1 host calls
//! `score-batch`, and the judge's `score` sees the same `Row`s either way. The judge logic stays callable as plain Rust, so it
//! is unit-tested natively with `cargo test`.
//!
//! Invariant: the instance's state is created by `init` and lives until the host drops
//! the instance; every export called before `init` answers
//! `JudgeError::Failed("init was not called")` instead of trapping.
//!
//! ```no_run
//! use assay_judge_sdk::prelude::*;
//!
//! /// Passes rows whose response is at most `max-chars` characters long.
//! struct MaxLen {
//!     max: usize,
//!     too_long: u64,
//! }
//!
//! impl Judge for MaxLen {
//!     fn describe() -> Descriptor {
//!         Descriptor::new("max-len", "0.1.0", "Responses no longer than max-chars")
//!             .quality()
//!             .aggregator()
//!             .config_key("max-chars", "longest acceptable response, in characters")
//!     }
//!
//!     fn init(config: Config) -> Result<Self, JudgeError> {
//!         Ok(MaxLen { max: config.parse_or("max-chars", 2000)?, too_long: 0 })
//!     }
//!
//!     fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
//!         let Some(text) = &row.response else {
//!             return Ok(Verdict::fail("no_response", None));
//!         };
//!         let n = text.chars().count();
//!         if n > self.max {
//!             return Ok(Verdict::fail("too_long", Some(format!("{n} > {}", self.max))));
//!         }
//!         Ok(Verdict::pass(1.0))
//!     }
//!
//!     fn observe(&mut self, obs: &Observation) {
//!         self.too_long += u64::from(obs.verdict.as_ref().is_some_and(|v| !v.passed));
//!     }
//!
//!     fn finish(&mut self) -> Result<Report, JudgeError> {
//!         Ok(Report::new().metric("too_long", self.too_long as f64))
//!     }
//! }
//!
//! assay_judge_sdk::export_judge!(MaxLen);
//! ```

mod adapter;
pub mod agg;
mod config;
mod helpers;
pub mod log;
mod manifest;
mod packed;
mod rng;
mod view;

/// The raw bindings generated from `wit/judge-0.2` (world `judge@0.2.0`). Judge authors rarely
/// need them: [`prelude`] re-exports the types.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: ["wit/judge", "wit/judge-0.2"],
        world: "assay:judge/judge@0.2.0",
        generate_all,
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "assay_judge_sdk::bindings",
    });
}

/// The raw bindings of the `assay:llm/llm@0.1.0` import (`wit/llm`, world
/// `llm-client`): a chat completion the host makes for a judge the operator granted
/// `llm`. A judge that never calls [`llm::assay::llm::llm::chat`] does not import
/// the interface: the component keeps only the imports its code uses, so plain
/// judges load under every policy.
#[allow(missing_docs, clippy::all)]
pub mod llm {
    wit_bindgen::generate!({
        path: ["wit/judge", "wit/llm"],
        world: "assay:llm/llm-client",
    });

    mod names {
        use super::assay::llm::llm::LlmError;
        include!("../wit/llm_error_names.rs");
    }

    use assay::llm::llm::{ChatRequest, ChatResponse, LlmError};

    /// Who answers a judge's chat requests: [`HostChat`] in a component, a
    /// fake of the judge's own in its native tests.
    pub trait Chat {
        fn chat(&mut self, request: &ChatRequest) -> Result<ChatResponse, LlmError>;
    }

    /// The host's `assay:llm/llm.chat`.
    pub struct HostChat;

    impl Chat for HostChat {
        fn chat(&mut self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
            assay::llm::llm::chat(request)
        }
    }
}

pub use adapter::{Adapter, Judge};
pub use config::Config;
pub use helpers::truncate_utf8;
pub use manifest::config_keys_from_manifest;
pub use rng::{Rng, fnv1a64, row_rng};
pub use view::{Pairs, RowView};

pub use bindings::assay::judge0_1_0::host::Level;
pub use bindings::assay::judge0_1_0::types::{
    Alarm, Descriptor, JudgeError, Message, Metric, Needs, Observation, Report, Row, RowFlags, RowStatus, RunInfo,
    SlimVerdict, Usage, Verdict,
};

/// Everything a judge author needs: `use assay_judge_sdk::prelude::*;`.
pub mod prelude {
    pub use crate::agg::{LabelCounts, Scores, SegmentPassRate};
    pub use crate::log;
    pub use crate::{
        Alarm, Config, Descriptor, Judge, JudgeError, Message, Metric, Needs, Observation, Pairs, Report, Rng, Row,
        RowFlags, RowStatus, RowView, RunInfo, SlimVerdict, Usage, Verdict, row_rng, truncate_utf8,
    };
}

/// Exports a [`Judge`] implementation as the component's `meta`, `scorer` and
/// `aggregator` interfaces. Use it once per judge crate, at item level.
#[macro_export]
macro_rules! export_judge {
    ($judge:ty) => {
        const _: () = {
            type AssayJudgeExport = $crate::Adapter<$judge>;
    $crate::bindings::export!(AssayJudgeExport with_types_in $crate::bindings);
        };
    };
}
