//! Trends across recorded runs: completion, each quality judge's pass rate and
//! the unit cost, each as a series over runs, with every run checked against the
//! median of the previous N runs that have a value.
//!
//! Invariant: a run regresses only against a baseline of at least one earlier
//! value: a rate when it is more than `band.points` percentage points below the
//! median, the unit cost when it is more than `band.points` percent above it;
//! a run without a value in a series is skipped there, never read as zero.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::format::{pct, usd, utc};
use super::terminal::sanitize;
use super::terminal::segments::{WIDTH, spark};

pub mod marks;

/// One recorded run, as the trend reads it.
#[derive(Debug, Clone, Serialize)]
pub struct RunPoint {
    pub run: i64,
    pub kind: String,
    /// assay's job id, when the run evaluated a job.
    pub job: Option<i64>,
    pub tag: Option<String>,
    /// Unix time in milliseconds.
    pub started_at: i64,
    pub completion_rate: f64,
    /// Quality judges' pass rates; `None` when the judge scored nothing.
    pub pass_rates: BTreeMap<String, Option<f64>>,
    pub cost_per_validated_row_usd: Option<f64>,
    pub gates_passed: bool,
    pub exit_code: i32,
    /// What this run means for `submit --gate-on-last`.
    pub next_submission: marks::NextSubmission,
}

/// The regression band: the previous `window` runs, and how far below their
/// median a rate may fall (points) or above it the unit cost may rise (percent).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Band {
    pub window: usize,
    pub points: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A fraction, higher is better.
    Rate,
    /// Dollars, lower is better.
    Usd,
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesValue {
    pub run: i64,
    pub value: Option<f64>,
    /// The median of the previous values (at most `window`), when there were any.
    pub baseline: Option<f64>,
    pub previous: usize,
    pub regressed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    pub unit: Unit,
    pub values: Vec<SeriesValue>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Regression {
    pub run: i64,
    pub series: String,
    pub value: f64,
    pub baseline: f64,
    pub previous: usize,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub band: Band,
    /// Oldest first.
    pub runs: Vec<RunPoint>,
    pub series: Vec<Series>,
    pub regressions: Vec<Regression>,
    /// The newest run regresses in at least one series.
    pub newest_regressed: bool,
}

/// The median of `v` (`None` when empty); non-finite values are not passed in.
pub fn median(v: &[f64]) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(s[n / 2]),
        _ => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

fn shown(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Rate => pct(v),
        Unit::Usd => usd(v),
    }
}

fn series(name: String, unit: Unit, runs: &[RunPoint], band: Band, get: impl Fn(&RunPoint) -> Option<f64>) -> Series {
    let mut seen: Vec<f64> = Vec::new();
    let mut values = Vec::with_capacity(runs.len());
    for r in runs {
        let value = get(r).filter(|v| v.is_finite());
        let prev = &seen[seen.len().saturating_sub(band.window)..];
        let baseline = median(prev);
        let regressed = match (value, baseline) {
            (Some(v), Some(b)) => match unit {
                Unit::Rate => (b - v) * 100.0 > band.points + 1e-9,
                Unit::Usd => v > b * (1.0 + band.points / 100.0) + 1e-15,
            },
            _ => false,
        };
        values.push(SeriesValue {
            run: r.run,
            value,
            baseline,
            previous: prev.len(),
            regressed,
        });
        seen.extend(value);
    }
    Series { name, unit, values }
}

impl Trend {
    /// The trend of `runs` (oldest first).
    pub fn compute(runs: Vec<RunPoint>, band: Band) -> Trend {
        let judges: BTreeSet<String> = runs.iter().flat_map(|r| r.pass_rates.keys().cloned()).collect();
        let mut all = vec![series("completion".into(), Unit::Rate, &runs, band, |r| {
            Some(r.completion_rate)
        })];
        for j in judges {
            all.push(series(format!("pass rate {j}"), Unit::Rate, &runs, band, |r| {
                r.pass_rates.get(&j).copied().flatten()
            }));
        }
        if runs.iter().any(|r| r.cost_per_validated_row_usd.is_some()) {
            all.push(series("cost per validated row".into(), Unit::Usd, &runs, band, |r| {
                r.cost_per_validated_row_usd
            }));
        }
        let mut regressions = Vec::new();
        for s in &all {
            for v in s.values.iter().filter(|v| v.regressed) {
                let (Some(value), Some(baseline)) = (v.value, v.baseline) else {
                    continue;
                };
                let delta = match s.unit {
                    Unit::Rate => format!("{:+.2} points", (value - baseline) * 100.0),
                    Unit::Usd => format!("{:+.1}%", (value / baseline - 1.0) * 100.0),
                };
                regressions.push(Regression {
                    run: v.run,
                    series: s.name.clone(),
                    value,
                    baseline,
                    previous: v.previous,
                    message: format!(
                        "{} {} vs median {} of the previous {} run(s) ({delta})",
                        s.name,
                        shown(s.unit, value),
                        shown(s.unit, baseline),
                        v.previous
                    ),
                });
            }
        }
        let newest = runs.last().map(|r| r.run);
        let newest_regressed = regressions.iter().any(|r| Some(r.run) == newest);
        Trend {
            band,
            runs,
            series: all,
            regressions,
            newest_regressed,
        }
    }
}

impl Trend {
    /// Keeps the newest `n` runs: the runs before them served only as baselines.
    pub fn keep_last(mut self, n: usize) -> Trend {
        let skip = self.runs.len().saturating_sub(n);
        if skip == 0 {
            return self;
        }
        self.runs.drain(..skip);
        for s in &mut self.series {
            s.values.drain(..skip);
        }
        let order: Vec<i64> = self.runs.iter().map(|r| r.run).collect();
        self.regressions.retain(|r| order.contains(&r.run));
        self
    }
}

/// The terminal view: one sparkline per series over the last `WIDTH` runs, a `^`
/// under each regressed run, and a line naming each regression.
pub fn render_text(t: &Trend) -> String {
    let mut o = String::new();
    let (Some(first), Some(last)) = (t.runs.first(), t.runs.last()) else {
        return "no runs recorded\n".into();
    };
    let _ = writeln!(
        o,
        "assay trend · {} run(s): run {} ({}) to run {} ({})",
        t.runs.len(),
        first.run,
        utc(first.started_at),
        last.run,
        utc(last.started_at)
    );
    let _ = writeln!(
        o,
        "baseline: median of the previous {} run(s); band {} points for rates, {}% for cost",
        t.band.window, t.band.points, t.band.points
    );
    let skip = t.runs.len().saturating_sub(WIDTH);
    for s in &t.series {
        let values = &s.values[skip..];
        let present: Vec<f64> = values.iter().filter_map(|v| v.value).collect();
        let drawn = spark(&present);
        let mut cells = drawn.chars();
        let line: String = values
            .iter()
            .map(|v| {
                if v.value.is_some() {
                    cells.next().unwrap_or(' ')
                } else {
                    ' '
                }
            })
            .collect();
        let latest = values
            .iter()
            .rev()
            .find_map(|v| v.value)
            .map_or("n/a".into(), |v| shown(s.unit, v));
        let _ = writeln!(o, "  {:<28} {line}  latest {latest}", sanitize(&s.name));
        if values.iter().any(|v| v.regressed) {
            let marks: String = values.iter().map(|v| if v.regressed { '^' } else { ' ' }).collect();
            let blank = " ".repeat(values.len());
            // The marks once, on the first regression's line; the others below it.
            for (k, r) in t.regressions.iter().filter(|r| r.series == s.name).enumerate() {
                let _ = writeln!(
                    o,
                    "  {:<28} {}  REGRESSION run {}: {}",
                    "",
                    if k == 0 { &marks } else { &blank },
                    r.run,
                    sanitize(&r.message)
                );
            }
        }
    }
    o.push_str(&marks::render_text(&t.runs[skip..]));
    if t.newest_regressed {
        let _ = writeln!(o, "newest run {} regresses (exit 1)", last.run);
    }
    o
}

#[cfg(test)]
mod tests;
