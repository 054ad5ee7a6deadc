//! Unit tests for Bedrock record parsing and classification.

use std::borrow::Cow;

use super::*;
use crate::error::LineError;
use crate::status::{ErrorKind, Status, Usage};

fn parse(line: &str) -> Result<ResultLine<'_>, LineError> {
    parse_result_line(line.as_bytes(), &ProviderOptions::default())
}

fn outcome(line: &str) -> Outcome<'_> {
    match parse(line) {
        Ok(r) => r.outcome,
        Err(e) => panic!("{e}: {line}"),
    }
}

#[test]
fn doc_titan_lines() {
    let ok = r#"{ "recordId" : "3223593EFGH", "modelInput" : {"inputText": "Roses are red, violets are"}, "modelOutput" : {"inputTextTokenCount": 8, "results": [{"tokenCount": 3, "outputText": "blue\n", "completionReason": "FINISH"}]}}"#;
    let Ok(r) = parse(ok) else { panic!("parse failed") };
    assert!(matches!(r.custom_id, Cow::Borrowed("3223593EFGH")));
    let o = r.outcome;
    assert_eq!((o.status, o.truncated), (Status::Completed, false));
    assert_eq!(o.response_text.as_deref(), Some("blue\n"));
    assert_eq!(
        o.usage,
        Usage {
            input: 8,
            output: 3,
            ..Usage::default()
        }
    );
    let err = r#"{ "recordId" : "1223213ABCD", "modelInput" : {"inputText": "Hello world"}, "error" : {"errorCode" : 400, "errorMessage" : "bad request" }}"#;
    let o = outcome(err);
    assert_eq!(
        (o.status, o.error_kind),
        (Status::ProviderError, Some(ErrorKind::InvalidRequest))
    );
    assert_eq!((o.error_code.as_deref(), o.http_status), (Some("400"), Some(400)));
}

#[test]
fn error_codes() {
    use ErrorKind::*;
    let cases: [(&str, Status, Option<ErrorKind>, Option<u16>); 14] = [
        ("429", Status::ProviderError, Some(RateLimit), Some(429)),
        ("\"429\"", Status::ProviderError, Some(RateLimit), Some(429)),
        ("408", Status::Timeout, None, Some(408)),
        ("504", Status::Timeout, None, Some(504)),
        ("500", Status::ProviderError, Some(ServerError), Some(500)),
        ("529", Status::ProviderError, Some(ServerError), Some(529)),
        ("400", Status::ProviderError, Some(InvalidRequest), Some(400)),
        ("403", Status::ProviderError, Some(InvalidRequest), Some(403)),
        ("\"ThrottlingException\"", Status::ProviderError, Some(RateLimit), None),
        ("\"ModelTimeoutException\"", Status::Timeout, None, None),
        (
            "\"ServiceUnavailableException\"",
            Status::ProviderError,
            Some(ServerError),
            None,
        ),
        (
            "\"ValidationException\"",
            Status::ProviderError,
            Some(InvalidRequest),
            None,
        ),
        ("\"Weird\"", Status::ProviderError, Some(Other), None),
        ("null", Status::ProviderError, Some(Other), None),
    ];
    for (code, status, kind, http) in cases {
        let line = format!(r#"{{"recordId":"r","error":{{"errorCode":{code},"errorMessage":"m"}}}}"#);
        let o = outcome(&line);
        assert_eq!((o.status, o.error_kind, o.http_status), (status, kind, http), "{code}");
        let want = code.trim_matches('"');
        assert_eq!(o.error_code.as_deref(), (want != "null").then_some(want));
    }
}

#[test]
fn error_wins_over_output() {
    let line = r#"{"recordId":"r","modelOutput":{"content":[{"type":"text","text":"x"}]},"error":{"errorCode":500,"errorMessage":"m"}}"#;
    assert_eq!(outcome(line).status, Status::ProviderError);
}

#[test]
fn converse_and_claude_shapes() {
    let conv = r#"{"recordId":"r","modelOutput":{"output":{"message":{"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"think"}}},{"text":"A"},{"text":"B"}]}},"stopReason":"model_context_window_exceeded","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3}}}"#;
    let o = outcome(conv);
    assert_eq!((o.response_text.as_deref(), o.truncated), (Some("AB"), true));
    let tool = r#"{"recordId":"r","modelOutput":{"output":{"message":{"content":[{"toolUse":{"toolUseId":"t","name":"n","input":{"a":1}}}]}},"stopReason":"tool_use"}}"#;
    assert_eq!(outcome(tool).response_text.as_deref(), Some(r#"{"a":1}"#));
    let claude = r#"{"recordId":"r","modelOutput":{"type":"message","content":[],"stop_reason":"max_tokens","usage":{"input_tokens":4,"output_tokens":5,"cache_read_input_tokens":6}}}"#;
    let o = outcome(claude);
    assert_eq!(
        (o.status, o.truncated, o.response_text),
        (Status::Completed, true, None)
    );
    assert_eq!(
        o.usage,
        Usage {
            input: 10,
            output: 5,
            cached_input: 6,
            ..Usage::default()
        }
    );
    let mistral = r#"{"recordId":"r","modelOutput":{"outputs":[{"text":"M","stop_reason":"length"}]}}"#;
    let o = outcome(mistral);
    assert_eq!((o.response_text.as_deref(), o.truncated), (Some("M"), true));
    let chat = r#"{"recordId":"r","modelOutput":{"model":"gpt-oss-120b","choices":[{"message":{"role":"assistant","content":"C"},"finish_reason":"content_filter"}],"usage":{"prompt_tokens":7,"completion_tokens":1}}}"#;
    let o = outcome(chat);
    assert_eq!(
        (o.status, o.response_text.as_deref()),
        (Status::ContentFilter, Some("C"))
    );
    assert_eq!(
        (o.usage.input, o.usage.output, o.model.as_deref()),
        (7, 1, Some("gpt-oss-120b"))
    );
}

#[test]
fn unrecognized_and_bad_records() {
    let o = outcome(r#"{"recordId":"r","modelOutput":{}}"#);
    assert_eq!(
        (o.status, o.error_code.as_deref()),
        (Status::Completed, Some(UNRECOGNIZED))
    );
    let o = outcome(r#"{"recordId":"r","modelOutput":"just text"}"#);
    assert_eq!(
        (o.status, o.error_code.as_deref()),
        (Status::Completed, Some(UNRECOGNIZED))
    );
    assert_eq!(
        parse(r#"{"recordId":"r","modelInput":{}}"#).err(),
        Some(LineError::WrongShape(
            "both `modelOutput` and `error` are null or absent".into()
        ))
    );
    assert_eq!(
        parse(r#"{"modelOutput":{}}"#).err(),
        Some(LineError::MissingField("recordId"))
    );
    // A wrong type outside modelOutput is still a bad line.
    assert!(matches!(
        parse(r#"{"recordId":7,"modelOutput":{"content":5}}"#),
        Err(LineError::WrongShape(m)) if m.contains("expected a string")
    ));
    assert!(matches!(
        parse(r#"{"recordId":"r","error":{"errorCode":[1]}}"#),
        Err(LineError::WrongShape(_))
    ));
}
