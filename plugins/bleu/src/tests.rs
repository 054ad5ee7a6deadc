//! Golden tests through the `Judge` trait (no component). Expected values are
//! computed by hand from the definition in `local_metrics::bleu`.

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> BleuJudge {
    match BleuJudge::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

type Case = (&'static str, Option<&'static str>, &'static str, Expect);

/// "the cat sat on the mat" vs "the cat is on the mat": p = 5/6, 3/5, 1/4, 0.1/3; BP = 1.
fn partial() -> f64 {
    (1.0f64 / 240.0).powf(0.25)
}

/// "the cat on the mat" vs "the cat is on the mat": p = 5/5, 3/4, 1/3, 0.1/2; BP = e^(1 - 6/5).
fn short() -> f64 {
    (-0.2f64).exp() * (1.0f64 / 80.0).powf(0.25)
}

#[test]
fn manifest_matches_describe() {
    let d = BleuJudge::describe();
    assert!(d.needs.contains(Needs::METADATA));
    check_manifest(&d, include_str!("../judge.toml"), "bleu");
}

#[test]
fn golden() {
    assert!((partial() - 0.254_066_374_077_307_37).abs() < 1e-9, "{}", partial());
    let cases: Vec<Case> = vec![
        (
            "identical",
            Some("the cat sat on the mat"),
            "the cat sat on the mat",
            pass(1.0),
        ),
        ("identical short (effective order)", Some("Paris"), "Paris", pass(1.0)),
        (
            "spacing is not a token",
            Some("the  cat sat\non the mat"),
            "the cat sat on the mat",
            pass(1.0),
        ),
        (
            "disjoint",
            Some("one two three four"),
            "five six seven eight",
            fail("low_bleu", 0.0),
        ),
        (
            "partial",
            Some("the cat sat on the mat"),
            "the cat is on the mat",
            fail("low_bleu", partial()),
        ),
        (
            "brevity penalty",
            Some("the cat on the mat"),
            "the cat is on the mat",
            fail("low_bleu", short()),
        ),
        // Punctuation is a token: "Hello , world !" vs "Hello world": p = 2/4, 0.1/3, 0.1/2, 0.1/1; BP = 1.
        (
            "punctuation tokens",
            Some("Hello, world!"),
            "Hello world",
            fail("low_bleu", (0.5f64 * 0.1 / 3.0 * 0.05 * 0.1).powf(0.25)),
        ),
        // Case-sensitive by default: only "cat" matches: p = 1/2, 0.1/1; BP = 1.
        (
            "case",
            Some("The cat"),
            "the cat",
            fail("low_bleu", (0.5f64 * 0.1).sqrt()),
        ),
        ("empty response", Some(""), "the cat", fail("low_bleu", 0.0)),
        ("no response", None, "the cat", fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, reference, want) in &cases {
        assert_verdict(name, &j.score(&row(*response, &[("reference", reference)])), *want);
    }
}

#[test]
fn golden_lowercase_low_threshold() {
    let cases: Vec<Case> = vec![
        ("case folded", Some("The Cat"), "the cat", pass(1.0)),
        (
            "partial passes at 0.25",
            Some("the cat sat on the mat"),
            "THE CAT IS ON THE MAT",
            pass(partial()),
        ),
        (
            "brevity case passes",
            Some("the cat on the mat"),
            "the cat is on the mat",
            pass(short()),
        ),
        ("disjoint fails", Some("A dog"), "the cat", fail("low_bleu", 0.0)),
    ];
    let mut j = judge(&[("lowercase", "true"), ("threshold", "0.25"), ("reference-key", "gold")]);
    for (name, response, reference, want) in &cases {
        assert_verdict(name, &j.score(&row(*response, &[("gold", reference)])), *want);
    }
}

#[test]
fn details_show_the_parts() {
    let mut j = judge(&[]);
    let v = j.score(&row(
        Some("the cat sat on the mat"),
        &[("reference", "the cat is on the mat")],
    ));
    assert_eq!(
        v.ok().and_then(|v| v.details).as_deref(),
        Some(
            "bleu 0.2541; n-gram matches 5/6 3/5 1/4 0/3 (orders 1-4); brevity penalty 1.0000; \
             hyp 6 tokens, ref 6 tokens"
        )
    );
}

#[test]
fn missing_reference_is_invalid_input() {
    let mut j = judge(&[]);
    assert_invalid_input("none", &j.score(&row(Some("x"), &[])), "no `reference` in row metadata");
}

#[test]
fn bad_config() {
    assert_config_error("range", BleuJudge::init(cfg(&[("threshold", "-1")])), "`threshold`");
    assert_config_error("bool", BleuJudge::init(cfg(&[("lowercase", "on")])), "`lowercase`");
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    j.observe(&observation(0, Some((true, 1.0))));
    j.observe(&observation(1, Some((false, 0.0))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.5));
    assert_eq!(metric(&r, "mean_score", None), Some(0.5));
}
