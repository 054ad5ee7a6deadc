//! Turning a judge on disk into a `JudgePre`: every check happens here, before
//! any guest code runs. A `JudgePre` is to a `JudgeInstance` what wasmtime's
//! `InstancePre` is to an `Instance` (Kubewarden's `PolicyEvaluatorPre` to its
//! evaluator): checked, linked and compiled once, instantiated cheaply per store.
//!
//! Invariant: a `JudgePre` has a manifest this host supports, a component
//! whose size and sha256 match, limits within the operator's ceilings, and no
//! import the host does not grant. Each refusal names the judge and the reason.

mod error;
mod imports;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::component::{HasSelf, InstancePre, Linker};

pub use self::error::LoadError;
use self::imports::{check_declared_imports, check_imports, grant_llm};
use super::bindings::{self, JudgeWithLlmIndices, v0_2};
use super::cache::CompileCache;
use super::compile::{CompileError, compile_within};
use super::engine::JudgeEngine;
use super::files::{ReadError, read_regular};
use super::limits::Limits;
use super::llm::LlmAccess;
use super::manifest::{JudgeEntry, PACKED_WIT};
use super::policy::Policy;
use super::state::JudgeState;

/// A judge that passed every load check, ready to instantiate cheaply.
pub struct JudgePre {
    pub entry: JudgeEntry,
    pub sha256: String,
    pub limits: Limits,
    pub pre: InstancePre<JudgeState>,
    /// Where the 0.1 world's exports sit in the component.
    pub exports: JudgeWithLlmIndices,
    /// Where `packed-scorer` and `packed-aggregator` (`assay:judge@0.2.0`) sit
    /// in the component, for a judge built against 0.2; `None` for a 0.1
    /// judge, which is called through `score-batch` and `observe`.
    pub packed: Option<PackedIndices>,
    /// The judge's share of the `llm` capability, when it imports it (and was
    /// therefore granted it).
    pub llm: Option<Arc<LlmAccess>>,
    /// Set once the judge read `wasi:random` inside a multi-row call: from
    /// then on it is scored one row per call (see `entropy.rs`).
    reads_randomness: AtomicBool,
}

impl JudgePre {
    pub fn name(&self) -> &str {
        &self.entry.manifest.name
    }

    /// Whether rows must reach this judge one per call.
    pub fn reads_randomness(&self) -> bool {
        self.reads_randomness.load(Ordering::Relaxed)
    }

    pub(crate) fn set_reads_randomness(&self) {
        self.reads_randomness.store(true, Ordering::Relaxed);
    }
}

/// Runs the load-time checks in order: limits, size, hash, compile, imports,
/// exports. Nothing of the guest runs.
pub fn load(
    engine: &JudgeEngine,
    cache: Option<&CompileCache>,
    policy: &Policy,
    entry: JudgeEntry,
) -> Result<Arc<JudgePre>, LoadError> {
    let name = entry.manifest.name.clone();
    let judge = || name.clone();
    let limits = policy
        .limits_for(&entry.manifest.limits)
        .map_err(|source| LoadError::Limits {
            judge: judge(),
            manifest: entry.path.clone(),
            source,
        })?;

    let path = entry.component_path();
    let unreadable = |source| LoadError::Unreadable {
        judge: judge(),
        path: path.clone(),
        source,
    };
    let wasm = read_regular(&path, limits.max_wasm_bytes).map_err(|e| match e {
        ReadError::Io { source } => unreadable(source),
        ReadError::NotAFile => LoadError::NotAFile {
            judge: judge(),
            path: path.clone(),
        },
        ReadError::TooLarge { size, limit } => LoadError::TooLarge {
            judge: judge(),
            path: path.clone(),
            size,
            limit,
        },
    })?;
    let sha256 = hex::encode(Sha256::digest(&wasm));
    match &entry.manifest.sha256 {
        None => {
            return Err(LoadError::Unpinned {
                judge: judge(),
                manifest: entry.path.clone(),
            });
        }
        Some(want) if !want.eq_ignore_ascii_case(&sha256) => {
            return Err(LoadError::HashMismatch {
                judge: judge(),
                path,
                want: want.clone(),
                got: sha256,
            });
        }
        Some(_) => {}
    }

    check_declared_imports(&name, &wasm)?;
    let engine_key = engine.compatibility_key();
    let cached = cache.and_then(|c| c.load(&engine.engine, &engine_key, &sha256));
    let (component, compiled) = match cached {
        Some(c) => (c, None),
        None => {
            let (c, bytes) = compile_within(&engine.engine, &wasm, limits.max_function_bytes, limits.compile_timeout)
                .map_err(|e| match e {
                CompileError::Failed(source) => LoadError::NotAComponent {
                    judge: judge(),
                    path: path.clone(),
                    what: wasm_kind(&wasm),
                    source,
                },
                source => LoadError::CompileBudget {
                    judge: judge(),
                    path: path.clone(),
                    source,
                },
            })?;
            (c, Some(bytes))
        }
    };
    check_imports(&name, &component, engine)?;
    let llm = grant_llm(&entry, &sha256, &component, engine, policy)?;

    let link = |what: &'static str| {
        let judge = judge();
        move |source| LoadError::Link { judge, what, source }
    };
    let mut linker: Linker<JudgeState> = Linker::new(&engine.engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(link("cannot link WASI"))?;
    super::entropy::link(&mut linker, |s| &mut s.entropy).map_err(link("cannot link wasi:random"))?;
    let link_err = link("cannot link the judge interface");
    super::output::link_log(&mut linker).map_err(link_err.clone())?;
    bindings::assay::judge::types::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(link_err.clone())?;
    if llm.is_some() {
        bindings::llm::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(link_err)?;
    }
    let instance_pre = linker.instantiate_pre(&component).map_err(link("cannot link"))?;
    let exports =
        JudgeWithLlmIndices::new(&instance_pre).map_err(link("does not export the assay:judge@0.1.0 world"))?;
    let packed =
        packed_exports(&instance_pre).map_err(link("does not export assay:judge@0.2.0's packed calls as 0.2 does"))?;
    if packed.is_none() && entry.manifest.wit == PACKED_WIT {
        return Err(LoadError::NotPacked {
            judge: judge(),
            manifest: entry.path.clone(),
            wit: entry.manifest.wit.clone(),
            path,
        });
    }
    // Only a component that passed every check is kept for the next run.
    if let (Some(cache), Some(bytes)) = (cache, compiled) {
        cache.store(&engine_key, &sha256, &bytes);
    }
    Ok(Arc::new(JudgePre {
        entry,
        sha256,
        limits,
        pre: instance_pre,
        exports,
        packed,
        llm,
        reads_randomness: AtomicBool::new(false),
    }))
}

/// The exports `assay:judge@0.2.0` adds.
pub struct PackedIndices {
    pub scorer: v0_2::packed_scorer::GuestIndices,
    pub aggregator: v0_2::packed_aggregator::GuestIndices,
}

/// The component's packed exports: `None` when it has neither (a 0.1
/// judge), an error when it has one without the other. Their function types
/// are checked when an instance loads them.
fn packed_exports(pre: &InstancePre<JudgeState>) -> wasmtime::Result<Option<PackedIndices>> {
    const SCORER: &str = "assay:judge/packed-scorer@0.2.0";
    const AGGREGATOR: &str = "assay:judge/packed-aggregator@0.2.0";
    let has = |name| pre.component().get_export_index(None, name).is_some();
    if !has(SCORER) && !has(AGGREGATOR) {
        return Ok(None);
    }
    Ok(Some(PackedIndices {
        scorer: v0_2::packed_scorer::GuestIndices::new(pre)?,
        aggregator: v0_2::packed_aggregator::GuestIndices::new(pre)?,
    }))
}

/// What bytes that failed to compile are, for the refusal: a judge must be a
/// WebAssembly component (layer 1), not a core module or something else.
fn wasm_kind(wasm: &[u8]) -> &'static str {
    const CORE: [u8; 4] = [1, 0, 0, 0];
    const COMPONENT: [u8; 4] = [0x0d, 0, 1, 0];
    match (wasm.get(..4), wasm.get(4..8)) {
        (Some(b"\0asm"), Some(v)) if v == CORE => {
            "a core WebAssembly module, not a component; a judge must be a component \
             (build it for wasm32-wasip2, e.g. with `assay judge build`)"
        }
        (Some(b"\0asm"), Some(v)) if v == COMPONENT => "a WebAssembly component that does not validate",
        (Some(b"\0asm"), _) => "WebAssembly of an unknown version; a judge must be a component",
        _ => "not WebAssembly (no `\\0asm` header); a judge must be a WebAssembly component",
    }
}
