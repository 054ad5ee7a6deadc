//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> Levenshtein {
    match Levenshtein::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

type Case = (&'static str, Option<&'static str>, &'static str, Expect);

#[test]
fn manifest_matches_describe() {
    let d = Levenshtein::describe();
    assert!(d.needs.contains(Needs::METADATA));
    check_manifest(&d, include_str!("../judge.toml"), "levenshtein");
}

#[test]
fn golden_default_threshold() {
    let cases: &[Case] = &[
        ("identical", Some("Paris"), "Paris", pass(1.0)),
        ("normalized", Some(" PARIS "), "paris", pass(1.0)),
        // 1 edit over 10 chars: 0.9.
        ("one typo", Some("Washingtin"), "Washington", pass(0.9)),
        // "colour"/"color": 1 deletion over 6 chars.
        ("spelling", Some("colour"), "color", pass(5.0 / 6.0)),
        // kitten/sitting: 3 edits over 7 chars.
        ("kitten", Some("kitten"), "sitting", fail("low_similarity", 4.0 / 7.0)),
        // chars, not bytes: 1 edit over 4 chars.
        ("accent", Some("café"), "cafe", fail("low_similarity", 0.75)),
        ("disjoint", Some("abc"), "xyz", fail("low_similarity", 0.0)),
        ("empty vs text", Some(""), "abc", fail("low_similarity", 0.0)),
        ("both empty", Some(""), "", pass(1.0)),
        ("no response", None, "abc", fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, reference, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[("reference", reference)])), *want);
    }
}

#[test]
fn golden_raw_threshold_half() {
    let cases: &[Case] = &[
        // Case counts without normalization: 5 edits over 5 chars.
        ("case", Some("PARIS"), "paris", fail("low_similarity", 0.0)),
        ("kitten", Some("kitten"), "sitting", pass(4.0 / 7.0)),
        ("exactly at threshold", Some("ab"), "ax", pass(0.5)),
    ];
    let mut j = judge(&[("normalize", "false"), ("threshold", "0.5")]);
    for (name, response, reference, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[("reference", reference)])), *want);
    }
}

#[test]
fn long_texts_are_cut_and_said_so() {
    let mut j = judge(&[]);
    let long = "ab".repeat(6_000);
    let v = j.score(&row(Some(&long), &[("reference", &long)]));
    assert_verdict("long", &v, pass(1.0));
    let d = v.ok().and_then(|v| v.details).unwrap_or_default();
    assert!(d.contains("first 10000 chars"), "{d}");
}

#[test]
fn missing_reference_is_invalid_input() {
    let mut j = judge(&[]);
    assert_invalid_input("none", &j.score(&row(Some("x"), &[])), "no `reference` in row metadata");
}

#[test]
fn bad_config() {
    assert_config_error("range", Levenshtein::init(cfg(&[("threshold", "80")])), "`threshold`");
    assert_config_error("bool", Levenshtein::init(cfg(&[("normalize", "no")])), "`normalize`");
}

#[test]
fn aggregates_pass_rate_and_mean_score() {
    let mut j = judge(&[]);
    j.observe(&observation(0, Some((true, 0.75))));
    j.observe(&observation(0, Some((false, 0.25))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.5));
    assert_eq!(metric(&r, "mean_score", None), Some(0.5));
}
