//! One live judge instance: a `Store` plus the instantiated component, with
//! every call metered by fuel and bounded by a wall-clock deadline.
//!
//! Invariant: after any `Failure` the instance is poisoned and must be
//! dropped (the runner does so); a trapped or cancelled store is never
//! entered again.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use wasmtime::Store;

use super::bindings::JudgeWithLlm;
use super::bindings::types::{Descriptor, Observation, Report, Row, RunInfo};
use super::budget::BudgetExceeded;
use super::entropy::Entropy;
use super::failure::{
    Failure, FailureKind, RowResult, cap_report, check_verdict, checked_descriptor, judge_error, judge_error_parts,
};
use super::llm::WaitClock;
use super::load::JudgePre;
use super::output::{CapturedLog, LogLine, rows_label};
use super::packed::PackedCalls;
use super::state::{JudgeState, RunContext};

/// Whether an instance scores rows (one per worker) or aggregates (one per run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Scorer,
    Aggregator,
}

/// Why an instance could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("judge '{judge}' failed to start: {failure}")]
    Trapped { judge: String, failure: Failure },
    #[error("judge '{judge}' rejected its configuration: {message}")]
    Config { judge: String, message: String },
    #[error("judge '{judge}' {reason}")]
    Stopped {
        judge: String,
        #[source]
        reason: BudgetExceeded,
    },
}

pub struct JudgeInstance {
    judge: Arc<JudgePre>,
    store: Store<JudgeState>,
    bindings: JudgeWithLlm,
    /// The packed calls, for a judge built against `assay:judge@0.2.0`.
    packed: Option<PackedCalls>,
    role: Role,
    /// Rows scored by this instance, for recycling.
    pub rows_served: u64,
    /// Fuel consumed by calls so far: a deterministic cost measure.
    pub fuel_used: u64,
    /// Wall-clock time of the last `score_batch` call, minus time waiting on
    /// the `llm` capability.
    pub last_compute: Duration,
}

impl JudgeInstance {
    /// Instantiates from the pre-instantiated component and calls `init`.
    pub async fn start(
        judge: &Arc<JudgePre>,
        config: &[(String, String)],
        run: RunContext,
        role: Role,
    ) -> Result<JudgeInstance, StartError> {
        let limits = &judge.limits;
        let memory = match role {
            Role::Scorer => limits.memory_bytes,
            Role::Aggregator => limits.aggregator_memory_bytes,
        };
        let entropy = Entropy::new(run.seed, judge.name(), &judge.sha256);
        let mut state = JudgeState::new(limits, memory, entropy);
        state.llm.access = judge.llm.clone();
        let mut store = Store::new(judge.pre.engine(), state);
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_async_yield_and_update(1);
        let trapped = |failure: Failure| StartError::Trapped {
            judge: judge.name().to_owned(),
            failure,
        };
        // Instantiation runs guest code (start functions, data init): meter it.
        store
            .set_fuel(limits.init_fuel)
            .map_err(|e| trapped(Failure::from_error(&e)))?;
        let deadline = limits.long_call_deadline();
        store.data_mut().begin_call();
        let instance = match bounded(deadline, judge.pre.instantiate_async(&mut store)).await {
            Ok(i) => i,
            Err(f) => return Err(trapped(f.with_guest_text(&store.data().call_said()))),
        };
        // Type-checks every export the host calls, the packed ones included.
        let loaded = judge.exports.load(&mut store, &instance).and_then(|bindings| {
            let packed = match &judge.packed {
                None => None,
                Some(p) => Some(PackedCalls::load(p, &mut store, &instance)?),
            };
            Ok((bindings, packed))
        });
        let (bindings, packed) = loaded.map_err(|e| trapped(Failure::from_error(&e)))?;
        let pairs: Vec<(&str, &str)> = config.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let init = match bounded(deadline, bindings.assay_judge_meta().call_init(&mut store, &pairs)).await {
            Ok(r) => r,
            Err(f) => return Err(trapped(f.with_guest_text(&store.data().call_said()))),
        };
        if let Err(e) = init {
            let (kind, message) = judge_error_parts(e);
            let message = format!("{kind}: {message}");
            return Err(StartError::Config {
                judge: judge.name().to_owned(),
                message,
            });
        }
        Ok(JudgeInstance {
            judge: judge.clone(),
            store,
            bindings,
            packed,
            role,
            rows_served: 0,
            fuel_used: 0,
            last_compute: Duration::ZERO,
        })
    }

    pub fn judge(&self) -> &Arc<JudgePre> {
        &self.judge
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Captured guest output (drained), with a closing line saying what was
    /// dropped or cut.
    pub fn take_log(&mut self) -> Vec<LogLine> {
        self.take_captured().into_lines()
    }

    /// Whether the last call failed because the guest read `wasi:random`
    /// inside a multi-row call (not the judge's fault: rows replay singly).
    pub fn refused_randomness(&self) -> bool {
        self.store.data().entropy.refused
    }

    /// Captured guest output (drained), counts included.
    pub fn take_captured(&mut self) -> CapturedLog {
        self.store.data_mut().take_log()
    }

    fn arm(&mut self, fuel: u64) -> Result<(), Failure> {
        self.store.set_fuel(fuel).map_err(|e| Failure::from_error(&e))
    }

    fn account_fuel(&mut self, armed: u64) {
        let left = self.store.get_fuel().unwrap_or(0);
        self.fuel_used += armed.saturating_sub(left);
    }

    pub async fn describe(&mut self) -> Result<Descriptor, Failure> {
        let fuel = self.judge.limits.init_fuel;
        self.arm(fuel)?;
        let t = self.judge.limits.describe_deadline();
        let d = bounded(t, self.bindings.assay_judge_meta().call_describe(&mut self.store)).await;
        self.account_fuel(fuel);
        checked_descriptor(d?)
    }

    /// Scores one chunk. `Err` means the whole call failed and this instance
    /// is poisoned; per-row problems come back inside the `Ok` vector.
    pub async fn score_batch(&mut self, rows: &[Row<'_>]) -> Result<Vec<RowResult>, Failure> {
        let n = rows.len() as u64;
        let limits = &self.judge.limits;
        let fuel = limits.chunk_fuel(rows.len());
        let deadline = limits.chunk_deadline(rows.len());
        self.arm(fuel)?;
        let ids: Vec<&str> = rows.iter().map(|r| r.id).collect();
        self.store.data_mut().entropy.begin_call(&ids);
        self.store.data_mut().llm.begin_chunk(rows.len());
        let log_start = self.store.data_mut().begin_call();
        let waited = self.store.data().llm.waited.clone();
        let started = tokio::time::Instant::now();
        // A 0.2 judge gets the same rows as two buffers (`packed.rs`); a chunk
        // too large for the packed layout goes through `score-batch`, which
        // every 0.2 judge also exports.
        let packed = self
            .packed
            .as_mut()
            .and_then(|p| Some((&p.scorer, p.rows.pack(rows).ok()?)));
        let out = match packed {
            Some((scorer, chunk)) => {
                let call = scorer.call_score_packed(&mut self.store, chunk);
                bounded_pausing(deadline, &waited, call).await
            }
            None => {
                let call = self
                    .bindings
                    .assay_judge_scorer()
                    .call_score_batch(&mut self.store, rows);
                bounded_pausing(deadline, &waited, call).await
            }
        };
        self.last_compute = started.elapsed().saturating_sub(waited.waited());
        self.store.data_mut().llm.end_chunk();
        self.account_fuel(fuel);
        self.store.data_mut().end_call(log_start, || rows_label(&ids));
        let out = self.said(out)?;
        self.rows_served += n;
        if out.len() != rows.len() {
            // The call returned normally, so the instance is sound; the
            // miscount is the chunk's, not one row's. Every row of the chunk
            // fails with the real counts: a row-by-row replay would hide it
            // (one verdict for one row is always the right count).
            let f = Failure::new(
                FailureKind::InvalidOutput,
                format!("returned {} verdicts for {} rows", out.len(), rows.len()),
            );
            return Ok(vec![RowResult::Failed(f); rows.len()]);
        }
        let limits = &self.judge.limits;
        Ok(out
            .into_iter()
            .map(|r| match r {
                Ok(v) => match check_verdict(v, limits) {
                    Ok(v) => RowResult::Verdict(v),
                    Err(f) => RowResult::Failed(f),
                },
                Err(e) => judge_error(e),
            })
            .collect())
    }

    pub async fn begin(&mut self, info: RunInfo<'_>) -> Result<(), AggregatorError> {
        let fuel = self.judge.limits.aggregator_fuel;
        self.arm(fuel)?;
        self.store.data_mut().entropy.begin_aggregate();
        self.store.data_mut().begin_call();
        let t = self.judge.limits.long_call_deadline();
        let r = bounded(
            t,
            self.bindings.assay_judge_aggregator().call_begin(&mut self.store, info),
        )
        .await;
        self.account_fuel(fuel);
        Ok(self.said(r)??)
    }

    pub async fn observe(&mut self, batch: &[Observation<'_>]) -> Result<(), AggregatorError> {
        let limits = &self.judge.limits;
        let fuel = limits.aggregator_fuel;
        let deadline = limits.rows_deadline(batch.len());
        self.arm(fuel)?;
        self.store.data_mut().begin_call();
        // As in `score_batch`: a 0.2 judge gets the same batch packed.
        let packed = self
            .packed
            .as_mut()
            .and_then(|p| Some((&p.aggregator, p.observations.pack(batch).ok()?)));
        let r = match packed {
            Some((aggregator, packed)) => {
                bounded(deadline, aggregator.call_observe_packed(&mut self.store, packed)).await
            }
            None => {
                let call = self
                    .bindings
                    .assay_judge_aggregator()
                    .call_observe(&mut self.store, batch);
                bounded(deadline, call).await
            }
        };
        self.account_fuel(fuel);
        Ok(self.said(r)??)
    }

    pub async fn finish(&mut self) -> Result<Report, AggregatorError> {
        let fuel = self.judge.limits.aggregator_fuel;
        self.arm(fuel)?;
        self.store.data_mut().begin_call();
        let t = self.judge.limits.long_call_deadline();
        let r = bounded(t, self.bindings.assay_judge_aggregator().call_finish(&mut self.store)).await;
        self.account_fuel(fuel);
        Ok(cap_report(self.said(r)??))
    }

    /// A failed call's `Failure` with what the guest said during it.
    fn said<T>(&self, r: Result<T, Failure>) -> Result<T, Failure> {
        r.map_err(|f| f.with_guest_text(&self.store.data().call_said()))
    }
}

/// Why an aggregator call produced no result: the host stopped it, or the
/// judge reported an error of its own.
#[derive(Debug, thiserror::Error)]
pub enum AggregatorError {
    #[error(transparent)]
    Host(#[from] Failure),
    #[error("{kind}: {message}")]
    Judge { kind: &'static str, message: String },
}

impl From<super::bindings::types::JudgeError> for AggregatorError {
    fn from(e: super::bindings::types::JudgeError) -> Self {
        let (kind, message) = judge_error_parts(e);
        AggregatorError::Judge { kind, message }
    }
}

/// Like `bounded`, but the deadline's clock stops while the guest waits on the
/// `llm` capability (`waited`): a slow model endpoint is bounded by the grant's
/// own per-call timeout, not charged to the judge's compute.
async fn bounded_pausing<T>(
    deadline: Duration,
    waited: &WaitClock,
    call: impl Future<Output = wasmtime::Result<T>>,
) -> Result<T, Failure> {
    // While a wait runs, the deadline is re-checked this often at most.
    const RECHECK: Duration = Duration::from_millis(10);
    let start = tokio::time::Instant::now();
    let mut call = std::pin::pin!(call);
    loop {
        let computing = start.elapsed().saturating_sub(waited.waited());
        if computing >= deadline {
            return Err(Failure::new(
                FailureKind::Timeout,
                format!("no answer within {} ms", deadline.as_millis()),
            ));
        }
        match tokio::time::timeout((deadline - computing).max(RECHECK), call.as_mut()).await {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => return Err(Failure::from_error(&e)),
            Err(_) => {}
        }
    }
}

/// Runs one guest call under a wall-clock deadline. Because stores yield at
/// every epoch tick and WASI waits are async, the deadline fires for a
/// computing guest and for one blocked in a host call alike.
async fn bounded<T>(deadline: Duration, call: impl Future<Output = wasmtime::Result<T>>) -> Result<T, Failure> {
    match tokio::time::timeout(deadline, call).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::from_error(&e)),
        Err(_) => Err(Failure::new(
            FailureKind::Timeout,
            format!("no answer within {} ms", deadline.as_millis()),
        )),
    }
}
