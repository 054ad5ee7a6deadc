//! The Anthropic routes: Message Batches (create, get, list, cancel,
//! results) and sync Messages.
//!
//! Invariant: every answer has the shape Anthropic documents (see
//! provider-formats.md §3), so assay's readers need no emulator special
//! case; a request the emulator cannot serve gets Anthropic's error shape
//! (`{"type":"error","error":{type,message}}`) and a 4xx.

use std::time::Instant;

use hyper::{Response, StatusCode};
use serde_json::{Value, json};

use crate::answer::{Ask, Path};
use crate::body::Body;
use crate::openai::Call;
use crate::server::{Shared, json_response};
use crate::store::unix_now;

pub mod answer;
pub mod batch;

use batch::{MessageBatch, Request};

/// Whether `path` is one of Anthropic's routes.
pub fn is_route(path: &str) -> bool {
    path == "/v1/messages" || path.starts_with("/v1/messages/")
}

/// An Anthropic-shaped error.
pub fn error_response(status: StatusCode, kind: &str, message: &str) -> Response<Body> {
    json_response(
        status,
        &json!({"type": "error", "error": {"type": kind, "message": message}}),
    )
}

fn bad(message: &str) -> Response<Body> {
    error_response(StatusCode::BAD_REQUEST, "invalid_request_error", message)
}

fn not_found(message: &str) -> Response<Body> {
    error_response(StatusCode::NOT_FOUND, "not_found_error", message)
}

/// Serves one Anthropic request; `origin` (`http://HOST`) prefixes `results_url`.
pub fn route(shared: &Shared, c: Call, origin: &str) -> Response<Body> {
    let segs: Vec<&str> = c.path.trim_matches('/').split('/').collect();
    match (c.method, segs.as_slice()) {
        ("POST", ["v1", "messages"]) => message(shared, c.body),
        ("POST", ["v1", "messages", "batches"]) => create(shared, c.body, origin),
        ("GET", ["v1", "messages", "batches"]) => list(shared, c.query, origin),
        ("GET", ["v1", "messages", "batches", id]) => {
            with_batch(shared, id, |b| json_response(StatusCode::OK, &b.object(origin)))
        }
        ("POST", ["v1", "messages", "batches", id, "cancel"]) => with_batch(shared, id, |b| {
            if b.ended.is_none() && b.cancel.is_none() {
                b.cancel = Some((unix_now(), b.processed(b.started.elapsed(), &shared.profile)));
            }
            json_response(StatusCode::OK, &b.object(origin))
        }),
        ("GET", ["v1", "messages", "batches", id, "results"]) => with_batch(shared, id, |b| {
            if b.ended.is_none() {
                return bad(&format!("Message Batch {} has not yet ended.", b.id));
            }
            let mut r = Response::new(Body::full(b.results.clone()));
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/x-jsonl"),
            );
            r
        }),
        _ => not_found("Not found."),
    }
}

/// Ends every due batch, then runs `f` on batch `id`.
fn with_batch(shared: &Shared, id: &str, f: impl FnOnce(&mut MessageBatch) -> Response<Body>) -> Response<Body> {
    let mut store = shared.store();
    let (now, unix) = (Instant::now(), unix_now());
    for b in &mut store.message_batches {
        b.advance(now, unix, &shared.profile, shared.seed);
    }
    match store.message_batches.iter_mut().find(|b| b.id == id) {
        Some(b) => f(b),
        None => not_found(&format!("No Message Batch with id {id}.")),
    }
}

fn create(shared: &Shared, body: &[u8], origin: &str) -> Response<Body> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return bad("The request body is not valid JSON.");
    };
    let Some(reqs) = v.get("requests").and_then(Value::as_array) else {
        return bad("requests: Field required");
    };
    if reqs.is_empty() {
        return bad("requests: List should have at least 1 item");
    }
    let mut requests = Vec::with_capacity(reqs.len());
    let mut seen = std::collections::HashSet::new();
    for (i, r) in reqs.iter().enumerate() {
        let Some(id) = r.get("custom_id").and_then(Value::as_str) else {
            return bad(&format!("requests.{i}.custom_id: Field required"));
        };
        let Some(params) = r.get("params").filter(|p| p.is_object()) else {
            return bad(&format!("requests.{i}.params: Field required"));
        };
        if !seen.insert(id) {
            return bad(&format!("requests.{i}.custom_id: Duplicate custom_id {id:?}."));
        }
        requests.push(Request {
            custom_id: id.to_owned(),
            params: params.clone(),
        });
    }
    let mut store = shared.store();
    let b = MessageBatch {
        id: store.next_message_batch_id(),
        created_at: unix_now(),
        started: Instant::now(),
        requests,
        cancel: None,
        ended: None,
        results: Vec::new(),
    };
    let obj = b.object(origin);
    store.message_batches.push(b);
    json_response(StatusCode::OK, &obj)
}

/// Newest first; `after_id` pages to older batches, `before_id` to newer.
fn list(shared: &Shared, query: &str, origin: &str) -> Response<Body> {
    let mut limit = 20usize;
    let (mut after, mut before) = (None, None);
    for (k, v) in query.split('&').filter_map(|kv| kv.split_once('=')) {
        match k {
            "limit" => match v.parse::<usize>() {
                Ok(n) if (1..=1000).contains(&n) => limit = n,
                _ => return bad("limit: Input should be between 1 and 1000"),
            },
            "after_id" => after = Some(v.to_owned()),
            "before_id" => before = Some(v.to_owned()),
            _ => {}
        }
    }
    let mut store = shared.store();
    let (now, unix) = (Instant::now(), unix_now());
    for b in &mut store.message_batches {
        b.advance(now, unix, &shared.profile, shared.seed);
    }
    let all: Vec<&MessageBatch> = store.message_batches.iter().rev().collect();
    let pos = |id: &str| all.iter().position(|b| b.id == id);
    let (start, end) = match (&after, &before) {
        (Some(a), _) => (pos(a).map_or(all.len(), |p| p + 1), all.len()),
        (None, Some(b)) => (0, pos(b).unwrap_or(0)),
        (None, None) => (0, all.len()),
    };
    let window = &all[start.min(end)..end];
    let page: Vec<Value> = window.iter().take(limit).map(|b| b.object(origin)).collect();
    json_response(
        StatusCode::OK,
        &json!({
            "data": page,
            "has_more": window.len() > limit,
            "first_id": page.first().map(|b| b["id"].clone()),
            "last_id": page.last().map(|b| b["id"].clone()),
        }),
    )
}

fn message(shared: &Shared, body: &[u8]) -> Response<Body> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return bad("The request body is not valid JSON.");
    };
    if !v.get("messages").is_some_and(Value::is_array) {
        return bad("messages: Field required");
    }
    if v.get("max_tokens").and_then(Value::as_u64).is_none() {
        return bad("max_tokens: Field required");
    }
    let key = v.get("messages").map(Value::to_string).unwrap_or_default();
    let ask = Ask {
        seed: shared.seed,
        custom_id: &key,
        index: None,
        body: &v,
        path: Path::Sync,
        created: unix_now(),
    };
    json_response(StatusCode::OK, &answer::message(&ask, &shared.profile))
}
