//! What one judge `Store` owns: a WASI context with nothing granted, the
//! resource limiter and the captured output (`output.rs`).
//!
//! Invariant: a guest sees no environment, arguments, preopened directories,
//! sockets or real time. Its wall clock reads one fixed instant
//! (`entropy::GUEST_WALL_CLOCK`), its monotonic clock never moves, and its
//! randomness comes from streams keyed by the run seed, the judge and the row
//! (`entropy.rs`), so the same rows give the same verdicts on every run,
//! whatever the workers and the chunking.

use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::bindings::llm::{ChatRequest, ChatResponse, LlmError};
use super::entropy::{Entropy, GUEST_WALL_CLOCK};
use super::limits::Limits;
use super::output::CapturedLog;
pub use super::output::LogLine;
use super::pipe::CappedPipe;

/// The grow request a limiter refused; carried as the trap's source so the
/// runner can name the failure `memory`.
#[derive(Debug, thiserror::Error)]
#[error("linear memory limit exceeded: asked for {desired} bytes, the limit is {limit}")]
pub struct MemoryLimitExceeded {
    pub desired: usize,
    pub limit: usize,
}

/// Caps one store's memories, tables and instances. Refusing a grow returns an
/// error, which wasmtime turns into a trap: a guest that ignores `-1` from
/// `memory.grow` cannot carry on past its cap.
pub struct Limiter {
    memory_bytes: usize,
    table_elements: usize,
    instances: usize,
    tables: usize,
    memories: usize,
    /// Largest linear memory size granted so far, for reports.
    pub peak_memory: usize,
}

impl Limiter {
    pub fn new(limits: &Limits, memory_bytes: usize) -> Self {
        Limiter {
            memory_bytes,
            table_elements: limits.max_table_elements,
            instances: limits.max_instances,
            tables: limits.max_tables,
            memories: limits.max_memories,
            peak_memory: 0,
        }
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> Result<bool> {
        if desired > self.memory_bytes {
            return Err(wasmtime::Error::new(MemoryLimitExceeded {
                desired,
                limit: self.memory_bytes,
            }));
        }
        self.peak_memory = self.peak_memory.max(desired);
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> Result<bool> {
        Ok(desired <= self.table_elements)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.memories
    }
}

/// The data behind every judge `Store`.
pub struct JudgeState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: Limiter,
    pub log: CapturedLog,
    /// The last `error`-level `log` message of the current call (cut to the
    /// per-message cap): a language handler's exception text.
    pub call_error: Option<String>,
    stdout: CappedPipe,
    stderr: CappedPipe,
    /// The `llm` capability, for judges the policy granted it.
    pub llm: super::llm::LlmSlot,
    /// What `wasi:random` serves (linked over WASI's own in `load.rs`).
    pub entropy: Entropy,
}

/// A wall clock that always reads one instant.
struct FrozenWallClock(Duration);

impl HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock that never advances: guest timing cannot leak into verdicts.
struct FrozenMonotonicClock;

impl HostMonotonicClock for FrozenMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }
    fn now(&self) -> u64 {
        0
    }
}

impl JudgeState {
    pub fn new(limits: &Limits, memory_bytes: usize, entropy: Entropy) -> Self {
        let stdout = CappedPipe::new(limits.max_log_bytes);
        let stderr = CappedPipe::new(limits.max_log_bytes);
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(FrozenWallClock(GUEST_WALL_CLOCK))
            .monotonic_clock(FrozenMonotonicClock);
        JudgeState {
            wasi: builder.build(),
            table: ResourceTable::new(),
            limiter: Limiter::new(limits, memory_bytes),
            log: CapturedLog::new(limits.max_log_bytes, limits.max_log_line_bytes),
            call_error: None,
            stdout,
            stderr,
            llm: super::llm::LlmSlot::default(),
            entropy,
        }
    }

    /// Everything the guest printed to stdout/stderr (capped), as log lines,
    /// with a line saying how much past the cap was dropped.
    fn drain_output(&mut self) {
        for (level, pipe) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let (bytes, dropped) = pipe.take();
            self.log.push_output(level, &bytes);
            if dropped > 0 {
                self.log.lines.push(LogLine::new(
                    "host",
                    format!("{dropped} bytes of {level} dropped past the per-instance cap"),
                ));
            }
        }
    }

    /// Starts a guest call: output so far is moved to the log (it belongs
    /// to no row), and the stderr tail starts afresh. Returns where the
    /// call's lines will start in the log, for `end_call`.
    pub fn begin_call(&mut self) -> usize {
        self.drain_output();
        self.stderr.mark();
        self.call_error = None;
        self.log.lines.len()
    }

    /// Ends a guest call: its output is moved to the log and every line it
    /// wrote (`log` calls and output alike) is tagged with its rows.
    /// `rows` is asked for only when the call wrote something.
    pub fn end_call(&mut self, start: usize, rows: impl FnOnce() -> std::sync::Arc<str>) {
        self.drain_output();
        if self.log.lines.len() > start {
            self.log.tag_from(start, &rows());
        }
    }

    /// What the guest said about a failed call, for its failure detail: the
    /// last bytes it wrote to stderr since the call began (`pipe::TAIL_BYTES`,
    /// a runtime's exception text) as `stderr: …`, and its last `error`-level
    /// `log` message as `log: …` (a language handler that logs the exception
    /// before trapping, for a runtime without stderr).
    pub fn call_said(&self) -> Vec<(&'static str, String)> {
        let mut said = Vec::new();
        let tail = String::from_utf8_lossy(&self.stderr.tail()).into_owned();
        if !tail.trim().is_empty() {
            said.push(("stderr", tail));
        }
        if let Some(e) = &self.call_error {
            said.push(("log", e.clone()));
        }
        said
    }

    /// The captured output, ending with what was dropped (drained).
    pub fn take_log(&mut self) -> CapturedLog {
        self.drain_output();
        let fresh = CapturedLog::new(self.log.cap(), self.log.line_cap());
        std::mem::replace(&mut self.log, fresh)
    }
}

/// Per-run facts every store shares.
#[derive(Debug, Clone, Copy)]
pub struct RunContext {
    /// Seed for guest randomness (`--seed`).
    pub seed: u64,
}

impl WasiView for JudgeState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl super::bindings::assay::judge::types::Host for JudgeState {}

impl super::bindings::llm::Host for JudgeState {
    async fn chat(&mut self, request: ChatRequest) -> Result<std::result::Result<ChatResponse, LlmError>> {
        Ok(self.llm.chat(request).await)
    }
}
