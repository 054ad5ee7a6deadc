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

/// Host bindings for `assay:judge@0.2.0` (`wit/v0.2`), which adds the
/// `packed-scorer` and `packed-aggregator` exports to 0.1's world. Only those
/// are used from here: a 0.2 judge is instantiated through the 0.1 bindings
/// above (its world includes 0.1's), and the packed exports are looked up
/// beside them when present.
pub mod v0_2 {
    wasmtime::component::bindgen!({
        path: ["../wit/v0.1", "../wit/v0.2"],
        world: "assay:judge/judge@0.2.0",
        imports: { default: async | trappable },
        exports: { default: async },
        ownership: Borrowing { duplicate_if_necessary: true },
        with: {
            "assay:judge/types@0.1.0": super::types,
            "assay:judge/host@0.1.0": super::assay::judge::host,
        },
    });

    pub use self::exports::assay::judge0_2_0::packed_aggregator::{self, PackedObservations};
    pub use self::exports::assay::judge0_2_0::packed_scorer::{self, PackedChunk};
}
