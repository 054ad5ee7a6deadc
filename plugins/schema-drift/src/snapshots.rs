//! Conformance by serving model + snapshot (OpenAI `system_fingerprint` and kin) and
//! the `snapshot-drift` alarm.
//!
//! Invariants: state is O(models + distinct snapshots), never O(rows): at most
//! `MAX_SNAPSHOTS` distinct snapshot values are remembered; one more switches the run
//! to models only (per-request fingerprints carry no signal) and folds the counts
//! into their models, as does a (model, snapshot) pair count above `MAX_COMBOS`.
//! Metrics name the `MAX_REPORTED` most-scored combinations and pool the rest as
//! `(other)`; alarms consider every combination, worst first, at most
//! `MAX_ALARMS`, each needing `min_segment_rows` scored rows and a pass rate
//! *strictly* more than `alarm_points` points below the batch-wide rate.

use foldhash::fast::FixedState;

/// Tables keyed by small model and snapshot indices, looked up for every
/// observation: a fixed-seed fast hash, not std's SipHash (nothing here is
/// keyed by input an attacker chooses, only by the host's dense indices).
type HashMap<K, V> = std::collections::HashMap<K, V, FixedState>;
type HashSet<K> = std::collections::HashSet<K, FixedState>;

use assay_judge_sdk::{Report, RunInfo, SlimVerdict};

use crate::drift::{DriftConfig, EPSILON_POINTS};
use crate::retry::Tally;

/// Distinct snapshot values compared; more switch the run to models only.
pub const MAX_SNAPSHOTS: usize = 1000;
/// Combinations named in metrics; the rest are pooled as `(other)`.
pub const MAX_REPORTED: usize = 20;
/// `snapshot-drift` alarms raised at most (the worst ones).
pub const MAX_ALARMS: usize = 20;
/// Safety bound on distinct (model, snapshot) pairs.
const MAX_COMBOS: usize = 4 * MAX_SNAPSHOTS;

/// A model index and, while snapshots are compared, a snapshot index.
type Key = (u32, Option<u32>);

/// The aggregator's per-snapshot counters for one run.
#[derive(Debug)]
pub struct SnapshotStats {
    config: DriftConfig,
    models: Vec<String>,
    snapshots: Vec<String>,
    by_snapshot: bool,
    seen: HashSet<u32>,
    /// The previous observation's snapshot, already in `seen`: neighbouring
    /// rows mostly share one, so most rows skip the set.
    last_seen: Option<u32>,
    combos: HashMap<Key, Tally>,
    /// The combination the latest scored rows went to and their counts not yet
    /// in `combos` (which holds an entry for it): neighbouring rows mostly share
    /// one, so most rows skip the table.
    pending: Option<(Key, Tally)>,
}

impl SnapshotStats {
    /// Empty counters, comparing snapshots until there are too many.
    pub fn new(config: DriftConfig) -> Self {
        SnapshotStats {
            config,
            models: Vec::new(),
            snapshots: Vec::new(),
            by_snapshot: true,
            seen: HashSet::default(),
            last_seen: None,
            combos: HashMap::default(),
            pending: None,
        }
    }

    /// Remembers the run's model and snapshot names.
    pub fn begin(&mut self, info: &RunInfo) {
        self.models = info.models.clone();
        self.snapshots = info.snapshots.clone();
    }

    /// Counts one observation; only scored rows enter the combinations, but every
    /// row's snapshot counts towards the distinct-value limit.
    pub fn observe(&mut self, model: u32, snapshot: Option<u32>, verdict: Option<&SlimVerdict>) {
        if let (true, Some(s)) = (self.by_snapshot, snapshot)
            && self.last_seen != Some(s)
        {
            if !self.seen.contains(&s) {
                if self.seen.len() >= MAX_SNAPSHOTS {
                    self.models_only();
                } else {
                    self.seen.insert(s);
                }
            }
            self.last_seen = Some(s);
        }
        let Some(v) = verdict else { return };
        let mut key = (model, snapshot.filter(|_| self.by_snapshot));
        if let Some((k, tally)) = &mut self.pending
            && *k == key
        {
            tally.add(v.passed);
            return;
        }
        self.flush();
        if self.by_snapshot && self.combos.len() >= MAX_COMBOS && !self.combos.contains_key(&key) {
            self.models_only();
            key = (model, None);
        }
        self.combos.entry(key).or_default();
        let mut tally = Tally::default();
        tally.add(v.passed);
        self.pending = Some((key, tally));
    }

    /// Moves the pending counts into `combos`.
    fn flush(&mut self) {
        if let Some((key, tally)) = self.pending.take() {
            self.combos.entry(key).or_default().merge(tally);
        }
    }

    /// Stops comparing snapshots and folds every combination into its model.
    fn models_only(&mut self) {
        self.flush();
        self.by_snapshot = false;
        self.seen = HashSet::default();
        let mut folded: HashMap<Key, Tally> = HashMap::default();
        for ((model, _), tally) in self.combos.drain() {
            folded.entry((model, None)).or_default().merge(tally);
        }
        self.combos = folded;
    }

    /// `<model>/<snapshot>`, or `<model>` without a snapshot.
    fn name(&self, (model, snapshot): Key) -> String {
        let model = match self.models.get(model as usize) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("(model #{model})"),
        };
        match snapshot {
            None => model,
            Some(s) => match self.snapshots.get(s as usize) {
                Some(name) if !name.is_empty() => format!("{model}/{name}"),
                _ => format!("{model}/(snapshot #{s})"),
            },
        }
    }

    /// Appends this module's metrics and alarms to `report`.
    pub fn report_into(&self, report: &mut Report) {
        report.push_metric("snapshots_compared", None, f64::from(u8::from(self.by_snapshot)));
        let mut rows: Vec<(String, Tally)> = self
            .combos
            .iter()
            .map(|(&k, &t)| {
                let mut t = t;
                if let Some((_, pending)) = self.pending.filter(|(p, _)| *p == k) {
                    t.merge(pending);
                }
                (self.name(k), t)
            })
            .collect();
        rows.sort_by(|a, b| b.1.scored.cmp(&a.1.scored).then_with(|| a.0.cmp(&b.0)));
        let mut batch = Tally::default();
        let mut other = Tally::default();
        for (i, (name, tally)) in rows.iter().enumerate() {
            batch.merge(*tally);
            if i >= MAX_REPORTED {
                other.merge(*tally);
                continue;
            }
            push_pair(report, name, *tally);
        }
        if other.scored > 0 {
            push_pair(report, "(other)", other);
        }
        let Some(batch_rate) = batch.rate() else { return };
        let mut drops: Vec<(f64, &str, Tally, f64)> = rows
            .iter()
            .filter(|(_, t)| t.scored >= self.config.min_segment_rows)
            .filter_map(|(name, t)| {
                let rate = t.rate()?;
                let drop = (batch_rate - rate) * 100.0;
                (drop > self.config.alarm_points + EPSILON_POINTS).then_some((drop, name.as_str(), *t, rate))
            })
            .collect();
        drops.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let more = drops.len().saturating_sub(MAX_ALARMS);
        let shown = drops.len().min(MAX_ALARMS);
        for (i, (_, name, tally, rate)) in drops.into_iter().take(MAX_ALARMS).enumerate() {
            let mut message = format!(
                "snapshot {name}: conformance {:.1}% on {} scored rows vs {:.1}% batch-wide ({:+.1} points)",
                rate * 100.0,
                tally.scored,
                batch_rate * 100.0,
                (rate - batch_rate) * 100.0,
            );
            if i + 1 == shown && more > 0 {
                message.push_str(&format!("; {more} more combinations below the threshold not listed"));
            }
            report.push_alarm("snapshot-drift", None, message);
        }
    }
}

fn push_pair(report: &mut Report, name: &str, tally: Tally) {
    report.push_metric(&format!("snapshot_scored:{name}"), None, tally.scored as f64);
    if let Some(rate) = tally.rate() {
        report.push_metric(&format!("snapshot_pass_rate:{name}"), None, rate);
    }
}

#[cfg(test)]
#[path = "snapshots_tests.rs"]
mod tests;
