//! The OpenAI-compatible routes: files, batches (for chat completions,
//! responses and embeddings) and the sync calls (`sync`).
//!
//! Invariant: every answer has the shape OpenAI documents (see
//! provider-formats.md §1), so assay's readers need no emulator special case;
//! a request the emulator cannot serve gets OpenAI's error shape and a 4xx.

use std::time::Instant;

use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::batch::{Batch, Request};
use crate::body::Body;
use crate::multipart;
use crate::server::{Shared, error_response, json_response};
use crate::store::unix_now;

pub struct Call<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub content_type: &'a str,
    pub body: &'a [u8],
    /// Reached through an Azure path: answer in Azure's shapes.
    pub azure: bool,
    /// The deployment an Azure sync path names.
    pub deployment: Option<&'a str>,
}

/// Batch endpoints the emulator runs, in OpenAI's and Azure's spelling.
const ENDPOINTS: [&str; 6] = [
    "/v1/chat/completions",
    "/v1/responses",
    "/v1/embeddings",
    "/chat/completions",
    "/responses",
    "/embeddings",
];

pub fn bad(message: &str) -> Response<Body> {
    error_response(
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "invalid_request",
        message,
    )
}

fn not_found(what: &str) -> Response<Body> {
    error_response(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "not_found",
        &format!("No such {what}."),
    )
}

pub fn route(shared: &Shared, c: Call) -> Response<Body> {
    let segs: Vec<&str> = c.path.trim_matches('/').split('/').collect();
    match (c.method, segs.as_slice()) {
        ("POST", ["v1", "files"]) => upload(shared, &c),
        ("GET", ["v1", "files", id]) => match shared.store().files.get(*id) {
            Some(f) => json_response(StatusCode::OK, &f.object()),
            None => not_found("file"),
        },
        ("GET", ["v1", "files", id, "content"]) => match shared.store().files.get(*id) {
            Some(f) => {
                let mut r = Response::new(Body::full(f.data.clone()));
                r.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static("application/octet-stream"),
                );
                r
            }
            None => not_found("file"),
        },
        ("POST", ["v1", "batches"]) => create(shared, c.body, c.azure),
        ("GET", ["v1", "batches"]) => list(shared, c.query),
        ("GET", ["v1", "batches", id]) => {
            let mut store = shared.store();
            store.advance(&shared.profile, shared.seed);
            match store.batches.iter().find(|b| b.id == *id) {
                Some(b) => json_response(StatusCode::OK, &b.object(Instant::now(), &shared.profile)),
                None => not_found("batch"),
            }
        }
        ("POST", ["v1", "batches", id, "cancel"]) => cancel(shared, id),
        ("POST", ["v1", "chat", "completions"] | ["v1", "responses"] | ["v1", "embeddings"]) => {
            crate::sync::answer(shared, &c)
        }
        _ => not_found("route"),
    }
}

fn upload(shared: &Shared, c: &Call) -> Response<Body> {
    let Some(boundary) = multipart::boundary(c.content_type) else {
        return bad("Expected multipart/form-data.");
    };
    let parts = match multipart::parse(c.body, &boundary) {
        Ok(p) => p,
        Err(e) => return bad(&format!("Malformed multipart body: {e}.")),
    };
    let purpose = parts
        .iter()
        .find(|p| p.name == "purpose")
        .map(|p| String::from_utf8_lossy(p.data).into_owned());
    if purpose.as_deref() != Some("batch") {
        return bad("The emulator accepts purpose=batch only.");
    }
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        return bad("Missing the 'file' field.");
    };
    let name = file.filename.clone().unwrap_or_else(|| "upload.jsonl".into());
    let mut store = shared.store();
    let f = store.add_file(name, "batch", file.data.to_vec());
    json_response(StatusCode::OK, &f.object())
}

/// Parses the input file into requests, collecting validation errors with line numbers.
fn parse_input(data: &[u8], endpoint: &str) -> (Vec<Request>, Vec<Value>) {
    let mut reqs = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (n, line) in data.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let mut fail = |code: &str, message: String| {
            errors.push(json!({"code": code, "message": message, "param": null, "line": n + 1}));
        };
        let v: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                fail(
                    "invalid_json_line",
                    format!("This line is not parseable as valid JSON: {e}"),
                );
                continue;
            }
        };
        let Some(id) = v.get("custom_id").and_then(Value::as_str) else {
            fail(
                "missing_required_parameter",
                "Missing required parameter: 'custom_id'.".into(),
            );
            continue;
        };
        if v.get("url").and_then(Value::as_str) != Some(endpoint) {
            fail(
                "mismatched_endpoint",
                format!("The line's url does not match the batch endpoint {endpoint}."),
            );
            continue;
        }
        let Some(body) = v.get("body").filter(|b| b.is_object()) else {
            fail(
                "missing_required_parameter",
                "Missing required parameter: 'body'.".into(),
            );
            continue;
        };
        if !seen.insert(id.to_owned()) {
            fail(
                "duplicate_custom_id",
                format!("The custom_id {id} is used more than once."),
            );
            continue;
        }
        reqs.push(Request {
            custom_id: id.to_owned(),
            body: body.clone(),
        });
    }
    (reqs, errors)
}

fn create(shared: &Shared, body: &[u8], azure: bool) -> Response<Body> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return bad("The request body is not JSON.");
    };
    let Some(file_id) = v.get("input_file_id").and_then(Value::as_str) else {
        return bad("Missing required parameter: 'input_file_id'.");
    };
    let endpoint = v.get("endpoint").and_then(Value::as_str).unwrap_or("");
    if !ENDPOINTS.contains(&endpoint) {
        return bad("The emulator serves batches for chat completions, responses and embeddings only.");
    }
    let window = v.get("completion_window").and_then(Value::as_str).unwrap_or("");
    if window != "24h" {
        return bad("completion_window must be '24h'.");
    }
    let mut store = shared.store();
    let Some(file) = store.files.get(file_id) else {
        return not_found("file");
    };
    let (requests, invalid) = parse_input(&file.data, endpoint);
    let id = store.next_batch_id();
    let b = Batch {
        id,
        input_file_id: file_id.to_owned(),
        endpoint: endpoint.to_owned(),
        completion_window: window.to_owned(),
        metadata: v.get("metadata").cloned().unwrap_or(Value::Null),
        created_at: unix_now(),
        started: Instant::now(),
        requests,
        invalid,
        cancel: None,
        ended: None,
        azure,
    };
    let obj = b.object(Instant::now(), &shared.profile);
    store.batches.push(b);
    json_response(StatusCode::OK, &obj)
}

fn list(shared: &Shared, query: &str) -> Response<Body> {
    let mut limit = 20usize;
    let mut after: Option<String> = None;
    for kv in query.split('&') {
        match kv.split_once('=') {
            Some(("limit", n)) => limit = n.parse().unwrap_or(20).clamp(1, 100),
            Some(("after", a)) => after = Some(a.to_owned()),
            _ => {}
        }
    }
    let mut store = shared.store();
    store.advance(&shared.profile, shared.seed);
    let now = Instant::now();
    let newest_first: Vec<&Batch> = store.batches.iter().rev().collect();
    let start = after
        .and_then(|a| newest_first.iter().position(|b| b.id == a).map(|p| p + 1))
        .unwrap_or(0);
    let page: Vec<Value> = newest_first
        .iter()
        .skip(start)
        .take(limit)
        .map(|b| b.object(now, &shared.profile))
        .collect();
    let has_more = newest_first.len() > start + page.len();
    json_response(
        StatusCode::OK,
        &json!({
            "object": "list",
            "first_id": page.first().map(|b| b["id"].clone()),
            "last_id": page.last().map(|b| b["id"].clone()),
            "has_more": has_more,
            "data": page,
        }),
    )
}

fn cancel(shared: &Shared, id: &str) -> Response<Body> {
    let mut store = shared.store();
    store.advance(&shared.profile, shared.seed);
    let now = Instant::now();
    let profile = &shared.profile;
    let Some(b) = store.batch_mut(id) else {
        return not_found("batch");
    };
    if b.ended.is_none() && b.cancel.is_none() {
        b.cancel = Some((unix_now(), b.processed(now - b.started, profile)));
    }
    json_response(StatusCode::OK, &b.object(now, profile))
}
