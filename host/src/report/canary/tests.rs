use std::collections::BTreeMap;

use super::*;
use crate::jobs::store::CanaryJudge;
use crate::report::summary::SegmentPass;

/// A canary of `n` rows, `passed` of them passed by the quality judge `q`.
fn canary(passed: u64, n: u64) -> Canary {
    let judge = CanaryJudge {
        version: "1".into(),
        sha256: "x".into(),
        quality: true,
        scored: n,
        passed,
        metrics: [("mean_score".to_owned(), 0.9)].into_iter().collect(),
    };
    Canary {
        id: 7,
        provider: "openai".into(),
        input_sha256: "s".into(),
        sample: "2%".into(),
        seed: 0,
        rows: n,
        judges: [("q".to_owned(), judge)].into_iter().collect(),
        run_id: None,
        created_at: 0,
    }
}

/// A batch whose judge `q` passed `per_segment[i]` of 100 rows in segment i.
fn batch(per_segment: &[u64]) -> Summary {
    let segment_pass: Vec<SegmentPass> = per_segment
        .iter()
        .enumerate()
        .map(|(i, &p)| SegmentPass {
            segment: i as u32,
            scored: 100,
            passed: p,
        })
        .collect();
    let (scored, passed) = (100 * per_segment.len() as u64, per_segment.iter().sum::<u64>());
    let j = JudgeSummary {
        quality: true,
        scored,
        passed,
        pass_rate: passed as f64 / scored as f64,
        metrics: [("mean_score".to_owned(), 0.6)].into_iter().collect(),
        segment_pass,
        ..Default::default()
    };
    let mut judges = BTreeMap::new();
    judges.insert("q".to_owned(), j);
    Summary {
        judges,
        ..Summary::default()
    }
}

#[test]
fn wilson_matches_the_published_values_and_stays_inside_zero_and_one() {
    // Newcombe (1998), table I: 81/263 → 0.2553 to 0.3662.
    let (lo, hi) = wilson(81, 263, Z95);
    assert!((lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4, "{lo} {hi}");
    let (lo, hi) = wilson(0, 10, Z95);
    assert_eq!(lo, 0.0);
    assert!((hi - 0.2775).abs() < 5e-4, "{hi}");
    assert_eq!(wilson(10, 10, Z95).1, 1.0);
}

#[test]
fn newcombes_difference_interval_matches_his_worked_example() {
    // Newcombe (1998), table II, example (a), method 10: 56/70 − 48/80 → 0.0524 to 0.3339.
    let (lo, hi) = difference_interval((56, 70), (48, 80), Z95);
    assert!((lo - 0.0524).abs() < 5e-4 && (hi - 0.3339).abs() < 5e-4, "{lo} {hi}");
}

#[test]
fn a_batch_far_below_a_large_enough_canary_raises_canary_drift_naming_both_rates_sizes_and_worst_segments() {
    let mut s = batch(&[95, 60, 40, 90]);
    compare(&mut s, &canary(39, 40), 5.0);
    let c = &s.canary.as_ref().unwrap().judges["q"];
    assert!(c.drifted, "{c:?}");
    assert!(c.interval_points[0] > 5.0, "{c:?}");
    assert_eq!(c.metrics["mean_score"], [0.9, 0.6]);
    let segs: Vec<u32> = c.worst_segments.iter().map(|s| s.segment).collect();
    assert_eq!(segs, vec![2, 1, 3], "below the canary's 97.5%, lowest first");
    let alarms = &s.judges["q"].alarms;
    assert_eq!(alarms.len(), 1);
    assert_eq!(alarms[0].kind, "canary-drift");
    let m = &alarms[0].message;
    for part in ["71.25%", "n=400", "97.50%", "n=40", "95% interval", "2 (40.00%, n=100)"] {
        assert!(m.contains(part), "{part} missing from {m}");
    }
}

#[test]
fn a_fifty_row_canary_does_not_cry_wolf_on_a_drop_its_interval_cannot_tell_from_noise() {
    // 8 points lower, past the 5-point threshold, but 50 canary rows cannot
    // tell that from noise: the interval reaches below the threshold.
    let mut s = batch(&[82; 10]);
    compare(&mut s, &canary(45, 50), 5.0);
    let c = &s.canary.as_ref().unwrap().judges["q"];
    assert!((c.difference_points - 8.0).abs() < 1e-9, "{c:?}");
    assert!(c.interval_points[0] < 5.0, "{c:?}");
    assert!(!c.drifted);
    assert!(s.judges["q"].alarms.is_empty());
}

#[test]
fn a_judge_that_is_not_a_quality_judge_is_compared_but_never_alarms() {
    let mut s = batch(&[10; 4]);
    s.judges.get_mut("q").unwrap().quality = false;
    compare(&mut s, &canary(40, 40), 5.0);
    assert!(!s.canary.as_ref().unwrap().judges["q"].drifted);
    assert!(s.judges["q"].alarms.is_empty());
}

#[test]
fn a_judge_only_one_side_ran_is_left_out() {
    let mut s = batch(&[50; 4]);
    let mut c = canary(40, 40);
    let q = c.judges.remove("q").unwrap();
    c.judges.insert("other".into(), q);
    compare(&mut s, &c, 5.0);
    assert!(s.canary.as_ref().unwrap().judges.is_empty());
}

#[test]
fn the_terminal_shows_canary_and_batch_side_by_side() {
    let mut s = batch(&[95, 60, 40, 90]);
    compare(&mut s, &canary(39, 40), 5.0);
    let text = render_text(s.canary.as_ref().unwrap());
    assert!(text.contains("canary 7 (40 rows) against the batch"), "{text}");
    assert!(
        text.contains("canary 97.50% (n=40)  batch 71.25% (n=400)  26.2 points lower"),
        "{text}"
    );
    assert!(text.contains("CANARY-DRIFT"), "{text}");
    assert!(text.contains("mean_score                 0.9000 → 0.6000"), "{text}");
    assert!(crate::report::terminal::render(&s).contains("CANARY-DRIFT"));
}
