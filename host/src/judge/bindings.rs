//! Host bindings for the frozen judge interface `assay:judge@0.1.0` (`wit/v0.1`)
//! and the granted capability `assay:llm@0.1.0` (`wit/llm/v0.1`).
//!
//! The world is `judge-with-llm`: its exports are exactly the judge world's, so
//! one `JudgeWithLlmPre` serves judges that import `llm` and judges that do not. Whether
//! `llm` is linked at all is decided per judge at load time (`load.rs`).
//!
//! Every export is called asynchronously so a wall-clock deadline can cancel a
//! guest that waits inside a host call (a WASI sleep) as well as one that
//! computes: epochs and fuel never see time spent in the host. Rows are passed
//! borrowed, so building a chunk copies no response text on the host side.

wasmtime::component::bindgen!({
    path: ["../wit/v0.1", "../wit/llm/v0.1"],
    world: "assay:llm/judge-with-llm",
    imports: { default: async | trappable },
    exports: { default: async },
    ownership: Borrowing { duplicate_if_necessary: true },
});

pub use self::assay::judge::types;
pub use self::assay::llm::llm;

/// `LlmError::kind` and `message`, spelled once for the host and the SDK.
mod llm_error_names {
    use super::llm::LlmError;
    include!("../../../wit/llm/llm_error_names.rs");
}
