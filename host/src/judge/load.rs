//! Turning a judge on disk into a `JudgePre`: every check happens here, before
//! any guest code runs.
//!
//! Invariant: a `LoadedJudge` has a manifest this host supports, a component
//! whose size and sha256 match, limits within the operator's ceilings, and no
//! import the host does not grant. Each refusal names the judge and the reason.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, HasSelf, Linker};

use super::bindings::{self, JudgePre};
use super::cache::CompileCache;
use super::engine::JudgeEngine;
use super::limits::{Limits, Policy};
use super::llm::{LLM_IMPORT, LlmAccess};
use super::manifest::JudgeEntry;
use super::state::JudgeState;

/// Import prefixes any judge may use: the judge interface's own host
/// functions, and the WASI interfaces Rust/Python/JS runtimes import even when
/// unused. Those are linked with nothing granted (no env, no preopens, closed
/// stdin, frozen clocks). Sockets and HTTP are absent: a judge importing them
/// is refused at load time.
const GRANTED_IMPORTS: &[&str] = &[
    "assay:judge/host@0.1.",
    // Granted per judge by the policy; `grant_llm` refuses the rest.
    "assay:llm/llm@0.1.",
    "assay:judge/types@0.1.",
    "wasi:cli/environment@0.2.",
    "wasi:cli/exit@0.2.",
    "wasi:cli/stdin@0.2.",
    "wasi:cli/stdout@0.2.",
    "wasi:cli/stderr@0.2.",
    "wasi:cli/terminal-input@0.2.",
    "wasi:cli/terminal-output@0.2.",
    "wasi:cli/terminal-stdin@0.2.",
    "wasi:cli/terminal-stdout@0.2.",
    "wasi:cli/terminal-stderr@0.2.",
    "wasi:io/error@0.2.",
    "wasi:io/poll@0.2.",
    "wasi:io/streams@0.2.",
    "wasi:clocks/monotonic-clock@0.2.",
    "wasi:clocks/wall-clock@0.2.",
    "wasi:random/random@0.2.",
    "wasi:random/insecure@0.2.",
    "wasi:random/insecure-seed@0.2.",
    "wasi:filesystem/types@0.2.",
    "wasi:filesystem/preopens@0.2.",
];

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("judge '{judge}': {reason}")]
    Refused { judge: String, reason: String },
}

fn refuse(judge: &str, reason: impl Into<String>) -> LoadError {
    LoadError::Refused {
        judge: judge.to_owned(),
        reason: reason.into(),
    }
}

/// A judge that passed every load check, ready to instantiate cheaply.
pub struct LoadedJudge {
    pub entry: JudgeEntry,
    pub sha256: String,
    pub limits: Limits,
    pub pre: JudgePre<JudgeState>,
    /// The judge's share of the `llm` capability, when it imports it (and was
    /// therefore granted it).
    pub llm: Option<Arc<LlmAccess>>,
}

impl LoadedJudge {
    pub fn name(&self) -> &str {
        &self.entry.manifest.name
    }
}

/// Runs the load-time checks in order: limits, size, hash, compile, imports,
/// exports. Nothing of the guest runs.
pub fn load(
    engine: &JudgeEngine,
    cache: Option<&CompileCache>,
    policy: &Policy,
    entry: JudgeEntry,
) -> Result<Arc<LoadedJudge>, LoadError> {
    let name = entry.manifest.name.clone();
    let limits = policy
        .limits_for(&entry.manifest.limits)
        .map_err(|r| refuse(&name, format!("manifest {}: {r}", entry.path.display())))?;

    let path = entry.component_path();
    let size = std::fs::metadata(&path)
        .map_err(|e| refuse(&name, format!("cannot read component {}: {e}", path.display())))?
        .len();
    if size > limits.max_wasm_bytes {
        return Err(refuse(
            &name,
            format!(
                "component {} is {size} bytes, above the {} byte limit",
                path.display(),
                limits.max_wasm_bytes
            ),
        ));
    }
    let wasm = std::fs::read(&path).map_err(|e| refuse(&name, format!("cannot read {}: {e}", path.display())))?;
    let sha256 = hex::encode(Sha256::digest(&wasm));
    match &entry.manifest.sha256 {
        None => {
            return Err(refuse(
                &name,
                format!(
                    "manifest {} has no sha256; build it with `assay judge build`",
                    entry.path.display()
                ),
            ));
        }
        Some(want) if !want.eq_ignore_ascii_case(&sha256) => {
            return Err(refuse(
                &name,
                format!("sha256 mismatch: manifest says {want}, {} is {sha256}", path.display()),
            ));
        }
        Some(_) => {}
    }

    let component = match cache {
        Some(cache) => cache.load_or_compile(&engine.engine, &engine.compatibility_key(), &sha256, &wasm),
        None => Component::new(&engine.engine, &wasm),
    }
    .map_err(|e| refuse(&name, format!("{} is not a valid component: {e}", path.display())))?;

    check_imports(&name, &component, engine)?;
    let llm = grant_llm(
        &name,
        entry.manifest.capabilities.llm,
        &sha256,
        &component,
        engine,
        policy,
    )?;

    let mut linker: Linker<JudgeState> = Linker::new(&engine.engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(|e| refuse(&name, format!("cannot link WASI: {e}")))?;
    let link_err = |e: wasmtime::Error| refuse(&name, format!("cannot link the judge interface: {e}"));
    bindings::assay::judge::host::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(link_err)?;
    bindings::assay::judge::types::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(link_err)?;
    if llm.is_some() {
        bindings::llm::add_to_linker::<_, HasSelf<_>>(&mut linker, |s| s).map_err(link_err)?;
    }
    let instance_pre = linker
        .instantiate_pre(&component)
        .map_err(|e| refuse(&name, format!("cannot link: {e}")))?;
    let pre = JudgePre::new(instance_pre)
        .map_err(|e| refuse(&name, format!("does not export the assay:judge@0.1.0 world: {e}")))?;
    Ok(Arc::new(LoadedJudge {
        entry,
        sha256,
        limits,
        pre,
        llm,
    }))
}

/// A judge that imports `llm` needs a grant for its name (and, when the grant
/// pins one, its sha256); a judge that does not import it gets nothing.
fn grant_llm(
    name: &str,
    entry_declares_llm: bool,
    sha256: &str,
    component: &Component,
    engine: &JudgeEngine,
    policy: &Policy,
) -> Result<Option<Arc<LlmAccess>>, LoadError> {
    let ty = component.component_type();
    let Some((import, _)) = ty.imports(&engine.engine).find(|(n, _)| n.starts_with(LLM_IMPORT)) else {
        return Ok(None);
    };
    // A judge that asks only in its code, not in its manifest, is refused before the policy is consulted.
    if !entry_declares_llm {
        return Err(refuse(
            name,
            format!("imports {import}, which its manifest does not declare ([capabilities] llm = true)"),
        ));
    }
    let Some(grant) = policy.llm.grants.get(name) else {
        let hint = match &policy.source {
            Some(p) => format!("add an [llm.{name}] table to {}", p.display()),
            None => format!("pass --policy with an [llm.{name}] table"),
        };
        return Err(refuse(
            name,
            format!("imports {import}, and the operator policy grants it no LLM access ({hint})"),
        ));
    };
    if let Some(pin) = &grant.sha256
        && pin != sha256
    {
        return Err(refuse(
            name,
            format!("the LLM grant is pinned to sha256 {pin}, and this component is {sha256}"),
        ));
    }
    let llm = &policy.llm;
    Ok(Some(Arc::new(LlmAccess::new(
        name,
        grant.clone(),
        llm.endpoint.clone(),
        llm.cache.clone(),
    ))))
}

/// The names of a component's imports that this host does not grant.
fn ungranted_imports(component: &Component, engine: &JudgeEngine) -> Vec<String> {
    let ty = component.component_type();
    ty.imports(&engine.engine)
        .filter(|(name, item)| {
            let is_instance = matches!(item.ty, ComponentItem::ComponentInstance(_));
            !(is_instance && GRANTED_IMPORTS.iter().any(|p| name.starts_with(p)))
        })
        .map(|(name, _)| name.to_owned())
        .collect()
}

fn check_imports(name: &str, component: &Component, engine: &JudgeEngine) -> Result<(), LoadError> {
    let bad = ungranted_imports(component, engine);
    if bad.is_empty() {
        return Ok(());
    }
    Err(refuse(
        name,
        format!("imports {}, which this host does not grant", bad.join(", ")),
    ))
}
