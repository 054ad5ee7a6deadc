//! One emulated Anthropic Message Batch: its clock, its counts, and the
//! results stream it writes when it ends.
//!
//! Invariant: the results are written exactly once, when the batch first
//! ends, with the profile's row faults applied as on the OpenAI side; the
//! batch object then states what the provider believes: `succeeded` counts
//! every row it answered (even one the profile drops from the stream), and
//! the five counts always add up to the requests, `processing` being the
//! only non-zero one until the batch ends.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::answer::message;
use crate::answer::{Ask, Path, hash, mix};
use crate::batch::shuffle;
use crate::profile::Profile;

/// One `{custom_id, params}` request.
#[derive(Debug, Clone)]
pub struct Request {
    pub custom_id: String,
    pub params: Value,
}

/// Final counts, in the object's order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub succeeded: usize,
    pub errored: usize,
    pub canceled: usize,
    pub expired: usize,
}

#[derive(Debug)]
pub struct MessageBatch {
    pub id: String,
    pub created_at: u64,
    pub started: Instant,
    pub requests: Vec<Request>,
    /// (unix seconds, rows processed) when a cancel arrived.
    pub cancel: Option<(u64, usize)>,
    /// (unix seconds, counts) once ended.
    pub ended: Option<(u64, Counts)>,
    /// The results stream, once ended.
    pub results: Vec<u8>,
}

/// Unix seconds as RFC 3339 (`2024-08-20T18:37:24Z`), as Anthropic writes
/// its timestamps.
pub fn rfc3339(unix: u64) -> String {
    let (days, secs) = ((unix / 86_400) as i64, unix % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// An `errored` result's error type and message for a row's fault.
fn row_error(i: usize, r: &Request, profile: &Profile) -> Option<(&'static str, &'static str)> {
    if profile.server_error_rows.contains(&i) {
        Some(("api_error", "Internal server error"))
    } else if profile.rate_limit_rows.contains(&i) {
        Some((
            "rate_limit_error",
            "Number of request tokens has exceeded your rate limit.",
        ))
    } else if profile.invalid_rows.contains(&i) {
        Some(("invalid_request_error", "The request is invalid."))
    } else if !r.params.get("messages").is_some_and(Value::is_array) {
        Some(("invalid_request_error", "messages: Field required"))
    } else if r.params.get("max_tokens").and_then(Value::as_u64).is_none() {
        Some(("invalid_request_error", "max_tokens: Field required"))
    } else {
        None
    }
}

impl MessageBatch {
    fn processable(&self, profile: &Profile) -> usize {
        profile
            .expire_from
            .map_or(self.requests.len(), |e| e.min(self.requests.len()))
    }

    /// Rows processed after `elapsed`, in input order.
    pub fn processed(&self, elapsed: Duration, profile: &Profile) -> usize {
        let total = profile.process_ms().max(1) as u128;
        let frac = elapsed.as_millis().min(total);
        (self.processable(profile) as u128 * frac / total) as usize
    }

    /// Ends the batch if due, writing its results.
    pub fn advance(&mut self, now: Instant, unix: u64, profile: &Profile, seed: u64) {
        let due = self.cancel.is_some() || (now - self.started).as_millis() >= u128::from(profile.process_ms());
        if self.ended.is_some() || !due {
            return;
        }
        let done = self.cancel.map_or(self.processable(profile), |c| c.1);
        let mut counts = Counts::default();
        let mut lines: Vec<String> = Vec::new();
        for (i, r) in self.requests.iter().enumerate() {
            let result = if i >= done {
                if self.cancel.is_some() {
                    counts.canceled += 1;
                    json!({"type": "canceled"})
                } else {
                    counts.expired += 1;
                    json!({"type": "expired"})
                }
            } else if let Some((kind, msg)) = row_error(i, r, profile) {
                counts.errored += 1;
                let req_id = format!("req_emu{:016x}", mix(hash(seed, r.custom_id.as_bytes())));
                json!({"type": "errored", "error": {"type": "error", "error": {"type": kind, "message": msg}, "request_id": req_id}})
            } else {
                counts.succeeded += 1;
                let ask = Ask {
                    seed,
                    custom_id: &r.custom_id,
                    index: Some(i),
                    body: &r.params,
                    path: Path::Batch,
                    created: self.created_at,
                };
                json!({"type": "succeeded", "message": message(&ask, profile)})
            };
            if profile.missing_rows.contains(&i) {
                continue;
            }
            let line = json!({"custom_id": r.custom_id, "result": result}).to_string();
            if profile.duplicate_rows.contains(&i) {
                lines.push(line.clone());
            }
            lines.push(line);
        }
        if profile.shuffle {
            shuffle(&mut lines, seed);
        }
        self.results = lines.into_iter().flat_map(|l| (l + "\n").into_bytes()).collect();
        self.ended = Some((unix, counts));
    }

    /// The batch object as `GET /v1/messages/batches/{id}` returns it;
    /// `origin` is `http://HOST` for `results_url`.
    pub fn object(&self, origin: &str) -> Value {
        let mut v = json!({
            "id": self.id,
            "type": "message_batch",
            "processing_status": "in_progress",
            "request_counts": {"processing": self.requests.len(), "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
            "ended_at": null,
            "created_at": rfc3339(self.created_at),
            "expires_at": rfc3339(self.created_at + 86_400),
            "archived_at": null,
            "cancel_initiated_at": self.cancel.map(|c| rfc3339(c.0)),
            "results_url": null,
        });
        match &self.ended {
            Some((at, c)) => {
                v["processing_status"] = json!("ended");
                v["ended_at"] = json!(rfc3339(*at));
                v["request_counts"] = json!({"processing": 0, "succeeded": c.succeeded, "errored": c.errored, "canceled": c.canceled, "expired": c.expired});
                v["results_url"] = json!(format!("{origin}/v1/messages/batches/{}/results", self.id));
            }
            None if self.cancel.is_some() => v["processing_status"] = json!("canceling"),
            None => {}
        }
        v
    }
}

#[cfg(test)]
mod tests;
