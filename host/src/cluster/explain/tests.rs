//! Unit tests for `explain`: the cluster's description (redacted, bounded,
//! stable) and the note each verdict gives.

use std::collections::BTreeMap;

use super::*;
use crate::judge::{Failure, FailureKind, Verdict};
use crate::report::clusters::Cluster;

fn cluster(ids: &[&str]) -> Cluster {
    Cluster {
        id: 2,
        size: ids.len() as u64,
        share: 0.25,
        shape: "every Japanese-text row, schema keyword `required`".into(),
        examples: ids.iter().map(|s| s.to_string()).collect(),
        ids: ids.iter().map(|s| s.to_string()).collect(),
        note: None,
    }
}

fn example(id: &str, segment: u32, prompt: &str) -> Example {
    Example {
        id: id.into(),
        segment,
        error: None,
        labels: vec!["schema-drift: required@/confidence".into()],
        prompt: prompt.into(),
        response: Some(r#"{"label":"negative"}"#.into()),
    }
}

#[test]
fn the_description_names_shape_labels_and_examples_and_is_redacted_as_traces_are() {
    let ids = ["r1", "r2", "r3", "r4"];
    let mut ex: BTreeMap<String, Example> = BTreeMap::new();
    ex.insert("r1".into(), example("r1", 0, "mail jane.doe@example.com about it"));
    ex.insert("r2".into(), example("r2", 3, "call +1 555-123-4567 now"));
    ex.insert("r3".into(), example("r3", 7, "key sk-abcdefghijklmnopqrstuvwx"));
    let mut r4 = example("r4", 9, "SECRET-42 inside");
    r4.error = Some("context_length_exceeded: too long".into());
    r4.labels.clear();
    ex.insert("r4".into(), r4);
    let redactor = Redactor::new(&["SECRET-\\d+".to_owned()]).expect("redactor");
    let text = input::describe(&cluster(&ids), 3, &ex, &redactor);
    assert!(
        text.starts_with("Shape: every Japanese-text row, schema keyword `required`\n"),
        "{text}"
    );
    assert!(
        text.contains("Failure cluster 2 of 3: 4 failed rows, 25.00% of the clustered failures."),
        "{text}"
    );
    assert!(
        text.contains("Judges' labels: schema-drift: required@/confidence (3)"),
        "{text}"
    );
    assert!(text.contains("Provider errors: context_length_exceeded (1)"), "{text}");
    assert!(text.contains("Segments: 0 to 9"), "{text}");
    assert!(
        text.contains("- r1 (segment 0)") && text.contains("- r3 (segment 7)"),
        "{text}"
    );
    assert!(!text.contains("- r4"), "at most {} examples: {text}", input::EXAMPLES);
    for secret in ["jane.doe@example.com", "555-123-4567", "sk-abcdefghijklmnop"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(
        text.contains("[REDACTED:email]") && text.contains("[REDACTED:api_key]"),
        "{text}"
    );
    assert_eq!(
        text,
        input::describe(&cluster(&ids), 3, &ex, &redactor),
        "stable, so a rerun hits the answer cache"
    );
    // A user pattern applies to every example shown; r4 is not shown.
    let shown = input::describe(&cluster(&["r4"]), 1, &ex, &redactor);
    assert!(
        shown.contains("[REDACTED:custom] inside") && !shown.contains("SECRET-42"),
        "{shown}"
    );
}

fn verdict(label: &str, details: &str) -> RowResult {
    RowResult::Verdict(Verdict {
        score: None,
        label: Some(label.into()),
        passed: true,
        details: Some(details.into()),
    })
}

#[test]
fn verdicts_become_notes_and_every_failure_falls_back_to_the_shape() {
    let shape = "prompts over 8k tokens";
    let n = note_of(Some(&verdict("llm", "Cap prompts at 8k tokens.")), shape);
    assert_eq!(
        (n.text.as_str(), n.source, n.cached, n.reason),
        ("Cap prompts at 8k tokens.", NoteSource::Llm, false, None)
    );
    assert!(note_of(Some(&verdict("llm:cached", "x")), shape).cached);
    let n = note_of(
        Some(&verdict(
            "fallback:budget-exhausted",
            &format!("{shape}\nbudget-exhausted: 10 tokens left"),
        )),
        shape,
    );
    assert_eq!(
        (n.text.as_str(), n.source, n.reason.as_deref()),
        (shape, NoteSource::Shape, Some("budget-exhausted: 10 tokens left"))
    );
    // An empty model note is no note.
    assert_eq!(note_of(Some(&verdict("llm", " ")), shape).source, NoteSource::Shape);
    let err = RowResult::JudgeError {
        kind: "invalid-input",
        message: "no shape".into(),
    };
    let n = note_of(Some(&err), shape);
    assert_eq!(n.reason.as_deref(), Some("judge error (invalid-input): no shape"));
    let stopped = RowResult::Failed(Failure::new(FailureKind::Timeout, "5 s"));
    assert!(
        note_of(Some(&stopped), shape)
            .reason
            .is_some_and(|r| r.starts_with("judge stopped"))
    );
    assert_eq!(note_of(None, shape).text, shape);
}
