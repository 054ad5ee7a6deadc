//! Host bindings for the frozen judge interface `assay:judge@0.1.0` (`wit/v0.1`).
//!
//! Every export is called asynchronously so a wall-clock deadline can cancel a
//! guest that waits inside a host call (a WASI sleep) as well as one that
//! computes: epochs and fuel never see time spent in the host. Rows are passed
//! borrowed, so building a chunk copies no response text on the host side.

wasmtime::component::bindgen!({
    path: "../wit/v0.1",
    world: "judge",
    imports: { default: async | trappable },
    exports: { default: async },
    ownership: Borrowing { duplicate_if_necessary: true },
});

pub use self::assay::judge::types;
