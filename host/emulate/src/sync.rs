//! The sync calls: `POST /v1/chat/completions`, `/v1/responses` and
//! `/v1/embeddings` (and their Azure paths, translated by `azure`).
//!
//! Invariant: a sync answer is never degraded by the profile's quality gap
//! and depends only on the seed and the request, so sync answers are the
//! stable side of a batch-versus-sync comparison.

use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::answer::{self, Ask, Path};
use crate::body::Body;
use crate::openai::{Call, bad};
use crate::server::{Shared, json_response};
use crate::store::unix_now;

pub fn answer(shared: &Shared, c: &Call) -> Response<Body> {
    let Ok(mut v) = serde_json::from_slice::<Value>(c.body) else {
        return bad("The request body is not JSON.");
    };
    let field = if c.path.ends_with("/chat/completions") {
        "messages"
    } else {
        "input"
    };
    if v.get(field).is_none_or(Value::is_null) {
        return bad(&format!("Missing required parameter: '{field}'."));
    }
    if let (Some(d), Some(o)) = (c.deployment, v.as_object_mut()) {
        o.insert("model".into(), Value::String(d.to_owned()));
    }
    let key = v.get(field).map(Value::to_string).unwrap_or_default();
    let ask = Ask {
        seed: shared.seed,
        custom_id: &key,
        index: None,
        body: &v,
        path: Path::Sync,
        created: unix_now(),
    };
    let mut body = answer::for_endpoint(c.path, &ask, &shared.profile);
    if c.azure {
        crate::azure::shape_body(&mut body);
    }
    json_response(StatusCode::OK, &body)
}
