//! Why a judge was refused at load time.
//!
//! Invariant: every refusal names the judge, and the file or import it is
//! about; an underlying error (I/O, wasmtime, a limit) is kept as the source.

use std::path::PathBuf;

use crate::judge::limits::LimitError;

/// Why a judge was refused at load time; each names the judge.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("judge '{judge}': manifest {}: {source}", manifest.display())]
    Limits {
        judge: String,
        manifest: PathBuf,
        #[source]
        source: LimitError,
    },
    #[error("judge '{judge}': cannot read component {}: {source}", path.display())]
    Unreadable {
        judge: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("judge '{judge}': component {} is {size} bytes, above the {limit} byte limit", path.display())]
    TooLarge {
        judge: String,
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("judge '{judge}': manifest {} has no sha256; build it with `assay judge build`", manifest.display())]
    Unpinned { judge: String, manifest: PathBuf },
    #[error("judge '{judge}': sha256 mismatch: manifest says {want}, {} is {got}", path.display())]
    HashMismatch {
        judge: String,
        path: PathBuf,
        want: String,
        got: String,
    },
    #[error("judge '{judge}': component {} is not a regular file", path.display())]
    NotAFile { judge: String, path: PathBuf },
    #[error("judge '{judge}': {} is not a valid component: it is {what}: {source:#}", path.display())]
    NotAComponent {
        judge: String,
        path: PathBuf,
        what: &'static str,
        #[source]
        source: wasmtime::Error,
    },
    #[error("judge '{judge}': component {} {source}", path.display())]
    CompileBudget {
        judge: String,
        path: PathBuf,
        #[source]
        source: crate::judge::compile::CompileError,
    },
    #[error("judge '{judge}': imports {}, which this host does not grant", imports.join(", "))]
    Ungranted { judge: String, imports: Vec<String> },
    #[error("judge '{judge}': imports {import}, which its manifest does not declare ([capabilities] llm = true)")]
    UndeclaredLlm { judge: String, import: String },
    #[error("judge '{judge}': imports {import}, and the operator policy grants it no LLM access ({hint})")]
    NoLlmGrant {
        judge: String,
        import: String,
        hint: String,
    },
    #[error("judge '{judge}': the LLM grant is pinned to sha256 {pin}, and this component is {sha256}")]
    GrantPinMismatch { judge: String, pin: String, sha256: String },
    #[error(
        "judge '{judge}': imports assay:llm, and its grant names no sha256, which only the built-in judge of that name may use; this one is from {origin} ({}): add sha256 = \"{sha256}\" to the grant to allow it",
        path.display()
    )]
    GrantUnpinned {
        judge: String,
        origin: &'static str,
        path: PathBuf,
        sha256: String,
    },
    #[error("judge '{judge}': {what}: {source:#}")]
    Link {
        judge: String,
        what: &'static str,
        #[source]
        source: wasmtime::Error,
    },
    #[error(
        "judge '{judge}': manifest {} declares wit = \"{wit}\", and component {} does not export assay:judge@0.2.0's packed-scorer and packed-aggregator; rebuild it with assay-judge-sdk 0.2, or declare assay:judge@0.1.0",
        manifest.display(), path.display()
    )]
    NotPacked {
        judge: String,
        manifest: PathBuf,
        wit: String,
        path: PathBuf,
    },
}
