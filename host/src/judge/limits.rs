//! Sandbox limits: the documented defaults, the operator's ceilings, the rule
//! that a judge's manifest may ask for more only up to those ceilings, and
//! every deadline derived from them.
//!
//! Invariant: every limit a judge runs under is at most the operator's ceiling;
//! a manifest that asks for more is refused at load time, never clamped
//! silently. All limit and deadline arithmetic lives here and saturates or is
//! checked: no value a policy or manifest supplies can overflow or panic.

use std::time::Duration;

use super::manifest::RequestedLimits;

pub const MIB: u64 = 1024 * 1024;

/// The default and ceiling of `max-wasm-mib` (see `Limits::max_wasm_bytes`).
pub const DEFAULT_MAX_WASM_BYTES: u64 = 40 * MIB;

/// Longest `judge-error` message kept (and `init`'s config error): a reason
/// fits in a line; a judge cannot bloat `--rows-out` with megabytes per row.
pub const MAX_JUDGE_MESSAGE_BYTES: usize = 1024;

/// Most metrics, and most alarms, one aggregator report may add to a summary.
/// The built-ins report under 100; past this the rest are dropped and counted.
pub const MAX_REPORT_ITEMS: usize = 1000;

/// Longest alarm message kept.
pub const MAX_ALARM_MESSAGE_BYTES: usize = 1024;

/// The limits one judge runs under. Defaults follow measured costs on a
/// 2-core machine (see the README's "Limits" table for the reasoning).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Fuel per row for `score-batch`; a chunk gets rows × this. 100M is about
    /// 50 ms of hot loop: far above what a JSON-checking judge uses (~100k).
    pub fuel_per_row: u64,
    /// Fuel for instantiation plus `init` (compiling a schema, parsing a table).
    pub init_fuel: u64,
    /// Fuel per aggregator call (`begin`, each `observe` chunk, `finish`).
    pub aggregator_fuel: u64,
    /// Wall-clock backstop per call: base + per row. Catches guests that wait
    /// inside a host call, which neither fuel nor epochs can see.
    pub call_timeout_base: Duration,
    pub call_timeout_per_row: Duration,
    /// Longest one `score-batch` call may take, however many rows it has: past
    /// it the chunk is replayed row by row, each row under its own deadline,
    /// so one slow row cannot hold the rest of its chunk for minutes.
    pub chunk_timeout_max: Duration,
    /// Wall-clock time a judge's calls may take over the whole run, summed
    /// over workers and not counting `llm` waits. Past it the judge is stopped.
    pub run_budget: Duration,
    /// Linear memory cap for scorer instances.
    pub memory_bytes: usize,
    /// Linear memory cap for the run-long aggregator instance.
    pub aggregator_memory_bytes: usize,
    pub max_table_elements: usize,
    pub max_instances: usize,
    pub max_tables: usize,
    pub max_memories: usize,
    /// Largest `.wasm` accepted, checked before compiling: it bounds what a
    /// judge makes the host read and compile (disk, memory, compile time)
    /// before any other check can run. Not a security boundary (fuel, memory
    /// and deadlines are); 40 MiB is about twice the Python scaffold with
    /// common standard-library modules imported (21.4 MB measured with json,
    /// re, traceback, datetime, decimal, csv, statistics, email, asyncio and
    /// others; the bare scaffold is 18.4 MB), the largest judges in CI.
    pub max_wasm_bytes: u64,
    pub max_label_bytes: usize,
    pub max_details_bytes: usize,
    /// Captured log bytes per instance, and per message.
    pub max_log_bytes: usize,
    pub max_log_line_bytes: usize,
    /// Recycle a scorer instance after this many rows (bounds leaks in guests).
    pub rows_per_instance: u64,
    /// Longest a component may take to compile (cold cache). The Python and
    /// JavaScript example judges, the slowest to compile, take 13-16 s on the
    /// 2-core machine under load (bench/RESULTS.md); 60 s leaves 4x for a
    /// busier machine and stops a compile bomb from holding a run for minutes.
    pub compile_timeout: Duration,
    /// Largest function body a component may hold, checked before compiling.
    /// Cranelift's working memory grows with the function it compiles (and
    /// parallel compilation holds one per core). The largest body in the
    /// built-in judges is 54,437 bytes (`schema-drift`, measured with
    /// `compile::largest_function`); 8 MiB is 150x that, room for the
    /// interpreter loops of the Python and JavaScript runtimes (which CI
    /// loads under this default), while refusing a one-giant-function bomb.
    pub max_function_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel_per_row: 100_000_000,
            init_fuel: 2_000_000_000,
            aggregator_fuel: 1_000_000_000,
            call_timeout_base: Duration::from_secs(1),
            call_timeout_per_row: Duration::from_millis(250),
            chunk_timeout_max: Duration::from_secs(5),
            run_budget: Duration::from_secs(30 * 60),
            memory_bytes: (128 * MIB) as usize,
            aggregator_memory_bytes: (256 * MIB) as usize,
            max_table_elements: 100_000,
            // A Rust judge needs 1-2 core instances and a JS one 8; a Python
            // judge built by componentize-py with stubbed WASI needs 38.
            // 64 keeps room without letting a component multiply freely.
            max_instances: 64,
            max_tables: 32,
            max_memories: 4,
            max_wasm_bytes: DEFAULT_MAX_WASM_BYTES,
            max_label_bytes: 128,
            max_details_bytes: 16 * 1024,
            max_log_bytes: 64 * 1024,
            max_log_line_bytes: 1024,
            rows_per_instance: 50_000,
            compile_timeout: Duration::from_secs(60),
            max_function_bytes: 8 * MIB,
        }
    }
}

/// What the operator allows at most; a manifest cannot ask past these.
#[derive(Debug, Clone, PartialEq)]
pub struct Ceilings {
    pub fuel_per_row: u64,
    pub call_timeout_per_row: Duration,
    pub memory_bytes: usize,
    pub max_wasm_bytes: u64,
}

/// Ceilings an operator can sign off: the built-in judges use at most 0.18M
/// fuel per row (`refusal`), and their manifests ask for at most 2B fuel,
/// 2 s per row (`exact-match`) and 64 MiB (`batch-sync-drift`). The ceilings
/// allow exactly those asks (10,000× the heaviest measured use) and 8× that
/// memory; with the 5 s chunk cap and the failure budget, a judge asking for
/// all of them is still stopped within seconds of failing.
impl Default for Ceilings {
    fn default() -> Self {
        Ceilings {
            fuel_per_row: 2_000_000_000,
            call_timeout_per_row: Duration::from_secs(2),
            memory_bytes: (512 * MIB) as usize,
            max_wasm_bytes: DEFAULT_MAX_WASM_BYTES,
        }
    }
}

/// A manifest's request the operator's policy does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("asks for {key} {asked}, above the policy ceiling {ceiling}")]
    AboveCeiling {
        key: &'static str,
        asked: u64,
        ceiling: u64,
    },
    #[error("{key} = {value} is too large for this machine")]
    Overflow { key: &'static str, value: u64 },
}

/// `mib` MiB in bytes, refused when it does not fit in memory addresses.
pub fn mib_to_bytes(key: &'static str, mib: u64) -> Result<usize, LimitError> {
    mib.checked_mul(MIB)
        .and_then(|b| usize::try_from(b).ok())
        .ok_or(LimitError::Overflow { key, value: mib })
}

impl Limits {
    /// The limits for one judge: `defaults`, raised or lowered by what its
    /// manifest asks, refused when a request passes a ceiling.
    pub fn for_request(defaults: &Limits, c: &Ceilings, asked: &RequestedLimits) -> Result<Limits, LimitError> {
        let mut l = defaults.clone();
        if let Some(fuel) = asked.fuel_per_row {
            if fuel > c.fuel_per_row {
                return Err(LimitError::AboveCeiling {
                    key: "fuel-per-row",
                    asked: fuel,
                    ceiling: c.fuel_per_row,
                });
            }
            l.fuel_per_row = fuel;
        }
        if let Some(mib) = asked.memory_mib {
            let above = LimitError::AboveCeiling {
                key: "memory-mib",
                asked: mib,
                ceiling: c.memory_bytes as u64 / MIB,
            };
            let bytes = mib_to_bytes("memory-mib", mib).map_err(|_| above.clone())?;
            if bytes > c.memory_bytes {
                return Err(above);
            }
            l.memory_bytes = bytes;
        }
        if let Some(ms) = asked.timeout_ms_per_row {
            let t = Duration::from_millis(ms);
            if t > c.call_timeout_per_row {
                return Err(LimitError::AboveCeiling {
                    key: "timeout-ms-per-row",
                    asked: ms,
                    ceiling: u64::try_from(c.call_timeout_per_row.as_millis()).unwrap_or(u64::MAX),
                });
            }
            l.call_timeout_per_row = t;
        }
        Ok(l)
    }

    /// Fuel for one `score-batch` call of `rows` rows.
    pub fn chunk_fuel(&self, rows: usize) -> u64 {
        self.fuel_per_row.saturating_mul(rows.max(1) as u64)
    }

    /// Wall-clock deadline of a call over `rows` rows: base + per row.
    pub fn rows_deadline(&self, rows: usize) -> Duration {
        let n = u32::try_from(rows.max(1)).unwrap_or(u32::MAX);
        self.call_timeout_base
            .saturating_add(self.call_timeout_per_row.saturating_mul(n))
    }

    /// Output kept per scorer (one judge on one worker) over the run: four
    /// instances' worth, however many instances traps made it retire.
    pub fn scorer_log_bytes(&self) -> usize {
        self.max_log_bytes.saturating_mul(4)
    }

    /// Deadline of one `score-batch` call: `rows_deadline`, but never past
    /// `chunk_timeout_max` unless a single row's own deadline is longer.
    pub fn chunk_deadline(&self, rows: usize) -> Duration {
        self.rows_deadline(rows)
            .min(self.chunk_timeout_max.max(self.rows_deadline(1)))
    }

    /// Deadline for `describe`: the base alone.
    pub fn describe_deadline(&self) -> Duration {
        self.call_timeout_base
    }

    /// Deadline for instantiation plus `init`, and for the aggregator's `begin`
    /// and `finish`: ten times the base, since they may build tables or walk
    /// the whole run's state once.
    pub fn long_call_deadline(&self) -> Duration {
        self.call_timeout_base.saturating_mul(10)
    }
}

#[cfg(test)]
mod tests;
