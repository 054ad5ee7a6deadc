//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> GroundednessLite {
    match GroundednessLite::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

const CONTEXT: &str = "Paris is the capital and most populous city of France. \
                       The Eiffel Tower was completed in 1889.";

type Case = (&'static str, Option<&'static str>, &'static str, Expect);

#[test]
fn manifest_matches_describe() {
    let d = GroundednessLite::describe();
    assert!(d.needs.contains(Needs::METADATA));
    check_manifest(&d, include_str!("../judge.toml"), "groundedness_lite");
}

#[test]
fn golden() {
    let cases: &[Case] = &[
        // paris, capital, france: 3/3.
        (
            "fully grounded",
            Some("Paris is the capital of France."),
            CONTEXT,
            pass(1.0),
        ),
        // eiffel, tower, completed, 1889 found; "built" not: 4/5.
        (
            "mostly",
            Some("The Eiffel Tower was built and completed in 1889."),
            CONTEXT,
            pass(0.8),
        ),
        // Repeats count once: paris, capital, france, berlin, germany → 3/5 = 0.6 (exactly at threshold).
        (
            "at threshold, repeats once",
            Some("Paris Paris PARIS is the capital of France, not Berlin or Germany."),
            CONTEXT,
            pass(0.6),
        ),
        // london, capital, england, united, kingdom → capital only: 1/5.
        (
            "ungrounded",
            Some("London is the capital of England and the United Kingdom."),
            CONTEXT,
            fail("ungrounded", 0.2),
        ),
        // Only stopwords and short words.
        ("no content", Some("No, it is not."), CONTEXT, fail("no_content", 0.0)),
        ("empty", Some(""), CONTEXT, fail("no_content", 0.0)),
        // JSON array context: its strings, joined.
        (
            "json array context",
            Some("Rust compiles to WebAssembly"),
            r#"["Rust can target WebAssembly.", "It compiles ahead of time."]"#,
            pass(1.0),
        ),
        // Empty context: nothing is grounded.
        ("empty context", Some("Paris"), "", fail("ungrounded", 0.0)),
        ("no response", None, CONTEXT, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, context, want) in cases {
        assert_verdict(
            name,
            &j.score(&row(*response, &[("retrieval_context", context)])),
            *want,
        );
    }
}

#[test]
fn details_name_missing_words() {
    let mut j = judge(&[("context-key", "ctx"), ("threshold", "0.9")]);
    let v = j.score(&row(
        Some("The Eiffel Tower was built and completed in 1889."),
        &[("ctx", CONTEXT)],
    ));
    assert_verdict("threshold 0.9", &v, fail("ungrounded", 0.8));
    assert_eq!(
        v.ok().and_then(|v| v.details).as_deref(),
        Some("4 of 5 content words found in the context; not found: built")
    );
}

#[test]
fn missing_context_is_invalid_input() {
    let mut j = judge(&[]);
    assert_invalid_input(
        "none",
        &j.score(&row(Some("Paris"), &[("reference", "Paris")])),
        "no `retrieval_context` in row metadata",
    );
}

#[test]
fn bad_config() {
    assert_config_error(
        "range",
        GroundednessLite::init(cfg(&[("threshold", "60%")])),
        "`threshold`",
    );
    assert_config_error(
        "key",
        GroundednessLite::init(cfg(&[("context-key", "")])),
        "`context-key`",
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    j.observe(&observation(0, Some((true, 1.0))));
    j.observe(&observation(5, Some((false, 0.5))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.5));
    assert_eq!(metric(&r, "mean_score", None), Some(0.75));
    assert_eq!(metric(&r, "segment_pass_rate", Some(5)), Some(0.0));
}
