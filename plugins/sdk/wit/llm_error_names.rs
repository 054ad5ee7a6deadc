// The one spelling of `assay:llm` `llm-error` case names in Rust, shared by the
// host (`host/src/judge/bindings.rs`) and the judge SDK (`assay-judge-sdk`), which
// generate their own `LlmError` types from `wit/llm/v0.1` and `include!` this
// file where that type is in scope. Kept beside the WIT so a new case is
// spelled once, next to its definition.

impl LlmError {
    /// The error's case name as the WIT spells it (`budget-exhausted`, ...),
    /// for labels and counters.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotGranted(_) => "not-granted",
            Self::ModelNotAllowed(_) => "model-not-allowed",
            Self::RowLimit(_) => "row-limit",
            Self::BudgetExhausted(_) => "budget-exhausted",
            Self::Timeout(_) => "timeout",
            Self::Endpoint(_) => "endpoint",
            Self::InvalidRequest(_) => "invalid-request",
        }
    }

    /// The host's explanation.
    pub fn message(&self) -> &str {
        match self {
            Self::NotGranted(m)
            | Self::ModelNotAllowed(m)
            | Self::RowLimit(m)
            | Self::BudgetExhausted(m)
            | Self::Timeout(m)
            | Self::Endpoint(m)
            | Self::InvalidRequest(m) => m,
        }
    }
}
