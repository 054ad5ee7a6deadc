use assay_judge_sdk as sdk;

use super::convert;
use crate::judge::bindings::types as wit;

fn usage(n: u64) -> wit::Usage {
    wit::Usage {
        input_tokens: n,
        output_tokens: n + 1,
        cached_input_tokens: n + 2,
        cache_write_tokens: n + 3,
        reasoning_tokens: n + 4,
    }
}

#[test]
fn a_row_keeps_every_field() {
    let prompt = [wit::Message {
        role: "user",
        content: "hi",
    }];
    let metadata = [("k", "v")];
    let r = wit::Row {
        id: "r-1",
        index: 7,
        segment: 2,
        provider: "openai",
        model: "m",
        snapshot: Some("fp"),
        status: wit::RowStatus::ContentFilter,
        flags: wit::RowFlags::RETRIED | wit::RowFlags::DUPLICATE,
        attempt: 3,
        prompt: &prompt,
        response: Some("{}"),
        finish_reason: Some("stop"),
        usage: usage(10),
        error_code: Some("c"),
        error_message: Some("e"),
        metadata: &metadata,
    };
    let s = convert::row(&r);
    assert_eq!((s.id.as_str(), s.index, s.segment), ("r-1", 7, 2));
    assert_eq!(
        (s.provider.as_str(), s.model.as_str(), s.snapshot.as_deref()),
        ("openai", "m", Some("fp"))
    );
    assert!(matches!(s.status, sdk::RowStatus::ContentFilter));
    assert_eq!(s.flags, sdk::RowFlags::RETRIED | sdk::RowFlags::DUPLICATE);
    assert_eq!(s.attempt, 3);
    assert_eq!(
        (s.prompt[0].role.as_str(), s.prompt[0].content.as_str()),
        ("user", "hi")
    );
    assert_eq!(
        (s.response.as_deref(), s.finish_reason.as_deref()),
        (Some("{}"), Some("stop"))
    );
    assert_eq!(
        [
            s.usage.input_tokens,
            s.usage.output_tokens,
            s.usage.cached_input_tokens,
            s.usage.cache_write_tokens,
            s.usage.reasoning_tokens
        ],
        [10, 11, 12, 13, 14]
    );
    assert_eq!(
        (s.error_code.as_deref(), s.error_message.as_deref()),
        (Some("c"), Some("e"))
    );
    assert_eq!(s.metadata, [("k".to_owned(), "v".to_owned())]);
}

#[test]
fn an_observation_keeps_every_field() {
    let o = wit::Observation {
        index: 9,
        segment: 1,
        status: wit::RowStatus::Completed,
        flags: wit::RowFlags::SILENTLY_RETRIED | wit::RowFlags::TRUNCATED,
        model: 2,
        snapshot: Some(3),
        attempt: 2,
        usage: usage(1),
        retry_usage: usage(20),
        verdict: Some(wit::SlimVerdict {
            score: Some(0.5),
            label: Some("sync"),
            passed: false,
        }),
        validated: Some(false),
    };
    let s = convert::observation(&o);
    assert_eq!(
        (s.index, s.segment, s.model, s.snapshot, s.attempt),
        (9, 1, 2, Some(3), 2)
    );
    assert!(matches!(s.status, sdk::RowStatus::Completed));
    assert_eq!(s.flags, sdk::RowFlags::SILENTLY_RETRIED | sdk::RowFlags::TRUNCATED);
    assert_eq!((s.usage.input_tokens, s.retry_usage.reasoning_tokens), (1, 24));
    let v = s.verdict.expect("verdict");
    assert_eq!(
        (v.score, v.label.as_deref(), v.passed),
        (Some(0.5), Some("sync"), false)
    );
    assert_eq!(s.validated, Some(false));
}
