//! What one judge `Store` owns: a WASI context with nothing granted, the
//! resource limiter and the captured log.
//!
//! Invariant: a guest sees no environment, arguments, preopened directories,
//! sockets or real time. Its wall clock is frozen at the run's start and its
//! randomness is seeded from the run seed, so the same rows give the same
//! verdicts on every run, whatever the chunking.

use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use super::bindings::assay::judge::host::{self, Level};
use super::limits::Limits;

/// One captured guest log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub level: &'static str,
    pub message: String,
}

/// Guest output we keep: `log` calls and stdout/stderr, each capped.
#[derive(Debug, Default)]
pub struct CapturedLog {
    pub lines: Vec<LogLine>,
    pub bytes: usize,
    /// Messages dropped after the per-instance cap was reached.
    pub dropped: u64,
}

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
    log_cap: usize,
    log_line_cap: usize,
    stdout: MemoryOutputPipe,
    stderr: MemoryOutputPipe,
    /// The `llm` capability, for judges the policy granted it.
    pub llm: super::llm::LlmSlot,
}

/// A wall clock that always reads the run's start time.
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

/// 256 bytes from splitmix64: enough variety for guests that hash with
/// `RandomState`, and identical for identical seeds.
fn seed_bytes(seed: u64) -> Vec<u8> {
    let mut x = seed;
    let mut out = Vec::with_capacity(256);
    for _ in 0..32 {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out
}

impl JudgeState {
    pub fn new(limits: &Limits, memory_bytes: usize, run: &RunContext) -> Self {
        let stdout = MemoryOutputPipe::new(limits.max_log_bytes);
        let stderr = MemoryOutputPipe::new(limits.max_log_bytes);
        let mut builder = WasiCtxBuilder::new();
        builder
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(FrozenWallClock(run.started))
            .monotonic_clock(FrozenMonotonicClock)
            .secure_random(wasmtime_wasi::Deterministic::new(seed_bytes(run.seed)))
            .insecure_random(wasmtime_wasi::Deterministic::new(seed_bytes(run.seed ^ 1)))
            .insecure_random_seed(u128::from(run.seed));
        JudgeState {
            wasi: builder.build(),
            table: ResourceTable::new(),
            limiter: Limiter::new(limits, memory_bytes),
            log: CapturedLog::default(),
            log_cap: limits.max_log_bytes,
            log_line_cap: limits.max_log_line_bytes,
            stdout,
            stderr,
            llm: super::llm::LlmSlot::default(),
        }
    }

    /// Everything the guest printed to stdout/stderr (capped), as log lines.
    pub fn drain_output(&mut self) {
        for (level, pipe) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            let bytes = pipe.contents();
            if !bytes.is_empty() {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                self.log.lines.push(LogLine { level, message: text });
            }
        }
    }

    fn push_log(&mut self, level: &'static str, mut message: String) {
        if self.log.bytes >= self.log_cap {
            self.log.dropped += 1;
            return;
        }
        if message.len() > self.log_line_cap {
            let mut cut = self.log_line_cap;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
            message.push('…');
        }
        self.log.bytes += message.len();
        self.log.lines.push(LogLine { level, message });
    }
}

/// Per-run facts every store shares.
#[derive(Debug, Clone, Copy)]
pub struct RunContext {
    /// Wall-clock time at run start (since the Unix epoch), frozen for guests.
    pub started: Duration,
    /// Seed for guest randomness.
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

impl host::Host for JudgeState {
    async fn log(&mut self, level: Level, message: String) -> Result<()> {
        let level = match level {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        };
        self.push_log(level, message);
        Ok(())
    }
}

impl super::bindings::assay::judge::types::Host for JudgeState {}
