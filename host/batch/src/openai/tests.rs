//! Unit tests for OpenAI line parsing and classification.

use super::*;
use crate::status::ErrorKind;

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
fn tool_calls_without_text_answer_with_the_first_call_arguments() {
    let msg = r#""message":{"role":"assistant","content":"2 + 2 equals 4.","refusal":null}"#;
    let call = |content: &str| {
        OK.replace(
            msg,
            &format!(
                r#""message":{{"role":"assistant","content":{content},"tool_calls":[{{"id":"call_1","type":"function","function":{{"name":"answer","arguments":"{{\"label\": \"pos\"}}"}}}},{{"id":"call_2","type":"function","function":{{"name":"other","arguments":"{{}}"}}}}]}}"#
            ),
        )
        .replace(r#""finish_reason":"stop""#, r#""finish_reason":"tool_calls""#)
    };
    for content in ["null", r#""""#] {
        let line = call(content);
        let o = outcome(&line);
        assert_eq!(o.status, Status::Completed, "{content}");
        assert_eq!(o.finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(o.response_text.as_deref(), Some(r#"{"label": "pos"}"#), "{content}");
    }
    let no_content = call("null").replace(r#""content":null,"#, "");
    assert_eq!(
        outcome(&no_content).response_text.as_deref(),
        Some(r#"{"label": "pos"}"#)
    );
    // Text beside tool calls stays the response.
    let both = call(r#""lead""#);
    assert_eq!(outcome(&both).response_text.as_deref(), Some("lead"));
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
            ("n".to_string(), "3".to_string()),
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

fn out(line: String) -> Outcome<'static> {
    crate::google::into_owned(outcome(&line))
}

fn body_line(body: &str) -> String {
    format!(
        r#"{{"id":"batch_req_1","custom_id":"r1","response":{{"status_code":200,"request_id":"q","body":{body}}},"error":null}}"#
    )
}

const RESP: &str = r#"{"id":"resp_1","object":"response","created_at":1741476542,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[{"type":"reasoning","id":"rs_1","summary":[]},{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"日本語の","annotations":[]},{"type":"output_text","text":"答え 🎉","annotations":[]}]}],"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":12,"cache_write_tokens":3},"output_tokens":87,"output_tokens_details":{"reasoning_tokens":40},"total_tokens":123}}"#;

#[test]
fn responses_completed_text_and_usage() {
    let line = body_line(RESP);
    let o = outcome(&line);
    assert_eq!((o.status, o.error_kind, o.truncated), (Status::Completed, None, false));
    assert_eq!(o.response_text.as_deref(), Some("日本語の答え 🎉"));
    assert_eq!(o.finish_reason.as_deref(), Some("completed"));
    assert_eq!(o.model.as_deref(), Some("gpt-4.1-2025-04-14"));
    assert_eq!(
        o.usage,
        Usage {
            input: 36,
            output: 87,
            cached_input: 12,
            cache_write: 3,
            reasoning: 40
        }
    );
    // One part borrows from the line.
    let one = RESP.replace(r#",{"type":"output_text","text":"答え 🎉","annotations":[]}"#, "");
    let line = body_line(&one);
    assert!(matches!(outcome(&line).response_text, Some(Cow::Borrowed("日本語の"))));
    // Detected by shape without `object`.
    let bare = RESP.replace(r#""object":"response","#, "");
    assert_eq!(
        outcome(&body_line(&bare)).response_text.as_deref(),
        Some("日本語の答え 🎉")
    );
}

#[test]
fn responses_statuses() {
    let inc = |reason: &str| {
        RESP.replace(
            r#""status":"completed","error":null,"incomplete_details":null"#,
            &format!(r#""status":"incomplete","error":null,"incomplete_details":{{"reason":"{reason}"}}"#),
        )
    };
    let o = out(body_line(&inc("max_output_tokens")));
    assert_eq!((o.status, o.truncated), (Status::Completed, true));
    assert_eq!(o.finish_reason.as_deref(), Some("max_output_tokens"));
    let o = out(body_line(&inc("content_filter")));
    assert_eq!((o.status, o.truncated), (Status::ContentFilter, false));
    let o = out(body_line(&inc("something_new")));
    assert_eq!((o.status, o.truncated), (Status::Completed, false));
    assert_eq!(o.finish_reason.as_deref(), Some("something_new"));

    let refusal = RESP.replace(
        r#"{"type":"output_text","text":"日本語の","annotations":[]},{"type":"output_text","text":"答え 🎉","annotations":[]}"#,
        r#"{"type":"refusal","refusal":"I can't help with that."}"#,
    );
    let o = out(body_line(&refusal));
    assert_eq!(o.status, Status::ContentFilter);
    assert_eq!(o.error_code.as_deref(), Some("refusal"));
    assert_eq!(o.error_message.as_deref(), Some("I can't help with that."));
    assert_eq!(o.response_text, None);

    let failed = |code: &str| {
        body_line(&format!(
            r#"{{"id":"resp_2","object":"response","status":"failed","error":{{"code":"{code}","message":"boom"}},"incomplete_details":null,"model":"gpt-4.1","output":[],"usage":null}}"#
        ))
    };
    let cases = [
        ("server_error", Status::ProviderError, Some(ErrorKind::ServerError)),
        ("rate_limit_exceeded", Status::ProviderError, Some(ErrorKind::RateLimit)),
        ("invalid_prompt", Status::ProviderError, Some(ErrorKind::InvalidRequest)),
        (
            "invalid_image_url",
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
        ),
        ("image_content_policy_violation", Status::ContentFilter, None),
        ("vector_store_timeout", Status::Timeout, None),
        ("brand_new", Status::ProviderError, Some(ErrorKind::Other)),
    ];
    for (code, status, kind) in cases {
        let o = out(failed(code));
        assert_eq!((o.status, o.error_kind), (status, kind), "{code}");
        assert_eq!(o.error_code.as_deref(), Some(code));
        assert_eq!(o.error_message.as_deref(), Some("boom"));
        assert_eq!(o.usage, Usage::default());
    }
    let st = |s: &str| {
        out(body_line(&format!(
            r#"{{"object":"response","status":"{s}","output":[]}}"#
        )))
    };
    assert_eq!(st("cancelled").status, Status::Canceled);
    let q = st("in_progress");
    assert_eq!(
        (q.status, q.error_kind, q.error_code.as_deref()),
        (Status::ProviderError, Some(ErrorKind::Other), Some("in_progress"))
    );
    let empty = st("completed");
    assert_eq!(empty.error_code.as_deref(), Some("empty_response"));
}

#[test]
fn embeddings_have_no_text() {
    let emb = r#"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093,0.015]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}"#;
    for body in [emb.to_string(), emb.replace(r#""object":"list","#, "")] {
        let line = body_line(&body);
        let o = outcome(&line);
        assert_eq!((o.status, o.error_kind), (Status::Completed, None));
        assert_eq!((o.response_text, o.finish_reason), (None, None));
        assert_eq!(o.model.as_deref(), Some("text-embedding-3-small"));
        assert_eq!(
            o.usage,
            Usage {
                input: 8,
                ..Usage::default()
            }
        );
    }
    assert!(!endpoint_has_text("/v1/embeddings"));
    assert!(!endpoint_has_text("/embeddings"));
    assert!(!endpoint_has_text("/openai/v1/embeddings?api-version=x"));
    assert!(endpoint_has_text("/v1/chat/completions"));
    assert!(endpoint_has_text("/chat/completions"));
    assert!(endpoint_has_text("/v1/responses"));
}

#[test]
fn azure_content_filter_results() {
    let choice = |finish: &str, hate: bool| {
        format!(
            r#"{{"custom_id":"t0","response":{{"body":{{"choices":[{{"content_filter_results":{{"hate":{{"filtered":{hate},"severity":"high"}},"self-harm":{{"filtered":true,"severity":"medium"}},"sexual":{{"filtered":false,"severity":"safe"}},"custom_blocklists":[]}},"finish_reason":"{finish}","index":0,"message":{{"content":null,"role":"assistant"}}}}],"model":"gpt-4o-2024-05-13","object":"chat.completion","prompt_filter_results":[{{"prompt_index":0,"content_filter_results":{{}}}}],"usage":{{"completion_tokens":0,"prompt_tokens":27,"total_tokens":27}}}},"request_id":"x","status_code":200}},"error":null}}"#
        )
    };
    let line = choice("content_filter", true);
    let o = outcome(&line);
    assert_eq!(o.status, Status::ContentFilter);
    assert_eq!(o.error_code, None);
    assert_eq!(o.error_message.as_deref(), Some("filtered: hate, self_harm"));
    let line = choice("stop", true);
    let o = outcome(&line);
    assert_eq!(
        (o.status, o.error_code, o.error_message),
        (Status::Completed, None, None)
    );
}

#[test]
fn batch_object() {
    let b = br#"{"id":"batch_abc","object":"batch","endpoint":"/v1/chat/completions","status":"completed","request_counts":{"total":100,"completed":95,"failed":5},"usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":200},"output_tokens":300,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":1300}}"#;
    assert_eq!(
        parse_batch_object(b),
        Ok(crate::BatchObject {
            id: Some("batch_abc".into()),
            status: Some("completed".into()),
            total: Some(100),
            succeeded: Some(95),
            failed: Some(5),
            input_tokens: Some(1000),
            output_tokens: Some(300),
            cached_input_tokens: Some(200),
            ..crate::BatchObject::default()
        })
    );
    let azure_failed = br#"{"id":"batch_x","object":"batch","status":"failed","request_counts":{"total":0,"completed":null,"failed":null},"errors":{"object":"list","data":[{"code":"empty_file","message":"m"}]}}"#;
    let b = parse_batch_object(azure_failed).unwrap_or_default();
    assert_eq!(
        (b.total, b.succeeded, b.failed, b.input_tokens),
        (Some(0), None, None, None)
    );
    assert!(parse_batch_object(br#"{"object":"list"}"#).is_err());
    assert!(parse_batch_object(b"{}").is_err());
    assert!(parse_batch_object(b"nope").is_err());
}

#[test]
fn responses_and_embeddings_input() {
    let resp = r#"{"custom_id":"r1","method":"POST","url":"/v1/responses","body":{"model":"gpt-4.1","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"日本"},{"type":"input_image","image_url":"x"}]},{"type":"function_call_output","call_id":"c","output":"{}"},{"role":"assistant","content":"ok"}]}}"#;
    assert_eq!(
        parse_input_messages(resp.as_bytes()),
        Ok(vec![
            ("system".to_string(), "Be brief.".to_string()),
            ("user".to_string(), "日本".to_string()),
            ("assistant".to_string(), "ok".to_string()),
        ])
    );
    let s = r#"{"custom_id":"r2","url":"/v1/responses","body":{"model":"m","input":"hello"}}"#;
    assert_eq!(
        parse_input_messages(s.as_bytes()),
        Ok(vec![("user".to_string(), "hello".to_string())])
    );
    let emb =
        r#"{"custom_id":"e1","url":"/v1/embeddings","body":{"model":"text-embedding-3-small","input":["a","b"]}}"#;
    assert_eq!(
        parse_input_messages(emb.as_bytes()),
        Ok(vec![
            ("user".to_string(), "a".to_string()),
            ("user".to_string(), "b".to_string())
        ])
    );
    let inp = parse_input(emb.as_bytes().into(), &ProviderOptions::default());
    assert_eq!(
        inp.map(|i| i.url.map(|u| u.into_owned())),
        Ok(Some("/v1/embeddings".to_string()))
    );
    assert_eq!(
        parse_input_messages(br#"{"custom_id":"x","body":{"model":"m"}}"#),
        Err(LineError::MissingField("body.messages"))
    );
}

#[test]
fn created_is_read_from_chat_and_responses_bodies_and_a_non_number_is_no_time() {
    let chat = br#"{"custom_id":"a","response":{"status_code":200,"body":{"created":1711738702,"model":"m","choices":[{"finish_reason":"stop","message":{"content":"hi"}}]}}}"#;
    assert_eq!(parse_result_line(chat).unwrap().outcome.created, Some(1711738702));
    assert_eq!(
        parse_result_line(body_line(RESP).as_bytes()).unwrap().outcome.created,
        Some(1741476542)
    );
    let odd = br#"{"custom_id":"a","response":{"status_code":200,"body":{"created":"yesterday","model":"m","choices":[{"finish_reason":"stop","message":{"content":"hi"}}]}}}"#;
    let o = parse_result_line(odd).unwrap().outcome;
    assert_eq!((o.created, o.response_text.as_deref()), (None, Some("hi")));
    let none = br#"{"custom_id":"a","response":null,"error":{"code":"server_error","message":"x"}}"#;
    assert_eq!(parse_result_line(none).unwrap().outcome.created, None);
}
