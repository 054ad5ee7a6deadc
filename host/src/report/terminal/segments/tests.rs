//! Unit tests for `segments`.

use super::*;
use crate::report::summary::{Alarm, SegmentValue};

#[test]
fn a_drop_shows_in_the_sparkline_and_its_alarm_is_pointed_at() {
    let mut j = JudgeSummary::default();
    let values = [1.0, 1.0, 0.5, 1.0];
    j.segment_metrics.insert(
        "segment_pass_rate".into(),
        values
            .iter()
            .enumerate()
            .map(|(i, &value)| SegmentValue {
                segment: i as u32,
                value,
            })
            .collect(),
    );
    j.alarms.push(Alarm {
        kind: "segment-drift".into(),
        segment: Some(2),
        message: "m".into(),
    });
    let mut o = String::new();
    render(&mut o, &j);
    let lines: Vec<&str> = o.lines().collect();
    assert!(lines[1].contains("██▁█"), "{o}");
    assert!(
        lines[1].contains("min 50.00% (segment 2)  max 100.00% (segment 0)"),
        "{o}"
    );
    let spark_at = lines[1].chars().position(|c| c == '█').unwrap_or(0);
    let mark_at = lines[2].chars().position(|c| c == '^');
    assert_eq!(mark_at, Some(spark_at + 2), "the ^ sits under segment 2: {o}");
    assert!(lines[2].ends_with("ALARM: segment 2"), "{o}");
}

#[test]
fn many_segments_fit_the_width_and_keep_a_one_segment_drop() {
    let points: Vec<(u32, f64)> = (0..1000).map(|s| (s, if s == 777 { 0.1 } else { 0.9 })).collect();
    let c = cells(&points);
    assert!(c.len() <= WIDTH, "{}", c.len());
    assert!(c.iter().any(|&(a, b, v)| (a..=b).contains(&777) && v == 0.1));
}
