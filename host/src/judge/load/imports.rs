//! What a component may import: the inert WASI every language runtime
//! imports, the judge interface, and `llm` for a judge the policy grants it.
//!
//! Invariant: a component with an import outside this list, or an `llm`
//! import without a matching grant, is refused before anything links or runs.

use std::sync::Arc;

use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

use super::error::LoadError;
use crate::judge::engine::JudgeEngine;
use crate::judge::llm::{LLM_IMPORT, LlmAccess};
use crate::judge::manifest::JudgeEntry;
use crate::judge::policy::Policy;
use crate::judge::registry::BUILT_IN;

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

/// A judge that imports `llm` needs a grant for its name and, unless it is
/// the built-in judge of that name, a grant pinned to its sha256; a judge that
/// does not import it gets nothing.
pub(super) fn grant_llm(
    entry: &JudgeEntry,
    sha256: &str,
    component: &Component,
    engine: &JudgeEngine,
    policy: &Policy,
) -> Result<Option<Arc<LlmAccess>>, LoadError> {
    let name = entry.manifest.name.as_str();
    let ty = component.component_type();
    let Some((import, _)) = ty.imports(&engine.engine).find(|(n, _)| n.starts_with(LLM_IMPORT)) else {
        return Ok(None);
    };
    // A judge that asks only in its code, not in its manifest, is refused before the policy is consulted.
    if !entry.manifest.capabilities.llm {
        return Err(LoadError::UndeclaredLlm {
            judge: name.to_owned(),
            import: import.to_owned(),
        });
    }
    let Some(grant) = policy.llm.grants.get(name) else {
        let hint = match &policy.source {
            Some(p) => format!("add an [llm.{name}] table to {}", p.display()),
            None => format!("pass --policy with an [llm.{name}] table"),
        };
        return Err(LoadError::NoLlmGrant {
            judge: name.to_owned(),
            import: import.to_owned(),
            hint,
        });
    };
    match &grant.sha256 {
        Some(pin) if pin != sha256 => {
            return Err(LoadError::GrantPinMismatch {
                judge: name.to_owned(),
                pin: pin.clone(),
                sha256: sha256.to_owned(),
            });
        }
        // A grant by name alone is for the judge shipped with assay: a judge
        // from anywhere else must be named by its sha256.
        None if entry.origin != BUILT_IN => {
            return Err(LoadError::GrantUnpinned {
                judge: name.to_owned(),
                origin: entry.origin,
                path: entry.path.clone(),
                sha256: sha256.to_owned(),
            });
        }
        _ => {}
    }
    let llm = &policy.llm;
    Ok(Some(Arc::new(LlmAccess::new(
        name,
        grant.clone(),
        llm.endpoint.clone(),
        llm.cache.clone(),
    ))))
}

/// The top-level imports of the component in `wasm`, read from the binary
/// without compiling it: `(name, is an instance)`. `None` when the bytes do
/// not parse (compiling then says why).
fn declared_imports(wasm: &[u8]) -> Option<Vec<(String, bool)>> {
    use wasmparser::{ComponentTypeRef, Parser, Payload};
    let mut depth = 0usize;
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    let import = import.ok()?;
                    let instance = matches!(import.ty, ComponentTypeRef::Instance(_));
                    out.push((import.name.name.to_owned(), instance));
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// Refuses, before any compiling, a component whose binary declares an
/// import this host does not grant: a refused component costs a parse, not a
/// compile (a 19 MB compile bomb took up to 45 s and 1.7 GiB to compile).
pub(super) fn check_declared_imports(name: &str, wasm: &[u8]) -> Result<(), LoadError> {
    let Some(imports) = declared_imports(wasm) else {
        return Ok(());
    };
    let bad: Vec<String> = imports
        .into_iter()
        .filter(|(n, instance)| !(*instance && GRANTED_IMPORTS.iter().any(|p| n.starts_with(p))))
        .map(|(n, _)| n)
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(LoadError::Ungranted {
        judge: name.to_owned(),
        imports: bad,
    })
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

pub(super) fn check_imports(name: &str, component: &Component, engine: &JudgeEngine) -> Result<(), LoadError> {
    let bad = ungranted_imports(component, engine);
    if bad.is_empty() {
        return Ok(());
    }
    Err(LoadError::Ungranted {
        judge: name.to_owned(),
        imports: bad,
    })
}
