//! The judge sandbox: finding judges by name, loading them with every check
//! up front, and running them under hard limits.
//!
//! Flow: `registry` (manifests, no wasm) → `load` (checks, compile, `JudgePre`)
//! → `instance` (a `Store` per worker) → `runner` (chunks, trap isolation).

pub mod bindings;
pub mod budget;
pub mod build;
pub mod cache;
pub mod compile;
pub mod engine;
pub mod entropy;
pub mod failure;
pub mod files;
pub mod instance;
pub mod limits;
pub mod llm;
pub mod load;
pub mod manifest;
pub mod output;
pub mod packed;
pub mod pipe;
pub mod policy;
pub mod registry;
pub mod repro;
pub mod runner;
pub mod scaffold;
pub mod state;
pub mod text;

pub use failure::{Failure, FailureKind, RowResult, Verdict};
pub use instance::{AggregatorError, JudgeInstance, Role, StartError};
pub use limits::Limits;
pub use load::{JudgePre, LoadError};
pub use manifest::{JudgeEntry, Manifest};
pub use policy::Policy;
