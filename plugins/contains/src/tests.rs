//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> Contains {
    match Contains::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

#[test]
fn manifest_matches_describe() {
    check_manifest(&Contains::describe(), include_str!("../judge.toml"), "contains");
}

#[test]
fn golden_case_sensitive() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("has it", Some("Final answer: Paris"), pass(1.0)),
        (
            "wrong case",
            Some("final ANSWER: Paris"),
            fail("missing_substring", 0.0),
        ),
        ("missing", Some("Paris"), fail("missing_substring", 0.0)),
        (
            "forbidden",
            Some("Final answer: Paris. As an AI, ..."),
            fail("forbidden_substring", 0.0),
        ),
        (
            "forbidden other case passes",
            Some("Final answer: Paris. as an ai"),
            pass(1.0),
        ),
        ("empty", Some(""), fail("missing_substring", 0.0)),
        ("no response", None, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[("contains", "Final answer:"), ("not-contains", "As an AI")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
}

#[test]
fn golden_ignore_case_not_contains_only() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("clean", Some("Here is the summary."), pass(1.0)),
        ("empty passes", Some(""), pass(1.0)),
        ("upper", Some("TODO: finish"), fail("forbidden_substring", 0.0)),
        ("unicode case", Some("ÜBER todo"), fail("forbidden_substring", 0.0)),
    ];
    let mut j = judge(&[("not-contains", "todo"), ("ignore-case", "true")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
    let v = j.score(&row(Some("Ab TODO"), &[])).ok();
    assert_eq!(
        v.and_then(|v| v.details).as_deref(),
        Some("response contains \"todo\" at byte 3")
    );
}

#[test]
fn bad_config() {
    assert_config_error("none", Contains::init(cfg(&[])), "`contains`");
    assert_config_error("empty", Contains::init(cfg(&[("contains", "")])), "`contains`");
    assert_config_error(
        "bool",
        Contains::init(cfg(&[("contains", "x"), ("ignore-case", "1")])),
        "`ignore-case`",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[("contains", "x")]);
    j.observe(&observation(0, Some((false, 0.0))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.0));
}
