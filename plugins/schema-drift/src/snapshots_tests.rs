//! Unit tests of [`SnapshotStats`] with hand-computed numbers.

use assay_judge_sdk::Report;

use super::*;

fn stats(min_segment_rows: u64, models: &[&str], snapshots: &[String]) -> SnapshotStats {
    let mut s = SnapshotStats::new(DriftConfig {
        alarm_points: 5.0,
        min_segment_rows,
    });
    s.begin(&RunInfo {
        rows_submitted: 0,
        segment_size: 100,
        provider: "openai".into(),
        models: models.iter().map(|m| m.to_string()).collect(),
        snapshots: snapshots.to_vec(),
    });
    s
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    std::iter::once(String::new())
        .chain((1..=n).map(|i| format!("{prefix}{i:04}")))
        .collect()
}

fn feed(s: &mut SnapshotStats, model: u32, snapshot: Option<u32>, pass: u64, fail: u64) {
    for i in 0..pass + fail {
        let v = SlimVerdict {
            score: None,
            label: None,
            passed: i < pass,
        };
        s.observe(model, snapshot, Some(&v));
    }
}

fn report(s: &SnapshotStats) -> Report {
    let mut r = Report::new();
    s.report_into(&mut r);
    r
}

fn metric(r: &Report, name: &str) -> Option<f64> {
    r.metrics
        .iter()
        .find(|m| m.name == name && m.segment.is_none())
        .map(|m| m.value)
}

fn count(r: &Report, prefix: &str) -> usize {
    r.metrics.iter().filter(|m| m.name.starts_with(prefix)).count()
}

#[test]
fn per_snapshot_rates_and_alarm() {
    let snaps = ["", "fp_a", "fp_b"].map(String::from);
    let mut s = stats(20, &["", "gpt-4o", "gpt-4o-mini"], &snaps);
    feed(&mut s, 1, Some(1), 95, 5); // gpt-4o/fp_a 95%
    feed(&mut s, 1, Some(2), 30, 20); // gpt-4o/fp_b 60%
    feed(&mut s, 2, None, 45, 5); // gpt-4o-mini 90%
    s.observe(2, Some(2), None); // unscored: counts nowhere
    let r = report(&s); // batch-wide 170/200 = 85%
    assert_eq!(metric(&r, "snapshots_compared"), Some(1.0));
    assert_eq!(metric(&r, "snapshot_scored:gpt-4o/fp_a"), Some(100.0));
    assert_eq!(metric(&r, "snapshot_pass_rate:gpt-4o/fp_a"), Some(0.95));
    assert_eq!(metric(&r, "snapshot_scored:gpt-4o/fp_b"), Some(50.0));
    assert_eq!(metric(&r, "snapshot_pass_rate:gpt-4o/fp_b"), Some(0.6));
    assert_eq!(metric(&r, "snapshot_scored:gpt-4o-mini"), Some(50.0));
    assert_eq!(metric(&r, "snapshot_pass_rate:gpt-4o-mini"), Some(0.9));
    assert_eq!(metric(&r, "snapshot_scored:gpt-4o-mini/fp_b"), None);
    assert_eq!(metric(&r, "snapshot_scored:(other)"), None);
    assert_eq!(r.alarms.len(), 1, "{:?}", r.alarms);
    assert_eq!(
        (r.alarms[0].kind.as_str(), r.alarms[0].segment),
        ("snapshot-drift", None)
    );
    assert_eq!(
        r.alarms[0].message,
        "snapshot gpt-4o/fp_b: conformance 60.0% on 50 scored rows vs 85.0% batch-wide (-25.0 points)"
    );
}

#[test]
fn alarm_threshold_edges() {
    let snaps = ["", "x", "y"].map(String::from);
    // x: 34/40 = 85%, batch 180/200 = 90%: exactly -5.0 points, no alarm.
    let mut s = stats(40, &["", "m"], &snaps);
    feed(&mut s, 1, Some(1), 34, 6);
    feed(&mut s, 1, Some(2), 146, 14);
    assert!(report(&s).alarms.is_empty());
    // x: 33/40 = 82.5%, batch 180/200: -7.5 points, alarm at min 40, none at min 41.
    let mut s = stats(40, &["", "m"], &snaps);
    feed(&mut s, 1, Some(1), 33, 7);
    feed(&mut s, 1, Some(2), 147, 13);
    let r = report(&s);
    assert_eq!(r.alarms.len(), 1);
    assert_eq!(
        r.alarms[0].message,
        "snapshot m/x: conformance 82.5% on 40 scored rows vs 90.0% batch-wide (-7.5 points)"
    );
    let mut s = stats(41, &["", "m"], &snaps);
    feed(&mut s, 1, Some(1), 33, 7);
    feed(&mut s, 1, Some(2), 147, 13);
    assert!(report(&s).alarms.is_empty());
}

#[test]
fn top_twenty_and_the_rest_pooled() {
    let snaps = names("fp_", 25);
    let mut s = stats(1000, &["", "m"], &snaps);
    // Snapshot i gets 10 + i rows; the five smallest (i = 1..=5) have one failure each.
    for i in 1..=25u32 {
        let fail = u64::from(i <= 5);
        feed(&mut s, 1, Some(i), 10 + u64::from(i) - fail, fail);
    }
    let r = report(&s);
    assert_eq!(count(&r, "snapshot_scored:"), MAX_REPORTED + 1);
    assert_eq!(count(&r, "snapshot_pass_rate:"), MAX_REPORTED + 1);
    assert_eq!(metric(&r, "snapshot_scored:m/fp_0025"), Some(35.0));
    assert_eq!(metric(&r, "snapshot_scored:m/fp_0006"), Some(16.0));
    assert_eq!(metric(&r, "snapshot_scored:m/fp_0005"), None);
    // Pooled: 11 + 12 + 13 + 14 + 15 = 65 rows, 60 passed.
    assert_eq!(metric(&r, "snapshot_scored:(other)"), Some(65.0));
    assert_eq!(metric(&r, "snapshot_pass_rate:(other)"), Some(60.0 / 65.0));
    assert!(r.alarms.is_empty());
}

#[test]
fn too_many_snapshots_falls_back_to_models() {
    let snaps = names("fp_", MAX_SNAPSHOTS + 1);
    // Exactly MAX_SNAPSHOTS distinct values: still compared.
    let mut s = stats(1, &["", "m", "n"], &snaps);
    for i in 1..=MAX_SNAPSHOTS as u32 {
        feed(&mut s, 1, Some(i), 1, 0);
    }
    let r = report(&s);
    assert_eq!(metric(&r, "snapshots_compared"), Some(1.0));
    assert_eq!(
        metric(&r, "snapshot_scored:(other)"),
        Some((MAX_SNAPSHOTS - MAX_REPORTED) as f64)
    );
    // One more (even on an unscored row): models only, earlier counts folded in.
    feed(&mut s, 1, Some(1), 0, 10);
    s.observe(2, Some(MAX_SNAPSHOTS as u32 + 1), None);
    feed(&mut s, 2, Some(7), 5, 0);
    let r = report(&s);
    assert_eq!(metric(&r, "snapshots_compared"), Some(0.0));
    assert_eq!(metric(&r, "snapshot_scored:m"), Some(1010.0));
    assert_eq!(metric(&r, "snapshot_pass_rate:m"), Some(1000.0 / 1010.0));
    assert_eq!(metric(&r, "snapshot_scored:n"), Some(5.0));
    assert_eq!(count(&r, "snapshot_scored:"), 2);
    assert!(!r.metrics.iter().any(|m| m.name.contains('/')));
    assert!(s.seen.is_empty());
}

#[test]
fn unknown_indexes_are_named_not_trusted() {
    let mut s = stats(1, &["", "m"], &["".into()]);
    feed(&mut s, 99, Some(77), 1, 0);
    feed(&mut s, 0, None, 1, 0);
    let r = report(&s);
    assert_eq!(metric(&r, "snapshot_scored:(model #99)/(snapshot #77)"), Some(1.0));
    assert_eq!(metric(&r, "snapshot_scored:(model #0)"), Some(1.0));
    // Nothing scored: the flag only.
    let r = report(&stats(1, &[], &[]));
    assert_eq!(r.metrics.len(), 1);
    assert_eq!(metric(&r, "snapshots_compared"), Some(1.0));
}

#[test]
fn alarms_are_capped_worst_first() {
    let snaps = names("s", 26);
    let mut s = stats(20, &["", "m"], &snaps);
    feed(&mut s, 1, Some(26), 10_000, 0);
    feed(&mut s, 1, Some(1), 10, 10); // 50%: better than the all-failing ones
    for i in 2..=25 {
        feed(&mut s, 1, Some(i), 0, 20);
    }
    let r = report(&s);
    assert_eq!(r.alarms.len(), MAX_ALARMS);
    assert!(
        r.alarms[0]
            .message
            .starts_with("snapshot m/s0002: conformance 0.0% on 20")
    );
    assert!(r.alarms[19].message.starts_with("snapshot m/s0021:"));
    assert!(
        r.alarms[19]
            .message
            .ends_with("; 5 more combinations below the threshold not listed"),
        "{}",
        r.alarms[19].message
    );
}

/// Rows of one combination arriving in a run or scattered among others give
/// the same report: the counts held back for the latest combination are
/// never lost or counted twice, in the report or when the table is folded.
#[test]
fn the_report_does_not_depend_on_how_combinations_interleave() {
    let snaps = names("fp_", 3);
    let rows: Vec<(u32, Option<u32>, bool)> = (0..600u32)
        .map(|i| {
            (
                1 + i % 2,
                [None, Some(1), Some(2), Some(3)]
                    .get((i % 7 % 4) as usize)
                    .copied()
                    .flatten(),
                i % 5 != 0,
            )
        })
        .collect();
    let mut grouped = rows.clone();
    grouped.sort();
    let mut a = stats(1, &["", "m", "n"], &snaps);
    let mut b = stats(1, &["", "m", "n"], &snaps);
    for (s, rows) in [(&mut a, &rows), (&mut b, &grouped)] {
        for &(model, snapshot, passed) in rows {
            s.observe(
                model,
                snapshot,
                Some(&SlimVerdict {
                    score: None,
                    label: None,
                    passed,
                }),
            );
        }
    }
    let (ra, rb) = (report(&a), report(&b));
    assert_eq!(format!("{:?}", ra.metrics), format!("{:?}", rb.metrics));
    assert_eq!(
        metric(&ra, "snapshot_scored:m/fp_0001"),
        Some(rows.iter().filter(|r| r.0 == 1 && r.1 == Some(1)).count() as f64)
    );
    let total: f64 = ra
        .metrics
        .iter()
        .filter(|m| m.name.starts_with("snapshot_scored:"))
        .map(|m| m.value)
        .sum();
    assert_eq!(total, 600.0);
}
