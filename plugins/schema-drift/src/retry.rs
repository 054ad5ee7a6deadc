//! Conformance by attempt history — rows that completed normally versus rows flagged
//! `retried` or `silently-retried` — and the `retry-quality-gap` alarm.
//!
//! Invariants: state is three pairs of counters, whatever the row count. "First
//! attempt" means neither flag; a row carrying both flags counts in both flagged
//! groups. A rate is reported only for a group with at least one scored row. A
//! flagged group alarms only with at least `min_segment_rows` scored rows, when the
//! first-attempt group was scored, and when its pass rate is *strictly* more than
//! `alarm_points` percentage points below the first-attempt rate.

use assay_judge_sdk::{Report, RowFlags, SlimVerdict};

use crate::drift::{DriftConfig, EPSILON_POINTS};

/// Scored and passed counts of one group of rows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tally {
    pub scored: u64,
    pub passed: u64,
}

impl Tally {
    /// Counts one scored row.
    pub fn add(&mut self, passed: bool) {
        self.scored += 1;
        self.passed += u64::from(passed);
    }

    /// Adds another group's counts.
    pub fn merge(&mut self, other: Tally) {
        self.scored += other.scored;
        self.passed += other.passed;
    }

    /// The pass rate in `[0, 1]`; `None` when nothing was scored.
    pub fn rate(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.passed as f64 / self.scored as f64)
    }
}

/// The aggregator's attempt-history counters for one run.
#[derive(Debug)]
pub struct RetryGroups {
    config: DriftConfig,
    first: Tally,
    retried: Tally,
    silent: Tally,
}

impl RetryGroups {
    /// Empty counters.
    pub fn new(config: DriftConfig) -> Self {
        RetryGroups {
            config,
            first: Tally::default(),
            retried: Tally::default(),
            silent: Tally::default(),
        }
    }

    /// Counts one observation; rows this judge did not score are ignored.
    pub fn observe(&mut self, flags: RowFlags, verdict: Option<&SlimVerdict>) {
        let Some(v) = verdict else { return };
        let retried = flags.contains(RowFlags::RETRIED);
        let silent = flags.contains(RowFlags::SILENTLY_RETRIED);
        if retried {
            self.retried.add(v.passed);
        }
        if silent {
            self.silent.add(v.passed);
        }
        if !retried && !silent {
            self.first.add(v.passed);
        }
    }

    /// Appends this module's metrics and alarms to `report`.
    pub fn report_into(&self, report: &mut Report) {
        let groups = [
            ("first_attempt", self.first),
            ("retried", self.retried),
            ("silently_retried", self.silent),
        ];
        for (name, tally) in groups {
            report.push_metric(&format!("scored_{name}"), None, tally.scored as f64);
            if let Some(rate) = tally.rate() {
                report.push_metric(&format!("pass_rate_{name}"), None, rate);
            }
        }
        let Some(base) = self.first.rate() else { return };
        for (label, tally) in [("retried", self.retried), ("silently-retried", self.silent)] {
            let Some(rate) = tally.rate() else { continue };
            let drop_points = (base - rate) * 100.0;
            if tally.scored >= self.config.min_segment_rows && drop_points > self.config.alarm_points + EPSILON_POINTS {
                report.push_alarm(
                    "retry-quality-gap",
                    None,
                    format!(
                        "{label} rows: conformance {:.1}% on {} scored rows vs {:.1}% on {} first-attempt rows \
                         ({:+.1} points)",
                        rate * 100.0,
                        tally.scored,
                        base * 100.0,
                        self.first.scored,
                        (rate - base) * 100.0,
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(min_segment_rows: u64) -> RetryGroups {
        RetryGroups::new(DriftConfig {
            alarm_points: 5.0,
            min_segment_rows,
        })
    }

    fn feed(g: &mut RetryGroups, flags: RowFlags, pass: u64, fail: u64) {
        for i in 0..pass + fail {
            let v = SlimVerdict {
                score: None,
                label: None,
                passed: i < pass,
            };
            g.observe(flags, Some(&v));
        }
    }

    fn metric(r: &Report, name: &str) -> Option<f64> {
        r.metrics
            .iter()
            .find(|m| m.name == name && m.segment.is_none())
            .map(|m| m.value)
    }

    fn report(g: &RetryGroups) -> Report {
        let mut r = Report::new();
        g.report_into(&mut r);
        r
    }

    #[test]
    fn groups_are_counted_separately_with_exact_rates() {
        let mut g = groups(20);
        feed(&mut g, RowFlags::empty(), 180, 20); // 90%
        feed(&mut g, RowFlags::TRUNCATED | RowFlags::DUPLICATE, 9, 1); // still first attempt
        feed(&mut g, RowFlags::RETRIED, 30, 10); // 75%
        feed(&mut g, RowFlags::SILENTLY_RETRIED, 17, 3); // 85%
        feed(&mut g, RowFlags::RETRIED | RowFlags::SILENTLY_RETRIED, 0, 4); // both groups
        g.observe(RowFlags::RETRIED, None); // unscored: ignored
        let r = report(&g);
        assert_eq!(metric(&r, "scored_first_attempt"), Some(210.0));
        assert_eq!(metric(&r, "pass_rate_first_attempt"), Some(189.0 / 210.0)); // 90%
        assert_eq!(metric(&r, "scored_retried"), Some(44.0));
        assert_eq!(metric(&r, "pass_rate_retried"), Some(30.0 / 44.0));
        assert_eq!(metric(&r, "scored_silently_retried"), Some(24.0));
        assert_eq!(metric(&r, "pass_rate_silently_retried"), Some(17.0 / 24.0));
        // retried: 68.2% vs 90.0% → alarm; silently retried 70.8% on 24 rows → alarm.
        assert_eq!(r.alarms.len(), 2, "{:?}", r.alarms);
        assert!(
            r.alarms
                .iter()
                .all(|a| a.kind == "retry-quality-gap" && a.segment.is_none())
        );
        assert_eq!(
            r.alarms[0].message,
            "retried rows: conformance 68.2% on 44 scored rows vs 90.0% on 210 first-attempt rows (-21.8 points)"
        );
        assert!(
            r.alarms[1]
                .message
                .starts_with("silently-retried rows: conformance 70.8% on 24")
        );
    }

    #[test]
    fn rates_only_for_scored_groups() {
        let mut g = groups(1);
        feed(&mut g, RowFlags::empty(), 3, 1);
        let r = report(&g);
        assert_eq!(metric(&r, "pass_rate_first_attempt"), Some(0.75));
        assert_eq!(metric(&r, "scored_retried"), Some(0.0));
        assert_eq!(metric(&r, "pass_rate_retried"), None);
        assert_eq!(metric(&r, "pass_rate_silently_retried"), None);
        assert!(r.alarms.is_empty());
        // Retried rows but no first-attempt rows: nothing to compare with.
        let mut g = groups(1);
        feed(&mut g, RowFlags::RETRIED, 0, 50);
        let r = report(&g);
        assert_eq!(metric(&r, "pass_rate_retried"), Some(0.0));
        assert_eq!(metric(&r, "pass_rate_first_attempt"), None);
        assert!(r.alarms.is_empty());
    }

    #[test]
    fn threshold_edges() {
        // First attempt 90%; retried exactly 85% (-5.0 points): no alarm.
        let mut g = groups(20);
        feed(&mut g, RowFlags::empty(), 90, 10);
        feed(&mut g, RowFlags::RETRIED, 17, 3);
        assert!(report(&g).alarms.is_empty());
        // 84% (-6 points) on 25 rows: alarm.
        let mut g = groups(20);
        feed(&mut g, RowFlags::empty(), 90, 10);
        feed(&mut g, RowFlags::RETRIED, 21, 4);
        let r = report(&g);
        assert_eq!(r.alarms.len(), 1);
        assert_eq!(
            r.alarms[0].message,
            "retried rows: conformance 84.0% on 25 scored rows vs 90.0% on 100 first-attempt rows (-6.0 points)"
        );
        // Same gap on 19 rows with min 20: no alarm; with min 19: alarm.
        let mut g = groups(20);
        feed(&mut g, RowFlags::empty(), 90, 10);
        feed(&mut g, RowFlags::SILENTLY_RETRIED, 0, 19);
        assert!(report(&g).alarms.is_empty());
        let mut g = groups(19);
        feed(&mut g, RowFlags::empty(), 90, 10);
        feed(&mut g, RowFlags::SILENTLY_RETRIED, 0, 19);
        assert_eq!(report(&g).alarms.len(), 1);
    }
}
