//! Unit tests for `rows`.

use super::*;

fn row<'a>(prompt: &'a [wit::Message<'a>], metadata: &'a [(&'a str, &'a str)]) -> wit::Row<'a> {
    wit::Row {
        id: "r1",
        index: 0,
        segment: 0,
        provider: "openai",
        model: "m",
        snapshot: None,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        attempt: 1,
        prompt,
        response: Some("{}"),
        finish_reason: None,
        usage: wit_usage(&Usage::default()),
        error_code: None,
        error_message: None,
        metadata,
    }
}

#[test]
fn a_judge_sees_prompt_and_metadata_only_when_it_asked() {
    let prompt = [wit::Message {
        role: "user",
        content: "hi",
    }];
    let meta = [("assay.sync.status", "completed")];
    let rows = [row(&prompt, &meta)];
    assert!(narrow(&rows, true, true).is_none(), "nothing to take away");
    let only_prompt = narrow(&rows, true, false).unwrap_or_default();
    assert_eq!((only_prompt[0].prompt.len(), only_prompt[0].metadata.len()), (1, 0));
    let neither = narrow(&rows, false, false).unwrap_or_default();
    assert_eq!((neither[0].prompt.len(), neither[0].metadata.len()), (0, 0));
    assert_eq!(neither[0].response, Some("{}"));
    let bare = [row(&[], &[])];
    assert!(narrow(&bare, false, false).is_none());
}
