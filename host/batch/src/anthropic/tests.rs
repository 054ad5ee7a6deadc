//! Unit tests for Anthropic line parsing and classification.

use super::*;
use crate::status::Usage;

fn parse(line: &str) -> Result<ResultLine<'_>, LineError> {
    parse_result_line(line.as_bytes(), &ProviderOptions::default())
}

fn outcome(line: &str) -> Outcome<'_> {
    match parse(line) {
        Ok(r) => r.outcome,
        Err(e) => panic!("{e}: {line}"),
    }
}

const OK: &str = r#"{"custom_id":"my-second-request","result":{"type":"succeeded","message":{"id":"msg_014VwiXbi91y3JMjcpyGBHX5","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello again! It's nice to see you. How can I assist you today? Is there anything specific you'd like to chat about or any questions you have?"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":36}}}}"#;

#[test]
fn doc_success_line_borrows() {
    let Ok(r) = parse(OK) else { panic!("parse failed") };
    assert!(matches!(r.custom_id, Cow::Borrowed("my-second-request")));
    let o = r.outcome;
    assert_eq!((o.status, o.error_kind, o.truncated), (Status::Completed, None, false));
    assert!(matches!(o.response_text, Some(Cow::Borrowed(t)) if t.starts_with("Hello again!")));
    assert!(matches!(o.model, Some(Cow::Borrowed("claude-sonnet-4-5-20250929"))));
    assert_eq!(o.finish_reason.as_deref(), Some("end_turn"));
    assert_eq!(
        o.usage,
        Usage {
            input: 11,
            output: 36,
            ..Usage::default()
        }
    );
}

#[test]
fn stop_reasons() {
    let with = |stop: &str| OK.replace(r#""stop_reason":"end_turn""#, &format!(r#""stop_reason":{stop}"#));
    let cases = [
        (r#""refusal""#, Status::ContentFilter, false),
        (r#""max_tokens""#, Status::Completed, true),
        (r#""model_context_window_exceeded""#, Status::Completed, true),
        (r#""stop_sequence""#, Status::Completed, false),
        (r#""pause_turn""#, Status::Completed, false),
        (r#""something_new""#, Status::Completed, false),
        ("null", Status::Completed, false),
    ];
    for (stop, status, truncated) in cases {
        let line = with(stop);
        let o = outcome(&line);
        assert_eq!((o.status, o.truncated), (status, truncated), "{stop}");
    }
}

#[test]
fn content_blocks() {
    let with = |content: &str| {
        OK.replace(
        r#""content":[{"type":"text","text":"Hello again! It's nice to see you. How can I assist you today? Is there anything specific you'd like to chat about or any questions you have?"}]"#,
        &format!(r#""content":{content}"#),
    )
    };
    let text = |content: &str| outcome(&with(content)).response_text.map(|t| t.into_owned());
    assert_eq!(text(r#"[]"#), None);
    assert_eq!(text(r#"null"#), None);
    assert_eq!(
        text(r#"[{"type":"text","text":"a\"b","citations":[{"x":1}]},{"type":"text","text":" c"}]"#),
        Some("a\"b c".into())
    );
    assert_eq!(
        text(r#"[{"type":"text","text":"lead"},{"type":"tool_use","id":"t","name":"n","input":{"k":[1,2]}}]"#),
        Some("lead".into())
    );
    assert_eq!(
        text(
            r#"[{"type":"thinking","thinking":"x","signature":"s"},{"type":"tool_use","id":"t","name":"n","input":{"k": [1, 2]}}]"#
        ),
        Some(r#"{"k": [1, 2]}"#.into())
    );
    assert_eq!(text(r#"[{"type":"redacted_thinking","data":"zz"}]"#), None);
    let bad = with(r#"[{"type":"text","text":5}]"#);
    assert!(matches!(parse(&bad), Err(LineError::WrongShape(m)) if m.contains("expected a string")));
}

#[test]
fn cache_usage_is_normalized() {
    let line = OK.replace(
        r#""usage":{"input_tokens":11,"output_tokens":36}"#,
        r#""usage":{"input_tokens":3,"output_tokens":36,"cache_creation_input_tokens":40,"cache_read_input_tokens":500,"service_tier":"batch","server_tool_use":null}"#,
    );
    assert_eq!(
        outcome(&line).usage,
        Usage {
            input: 543,
            output: 36,
            cached_input: 500,
            cache_write: 40,
            reasoning: 0
        }
    );
}

#[test]
fn error_types() {
    let err = |t: &str| {
        format!(
            r#"{{"custom_id":"e","result":{{"type":"errored","error":{{"type":"error","error":{{"type":"{t}","message":"m"}},"request_id":null}}}}}}"#
        )
    };
    use ErrorKind::*;
    let cases = [
        ("rate_limit_error", Status::ProviderError, Some(RateLimit)),
        ("api_error", Status::ProviderError, Some(ServerError)),
        ("overloaded_error", Status::ProviderError, Some(ServerError)),
        ("invalid_request_error", Status::ProviderError, Some(InvalidRequest)),
        ("not_found_error", Status::ProviderError, Some(InvalidRequest)),
        ("permission_error", Status::ProviderError, Some(InvalidRequest)),
        ("authentication_error", Status::ProviderError, Some(InvalidRequest)),
        ("billing_error", Status::ProviderError, Some(InvalidRequest)),
        ("request_too_large", Status::ProviderError, Some(InvalidRequest)),
        ("timeout_error", Status::Timeout, None),
        ("brand_new_error", Status::ProviderError, Some(Other)),
    ];
    for (t, status, kind) in cases {
        let line = err(t);
        let o = outcome(&line);
        assert_eq!((o.status, o.error_kind), (status, kind), "{t}");
        assert_eq!(o.error_code.as_deref(), Some(t));
        assert_eq!(o.error_message.as_deref(), Some("m"));
    }
    // A bare error object, and an errored result without details.
    let o = outcome(
        r#"{"custom_id":"e","result":{"type":"errored","error":{"type":"overloaded_error","message":"busy"}}}"#,
    );
    assert_eq!(
        (o.error_kind, o.error_code.as_deref()),
        (Some(ServerError), Some("overloaded_error"))
    );
    let o = outcome(r#"{"custom_id":"e","result":{"type":"errored"}}"#);
    assert_eq!(
        (o.status, o.error_kind, o.error_code),
        (Status::ProviderError, Some(Other), None)
    );
}

#[test]
fn bad_lines() {
    let cases = [
        (
            r#"{"result":{"type":"canceled"}}"#,
            LineError::MissingField("custom_id"),
        ),
        (r#"{"custom_id":"x"}"#, LineError::MissingField("result")),
        (
            r#"{"custom_id":"x","result":{}}"#,
            LineError::MissingField("result.type"),
        ),
        (
            r#"{"custom_id":"x","result":{"type":"succeeded"}}"#,
            LineError::MissingField("result.message"),
        ),
        (
            r#"{"custom_id":"x","result":{"type":"pending"}}"#,
            LineError::WrongShape(
                "unknown result type \"pending\" (known: succeeded, errored, canceled, expired)".into(),
            ),
        ),
        (
            r#"["x"]"#,
            LineError::WrongShape("expected a JSON object, found an array".into()),
        ),
    ];
    for (line, want) in cases {
        assert_eq!(parse(line).err(), Some(want), "{line}");
    }
    assert!(matches!(parse(r#"{"custom_id":"x","#), Err(LineError::Malformed(_))));
}

#[test]
fn input_lines() {
    let opts = ProviderOptions::default();
    let line = br#"{"custom_id":"r1","params":{"model":"claude-sonnet-4-5","max_tokens":8,"system":[{"type":"text","text":"S1"},{"type":"text","text":"S2","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":{}}]}],"metadata":{"user_id":"u-1","n":3}}}"#;
    let p = parse_input_line(line, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(p.custom_id, Cow::Borrowed("r1")));
    assert_eq!((p.model.as_deref(), p.url), (Some("claude-sonnet-4-5"), None));
    assert_eq!(
        parse_input_messages(line),
        Ok(vec![
            ("system".into(), "S1\nS2".into()),
            ("user".into(), "hi".into()),
            ("assistant".into(), String::new()),
        ])
    );
    assert_eq!(
        parse_input_metadata(line),
        [
            ("user_id".to_string(), "u-1".to_string()),
            ("n".to_string(), "3".to_string())
        ]
    );
    assert_eq!(
        parse_input_line(br#"{"params":{}}"#, &opts),
        Err(LineError::MissingField("custom_id"))
    );
    assert_eq!(
        parse_input_line(br#"{"custom_id":"x"}"#, &opts).map(|p| p.model),
        Ok(None)
    );
    assert_eq!(
        parse_input_messages(br#"{"custom_id":"x"}"#),
        Err(LineError::MissingField("params"))
    );
    assert_eq!(
        parse_input_messages(br#"{"custom_id":"x","params":{}}"#),
        Err(LineError::MissingField("params.messages"))
    );
    assert!(parse_input_metadata(b"nope").is_empty());
}
