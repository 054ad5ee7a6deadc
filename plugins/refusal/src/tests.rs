//! Golden tests through the `Judge` trait (no component).

use local_metrics::testing::*;

use super::*;

fn judge(pairs: &[(&str, &str)]) -> Refusal {
    match Refusal::init(cfg(pairs)) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

#[test]
fn manifest_matches_describe() {
    check_manifest(&Refusal::describe(), include_str!("../judge.toml"), "refusal");
}

#[test]
fn phrase_list_is_canonical() {
    for p in PHRASES {
        assert_eq!(canonical(p), *p, "phrase {p:?} must be stored normalized");
    }
}

#[test]
fn golden() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        ("answer", Some("The capital of France is Paris."), pass(1.0)),
        ("cannot in passing", Some("You cannot divide by zero."), pass(1.0)),
        ("sorry without but", Some("Sorry for the delay: 42."), pass(1.0)),
        (
            "can't help",
            Some("I can't help with that request."),
            fail("refusal", 0.0),
        ),
        ("upper case", Some("I CANNOT ASSIST WITH THIS."), fail("refusal", 0.0)),
        (
            "curly apostrophe",
            Some("I\u{2019}m sorry, but I won\u{2019}t do that."),
            fail("refusal", 0.0),
        ),
        (
            "line break inside",
            Some("I am\nunable to comply."),
            fail("refusal", 0.0),
        ),
        (
            "as an ai",
            Some("As an AI language model, I have no opinions."),
            fail("refusal", 0.0),
        ),
        (
            "mid text",
            Some("Here is a start. I'm unable to finish it."),
            fail("refusal", 0.0),
        ),
        ("empty", Some(""), fail("empty", 0.0)),
        ("whitespace", Some(" \n\t "), fail("empty", 0.0)),
        ("no response", None, fail("no_response", 0.0)),
    ];
    let mut j = judge(&[]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
}

#[test]
fn golden_extra_phrases() {
    let cases: &[(&str, Option<&str>, Expect)] = &[
        (
            "extra 1",
            Some("That violates our POLICY, sorry."),
            fail("refusal", 0.0),
        ),
        ("extra 2", Some("Je ne peux pas répondre."), fail("refusal", 0.0)),
        ("built-in still on", Some("I must decline."), fail("refusal", 0.0)),
        ("clean", Some("Bonjour"), pass(1.0)),
    ];
    // Empty items (`||`, trailing `|`) are ignored rather than matching everything.
    let mut j = judge(&[("extra-phrases", "violates our  policy|| JE NE PEUX PAS |")]);
    for (name, response, want) in cases {
        assert_verdict(name, &j.score(&row(*response, &[])), *want);
    }
    let v = j.score(&row(Some("je ne peux pas"), &[])).ok();
    assert_eq!(
        v.and_then(|v| v.details).as_deref(),
        Some("matched refusal phrase \"je ne peux pas\"")
    );
}

#[test]
fn aggregates_pass_rate() {
    let mut j = judge(&[]);
    j.observe(&observation(0, Some((true, 1.0))));
    j.observe(&observation(0, Some((true, 1.0))));
    j.observe(&observation(0, Some((true, 1.0))));
    j.observe(&observation(1, Some((false, 0.0))));
    let r = j.finish().unwrap_or_default();
    assert_eq!(metric(&r, "pass_rate", None), Some(0.75));
    assert_eq!(metric(&r, "segment_pass_rate", Some(0)), Some(1.0));
}
