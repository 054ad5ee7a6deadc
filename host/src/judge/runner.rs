//! Scoring chunks with trap isolation: one `Scorer` per judge per worker.
//!
//! Invariant: every row handed to `score` gets exactly one `RowResult`. A
//! failed chunk call poisons the instance, so it is dropped, a fresh one is
//! made from the `JudgePre`, and the chunk is replayed row by row to pin the
//! failure on the row(s) that caused it; the other rows still score. A call
//! that returns the wrong number of verdicts did not fail: its rows all get
//! `invalid_output` with the real counts (`instance.rs`) and are never
//! replayed, since one row per call would always count right.

use std::sync::Arc;

use super::bindings::types::Row;
use super::budget::{FirstFailure, RunBudget};
use super::failure::{Failure, FailureKind, RowResult};
use super::instance::{JudgeInstance, Role, StartError};
use super::load::JudgePre;
use super::output::{CapturedLog, LogLine};
use super::repro::golden_row;
use super::state::RunContext;
use super::text::{MAX_NAME_BYTES, one_line};

pub struct Scorer {
    judge: Arc<JudgePre>,
    config: Arc<Vec<(String, String)>>,
    run: RunContext,
    instance: Option<JudgeInstance>,
    /// Fuel used by instances already dropped.
    fuel_retired: u64,
    /// Instances made after a failure (for the report).
    pub restarts: u64,
    /// Output of instances already dropped, capped per scorer: a judge that
    /// traps on every row retires an instance per row, and each may leave a
    /// full log behind.
    retired: CapturedLog,
    /// The judge's run-level budget, shared with its other scorers.
    budget: Option<Arc<RunBudget>>,
    /// Log lines captured from this judge's instances, filled by `close`.
    pub log: Vec<LogLine>,
}

impl Scorer {
    pub fn new(judge: Arc<JudgePre>, config: Arc<Vec<(String, String)>>, run: RunContext) -> Scorer {
        Scorer {
            judge: judge.clone(),
            config,
            run,
            instance: None,
            fuel_retired: 0,
            restarts: 0,
            retired: CapturedLog::new(judge.limits.scorer_log_bytes(), judge.limits.max_log_line_bytes),
            budget: None,
            log: Vec::new(),
        }
    }

    pub fn judge(&self) -> &Arc<JudgePre> {
        &self.judge
    }

    pub fn fuel_used(&self) -> u64 {
        self.fuel_retired + self.instance.as_ref().map_or(0, |i| i.fuel_used)
    }

    fn retire(&mut self) {
        if let Some(mut inst) = self.instance.take() {
            self.fuel_retired += inst.fuel_used;
            self.retired.absorb(inst.take_captured());
        }
    }

    async fn ready(&mut self) -> Result<&mut JudgeInstance, StartError> {
        let recycle = self
            .instance
            .as_ref()
            .is_some_and(|i| i.rows_served >= self.judge.limits.rows_per_instance);
        if recycle {
            self.retire();
        }
        if self.instance.is_none() {
            let inst = JudgeInstance::start(&self.judge, &self.config, self.run, Role::Scorer).await?;
            self.instance = Some(inst);
        }
        // Just set above when it was empty.
        self.instance.as_mut().ok_or_else(|| unreachable_start(&self.judge))
    }

    /// Shares the judge's run-level budget with this scorer: every failure
    /// and every call's time is counted as it happens, and `score` refuses
    /// (`StartError::Stopped`) once the budget is certain to be exceeded.
    pub fn with_budget(mut self, budget: Arc<RunBudget>) -> Scorer {
        self.budget = Some(budget);
        self
    }

    /// Scores `rows`, one result per row in order. `Err` when a fresh
    /// instance cannot even start, or the judge's run budget is spent (the
    /// judge is unusable for this run).
    pub async fn score(&mut self, rows: &[Row<'_>]) -> Result<Vec<RowResult>, StartError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // A judge that reads randomness gets one row per call: its streams
        // are keyed by row (entropy.rs).
        if rows.len() > 1 && self.judge.reads_randomness() {
            return self.one_by_one(rows).await;
        }
        match self.call(rows).await? {
            Ok(results) => {
                self.count_failed(rows, &results);
                Ok(results)
            }
            Err(failure) => {
                let random = self.instance.as_ref().is_some_and(|i| i.refused_randomness());
                self.retire();
                if random && rows.len() > 1 {
                    // Not a failure: the chunk had no single row to key by.
                    self.judge.set_reads_randomness();
                    return self.one_by_one(rows).await;
                }
                self.restarts += 1;
                if rows.len() == 1 {
                    let out = vec![RowResult::Failed(failure)];
                    self.count_failed(rows, &out);
                    return Ok(out);
                }
                self.one_by_one(rows).await
            }
        }
    }

    /// Scores each row in its own call, pinning any failure on its row.
    async fn one_by_one(&mut self, rows: &[Row<'_>]) -> Result<Vec<RowResult>, StartError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let one = std::slice::from_ref(row);
            let result = match self.call(one).await? {
                Ok(mut r) => r.pop().unwrap_or_else(|| {
                    RowResult::Failed(Failure::new(FailureKind::InvalidOutput, "returned no verdict"))
                }),
                Err(f) => {
                    self.retire();
                    self.restarts += 1;
                    RowResult::Failed(f)
                }
            };
            self.count_failed(one, std::slice::from_ref(&result));
            out.push(result);
        }
        Ok(out)
    }

    /// One `score-batch` call under the run budget: refused once the budget
    /// is spent, its compute time counted after.
    async fn call(&mut self, rows: &[Row<'_>]) -> Result<Result<Vec<RowResult>, Failure>, StartError> {
        self.check_budget()?;
        let inst = self.ready().await?;
        let result = inst.score_batch(rows).await;
        let spent = inst.last_compute;
        if let Some(b) = &self.budget {
            b.record_time(spent);
        }
        Ok(result)
    }

    fn check_budget(&self) -> Result<(), StartError> {
        match &self.budget {
            Some(b) => b.check().map_err(|reason| StartError::Stopped {
                judge: self.judge.name().to_owned(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Counts host-imposed failures against the run budget, and writes each
    /// (its whole error chain) to the judge's log for `--judge-log`.
    fn count_failed(&mut self, rows: &[Row<'_>], results: &[RowResult]) {
        let mut failed = 0u64;
        let mut first = None;
        for (row, r) in rows.iter().zip(results) {
            if let RowResult::Failed(f) = r {
                failed += 1;
                let id = one_line(row.id, MAX_NAME_BYTES * 4);
                let line = format!("row {id}: {f}");
                first.get_or_insert_with(|| (line.clone(), id));
                self.retired.push_host(line);
            }
        }
        if let (Some(b), Some((text, id))) = (&self.budget, first) {
            b.record_failures(failed, || FirstFailure {
                text,
                id,
                rows: rows.iter().map(|r| golden_row(r) + "\n").collect(),
                call_rows: rows.len(),
            });
        }
    }

    /// Drops the live instance, keeping its fuel count, and moves the
    /// captured output to `log`.
    pub fn close(&mut self) {
        self.retire();
        let full = CapturedLog::new(self.retired.cap(), self.retired.line_cap());
        self.log.extend(std::mem::replace(&mut self.retired, full).into_lines());
    }
}

fn unreachable_start(judge: &JudgePre) -> StartError {
    StartError::Config {
        judge: judge.name().to_owned(),
        message: "instance vanished after start".into(),
    }
}
