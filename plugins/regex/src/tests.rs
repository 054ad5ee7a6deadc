//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> RegexJudge {
    match RegexJudge::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

#[test]
fn manifest_matches_describe() {
    check_manifest(&RegexJudge::describe(), include_str!("../judge.toml"), "regex_judge");
}

#[test]
fn golden_match_mode() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("answer line", Some("Reasoning...\nAnswer: B"), pass(1.0)),
        ("anchored per line", Some("Answer: D\n"), pass(1.0)),
        ("wrong letter", Some("Answer: E"), fail("no_match", 0.0)),
        ("lowercase (case-sensitive)", Some("answer: b"), fail("no_match", 0.0)),
        ("empty", Some(""), fail("no_match", 0.0)),
        ("no response", None, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[("pattern", r"(?m)^Answer: [A-D]$")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
}

#[test]
fn golden_forbid_mode_ignore_case() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("clean", Some("The capital of France is Paris."), pass(1.0)),
        ("empty passes", Some(""), pass(1.0)),
        (
            "email",
            Some("Write to Bob@Example.COM today"),
            fail("forbidden_match", 0.0),
        ),
        (
            "unicode word",
            Some("contact: josé@exämple.org"),
            fail("forbidden_match", 0.0),
        ),
        ("no response", None, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[
        ("pattern", r"\w+@\w+\.[a-z]{2,}"),
        ("mode", "forbid"),
        ("ignore-case", "true"),
    ]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
    let v = j.score(&row(Some("mail Bob@Example.COM"), &[])).ok();
    assert_eq!(
        v.and_then(|v| v.details).as_deref(),
        Some("forbidden match at byte 5: \"Bob@Example.COM\"")
    );
}

#[test]
fn bad_config() {
    assert_config_error("missing", RegexJudge::init(cfg(&[])), "`pattern`");
    assert_config_error("unbalanced", RegexJudge::init(cfg(&[("pattern", "(a")])), "\"(a\"");
    assert_config_error(
        "lookahead",
        RegexJudge::init(cfg(&[("pattern", "a(?=b)")])),
        "`pattern`",
    );
    assert_config_error(
        "mode",
        RegexJudge::init(cfg(&[("pattern", "a"), ("mode", "deny")])),
        "`mode`",
    );
    assert_config_error(
        "too big",
        RegexJudge::init(cfg(&[("pattern", r"\w{1000}{1000}")])),
        "`pattern`",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[("pattern", "x")]);
    j.observe(&observation(3, Some((true, 1.0))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(1.0));
    assert_eq!(metric(&r, "segment_scored", Some(3)), Some(1.0));
}
