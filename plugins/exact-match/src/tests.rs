//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> ExactMatch {
    match ExactMatch::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

type Case = (&'static str, Option<&'static str>, &'static str, Expect);

#[test]
fn manifest_matches_describe() {
    let d = ExactMatch::describe();
    assert!(d.needs.contains(Needs::METADATA));
    check_manifest(&d, include_str!("../judge.toml"), "exact_match");
}

#[test]
fn golden_normalized() {
    let cases: &[Case] = &[
        ("identical", Some("Paris"), "Paris", pass(1.0)),
        (
            "case and spaces",
            Some("  the  Eiffel\tTOWER \n"),
            "The Eiffel Tower",
            pass(1.0),
        ),
        ("unicode case", Some("ÉCOLE"), "école", pass(1.0)),
        ("punctuation matters", Some("Paris."), "Paris", fail("mismatch", 0.0)),
        ("different", Some("London"), "Paris", fail("mismatch", 0.0)),
        ("empty vs empty", Some("   "), "", pass(1.0)),
        ("empty vs text", Some(""), "Paris", fail("mismatch", 0.0)),
        ("no response", None, "Paris", fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, reference, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[("reference", reference)])), *want);
    }
}

#[test]
fn golden_raw() {
    let cases: &[Case] = &[
        ("identical", Some("Paris"), "Paris", pass(1.0)),
        ("case differs", Some("paris"), "Paris", fail("mismatch", 0.0)),
        ("trailing newline", Some("Paris\n"), "Paris", fail("mismatch", 0.0)),
    ];
    let mut j = judge(&[("normalize", "false"), ("reference-key", "gold")]);
    for (name, response, reference, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[("gold", reference)])), *want);
    }
}

#[test]
fn details_report_similarity() {
    let mut j = judge(&[]);
    let v = j.score(&row(Some("kitten"), &[("reference", "sitting")])).ok();
    assert_eq!(
        v.and_then(|v| v.details).as_deref(),
        Some("levenshtein similarity 0.5714 (distance 3 over 6/7 chars)")
    );
}

#[test]
fn missing_reference_is_invalid_input() {
    let mut j = judge(&[]);
    assert_invalid_input("none", &j.score(&row(Some("x"), &[])), "no `reference` in row metadata");
    let mut j = judge(&[("reference-key", "gold")]);
    assert_invalid_input(
        "other key",
        &j.score(&row(Some("x"), &[("reference", "x")])),
        "no `gold` in row metadata",
    );
    // Without response text the verdict is known whatever the reference.
    assert_verdict("no response", &j.score(&row(None, &[])), fail("no_response", 0.0));
}

#[test]
fn bad_config() {
    assert_config_error(
        "normalize",
        ExactMatch::init(cfg(&[("normalize", "maybe")])),
        "`normalize`",
    );
    assert_config_error(
        "key",
        ExactMatch::init(cfg(&[("reference-key", " ")])),
        "`reference-key`",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    for (seg, ok) in [(0, true), (0, true), (0, false), (1, true)] {
        j.observe(&observation(seg, Some((ok, if ok { 1.0 } else { 0.0 }))));
    }
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.75));
    assert_eq!(metric(&r, "segment_pass_rate", Some(0)), Some(2.0 / 3.0));
}
