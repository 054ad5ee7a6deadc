//! Contract tests: what the fast path answers, and that `score` keeps the slow
//! path's verdicts.

use crate::SchemaCheck;
use assay_judge_sdk::Verdict;

/// `/work/shared/bench/schema.json`, the benchmark's schema.
pub(crate) const BENCH: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://example.invalid/peerbench/sentiment.json",
  "title": "sentiment classification result",
  "type": "object",
  "properties": {
    "label": {"enum": ["positive", "negative", "neutral"]},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    "rationale": {"type": "string", "minLength": 1, "maxLength": 2000}
  },
  "required": ["label", "confidence", "rationale"],
  "additionalProperties": false
}"#;

/// Every verdict field, for comparing.
pub(crate) fn key(v: &Verdict) -> (bool, Option<f64>, Option<String>, Option<String>) {
    (v.passed, v.score, v.label.clone(), v.details.clone())
}

fn check(schema: &str) -> SchemaCheck {
    SchemaCheck::new(schema).expect("schema compiles")
}

/// The fast path's answer, after checking `score` equals the slow path alone.
fn fast(check: &SchemaCheck, text: &str) -> bool {
    let fast = check.fast_passes(text).expect("schema has a fast path");
    let slow = check.slow_score(Some(text));
    if fast {
        assert!(slow.passed, "fast path passed {text:?}, slow path did not: {slow:?}");
    }
    assert_eq!(key(&check.score(Some(text))), key(&slow), "{text:?}");
    fast
}

#[test]
fn bench_conforming_responses_take_the_fast_path() {
    let c = check(BENCH);
    for text in [
        r#"{"label":"negative","confidence":0.83,"rationale":"Delivery laggy, 5★ responsive."}"#,
        r#"{"label":"positive","confidence":1,"rationale":"x"}"#,
        r#"{"label":"neutral","confidence":0,"rationale":"é"}"#,
        r#"{"rationale":"line\nbreak \"quoted\" \\ done","confidence":1.0,"label":"neutral"}"#,
        " \n{ \"label\" : \"positive\" , \"confidence\" : 5e-1 , \"rationale\" : \"ok\" } \n",
    ] {
        assert!(fast(&c, text), "{text}");
    }
}

#[test]
fn failure_labels_are_unchanged() {
    let c = check(crate::check::tests::SCHEMA);
    for (text, label) in [
        (r#"{"label": "neutral"}"#, "required@/confidence"),
        (r#"{"label": "meh", "confidence": 0.5}"#, "enum@/label"),
        (r#"{"label": "neutral", "confidence": "high"}"#, "type@/confidence"),
        (r#"{"label": "neutral", "confidence": 1.5}"#, "maximum@/confidence"),
        (
            r#"{"label": "neutral", "confidence": 0.5, "explanation": "x"}"#,
            "additionalProperties@/explanation",
        ),
        (r#"[1, 2]"#, "type@(root)"),
        (
            r#"{"label": "neutral", "confidence": 0.5, "tags": [1]}"#,
            "type@/tags/0",
        ),
        (
            r#"{"label": "neutral", "tags": [1, 2, 3, 4, 5, 6, 7]}"#,
            "required@/confidence",
        ),
        ("```json\n{}\n```", "json_parse"),
    ] {
        assert!(!fast(&c, text), "{text}");
        assert_eq!(c.score(Some(text)).label.as_deref(), Some(label), "{text}");
    }
    assert!(fast(
        &c,
        r#"{"label": "neutral", "confidence": 0.5, "tags": ["a", "b"]}"#
    ));
    assert_eq!(key(&c.score(None)), key(&c.slow_score(None)));
}

#[test]
fn duplicate_member_names_fall_back() {
    let c = check(crate::check::tests::SCHEMA);
    // `Value` keeps the last of duplicated members: this passes, but only the slow path says so.
    let text = r#"{"label":"meh","label":"neutral","confidence":0.5}"#;
    assert!(!fast(&c, text));
    assert!(c.score(Some(text)).passed);
    let text = r#"{"label":"neutral","label":"meh","confidence":0.5}"#;
    assert!(!fast(&c, text));
    assert_eq!(c.score(Some(text)).label.as_deref(), Some("enum@/label"));
    let text = r#"{"label":"neutral","confidence":0.5,"label":"neutral"}"#;
    assert!(!fast(&c, text));
    assert!(c.score(Some(text)).passed);
    // Unknown names, where additional properties are allowed, fall back too.
    let open = check(r#"{"type": "object", "properties": {"a": {"type": "string"}}}"#);
    assert!(fast(&open, r#"{"a":"x","b":1,"c":2}"#));
    assert!(!fast(&open, r#"{"a":"x","b":1,"b":2}"#));
    assert!(!fast(&open, r#"{"a":"x","b":{"z":1},"b":2}"#));
    // So does a name serde_json reserves for its own encodings.
    assert!(!fast(&open, r#"{"a":"x","$serde_json::private::Number":"1"}"#));
    assert!(fast(&open, r#"{"a":"x","$serde_json::private":"1"}"#));
}

#[test]
fn escaped_strings_compare_unescaped() {
    let c = check(crate::check::tests::SCHEMA);
    assert!(fast(&c, r#"{"label":"\u0070ositive","confidence":0.5}"#));
    assert!(fast(&c, r#"{"\u006cabel":"neutra\u006c","confidence":0.5}"#));
    assert!(!fast(&c, r#"{"label":"posit\"ive","confidence":0.5}"#));
    assert!(!fast(&c, r#"{"label":"\u0050ositive","confidence":0.5}"#));
    assert!(!fast(&c, r#"{"label":"positive\u0000","confidence":0.5}"#));
}

#[test]
fn numbers_follow_json_schema() {
    let int = check(r#"{"type": "integer", "minimum": -3, "exclusiveMaximum": 100}"#);
    for (text, pass) in [
        ("1.0", true),
        ("1e1", true),
        ("-0", true),
        ("-0.0", true),
        ("-3", true),
        ("99", true),
    ] {
        assert_eq!(fast(&int, text), pass, "{text}");
    }
    for text in ["1.5", "-4", "100", "1e2", "\"1\"", "1e400", "18446744073709551616"] {
        assert!(!fast(&int, text), "{text}");
    }
    let num = check(r#"{"type": ["number", "null"], "exclusiveMinimum": 0.5, "maximum": 9007199254740992}"#);
    for (text, pass) in [
        ("1", true),
        ("0.6", true),
        ("null", true),
        ("9007199254740992", true),
        // Parses to the f64 2^53, so within `maximum` on both paths.
        ("9007199254740992.5", true),
    ] {
        assert_eq!(fast(&num, text), pass, "{text}");
    }
    for text in ["0.5", "0", "9007199254740993", "1e300", "true"] {
        assert!(!fast(&num, text), "{text}");
    }
    // Integers past 2^53 against float limits are left to the slow path.
    let big = check(r#"{"exclusiveMaximum": 18446744073709551616.0, "minimum": -1.5}"#);
    for text in [
        "18446744073709551615",
        "9007199254740993",
        "-9223372036854775808",
        "0",
        "1.25",
    ] {
        let _ = fast(&big, text);
    }
    assert!(fast(&big, "0"));
    assert!(!fast(&big, "18446744073709551615"));
    // 2^53 + 1 rounds to the limit as an f64; jsonschema compares exactly.
    let edge = check(r#"{"maximum": 9007199254740992.0, "minimum": -9007199254740992.0}"#);
    assert!(fast(&edge, "9007199254740992"));
    assert!(fast(&edge, "-9007199254740992"));
    assert!(!fast(&edge, "9007199254740993"));
    assert!(!fast(&edge, "-9007199254740993"));
    assert!(!edge.score(Some("9007199254740993")).passed);
}

#[test]
fn lengths_count_code_points() {
    let c = check(r#"{"type": "string", "minLength": 2, "maxLength": 3}"#);
    for (text, pass) in [
        (r#""é""#, false),
        (r#""éé""#, true),
        (r#""日本語""#, true),
        (r#""日本語x""#, false),
    ] {
        assert_eq!(fast(&c, text), pass, "{text}");
    }
    assert!(fast(&c, r#""\ud83d\ude00ab""#));
    let items = check(r#"{"type": "array", "items": {"const": true}, "minItems": 1, "maxItems": 2}"#);
    for (text, pass) in [
        ("[true]", true),
        ("[true,true]", true),
        ("[]", false),
        ("[true,true,true]", false),
    ] {
        assert_eq!(fast(&items, text), pass, "{text}");
    }
    assert!(!fast(&items, "[false]"));
}

#[test]
fn parse_errors_trailing_text_and_depth_fall_back() {
    let open = check(r#"{"type": "object", "properties": {"a": {"type": "string"}}}"#);
    for text in [
        r#"{"a":"x"} x"#,
        r#"{"a":"x"}{}"#,
        r#"{"a":"x",}"#,
        r#"{"a":"\ud800"}"#,
        "",
    ] {
        assert!(!fast(&open, text), "{text}");
    }
    let deep = format!(r#"{{"a":"x","b":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
    assert!(!fast(&open, &deep));
    assert_eq!(open.score(Some(&deep)).label.as_deref(), Some("json_parse"));
    let shallow = format!(r#"{{"a":"x","b":{}1{}}}"#, "[".repeat(100), "]".repeat(100));
    assert!(fast(&open, &shallow));
    assert!(!fast(&open, r#"{"a":"x","b":1e400}"#));
}

#[test]
fn unsupported_keywords_disable_the_fast_path() {
    for schema in [
        r##"{"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}}"##,
        r#"{"type": "string", "pattern": "^a"}"#,
        r#"{"type": "string", "format": "email"}"#,
        r#"{"oneOf": [{"type": "string"}]}"#,
        r#"{"allOf": [{"type": "string"}]}"#,
        r#"{"type": "object", "patternProperties": {"^a": {"type": "string"}}}"#,
        r#"{"if": {"type": "string"}, "then": {"minLength": 1}}"#,
        r#"{"properties": {"a": {"type": "string", "format": "date"}}}"#,
        r#"{"items": {"uniqueItems": true}}"#,
        r#"{"additionalProperties": {"type": "string"}}"#,
        r#"{"enum": [1, 2]}"#,
        r#"{"const": {"a": 1}}"#,
        r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "string"}"#,
        r#"{"properties": {"a": {"$id": "x", "type": "string"}}}"#,
        // Names serde_json reserves: such a member may not read as a member.
        r#"{"properties": {"$serde_json::private::Number": {"type": "string"}}}"#,
        r#"{"required": ["$serde_json::private::RawValue"]}"#,
    ] {
        assert_eq!(check(schema).fast_passes("\"a\""), None, "{schema}");
    }
    assert!(check(BENCH).fast_passes("{}").is_some());
    assert_eq!(check("true").fast_passes("1"), Some(true));
    assert_eq!(check("false").fast_passes("1"), Some(false));
}
