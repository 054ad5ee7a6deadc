//! Golden tests through the `Judge` trait (no component). Expected values are
//! computed by hand: P = LCS/|hyp|, R = LCS/|ref|, F = (1+β²)PR/(R+β²P).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> RougeLJudge {
    match RougeLJudge::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

type Case = (&'static str, Option<&'static str>, &'static str, Expect);

fn f(p: f64, r: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    (1.0 + b2) * p * r / (r + b2 * p)
}

#[test]
fn manifest_matches_describe() {
    let d = RougeLJudge::describe();
    assert!(d.needs.contains(Needs::METADATA));
    check_manifest(&d, include_str!("../judge.toml"), "rouge_l");
}

#[test]
fn golden_f1() {
    let cases: Vec<Case> = vec![
        (
            "identical",
            Some("The cat sat on the mat."),
            "the cat sat on the mat",
            pass(1.0),
        ),
        // LCS "the cat on the mat" = 5 of 6 / 6.
        (
            "one word differs",
            Some("the cat sat on the mat"),
            "the cat is on the mat",
            pass(5.0 / 6.0),
        ),
        // LCS "the gunman" = 2: P = 2/6, R = 2/4, F1 = 0.4.
        (
            "reordered",
            Some("the gunman was killed by police"),
            "police killed the gunman",
            fail("low_rouge", 0.4),
        ),
        // LCS 3 ("police the gunman"): P = R = 3/4.
        (
            "lin example",
            Some("police kill the gunman"),
            "police killed the gunman",
            pass(0.75),
        ),
        // LCS 2 of hyp 2 / ref 8: P = 1, R = 1/4, F1 = 0.4.
        (
            "short answer",
            Some("Paris, France"),
            "The capital of France is Paris, in France.",
            fail("low_rouge", 0.4),
        ),
        ("exactly at threshold", Some("a b"), "a c", pass(0.5)),
        ("disjoint", Some("red green"), "blue yellow", fail("low_rouge", 0.0)),
        ("punctuation only", Some("!!!"), "the cat", fail("low_rouge", 0.0)),
        ("no response", None, "the cat", fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, reference, want) in &cases {
        assert_verdict(name, &j.score(&row(*response, &[("reference", reference)])), *want);
    }
}

#[test]
fn golden_beta_1_2() {
    let cases: Vec<Case> = vec![
        (
            "reordered",
            Some("the gunman was killed by police"),
            "police killed the gunman",
            pass(f(1.0 / 3.0, 0.5, 1.2)),
        ),
        (
            "short answer",
            Some("Paris France"),
            "the capital of france is paris in france",
            fail("low_rouge", f(1.0, 0.25, 1.2)),
        ),
    ];
    let mut j = judge(&[("beta", "1.2"), ("threshold", "0.4")]);
    for (name, response, reference, want) in &cases {
        assert_verdict(name, &j.score(&row(*response, &[("reference", reference)])), *want);
    }
    assert!((f(1.0 / 3.0, 0.5, 1.2) - 0.406_666_666_666_666_7 / 0.98).abs() < 1e-12);
}

#[test]
fn details_show_the_parts() {
    let mut j = judge(&[]);
    let v = j.score(&row(
        Some("police kill the gunman"),
        &[("reference", "police killed the gunman")],
    ));
    assert_eq!(
        v.ok().and_then(|v| v.details).as_deref(),
        Some("rouge-l f 0.7500 (precision 0.7500, recall 0.7500; lcs 3 of hyp 4 / ref 4 tokens)")
    );
}

#[test]
fn missing_reference_is_invalid_input() {
    let mut j = judge(&[("reference-key", "answer")]);
    assert_invalid_input("none", &j.score(&row(Some("x"), &[])), "no `answer` in row metadata");
}

#[test]
fn bad_config() {
    assert_config_error("beta", RougeLJudge::init(cfg(&[("beta", "0")])), "`beta`");
    assert_config_error("beta nan", RougeLJudge::init(cfg(&[("beta", "NaN")])), "`beta`");
    assert_config_error(
        "threshold",
        RougeLJudge::init(cfg(&[("threshold", "2")])),
        "`threshold`",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    j.observe(&observation(2, Some((true, 0.75))));
    j.observe(&observation(2, Some((false, 0.25))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "segment_pass_rate", Some(2)), Some(0.5));
    assert_eq!(metric(&r, "mean_score", None), Some(0.5));
}
