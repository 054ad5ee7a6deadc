//! Unit tests for OpenAI line parsing and classification.

use super::*;

fn outcome(line: &str) -> Outcome<'_> {
    match parse_result_line(line.as_bytes()) {
        Ok(r) => r.outcome,
        Err(e) => panic!("{e}: {line}"),
    }
}

const OK: &str = r#"{"id":"batch_req_1","custom_id":"r1","response":{"status_code":200,"request_id":"q","body":{"id":"c","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"2 + 2 equals 4.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":24,"completion_tokens":15,"total_tokens":39,"prompt_tokens_details":{"cached_tokens":8,"cache_write_tokens":2},"completion_tokens_details":{"reasoning_tokens":5}},"system_fingerprint":"fp_1"}},"error":null}"#;

#[test]
fn completed_borrows_everything() {
    let Ok(r) = parse_result_line(OK.as_bytes()) else {
        panic!("parse failed")
    };
    assert_eq!(r.custom_id, "r1");
    assert!(matches!(r.custom_id, Cow::Borrowed(_)));
    let o = r.outcome;
    assert_eq!(o.status, Status::Completed);
    assert_eq!(o.error_kind, None);
    assert_eq!(o.http_status, Some(200));
    assert!(!o.truncated);
    assert_eq!(o.finish_reason.as_deref(), Some("stop"));
    assert!(matches!(o.response_text, Some(Cow::Borrowed("2 + 2 equals 4."))));
    assert_eq!(o.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(o.snapshot.as_deref(), Some("fp_1"));
    assert_eq!(
        o.usage,
        Usage {
            input: 24,
            output: 15,
            cached_input: 8,
            cache_write: 2,
            reasoning: 5
        }
    );
}

#[test]
fn finish_reasons() {
    let trunc = OK.replace(r#""finish_reason":"stop""#, r#""finish_reason":"length""#);
    let o = outcome(&trunc);
    assert_eq!((o.status, o.truncated), (Status::Completed, true));
    let cf = OK.replace(r#""finish_reason":"stop""#, r#""finish_reason":"content_filter""#);
    assert_eq!(outcome(&cf).status, Status::ContentFilter);
    let tools = OK.replace(r#""finish_reason":"stop""#, r#""finish_reason":"tool_calls""#);
    assert_eq!(outcome(&tools).status, Status::Completed);
    let empty = OK.replace(r#""choices":[{"index":0,"message":{"role":"assistant","content":"2 + 2 equals 4.","refusal":null},"logprobs":null,"finish_reason":"stop"}]"#, r#""choices":[]"#);
    let o = outcome(&empty);
    assert_eq!(o.status, Status::ProviderError);
    assert_eq!(o.error_kind, Some(ErrorKind::Other));
    assert_eq!(o.error_code.as_deref(), Some("empty_response"));
    assert_eq!(o.usage.input, 24);
}

#[test]
fn top_level_errors() {
    let cases = [
        ("batch_expired", Status::Expired, None),
        ("batch_cancelled", Status::Canceled, None),
        ("request_timeout", Status::Timeout, None),
        ("content_filter", Status::ContentFilter, None),
        ("rate_limit_exceeded", Status::ProviderError, Some(ErrorKind::RateLimit)),
        ("server_error", Status::ProviderError, Some(ErrorKind::ServerError)),
        ("brand_new_code", Status::ProviderError, Some(ErrorKind::Other)),
    ];
    for (code, status, kind) in cases {
        let line =
            format!(r#"{{"id":"b","custom_id":"r","response":null,"error":{{"code":"{code}","message":"m \"q\""}}}}"#);
        let o = outcome(&line);
        assert_eq!((o.status, o.error_kind), (status, kind), "{code}");
        assert_eq!(o.error_code.as_deref(), Some(code));
        assert_eq!(o.error_message.as_deref(), Some("m \"q\""));
        assert_eq!(o.http_status, None);
    }
}

fn http(status: u16, error: &str) -> String {
    format!(
        r#"{{"custom_id":"r","response":{{"status_code":{status},"request_id":"q","body":{{"error":{error}}}}},"error":null}}"#
    )
}

#[test]
fn http_errors() {
    let cf = r#"{"message":"filtered","type":"invalid_request_error","param":"prompt","code":"content_filter"}"#;
    let azure = r#"{"message":"x","type":null,"param":"prompt","code":"something","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}"#;
    let srv = r#"{"message":"boom","type":"server_error","param":null,"code":null}"#;
    let rl = r#"{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}"#;
    let bad = r#"{"message":"bad","type":"invalid_request_error","code":"invalid_value"}"#;
    let cases = [
        (400, cf, Status::ContentFilter, None, Some("content_filter")),
        (400, azure, Status::ContentFilter, None, Some("something")),
        (
            500,
            srv,
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            Some("server_error"),
        ),
        (503, "null", Status::ProviderError, Some(ErrorKind::ServerError), None),
        (
            429,
            rl,
            Status::ProviderError,
            Some(ErrorKind::RateLimit),
            Some("rate_limit_exceeded"),
        ),
        (
            400,
            bad,
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
            Some("invalid_value"),
        ),
        (
            404,
            "null",
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
            None,
        ),
        (408, "null", Status::Timeout, None, None),
        (302, "null", Status::ProviderError, Some(ErrorKind::Other), None),
    ];
    for (code, err, status, kind, ecode) in cases {
        let line = http(code, err);
        let o = outcome(&line);
        assert_eq!((o.status, o.error_kind), (status, kind), "{line}");
        assert_eq!(o.error_code.as_deref(), ecode, "{line}");
        assert_eq!(o.http_status, Some(code));
    }
}

#[test]
fn shape_errors() {
    let both_null = r#"{"id":"b","custom_id":"r","response":null,"error":null}"#;
    assert!(matches!(
        parse_result_line(both_null.as_bytes()),
        Err(LineError::WrongShape(m)) if m.contains("both `response` and `error`")
    ));
    let no_id = r#"{"response":null,"error":{"code":"batch_expired"}}"#;
    assert_eq!(
        parse_result_line(no_id.as_bytes()).err(),
        Some(LineError::MissingField("custom_id"))
    );
    let no_status = r#"{"custom_id":"r","response":{"body":{}},"error":null}"#;
    assert_eq!(
        parse_result_line(no_status.as_bytes()).err(),
        Some(LineError::MissingField("response.status_code"))
    );
    assert_eq!(
        parse_result_line(b"\"just a string\"").err(),
        Some(LineError::WrongShape("expected a JSON object, found a string".into()))
    );
    assert!(matches!(
        parse_result_line(br#"{"custom_id":"r","response":"#),
        Err(LineError::Malformed(m)) if m.starts_with("EOF while parsing")
    ));
    assert!(matches!(
        parse_result_line(br#"{"custom_id":7,"error":{"code":"x"}}"#),
        Err(LineError::WrongShape(_))
    ));
}

#[test]
fn input_line_and_prompt() {
    let line = r#"{"custom_id":"a-1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"日本語 👋"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"שלום"}]}],"metadata":{"team":"ml","n":3,"tag":"x\ny"}}}"#;
    let Ok(inp) = parse_input_line(line.as_bytes()) else {
        panic!("parse failed")
    };
    assert_eq!(inp.custom_id, "a-1");
    assert_eq!(inp.model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(inp.url.as_deref(), Some("/v1/chat/completions"));
    let msgs = parse_input_messages(line.as_bytes());
    assert_eq!(
        msgs,
        Ok(vec![
            ("system".to_string(), "Be brief.".to_string()),
            ("user".to_string(), "日本語 👋\nשלום".to_string()),
        ])
    );
    assert_eq!(
        parse_input_metadata(line.as_bytes()),
        vec![
            ("team".to_string(), "ml".to_string()),
            ("tag".to_string(), "x\ny".to_string())
        ]
    );
    assert!(parse_input_metadata(b"{}").is_empty());
    assert_eq!(
        parse_input_line(br#"{"body":{}}"#).err(),
        Some(LineError::MissingField("custom_id"))
    );
    assert!(matches!(
        parse_input_line(br#"{"custom_id":"a","body":{"messages":[1,}}"#),
        Err(LineError::Malformed(_))
    ));
}
