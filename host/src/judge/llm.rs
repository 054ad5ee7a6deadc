//! The `llm` capability (`assay:llm@0.1.0`): chat completions the host makes for
//! judges the operator granted, inside the grant's bounds.
//!
//! Flow of one call: the judge's request → row, model and size checks → the
//! response cache → the run's token budget → the concurrency cap → the user's
//! endpoint under the grant's timeout → tokens accounted, answer cached.
//!
//! Invariant: every refusal and failure reaches the judge as an `llm-error`
//! value and is counted by kind; nothing here traps the guest. Tokens spent plus
//! tokens reserved by calls in flight never exceed the grant's budget.

mod access;
pub mod cache;
pub mod endpoint;
pub mod grant;
mod host;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use access::{LlmAccess, LlmStats};
pub use cache::ResponseCache;
pub use endpoint::Endpoint;
pub use grant::Grant;
pub use host::{LlmSlot, WaitClock};

/// The prefix of the import that marks a judge as an LLM caller.
pub const LLM_IMPORT: &str = "assay:llm/llm@0.1.";

/// Who may call (the operator's grants) and where calls go (the run's endpoint
/// and cache).
#[derive(Debug, Clone, Default)]
pub struct LlmPolicy {
    /// Grants by judge name, from the policy file's `[llm.<name>]` tables.
    pub grants: BTreeMap<String, Grant>,
    /// `--judge-endpoint`; `None` makes every call answer `not-granted`.
    pub endpoint: Option<Arc<Endpoint>>,
    /// The response cache; `None` (`--no-judge-cache`) calls every time.
    pub cache: Option<ResponseCache>,
}
