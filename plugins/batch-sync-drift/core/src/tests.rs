//! Native tests of the rubrics, the classes and every band of the aggregator.

use assay_judge_sdk::{Config, JudgeError, Observation, Report, Row, SlimVerdict};
use local_metrics::testing::{cfg, metric, observation, row};

use crate::label::encode;
use crate::side::{SYNC_FINISH_REASON, SYNC_RESPONSE, SYNC_STATUS};
use crate::{Class, DriftCore, Judged, Outcome};

const SCHEMA: &str = r#"{"type": "object", "required": ["answer"]}"#;
const CTX: &str = "Paris is the capital and most populous city of France.";

fn core(pairs: &[(&str, &str)]) -> DriftCore {
    match DriftCore::from_config(&cfg(pairs)) {
        Ok(c) => c,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

/// A pair: the batch `response`, the sync `sync` text, extra metadata.
fn pair(batch: &str, sync: &str, extra: &[(&str, &str)]) -> Row {
    let mut meta = vec![(SYNC_STATUS, "completed"), (SYNC_RESPONSE, sync)];
    meta.extend_from_slice(extra);
    row(Some(batch), &meta)
}

/// Class and the four outcome codes of `row`.
fn judged(c: &DriftCore, row: &Row) -> (Class, String) {
    match c.judge(row) {
        Judged::Pair { structural, .. } => {
            let codes: String = structural.outcomes().iter().map(|o| o.code()).collect();
            (structural.class, codes)
        }
        Judged::Unscored(v) => panic!("expected a pair, got {v:?}"),
    }
}

#[test]
fn grounding_rubric() {
    let c = core(&[]);
    let ctx = [("retrieval_context", CTX)];
    let good = "Paris is the capital of France.";
    let bad = "London is the capital of England.";
    assert_eq!(judged(&c, &pair(bad, good, &ctx)), (Class::Worse, "s..B".into()));
    assert_eq!(judged(&c, &pair(good, bad, &ctx)), (Class::Better, "b..B".into()));
    assert_eq!(judged(&c, &pair(good, good, &ctx)), (Class::Equivalent, "B..B".into()));
    // No context: not applicable.
    assert_eq!(judged(&c, &pair(bad, good, &[])).1, "...B");
    // A margin larger than the difference makes the flip immaterial.
    let c = core(&[("grounding-margin", "1")]);
    assert_eq!(judged(&c, &pair(bad, good, &ctx)).1, "s..B");
    assert_ne!(judged(&c, &pair(bad, good, &ctx)).0, Class::Worse);
}

#[test]
fn schema_rubric() {
    let c = core(&[("schema", SCHEMA)]);
    let (ok, no) = (r#"{"answer": 1}"#, r#"{"other": 1}"#);
    assert_eq!(judged(&c, &pair(no, ok, &[])), (Class::Worse, ".s.B".into()));
    assert_eq!(judged(&c, &pair(ok, "not json", &[])), (Class::Better, ".b.B".into()));
    assert_eq!(judged(&c, &pair(no, no, &[])), (Class::Equivalent, ".n.B".into()));
    // Without a schema the rubric is not applicable.
    assert_eq!(judged(&core(&[]), &pair(no, ok, &[])).1, "...B");
}

#[test]
fn tool_call_rubric() {
    let c = core(&[("schema", SCHEMA), ("tool-schema", r#"{"required": ["city"]}"#)]);
    let tool = [(SYNC_FINISH_REASON, "tool_calls")];
    let mut r = pair(r#"{"town": "x"}"#, r#"{"city": "x"}"#, &tool);
    r.finish_reason = Some("tool_calls".into());
    assert_eq!(judged(&c, &r), (Class::Worse, "..sB".into()));
    r.response = Some("[1]".into());
    assert_eq!(judged(&c, &r).1, "..sB", "arguments must be an object");
    r.response = Some(r#"{"city": "x"}"#.into());
    assert_eq!(judged(&c, &r), (Class::Equivalent, "..BB".into()));
    // Only the batch side called the tool: the sync side fails t; s is not applicable.
    let mut r = pair(r#"{"city": "x"}"#, r#"{"answer": 1}"#, &[]);
    r.finish_reason = Some("tool_use".into());
    assert_eq!(judged(&c, &r), (Class::Better, "..bB".into()));
    // Neither side: not applicable.
    assert_eq!(judged(&c, &pair("{}", "{}", &[])).1, ".n.B");
}

#[test]
fn refusal_rubric() {
    let c = core(&[("extra-phrases", "no can do")]);
    let refusal = "I'm sorry, but I can't help with that.";
    let answer = "The capital of France is Paris.";
    assert_eq!(judged(&c, &pair(refusal, answer, &[])), (Class::Worse, "...s".into()));
    assert_eq!(judged(&c, &pair("No can do.", answer, &[])).1, "...s");
    assert_eq!(judged(&c, &pair("   ", answer, &[])).1, "...s", "empty");
    let mut t = pair(answer, answer, &[]);
    t.finish_reason = Some("length".into());
    assert_eq!(judged(&c, &t), (Class::Worse, "...s".into()), "truncated");
    let expected = [("should_refuse", "true")];
    assert_eq!(
        judged(&c, &pair(refusal, answer, &expected)),
        (Class::Better, "...b".into())
    );
    let filtered = row(Some(answer), &[(SYNC_STATUS, "content_filter")]);
    assert_eq!(judged(&c, &filtered), (Class::Better, "...b".into()));
}

#[test]
fn agreement_confirms_ties() {
    let c = core(&[]);
    let (a, b) = (r#"{"x": 1, "y": 2}"#, r#"{"x": 1, "y": 3}"#);
    assert_eq!(judged(&c, &pair(a, b, &[])).0, Class::Equivalent, "1 of 2 fields = 0.5");
    let c = core(&[("min-agreement", "0.6")]);
    assert_eq!(judged(&c, &pair(a, b, &[])).0, Class::Divergent);
    let v = c.score(&pair(a, b, &[]));
    assert_eq!((v.score, v.passed), (Some(0.5), true));
    assert!(v.details.is_some_and(|d| d.contains("JSON field agreement 0.50")));
}

#[test]
fn unpaired_and_unavailable_rows_are_unscored_passes() {
    let c = core(&[]);
    let v = c.score(&row(Some("x"), &[]));
    assert_eq!((v.score, v.passed, v.label.as_deref()), (None, true, Some("unpaired")));
    let v = c.score(&row(Some("x"), &[(SYNC_STATUS, &"z".repeat(300))]));
    assert!(v.score.is_none() && v.passed && v.label.is_some_and(|l| l.len() <= 128));
}

#[test]
fn bad_config_names_the_key() {
    let err = |pairs: &[(&str, &str)]| match DriftCore::from_config(&cfg(pairs)) {
        Err(JudgeError::Config(m)) => m,
        Err(e) => panic!("unexpected {e:?}"),
        Ok(_) => panic!("expected a config error for {pairs:?}"),
    };
    assert!(err(&[("schema", "{")]).contains("`schema`"));
    assert!(err(&[("tool-schema", r#"{"type": 7}"#)]).contains("`tool-schema`"));
    assert!(err(&[("gap-points", "-1")]).contains("`gap-points`"));
    assert!(err(&[("regression-below", "0.6")]).contains("`regression-below`"));
    assert!(err(&[("min-pairs", "x")]).contains("`min-pairs`"));
    assert!(DriftCore::from_config(&Config::default()).is_ok());
}

/// An observation whose verdict is `class` with `codes` (g, s, t, r).
fn obs(segment: u32, class: Class, codes: [Outcome; 4]) -> Observation {
    let mut o = observation(segment, None);
    o.verdict = Some(SlimVerdict {
        score: Some(class.score()),
        label: Some(encode(class.name(), &codes)),
        passed: class.score() >= 0.5,
    });
    o
}

/// A run of `worse`, `equal` and `better` pairs (schema rubric only).
fn run(worse: usize, equal: usize, better: usize, pairs: &[(&str, &str)]) -> Report {
    use Outcome::{BatchOnly as Bo, Both as B, NotApplicable as Na, SyncOnly as So};
    let mut c = core(pairs);
    let feed = |c: &mut DriftCore, n: usize, class: Class, s: Outcome| {
        (0..n).for_each(|i| c.observe(&obs(i as u32 % 2, class, [Na, s, Na, B])));
    };
    feed(&mut c, worse, Class::Worse, So);
    feed(&mut c, equal, Class::Equivalent, B);
    feed(&mut c, better, Class::Better, Bo);
    c.report()
}

fn kinds(r: &Report) -> Vec<&str> {
    r.alarms.iter().map(|a| a.kind.as_str()).collect()
}

#[test]
fn bands() {
    // 10 worse, 10 equivalent, 0 better: mean 0.25 → regression.
    let r = run(10, 10, 0, &[]);
    assert_eq!(metric(&r, "mean_score", None), Some(0.25));
    assert_eq!(metric(&r, "band", None), Some(2.0));
    assert_eq!(kinds(&r), ["regression", "rubric-gap"]);
    // mean 0.475 (1 worse of 20) → soft drift; gap -5 points.
    let r = run(1, 19, 0, &[]);
    assert_eq!(metric(&r, "band", None), Some(1.0));
    assert_eq!(kinds(&r), ["soft-drift", "rubric-gap"]);
    // Exactly 0.45 is soft drift, not regression.
    let r = run(2, 18, 0, &[]);
    assert_eq!(metric(&r, "mean_score", None), Some(0.45));
    assert_eq!(metric(&r, "band", None), Some(1.0));
    // Balanced → no band; gap 0 → no alarm.
    let r = run(3, 14, 3, &[]);
    assert_eq!(metric(&r, "band", None), Some(0.0));
    assert!(r.alarms.is_empty(), "{:?}", r.alarms);
    assert_eq!(metric(&r, "worse", None), Some(3.0));
    assert_eq!(metric(&r, "better", None), Some(3.0));
    assert_eq!(metric(&r, "equivalent", None), Some(14.0));
    // Too few pairs: metrics but no alarms.
    let r = run(10, 5, 0, &[]);
    assert_eq!(metric(&r, "band", None), Some(2.0));
    assert!(r.alarms.is_empty());
}

#[test]
fn rubric_gaps() {
    // 1 worse in 50: gap -2.0 points, exactly the threshold → no alarm.
    let r = run(1, 49, 0, &[]);
    assert_eq!(metric(&r, "schema_pairs", None), Some(50.0));
    assert_eq!(metric(&r, "schema_batch_pass_rate", None), Some(0.98));
    assert_eq!(metric(&r, "schema_sync_pass_rate", None), Some(1.0));
    let gap = metric(&r, "schema_gap_points", None).unwrap_or_default();
    assert!((gap + 2.0).abs() < 1e-9, "{gap}");
    assert!(!kinds(&r).contains(&"rubric-gap"));
    assert_eq!(metric(&r, "refusal_gap_points", None), Some(0.0));
    assert_eq!(metric(&r, "grounding_pairs", None), None, "never applicable");
    // A positive gap alarms too; the threshold is configurable.
    let r = run(0, 40, 10, &[]);
    let gap = r
        .alarms
        .iter()
        .find(|a| a.kind == "rubric-gap")
        .map(|a| a.message.clone());
    assert_eq!(
        gap.as_deref(),
        Some("schema: batch passes 100.0% vs sync 80.0% over 50 pairs (+20.0 points, threshold 2 points)")
    );
    assert!(run(0, 40, 10, &[("gap-points", "25")]).alarms.is_empty());
}

#[test]
fn segments_unpaired_and_fallbacks() {
    let mut c = core(&[]);
    c.observe(&obs(3, Class::Worse, [Outcome::NotApplicable; 4]));
    c.observe(&obs(3, Class::Better, [Outcome::NotApplicable; 4]));
    let mut fb = obs(4, Class::Equivalent, [Outcome::Both; 4]);
    if let Some(v) = fb.verdict.as_mut() {
        v.label = v.label.as_ref().map(|l| format!("fallback:timeout:{l}"));
    }
    c.observe(&fb);
    let mut llm = obs(4, Class::Better, [Outcome::Both; 4]);
    if let Some(v) = llm.verdict.as_mut() {
        v.label = v.label.as_ref().map(|l| format!("llm:{l}"));
    }
    c.observe(&llm);
    let mut unpaired = observation(0, None);
    unpaired.verdict = Some(SlimVerdict {
        score: None,
        label: Some("unpaired".into()),
        passed: true,
    });
    c.observe(&unpaired);
    c.observe(&observation(0, None));
    let r = c.report();
    assert_eq!(metric(&r, "pairs", None), Some(4.0));
    assert_eq!(metric(&r, "unpaired", None), Some(1.0));
    assert_eq!(metric(&r, "segment_mean_score", Some(3)), Some(0.5));
    assert_eq!(metric(&r, "segment_pairs", Some(4)), Some(2.0));
    assert_eq!((c.stats().fallbacks(), c.stats().llm_verdicts()), (1, 1));
    assert_eq!(metric(&r, "grounding_pairs", None), Some(2.0));
}
