//! Scoring chunks with trap isolation: one `Scorer` per judge per worker.
//!
//! Invariant: every row handed to `score` gets exactly one `RowResult`. A
//! failed chunk call poisons the instance, so it is dropped, a fresh one is
//! made from the `JudgePre`, and the chunk is replayed row by row to pin the
//! failure on the row(s) that caused it; the other rows still score.

use std::sync::Arc;

use super::bindings::types::Row;
use super::failure::RowResult;
use super::instance::{JudgeInstance, Role, StartError};
use super::load::LoadedJudge;
use super::state::{LogLine, RunContext};

pub struct Scorer {
    judge: Arc<LoadedJudge>,
    config: Arc<Vec<(String, String)>>,
    run: RunContext,
    instance: Option<JudgeInstance>,
    /// Fuel used by instances already dropped.
    fuel_retired: u64,
    /// Instances made after a failure (for the report).
    pub restarts: u64,
    /// Log lines captured from this judge's instances, capped per instance.
    pub log: Vec<LogLine>,
}

impl Scorer {
    pub fn new(judge: Arc<LoadedJudge>, config: Arc<Vec<(String, String)>>, run: RunContext) -> Scorer {
        Scorer {
            judge,
            config,
            run,
            instance: None,
            fuel_retired: 0,
            restarts: 0,
            log: Vec::new(),
        }
    }

    pub fn judge(&self) -> &Arc<LoadedJudge> {
        &self.judge
    }

    pub fn fuel_used(&self) -> u64 {
        self.fuel_retired + self.instance.as_ref().map_or(0, |i| i.fuel_used)
    }

    fn retire(&mut self) {
        if let Some(mut inst) = self.instance.take() {
            self.fuel_retired += inst.fuel_used;
            let log = inst.take_log();
            self.log.extend(log);
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

    /// Scores `rows`, one result per row in order. `Err` only when a fresh
    /// instance cannot even start (the judge is unusable for this run).
    pub async fn score(&mut self, rows: &[Row<'_>]) -> Result<Vec<RowResult>, StartError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let first = self.ready().await?.score_batch(rows).await;
        match first {
            Ok(results) => Ok(results),
            Err(failure) => {
                self.retire();
                self.restarts += 1;
                if rows.len() == 1 {
                    return Ok(vec![RowResult::Failed(failure)]);
                }
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let one = self.ready().await?.score_batch(std::slice::from_ref(row)).await;
                    match one {
                        Ok(mut r) => out.push(r.pop().unwrap_or(RowResult::Failed(failure.clone()))),
                        Err(f) => {
                            self.retire();
                            self.restarts += 1;
                            out.push(RowResult::Failed(f));
                        }
                    }
                }
                Ok(out)
            }
        }
    }

    /// Drops the live instance, keeping its fuel count and log.
    pub fn close(&mut self) {
        self.retire();
    }
}

fn unreachable_start(judge: &LoadedJudge) -> StartError {
    StartError::Config {
        judge: judge.name().to_owned(),
        message: "instance vanished after start".into(),
    }
}
