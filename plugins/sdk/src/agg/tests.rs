//! Unit tests for `agg`.

use super::*;

fn v(passed: bool, label: &str) -> SlimVerdict {
    SlimVerdict {
        score: Some(if passed { 1.0 } else { 0.0 }),
        label: (!passed).then(|| label.to_string()),
        passed,
    }
}

fn feed(s: &mut SegmentPassRate, segment: u32, pass: u64, fail: u64, label: &str) {
    for _ in 0..pass {
        s.add(segment, Some(&v(true, "")));
    }
    for _ in 0..fail {
        s.add(segment, Some(&v(false, label)));
    }
}

fn metric(r: &Report, name: &str, seg: Option<u32>) -> Option<f64> {
    r.metrics
        .iter()
        .find(|m| m.name == name && m.segment == seg)
        .map(|m| m.value)
}

#[test]
fn a_dropping_segment_alarms_with_its_rows_and_worst_label() {
    let mut s = SegmentPassRate::new(5.0, 20);
    s.begin(&RunInfo {
        rows_submitted: 350,
        segment_size: 100,
        provider: "openai".into(),
        models: vec![],
        snapshots: vec![],
    });
    feed(&mut s, 0, 95, 5, "type");
    feed(&mut s, 1, 95, 5, "type");
    feed(&mut s, 2, 95, 5, "type");
    feed(&mut s, 3, 30, 20, "required");
    let r = s.report();
    assert_eq!(metric(&r, "scored", None), Some(350.0));
    assert_eq!(metric(&r, "segment_pass_rate", Some(3)), Some(0.6));
    assert_eq!(r.alarms.len(), 1, "{:?}", r.alarms);
    assert_eq!(
        (r.alarms[0].kind.as_str(), r.alarms[0].segment),
        ("segment-drift", Some(3))
    );
    assert_eq!(
        r.alarms[0].message,
        "segment 3 (rows 300-349): pass rate 60.0% vs 90.0% batch-wide (-30.0 points); most broken: required (20 rows)"
    );
}

#[test]
fn rows_without_a_verdict_are_seen_not_scored() {
    let mut s = SegmentPassRate::new(5.0, 1);
    s.add(0, None);
    s.add(0, Some(&v(true, "")));
    let (id, seg) = s.segments().next().expect("segment 0");
    assert_eq!((id, seg.seen, seg.scored, seg.passed), (0, 2, 1, 1));
    let mut empty = SegmentPassRate::new(5.0, 1);
    empty.add(4, None);
    let r = empty.report();
    assert_eq!(metric(&r, "scored", None), Some(0.0));
    assert_eq!(metric(&r, "pass_rate", None), None, "no rate when nothing was scored");
    assert!(r.alarms.is_empty());
}

#[test]
fn small_segments_and_exact_threshold_do_not_alarm() {
    let mut s = SegmentPassRate::new(10.0, 20);
    feed(&mut s, 0, 100, 0, "");
    feed(&mut s, 1, 0, 5, "x"); // far below, but only 5 rows
    assert!(s.drops().is_empty());
    let mut t = SegmentPassRate::new(10.0, 1);
    feed(&mut t, 0, 10, 0, "");
    feed(&mut t, 1, 8, 2, "x"); // run 90%, segment 80%: exactly 10 points
    assert!(t.drops().is_empty());
}

#[test]
fn scores_give_mean_and_quantiles() {
    let mut s = Scores::new();
    assert_eq!((s.mean(), s.quantile(0.5)), (None, None));
    for i in 0..=100 {
        s.add(f64::from(i) / 100.0);
    }
    s.add(f64::NAN);
    s.add(7.0); // clamped to 1
    assert_eq!(s.count(), 102);
    assert!((s.mean().unwrap_or(0.0) - 51.5 / 102.0).abs() < 1e-12);
    assert_eq!(s.quantile(0.5), Some(0.5));
    assert_eq!(s.quantile(0.0), Some(0.0));
    assert_eq!(s.quantile(1.0), Some(1.0));
    assert_eq!(s.range(), Some((0.0, 1.0)));
    let mut r = Report::new();
    s.report_into(&mut r, "score_");
    let names: Vec<&str> = r.metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["score_count", "score_mean", "score_p50", "score_p90", "score_p99"]
    );
}

#[test]
fn labels_are_bounded() {
    let mut l = LabelCounts::new();
    for i in 0..MAX_LABELS + 10 {
        l.add(&format!("l{i:03}"));
    }
    l.add("l000");
    assert_eq!(l.get("other"), 10);
    assert_eq!(l.get("l000"), 2);
    assert_eq!(l.most_common(), Some(("other", 10)));
}

#[test]
fn with_segment_finds_every_segment_in_or_out_of_order() {
    let mut map: BTreeMap<u32, u64> = BTreeMap::new();
    for segment in [0, 0, 1, 1, 1, 0, 3, 1, 3] {
        with_segment(&mut map, segment, |n| *n += 1);
    }
    assert_eq!(map.into_iter().collect::<Vec<_>>(), [(0, 3), (1, 4), (3, 2)]);
}
