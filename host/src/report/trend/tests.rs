//! Unit tests for `trend`.

use super::*;

fn point(run: i64, completion: f64, pass: Option<f64>, cost: Option<f64>) -> RunPoint {
    RunPoint {
        run,
        kind: "eval".into(),
        job: None,
        tag: Some("nightly".into()),
        started_at: 1_700_000_000_000 + run * 60_000,
        completion_rate: completion,
        pass_rates: [("schema-drift".to_owned(), pass)].into_iter().collect(),
        cost_per_validated_row_usd: cost,
        gates_passed: true,
        exit_code: 0,
        next_submission: Default::default(),
    }
}

const BAND: Band = Band { window: 3, points: 5.0 };

#[test]
fn the_baseline_is_the_median_of_the_previous_n_present_values() {
    assert_eq!(median(&[0.9, 0.1, 0.5]), Some(0.5));
    assert_eq!(median(&[0.9, 0.1, 0.5, 0.7]), Some(0.6));
    assert_eq!(median(&[]), None);
}

#[test]
fn a_drop_beyond_the_band_against_the_median_is_flagged_and_one_within_it_is_not() {
    let runs = vec![
        point(1, 0.10, Some(0.90), Some(1.0)),
        point(2, 0.99, Some(0.95), Some(1.0)),
        point(3, 0.98, Some(0.96), Some(1.0)),
        point(4, 0.97, Some(0.96), Some(1.0)),
        point(5, 0.93, Some(0.90), Some(1.04)),
    ];
    let t = Trend::compute(runs, BAND);
    // Run 5: completion 93% against the median of runs 2-4 (98%): 5 points, not beyond.
    // Pass rate 90% against 96%: 6 points, beyond. Cost +4%: within 5%.
    let flagged: Vec<(&str, i64)> = t.regressions.iter().map(|r| (r.series.as_str(), r.run)).collect();
    assert_eq!(flagged, vec![("pass rate schema-drift", 5)], "{:?}", t.regressions);
    assert!(t.newest_regressed);
    let r = &t.regressions[0];
    assert_eq!((r.previous, r.baseline), (3, 0.96));
    assert!(
        r.message.contains("90.00%") && r.message.contains("96.00%"),
        "{}",
        r.message
    );
    // Run 2 jumps up from run 1: never a regression.
    assert!(!t.series[0].values[1].regressed);
}

#[test]
fn unit_cost_regresses_upwards_and_missing_values_are_skipped() {
    let runs = vec![
        point(1, 1.0, None, Some(1.0)),
        point(2, 1.0, Some(0.9), None),
        point(3, 1.0, Some(0.9), Some(1.2)),
    ];
    let t = Trend::compute(runs, BAND);
    let cost = t.series.iter().find(|s| s.unit == Unit::Usd).expect("cost series");
    assert_eq!(cost.values[1].value, None);
    assert!(cost.values[2].regressed, "{:?}", cost.values);
    assert_eq!(cost.values[2].previous, 1);
    let pass = t
        .series
        .iter()
        .find(|s| s.name == "pass rate schema-drift")
        .expect("pass series");
    assert_eq!((pass.values[1].previous, pass.values[1].regressed), (0, false));
    assert!(t.newest_regressed);
    assert!(!Trend::compute(vec![point(1, 1.0, None, None)], BAND).newest_regressed);
}

#[test]
fn the_text_view_draws_one_sparkline_per_series_and_points_at_regressions() {
    let runs = vec![
        point(1, 1.0, Some(0.9), None),
        point(2, 1.0, Some(0.9), None),
        point(3, 0.5, Some(0.9), None),
    ];
    let text = render_text(&Trend::compute(runs, BAND));
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("completion"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("██▁"), "{line}");
    assert!(text.contains("  ^  REGRESSION run 3: completion 50.00%"), "{text}");
    assert!(text.contains("newest run 3 regresses"), "{text}");
}

#[test]
fn runs_before_the_drawn_ones_still_serve_as_baselines() {
    let runs = vec![
        point(1, 1.0, None, None),
        point(2, 1.0, None, None),
        point(3, 1.0, None, None),
        point(4, 0.5, None, None),
    ];
    let t = Trend::compute(runs, BAND).keep_last(1);
    assert_eq!(t.runs.len(), 1);
    let v = &t.series[0].values;
    assert_eq!((v.len(), v[0].previous, v[0].regressed), (1, 3, true));
    assert_eq!(t.regressions.len(), 1);
    assert!(t.newest_regressed);
}

#[test]
fn the_gate_marks_line_up_with_the_runs_and_name_each_blocking_run() {
    let mut runs: Vec<RunPoint> = (1..=4).map(|r| point(r, 1.0, Some(0.9), None)).collect();
    runs[1].job = Some(3);
    runs[1].next_submission = marks::NextSubmission {
        blocks: vec!["canary-drift".into()],
        refused: 1,
        forced: 0,
    };
    runs[3].job = Some(4);
    runs[3].next_submission = marks::NextSubmission {
        blocks: vec!["gate".into(), "segment-drift".into()],
        refused: 1,
        forced: 1,
    };
    let text = render_text(&Trend::compute(runs, BAND));
    assert!(text.contains("gates the next submission    .x.F\n"), "{text}");
    assert!(
        text.contains("run 2 (job 3) blocks submit --gate-on-last: canary-drift; 1 refused, 0 forced"),
        "{text}"
    );
    assert!(text.contains("run 4 (job 4) blocks submit --gate-on-last: gate, segment-drift; 1 refused, 1 forced"));
    let quiet = render_text(&Trend::compute(
        (1..=3).map(|r| point(r, 1.0, None, None)).collect(),
        BAND,
    ));
    assert!(!quiet.contains("gates the next submission"), "{quiet}");
}
