//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> Length {
    match Length::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

fn truncated(response: &str) -> Row {
    let mut r = row(Some(response), &[]);
    r.flags = RowFlags::TRUNCATED;
    r.finish_reason = Some("length".into());
    r
}

#[test]
fn manifest_matches_describe() {
    check_manifest(&Length::describe(), include_str!("../judge.toml"), "length");
}

#[test]
fn golden_bounds() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("in range", Some("one two three"), pass(1.0)),
        ("min chars exactly", Some("abcde"), pass(1.0)),
        ("max chars exactly", Some("aaaaa bbbbb cccccccccc"), pass(1.0)),
        ("too few chars", Some("abcd"), fail("too_short", 0.0)),
        // Chars, not bytes: 20 chars, 40 bytes, under max-chars 22.
        ("unicode chars", Some("éééééééééééééééééééé"), pass(1.0)),
        ("too many chars", Some("aaaaa bbbbb ccccccccccc"), fail("too_long", 0.0)),
        ("too many words", Some("a b c d e"), fail("too_long", 0.0)),
        ("empty", Some(""), fail("too_short", 0.0)),
        ("no response", None, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[("min-chars", "5"), ("max-chars", "22"), ("max-words", "4")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
    let v = j.score(&row(Some("abcd"), &[])).ok();
    assert_eq!(v.and_then(|v| v.details).as_deref(), Some("4 chars < min-chars 5"));
    let v = j.score(&row(Some("a b c d e"), &[])).ok();
    assert_eq!(v.and_then(|v| v.details).as_deref(), Some("5 words > max-words 4"));
}

#[test]
fn golden_min_words() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("two words", Some("  hello\n\tworld "), pass(1.0)),
        ("one word", Some("hello"), fail("too_short", 0.0)),
        ("whitespace only", Some("   "), fail("too_short", 0.0)),
    ];
    let mut j = judge(&[("min-words", "2")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
}

#[test]
fn truncated_rows() {
    let mut j = judge(&[]);
    assert_verdict("truncated", &j.score(&truncated("abc")), fail("truncated", 0.0));
    assert_verdict("no bounds", &j.score(&row(Some(""), &[])), pass(1.0));
    let mut j = judge(&[("fail-truncated", "false"), ("max-chars", "2")]);
    assert_verdict("allowed", &j.score(&truncated("ab")), pass(1.0));
    assert_verdict("bounds still apply", &j.score(&truncated("abc")), fail("too_long", 0.0));
    // Truncation is checked first.
    let mut j = judge(&[("max-chars", "2")]);
    assert_verdict("first", &j.score(&truncated("abc")), fail("truncated", 0.0));
}

#[test]
fn bad_config() {
    assert_config_error("negative", Length::init(cfg(&[("min-chars", "-1")])), "`min-chars`");
    assert_config_error("text", Length::init(cfg(&[("max-words", "many")])), "`max-words`");
    assert_config_error(
        "inverted",
        Length::init(cfg(&[("min-words", "10"), ("max-words", "5")])),
        "minimum above maximum",
    );
    assert_config_error(
        "bool",
        Length::init(cfg(&[("fail-truncated", "0")])),
        "`fail-truncated`",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    j.observe(&observation(0, Some((false, 0.0))));
    j.observe(&observation(0, None));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "scored", None), Some(1.0));
    assert_eq!(metric(&r, "pass_rate", None), Some(0.0));
}
