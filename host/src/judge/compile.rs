//! Compiling a checked component under a budget: a ceiling on the largest
//! function body, read from the binary before compiling, and a wall-clock
//! deadline on the compile itself.
//!
//! Invariant: no component reaches Cranelift with a function body above
//! `Limits::max_function_bytes` (Cranelift's working memory grows with the
//! size of the function it compiles, and parallel compilation holds one
//! function per core, so this bounds compile memory where the wasm size
//! limit alone does not); a compile still running at `Limits::compile_timeout`
//! is abandoned and the judge refused, naming the limit. The abandoned
//! compile thread finishes on its own and its result is dropped: a refused
//! judge stops the run, so the process does not wait for it.

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use wasmparser::{Parser, Payload};
use wasmtime::Engine;
use wasmtime::component::Component;

use super::cache::CompileCache;

/// Why a component was not compiled.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error(
        "has a function body of {size} bytes, above the {limit} byte compile limit \
         (max-function-kib in the policy's [defaults])"
    )]
    FunctionTooLarge { size: u64, limit: u64 },
    #[error("did not compile within the {} s compile limit (compile-timeout-s in the policy's [defaults])", limit.as_secs_f64())]
    TooSlow { limit: Duration },
    #[error("compile failed")]
    Failed(#[source] wasmtime::Error),
    #[error("cannot start a compile thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// The largest function body in `wasm` (a component or a core module,
/// nested modules included), in bytes. Bytes that do not parse give 0: the
/// compile itself then refuses them, naming what they are.
pub fn largest_function(wasm: &[u8]) -> u64 {
    let mut largest = 0u64;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::CodeSectionEntry(body)) => {
                largest = largest.max(body.range().len() as u64);
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    largest
}

/// Compiles `wasm` within `max_function_bytes` and `timeout`, returning the
/// component and the bytes to cache.
pub fn compile_within(
    engine: &Engine,
    wasm: &[u8],
    max_function_bytes: u64,
    timeout: Duration,
) -> Result<(Component, Vec<u8>), CompileError> {
    let size = largest_function(wasm);
    if size > max_function_bytes {
        return Err(CompileError::FunctionTooLarge {
            size,
            limit: max_function_bytes,
        });
    }
    let (tx, rx) = channel();
    let engine = engine.clone();
    let wasm = wasm.to_vec();
    std::thread::Builder::new()
        .name("assay-compile".into())
        .spawn(move || {
            // The receiver is gone when the deadline passed: nothing to tell.
            let _ = tx.send(CompileCache::compile(&engine, &wasm));
        })
        .map_err(CompileError::Thread)?;
    match rx.recv_timeout(timeout) {
        Ok(result) => result.map_err(CompileError::Failed),
        Err(RecvTimeoutError::Timeout) => Err(CompileError::TooSlow { limit: timeout }),
        Err(RecvTimeoutError::Disconnected) => Err(CompileError::Failed(wasmtime::Error::msg(
            "the compile thread stopped without a result",
        ))),
    }
}
