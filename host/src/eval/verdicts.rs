//! The verdict store: every scoring judge's result for every row, from the
//! batch collector and from sync recovery alike.
//!
//! Invariant: a row's results are stored once per judge (first write wins,
//! in the compact tables); the text beyond the tables (details, error and
//! failure messages) is spilled for `--rows-out` only when it was asked
//! for; the first host failure and the first judge error per judge are kept,
//! for the abort message and the summary.

use super::error::EvalError;
use super::spill::Spill;
use super::table::VerdictTable;
use crate::judge::RowResult;

/// The host-failure ceiling for the scoring judges.
pub struct Limit {
    pub allowed: u64,
    pub rate: f64,
    pub rows: u64,
}

/// The problem on the lowest row index seen so far, so the one reported does
/// not depend on which worker finished first.
#[derive(Clone, Default)]
struct First(Option<(u32, String)>);

impl First {
    fn offer(&mut self, idx: u32, text: impl FnOnce() -> String) {
        if self.0.as_ref().is_none_or(|(i, _)| idx < *i) {
            self.0 = Some((idx, text()));
        }
    }

    fn text(&self) -> Option<&str> {
        self.0.as_ref().map(|(_, t)| t.as_str())
    }
}

/// A first problem: its row index and "row ID: reason".
pub type FirstRow<'a> = (u32, &'a str);

pub struct VerdictStore {
    /// One per scoring judge, in scorer order.
    pub tables: Vec<VerdictTable>,
    /// Scoring judges' names, in scorer order.
    pub names: Vec<String>,
    first_failure: Vec<First>,
    first_judge_error: Vec<First>,
    /// Present when `--rows-out` wants per-row text.
    pub spill: Option<Spill>,
    /// Each row's final response text and provider time, when a sink wants content.
    pub content: Option<Spill>,
}

impl VerdictStore {
    pub fn new(rows: usize, names: Vec<String>, spill: Option<Spill>) -> VerdictStore {
        VerdictStore {
            tables: names.iter().map(|_| VerdictTable::new(rows)).collect(),
            first_failure: vec![First::default(); names.len()],
            first_judge_error: vec![First::default(); names.len()],
            names,
            spill,
            content: None,
        }
    }

    /// Keeps row `idx`'s content fragment, when content is kept.
    pub fn put_content(&mut self, idx: u32, fragment: Option<&str>) -> std::io::Result<()> {
        match (self.content.as_mut(), fragment) {
            (Some(c), Some(f)) => c.put(idx, f),
            _ => Ok(()),
        }
    }

    /// Stores row `idx`'s results, given as (scorer, result).
    pub fn put<'r>(
        &mut self,
        idx: u32,
        id: &str,
        results: impl Iterator<Item = (usize, &'r RowResult)>,
    ) -> std::io::Result<()> {
        let mut fragment = serde_json::Map::new();
        for (t, r) in results {
            let Some(table) = self.tables.get_mut(t) else { continue };
            table.store(idx, r);
            match r {
                RowResult::Failed(f) => self.first_failure[t].offer(idx, || format!("row {id}: {f}")),
                RowResult::JudgeError { kind, message } => {
                    self.first_judge_error[t].offer(idx, || format!("row {id}: {kind}: {message}"));
                }
                RowResult::Verdict(_) => {}
            }
            if self.spill.is_some()
                && let Some(v) = crate::sink::rows_out::verdict_text(r)
            {
                fragment.insert(self.names[t].clone(), v);
            }
        }
        match (self.spill.as_mut(), fragment.is_empty()) {
            (Some(s), false) => s.put(idx, &serde_json::Value::Object(fragment).to_string()),
            _ => Ok(()),
        }
    }

    /// Scorer `t`'s first host failure and first judge error in submission
    /// order, each as "row ID: reason".
    pub fn firsts(&self, t: usize) -> (Option<&str>, Option<&str>) {
        (
            self.first_failure.get(t).and_then(First::text),
            self.first_judge_error.get(t).and_then(First::text),
        )
    }

    /// Scorer `t`'s first host failure and first judge error, each with its row index.
    pub fn first_rows(&self, t: usize) -> (Option<FirstRow<'_>>, Option<FirstRow<'_>>) {
        fn at(f: Option<&First>) -> Option<FirstRow<'_>> {
            f.and_then(|f| f.0.as_ref()).map(|(i, s)| (*i, s.as_str()))
        }
        (at(self.first_failure.get(t)), at(self.first_judge_error.get(t)))
    }

    /// Offers scorer `t` a first host failure and a first judge error found
    /// elsewhere (another shard): the lowest row index wins, as in one run.
    pub fn offer_firsts(&mut self, t: usize, host: Option<(u32, String)>, judge: Option<(u32, String)>) {
        if let (Some(f), Some((idx, text))) = (self.first_failure.get_mut(t), host) {
            f.offer(idx, || text);
        }
        if let (Some(f), Some((idx, text))) = (self.first_judge_error.get_mut(t), judge) {
            f.offer(idx, || text);
        }
    }

    /// The abort for the first scoring judge the host stopped on more rows than allowed.
    pub fn over_limit(&self, l: &Limit) -> Option<EvalError> {
        let (t, table) = self
            .tables
            .iter()
            .enumerate()
            .find(|(_, t)| t.host_failures() > l.allowed)?;
        Some(EvalError::TooManyFailures {
            judge: self.names.get(t).cloned().unwrap_or_default(),
            failures: table.host_failures(),
            allowed: l.allowed,
            rate: l.rate * 100.0,
            rows: l.rows,
            first: self
                .first_failure
                .get(t)
                .and_then(First::text)
                .unwrap_or_default()
                .to_owned(),
        })
    }
}
