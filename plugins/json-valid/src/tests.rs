//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> JsonValid {
    match JsonValid::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

#[test]
fn manifest_matches_describe() {
    check_manifest(&JsonValid::describe(), include_str!("../judge.toml"), "json_valid");
}

#[test]
fn golden_default_requires_object() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("object", Some(r#"{"a": 1}"#), pass(1.0)),
        ("object with whitespace", Some(" \n{\"a\": [1, 2]}\n "), pass(1.0)),
        ("empty object", Some("{}"), pass(1.0)),
        ("array", Some("[1, 2]"), fail("not_object", 0.0)),
        ("string", Some("\"hi\""), fail("not_object", 0.0)),
        ("number", Some("42"), fail("not_object", 0.0)),
        ("null", Some("null"), fail("not_object", 0.0)),
        ("truncated", Some(r#"{"a": "#), fail("json_parse", 0.0)),
        ("trailing text", Some(r#"{"a": 1} thanks"#), fail("json_parse", 0.0)),
        (
            "markdown fence",
            Some("```json\n{\"a\": 1}\n```"),
            fail("json_parse", 0.0),
        ),
        ("empty", Some(""), fail("json_parse", 0.0)),
        ("prose", Some("Sure! Here it is."), fail("json_parse", 0.0)),
        ("no response", None, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
}

#[test]
fn golden_any_value() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("array", Some("[1, 2]"), pass(1.0)),
        ("number", Some("4.5e3"), pass(1.0)),
        ("null", Some("null"), pass(1.0)),
        ("object", Some("{}"), pass(1.0)),
        ("bad", Some("[1,"), fail("json_parse", 0.0)),
    ];
    let mut j = judge(&[("require-object", "false")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
}

#[test]
fn parse_error_details_and_deep_nesting() {
    let mut j = judge(&[]);
    let v = j.score(&row(Some("{\"a\": }"), &[]));
    let details = v.ok().and_then(|v| v.details).unwrap_or_default();
    assert!(details.contains("line 1"), "{details}");
    // Past serde_json's recursion limit: a verdict, not a trap.
    let deep = "[".repeat(100_000);
    assert_verdict("deep", &j.score(&row(Some(&deep), &[])), fail("json_parse", 0.0));
}

#[test]
fn bad_config() {
    assert_config_error(
        "bool",
        JsonValid::init(cfg(&[("require-object", "yes")])),
        "require-object",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    j.observe(&observation(0, Some((true, 1.0))));
    j.observe(&observation(1, Some((false, 0.0))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.5));
    assert_eq!(metric(&r, "segment_pass_rate", Some(1)), Some(0.0));
}
