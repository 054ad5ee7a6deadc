//! Unit tests for Google (Gemini API and Vertex AI) line parsing.

use super::*;
use crate::batch_object::BatchObject;
use crate::error::LineError;

fn opts() -> ProviderOptions {
    ProviderOptions::default()
}

fn gemini(line: &str) -> Outcome<'_> {
    match gemini::parse_result_line(line.as_bytes(), &opts()) {
        Ok(r) => r.outcome,
        Err(e) => panic!("{e}: {line}"),
    }
}

const OK: &str = r#"{"response": {"responseId": "6VFk", "usageMetadata": {"totalTokenCount": 858, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 18}], "thoughtsTokenCount": 829, "candidatesTokenCount": 11, "promptTokenCount": 18, "cachedContentTokenCount": 10}, "candidates": [{"content": {"role": "model", "parts": [{"text": "AI learns patterns."}]}, "finishReason": "STOP", "index": 0}], "modelVersion": "gemini-2.5-flash"}, "key": "request_1"}"#;

#[test]
fn gemini_completed_key_last_borrows() {
    let Ok(r) = gemini::parse_result_line(OK.as_bytes(), &opts()) else {
        panic!("parse failed")
    };
    assert!(matches!(r.custom_id, Cow::Borrowed("request_1")));
    let o = r.outcome;
    assert_eq!((o.status, o.error_kind, o.truncated), (Status::Completed, None, false));
    assert_eq!(o.finish_reason.as_deref(), Some("STOP"));
    assert!(matches!(o.response_text, Some(Cow::Borrowed("AI learns patterns."))));
    assert_eq!(o.model.as_deref(), Some("gemini-2.5-flash"));
    assert_eq!(
        o.usage,
        Usage {
            input: 18,
            output: 840,
            cached_input: 10,
            cache_write: 0,
            reasoning: 829
        }
    );
    assert_eq!(o.usage.input + o.usage.output, 858, "input + output = totalTokenCount");
}

#[test]
fn finish_reasons() {
    let cases = [
        ("STOP", Status::Completed, false),
        ("MAX_TOKENS", Status::Completed, true),
        ("SAFETY", Status::ContentFilter, false),
        ("PROHIBITED_CONTENT", Status::ContentFilter, false),
        ("BLOCKLIST", Status::ContentFilter, false),
        ("SPII", Status::ContentFilter, false),
        ("RECITATION", Status::ContentFilter, false),
        ("IMAGE_SAFETY", Status::ContentFilter, false),
        ("IMAGE_PROHIBITED_CONTENT", Status::ContentFilter, false),
        ("IMAGE_RECITATION", Status::ContentFilter, false),
        ("OTHER", Status::Completed, false),
        ("LANGUAGE", Status::Completed, false),
        ("MALFORMED_FUNCTION_CALL", Status::Completed, false),
        ("FINISH_REASON_UNSPECIFIED", Status::Completed, false),
        ("SOMETHING_NEW_2027", Status::Completed, false),
    ];
    for (reason, status, truncated) in cases {
        let line = OK.replace(r#""finishReason": "STOP""#, &format!(r#""finishReason": "{reason}""#));
        let o = gemini(&line);
        assert_eq!((o.status, o.truncated), (status, truncated), "{reason}");
        assert_eq!(o.finish_reason.as_deref(), Some(reason));
        assert_eq!(o.error_kind, None);
    }
    let none = OK.replace(r#", "finishReason": "STOP""#, "");
    let o = gemini(&none);
    assert_eq!((o.status, o.finish_reason), (Status::Completed, None));
}

#[test]
fn parts_concatenate_skip_thoughts_and_unescape() {
    let line = r#"{"key":"k","response":{"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"日本語"},{"functionCall":{"name":"f"}},{"text":" \"ok\" 🎉"}]},"finishReason":"STOP"}]}}"#;
    let o = gemini(line);
    assert_eq!(o.response_text.as_deref(), Some("日本語 \"ok\" 🎉"));
    assert_eq!(o.usage, Usage::default());
    let no_text = r#"{"key":"k","response":{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f"}}]},"finishReason":"STOP"}]}}"#;
    assert_eq!(gemini(no_text).response_text, None);
}

#[test]
fn prompt_block_and_empty_response() {
    let blocked = r#"{"key":"k","response":{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","blockReasonMessage":"nope"},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.0-flash"}}"#;
    let o = gemini(blocked);
    assert_eq!(o.status, Status::ContentFilter);
    assert_eq!(o.error_code.as_deref(), Some("PROHIBITED_CONTENT"));
    assert_eq!(o.error_message.as_deref(), Some("nope"));
    assert_eq!((o.usage.input, o.usage.output), (7, 0));
    let empty_cands = blocked.replace(r#""promptFeedback""#, r#""candidates":[],"promptFeedback""#);
    assert_eq!(gemini(&empty_cands).status, Status::ContentFilter);
    let empty = r#"{"key":"k","response":{"usageMetadata":{"promptTokenCount":"7"}}}"#;
    let o = gemini(empty);
    assert_eq!(
        (o.status, o.error_kind),
        (Status::ProviderError, Some(ErrorKind::Other))
    );
    assert_eq!(o.error_code.as_deref(), Some("empty_response"));
    assert_eq!(o.usage.input, 7, "string int64 counts accepted");
    let feedback_no_reason = r#"{"key":"k","response":{"promptFeedback":{"safetyRatings":[]}}}"#;
    assert_eq!(gemini(feedback_no_reason).error_code.as_deref(), Some("empty_response"));
}

/// (error object, status, kind, error_code, http_status)
type ErrCase = (
    &'static str,
    Status,
    Option<ErrorKind>,
    Option<&'static str>,
    Option<u16>,
);

#[test]
fn gemini_errors() {
    let cases: [ErrCase; 14] = [
        (
            r#"{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED"}"#,
            Status::ProviderError,
            Some(ErrorKind::RateLimit),
            Some("RESOURCE_EXHAUSTED"),
            Some(429),
        ),
        (
            r#"{"code":429,"message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::RateLimit),
            Some("429"),
            Some(429),
        ),
        (
            r#"{"code":8,"message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::RateLimit),
            Some("8"),
            None,
        ),
        (
            r#"{"code":500,"message":"m","status":"INTERNAL"}"#,
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            Some("INTERNAL"),
            Some(500),
        ),
        (
            r#"{"code":503,"message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            Some("503"),
            Some(503),
        ),
        (
            r#"{"code":13,"message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            Some("13"),
            None,
        ),
        (
            r#"{"code":14,"message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            Some("14"),
            None,
        ),
        (
            r#"{"code":504,"message":"m","status":"DEADLINE_EXCEEDED"}"#,
            Status::Timeout,
            None,
            Some("DEADLINE_EXCEEDED"),
            Some(504),
        ),
        (r#"{"code":4,"message":"m"}"#, Status::Timeout, None, Some("4"), None),
        (
            r#"{"code":400,"message":"m","status":"INVALID_ARGUMENT"}"#,
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
            Some("INVALID_ARGUMENT"),
            Some(400),
        ),
        (
            r#"{"code":3,"message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
            Some("3"),
            None,
        ),
        (
            r#"{"code":404,"message":"m","status":"NOT_FOUND"}"#,
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
            Some("NOT_FOUND"),
            Some(404),
        ),
        (
            r#"{"message":"m","status":"BRAND_NEW"}"#,
            Status::ProviderError,
            Some(ErrorKind::Other),
            Some("BRAND_NEW"),
            None,
        ),
        (
            r#"{"code":"UNAVAILABLE","message":"m"}"#,
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            Some("UNAVAILABLE"),
            None,
        ),
    ];
    for (err, status, kind, code, http) in cases {
        let line = format!(r#"{{"error":{err},"key":"k"}}"#);
        let o = gemini(&line);
        assert_eq!((o.status, o.error_kind), (status, kind), "{err}");
        assert_eq!(o.error_code.as_deref(), code, "{err}");
        assert_eq!(o.http_status, http, "{err}");
        assert_eq!(o.error_message.as_deref(), Some("m"));
    }
    assert_eq!(error_status(Some(1), None), (Status::Canceled, None));
    assert_eq!(error_status(None, Some("CANCELLED")), (Status::Canceled, None));
    assert_eq!(
        error_status(None, None),
        (Status::ProviderError, Some(ErrorKind::Other))
    );
}

#[test]
fn gemini_shape_errors() {
    let p = |l: &str| gemini::parse_result_line(l.as_bytes(), &opts()).err();
    assert_eq!(p(r#"{"response":{}}"#), Some(LineError::MissingField("key")));
    assert!(matches!(p(r#"{"key":"k"}"#), Some(LineError::WrongShape(m)) if m.contains("both")));
    assert!(matches!(p(r#"{"key":"k","response":"#), Some(LineError::Malformed(_))));
    assert!(matches!(
        p(r#"{"key":"k","response":{"usageMetadata":{"promptTokenCount":"x"}}}"#),
        Some(LineError::WrongShape(_))
    ));
    let numeric_key = gemini::parse_result_line(br#"{"key":17,"response":{"candidates":[]}}"#, &opts());
    assert_eq!(numeric_key.map(|r| r.custom_id.into_owned()), Ok("17".to_string()));
}

#[test]
fn gemini_input() {
    let line = r#"{"key": "request-1", "request": {"systemInstruction": {"parts": [{"text": "Be brief."}]}, "contents": [{"parts": [{"text": "Describe photosynthesis."}, {"text": "日本語で"}]}, {"role": "model", "parts": [{"text": "ok"}]}], "generation_config": {"temperature": 0.7}}, "metadata": {"team": "ml", "n": 3}}"#;
    let Ok(inp) = gemini::parse_input_line(line.as_bytes(), &opts()) else {
        panic!("parse failed")
    };
    assert!(matches!(inp.custom_id, Cow::Borrowed("request-1")));
    assert_eq!((inp.model, inp.url), (None, None));
    assert_eq!(
        crate::Provider::Gemini.parse_input_messages(line.as_bytes()),
        Ok(vec![
            ("system".to_string(), "Be brief.".to_string()),
            ("user".to_string(), "Describe photosynthesis.\n日本語で".to_string()),
            ("model".to_string(), "ok".to_string()),
        ])
    );
    assert_eq!(
        crate::Provider::Gemini.parse_input_metadata(line.as_bytes()),
        vec![
            ("team".to_string(), "ml".to_string()),
            ("n".to_string(), "3".to_string())
        ]
    );
    assert_eq!(
        gemini::parse_input_line(br#"{"request":{}}"#, &opts()).err(),
        Some(LineError::MissingField("key"))
    );
    assert_eq!(
        crate::Provider::Gemini
            .parse_input_messages(br#"{"key":"k","request":{}}"#)
            .err(),
        Some(LineError::MissingField("request.contents"))
    );
}

const VREQ: &str = r#"{"contents": [{"role": "user", "parts": [{"text": "What is 2+2? 日本"}]}], "generationConfig": {"temperature": 0.9, "topP": 1, "maxOutputTokens": 256}, "labels": {"custom_id": "row-7"}}"#;
const VREQ_REORDERED: &str = r#"{"labels":{"custom_id":"row-7"},"generationConfig":{"maxOutputTokens":256,"topP":1,"temperature":0.9},"contents":[{"parts":[{"text":"What is 2+2? \u65e5\u672c"}],"role":"user"}]}"#;

fn vertex_ok(req: &str) -> String {
    format!(
        r#"{{"status": "", "processed_time": "2024-11-01T18:13:16.826+00:00", "request": {req}, "response": {{"candidates": [{{"avgLogprobs": -0.57, "content": {{"parts": [{{"text": "4"}}], "role": "model"}}, "finishReason": "STOP"}}], "modelVersion": "gemini-2.0-flash-001@default", "usageMetadata": {{"candidatesTokenCount": 36, "promptTokenCount": 29180, "totalTokenCount": 29216}}}}}}"#
    )
}

#[test]
fn vertex_hash_id_ignores_key_order_and_whitespace() {
    let input = format!(r#"{{"request": {VREQ}}}"#);
    let Ok(inp) = vertex::parse_input_line(input.as_bytes(), &opts()) else {
        panic!("parse failed")
    };
    let id = inp.custom_id.into_owned();
    assert!(id.starts_with("req-") && id.len() == 20, "{id}");
    assert!(
        id[4..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let out = vertex_ok(VREQ_REORDERED);
    let Ok(r) = vertex::parse_result_line(out.as_bytes(), &opts()) else {
        panic!("parse failed")
    };
    assert_eq!(r.custom_id, id);
    assert_eq!(request_hash_id(VREQ).ok(), Some(id.clone()));
    let other = VREQ.replace("2+2", "2+3");
    assert_ne!(request_hash_id(&other).ok(), Some(id));
    let o = r.outcome;
    assert_eq!(o.status, Status::Completed);
    assert_eq!(o.response_text.as_deref(), Some("4"));
    assert_eq!(o.model.as_deref(), Some("gemini-2.0-flash-001@default"));
    assert_eq!((o.usage.input, o.usage.output), (29180, 36));
}

#[test]
fn canonical_form_is_exact() {
    let v: serde_json::Value = serde_json::from_str(VREQ_REORDERED).unwrap_or_default();
    let c = canon::canonical_json(&v);
    assert_eq!(
        c,
        r#"{"contents":[{"parts":[{"text":"What is 2+2? 日本"}],"role":"user"}],"generationConfig":{"maxOutputTokens":256,"temperature":0.9,"topP":1},"labels":{"custom_id":"row-7"}}"#
    );
    assert_eq!(
        canon::value_hash_id(&v),
        format!("req-{:016x}", canon::fnv(c.as_bytes()))
    );
    // FNV-1a 64 reference values.
    assert_eq!(canon::fnv(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(canon::fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
    let f: serde_json::Value = serde_json::from_str(r#"{"b":1.0,"a":[1,-2,"\u0001\n"]}"#).unwrap_or_default();
    assert_eq!(canon::canonical_json(&f), r#"{"a":[1,-2,"\u0001\n"],"b":1.0}"#);
}

#[test]
fn vertex_id_path() {
    let o = ProviderOptions {
        id_path: Some("request.labels.custom_id".into()),
    };
    let input = format!(r#"{{"request": {VREQ}}}"#);
    let inp = vertex::parse_input_line(input.as_bytes(), &o).map(|i| i.custom_id.into_owned());
    assert_eq!(inp, Ok("row-7".to_string()));
    let out = vertex_ok(VREQ_REORDERED);
    let r = vertex::parse_result_line(out.as_bytes(), &o).map(|r| r.custom_id.into_owned());
    assert_eq!(r, Ok("row-7".to_string()));
    let no_label = format!(r#"{{"request": {}}}"#, VREQ.replace(r#""labels""#, r#""x""#));
    assert_eq!(
        vertex::parse_input_line(no_label.as_bytes(), &o).err(),
        Some(LineError::MissingField("request.labels.custom_id"))
    );
    let not_string = format!(r#"{{"request": {}}}"#, VREQ.replace(r#""row-7""#, r#"{"a":1}"#));
    assert_eq!(
        vertex::parse_input_line(not_string.as_bytes(), &o).err(),
        Some(LineError::MissingField("request.labels.custom_id"))
    );
    let numeric = format!(r#"{{"request": {}}}"#, VREQ.replace(r#""row-7""#, "42"));
    assert_eq!(
        vertex::parse_input_line(numeric.as_bytes(), &o).map(|i| i.custom_id.into_owned()),
        Ok("42".to_string())
    );
    // A top-level path (e.g. a BigQuery column) walks the whole line.
    let top = ProviderOptions {
        id_path: Some("row_id".into()),
    };
    let line = format!(r#"{{"request": {VREQ}, "row_id": "b-1"}}"#);
    assert_eq!(
        vertex::parse_input_line(line.as_bytes(), &top).map(|i| i.custom_id.into_owned()),
        Ok("b-1".to_string())
    );
    assert_eq!(
        crate::Provider::Vertex.parse_input_messages(line.as_bytes()),
        Ok(vec![("user".to_string(), "What is 2+2? 日本".to_string())])
    );
    assert_eq!(
        crate::Provider::Vertex.parse_input_metadata(line.as_bytes()),
        vec![("custom_id".to_string(), "row-7".to_string())]
    );
}

fn vertex_err(status: &str) -> Outcome<'static> {
    let line = format!(
        r#"{{"status": {}, "processed_time": "2025-07-09T19:57:43.558+00:00", "request": {VREQ}, "response": {{}}}}"#,
        serde_json::to_string(status).unwrap_or_default()
    );
    match vertex::parse_result_line(line.as_bytes(), &opts()) {
        Ok(r) => into_owned(r.outcome),
        Err(e) => panic!("{e}: {line}"),
    }
}

#[test]
fn vertex_error_statuses() {
    let o = vertex_err(
        r#"Bad Request: {"error": {"code": 400, "message": "Please use a valid role: user, model.", "status": "INVALID_ARGUMENT"}}"#,
    );
    assert_eq!(
        (o.status, o.error_kind),
        (Status::ProviderError, Some(ErrorKind::InvalidRequest))
    );
    assert_eq!(o.error_code.as_deref(), Some("INVALID_ARGUMENT"));
    assert_eq!(
        o.error_message.as_deref(),
        Some("Please use a valid role: user, model.")
    );
    assert_eq!(o.http_status, Some(400));
    let cases = [
        (
            "Too Many Requests",
            Status::ProviderError,
            Some(ErrorKind::RateLimit),
            429,
        ),
        (
            "Internal Server Error",
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            500,
        ),
        (
            "Service Unavailable",
            Status::ProviderError,
            Some(ErrorKind::ServerError),
            503,
        ),
        ("Gateway Timeout", Status::Timeout, None, 504),
        (
            "Bad Request",
            Status::ProviderError,
            Some(ErrorKind::InvalidRequest),
            400,
        ),
        ("Not Found", Status::ProviderError, Some(ErrorKind::InvalidRequest), 404),
    ];
    for (phrase, status, kind, http) in cases {
        // Phrase only, with a non-JSON tail, and with an envelope lacking code/status.
        for st in [
            phrase.to_string(),
            format!("{phrase}: upstream said no"),
            format!(r#"{phrase}: {{"error": {{"message": "x"}}}}"#),
        ] {
            let o = vertex_err(&st);
            assert_eq!((o.status, o.error_kind), (status, kind), "{st}");
            assert_eq!(o.http_status, Some(http), "{st}");
            assert!(o.error_message.is_some(), "{st}");
        }
    }
    let o = vertex_err(
        r#"Too Many Requests: {"error": {"code": 429, "message": "Quota", "status": "RESOURCE_EXHAUSTED"}}"#,
    );
    assert_eq!(
        (o.error_kind, o.error_code.as_deref()),
        (Some(ErrorKind::RateLimit), Some("RESOURCE_EXHAUSTED"))
    );
    let o = vertex_err("something odd happened");
    assert_eq!(
        (o.status, o.error_kind),
        (Status::ProviderError, Some(ErrorKind::Other))
    );
    assert_eq!(o.error_message.as_deref(), Some("something odd happened"));
    assert_eq!(o.http_status, None);
    let empty = format!(r#"{{"status": "", "request": {VREQ}, "response": {{}}}}"#);
    let o = vertex::parse_result_line(empty.as_bytes(), &opts()).map(|r| r.outcome.error_code.map(|c| c.into_owned()));
    assert_eq!(o, Ok(Some("empty_response".to_string())));
    let no_resp = format!(r#"{{"status": "", "request": {VREQ}}}"#);
    assert!(matches!(
        vertex::parse_result_line(no_resp.as_bytes(), &opts()),
        Err(LineError::WrongShape(_))
    ));
    assert_eq!(
        vertex::parse_result_line(br#"{"status":"","response":{}}"#, &opts()).err(),
        Some(LineError::MissingField("request"))
    );
}

#[test]
fn batch_objects() {
    let vertex_job = br#"{"name": "projects/1/locations/us-central1/batchPredictionJobs/42", "displayName": "x", "state": "JOB_STATE_SUCCEEDED", "completionStats": {"successfulCount": "98", "failedCount": "2", "incompleteCount": null}}"#;
    let b = parse_batch_object(vertex_job);
    assert_eq!(
        b,
        Ok(BatchObject {
            id: Some("projects/1/locations/us-central1/batchPredictionJobs/42".into()),
            status: Some("JOB_STATE_SUCCEEDED".into()),
            succeeded: Some(98),
            failed: Some(2),
            ..BatchObject::default()
        })
    );
    let op = br#"{"name": "batches/abc", "metadata": {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch", "model": "models/gemini-2.5-flash", "state": "BATCH_STATE_SUCCEEDED", "batchStats": {"requestCount": "10", "successfulRequestCount": "9", "failedRequestCount": 1}}, "done": true}"#;
    assert_eq!(
        parse_batch_object(op),
        Ok(BatchObject {
            id: Some("batches/abc".into()),
            status: Some("BATCH_STATE_SUCCEEDED".into()),
            total: Some(10),
            succeeded: Some(9),
            failed: Some(1),
            ..BatchObject::default()
        })
    );
    let flat = br#"{"name": "batches/abc", "state": "JOB_STATE_RUNNING", "batch_stats": {"request_count": "10", "pending_request_count": "4"}}"#;
    let b = parse_batch_object(flat).unwrap_or_default();
    assert_eq!(
        (b.total, b.pending, b.succeeded, b.failed),
        (Some(10), Some(4), None, None)
    );
    assert!(parse_batch_object(b"{}").is_err());
    assert!(parse_batch_object(b"[1]").is_err());
    assert!(parse_batch_object(br#"{"name":"x","completionStats":{"successfulCount":"-1"}}"#).is_err());
}

#[test]
fn gemini_embedding_responses_are_completed_with_usage_from_token_count() {
    let one = r#"{"key":"e1","response":{"embedding":{"values":[0.1,-0.2,0.3]},"tokenCount":"12"}}"#;
    let o = gemini(one);
    assert_eq!((o.status, o.error_kind, o.error_code), (Status::Completed, None, None));
    assert_eq!(o.response_text, None);
    assert_eq!((o.usage.input, o.usage.output), (12, 0));
    let batch = r#"{"response":{"embeddings":[{"values":[0.1]},{"values":[0.2]}],"tokenCount":7},"key":"e2"}"#;
    let o = gemini(batch);
    assert_eq!((o.status, o.error_code), (Status::Completed, None));
    assert_eq!(o.usage.input, 7);
    let no_count = r#"{"key":"e3","response":{"embedding":{"values":[]}}}"#;
    assert_eq!(gemini(no_count).status, Status::Completed);
}

#[test]
fn vertex_hash_join_ignores_the_null_placeholders_of_googles_echo() {
    let input = format!(r#"{{"request": {VREQ}}}"#);
    let Ok(inp) = vertex::parse_input_line(input.as_bytes(), &opts()) else {
        panic!("parse failed")
    };
    let echoed = r#"{"labels":{"custom_id":"row-7"},"generationConfig":{"maxOutputTokens":256,"topP":1,"temperature":0.9,"stopSequences":null},"systemInstruction":null,"contents":[{"parts":[{"text":"What is 2+2? \u65e5\u672c","file_data":null,"inline_data":null}],"role":"user"}]}"#;
    let out = vertex_ok(echoed);
    let Ok(r) = vertex::parse_result_line(out.as_bytes(), &opts()) else {
        panic!("parse failed")
    };
    assert_eq!(r.custom_id, inp.custom_id);
    // Nulls inside arrays are values, not absent members: they still count.
    let with_null_item = VREQ_REORDERED.replace(r#""parts":[{"#, r#""parts":[null,{"#);
    assert_ne!(request_hash_id(&with_null_item).ok(), Some(inp.custom_id.into_owned()));
}
