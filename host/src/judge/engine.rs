//! One wasmtime `Engine` per process, configured for untrusted judges, plus
//! the epoch ticker that lets wall-clock deadlines interrupt running guests.
//!
//! Invariant: every store made from this engine meters fuel and observes
//! epochs; proposals judges do not need are off, to keep the attack surface
//! small (GC and threads are not even compiled in).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Engine, OptLevel};

/// How often the epoch advances. 10 ms (as in Spin) keeps the cost of epoch
/// checks small while letting a timeout land within a tick of its deadline.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Guest stack cap. 512 KiB is wasmtime's default and plenty for judges;
/// deeper recursion is a bug or an attack and traps as a stack overflow.
const MAX_WASM_STACK: usize = 512 * 1024;

#[derive(Debug, thiserror::Error)]
#[error("cannot configure the WebAssembly engine: {0}")]
pub struct EngineError(String);

/// The engine and its ticker; dropping it stops the ticker thread.
pub struct JudgeEngine {
    pub engine: Engine,
    stop: Arc<AtomicBool>,
}

impl JudgeEngine {
    pub fn new() -> Result<JudgeEngine, EngineError> {
        let mut config = Config::new();
        config
            .wasm_component_model(true)
            .consume_fuel(true)
            .epoch_interruption(true)
            .max_wasm_stack(MAX_WASM_STACK)
            .cranelift_opt_level(OptLevel::Speed)
            .parallel_compilation(true)
            // NaN bit patterns differ between CPUs; canonical NaNs keep a
            // judge's arithmetic identical on every machine.
            .cranelift_nan_canonicalization(true)
            .wasm_simd(true);
        if std::env::var_os("ASSAY_PERF_MAP").is_some() {
            // For `perf` runs only (bench/RESULTS.md): names the judges'
            // compiled functions in /tmp/perf-<pid>.map.
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(|e| EngineError(e.to_string()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker_engine = engine.weak();
        let ticker_stop = stop.clone();
        std::thread::Builder::new()
            .name("assay-epoch".into())
            .spawn(move || {
                while !ticker_stop.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    match ticker_engine.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })
            .map_err(|e| EngineError(format!("cannot start the epoch ticker: {e}")))?;
        Ok(JudgeEngine { engine, stop })
    }

    /// A stable fingerprint of everything that makes compiled code valid for
    /// this engine; part of the compile-cache key.
    pub fn compatibility_key(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.engine.precompile_compatibility_hash().hash(&mut h);
        format!("{:016x}", h.finish())
    }
}

impl Drop for JudgeEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests;
