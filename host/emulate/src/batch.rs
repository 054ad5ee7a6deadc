//! One emulated OpenAI batch: its clock, its counts, and the output and
//! error files it writes when it ends.
//!
//! Invariant: a batch's files are written exactly once, when it first reaches
//! a terminal status, and the batch object's `request_counts` then state what
//! the provider believes: `completed` counts every row it answered 200 (even a
//! row the profile drops from the file), `failed` every error-file row.
//!
//! Size: just over 300 lines: the file writer applies every profile fault in
//! one pass over the rows, and splitting the pass would split the faults'
//! order across files.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::answer::{self, Ask, Path, hash, mix};
use crate::profile::Profile;

/// A parsed input line.
#[derive(Debug, Clone)]
pub struct Request {
    pub custom_id: String,
    pub body: Value,
}

/// Files the batch wrote when it ended.
#[derive(Debug, Clone)]
pub struct Written {
    pub output: Vec<u8>,
    pub errors: Vec<u8>,
}

#[derive(Debug)]
pub struct Batch {
    pub id: String,
    pub input_file_id: String,
    pub endpoint: String,
    pub completion_window: String,
    pub metadata: Value,
    pub created_at: u64,
    pub started: Instant,
    pub requests: Vec<Request>,
    /// Input lines that failed validation (the batch ends `failed`).
    pub invalid: Vec<Value>,
    /// (unix seconds, rows processed) when a cancel arrived.
    pub cancel: Option<(u64, usize)>,
    /// Terminal state, once reached: (status, unix seconds, completed, failed,
    /// output file id, error file id, input tokens, output tokens).
    pub ended: Option<Ended>,
    /// Created through Azure's paths: its files are in Azure's shapes.
    pub azure: bool,
}

#[derive(Debug, Clone)]
pub struct Ended {
    pub status: &'static str,
    pub at: u64,
    pub completed: usize,
    pub failed: usize,
    pub output_file_id: Option<String>,
    pub error_file_id: Option<String>,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

fn error_body(status: u16) -> Value {
    let (kind, code, msg) = match status {
        429 => (
            "requests",
            "rate_limit_exceeded",
            "Rate limit reached for requests. Please try again later.",
        ),
        400 => (
            "invalid_request_error",
            "invalid_request",
            "The request body is invalid.",
        ),
        _ => (
            "server_error",
            "server_error",
            "The server had an error while processing your request.",
        ),
    };
    json!({"error": {"message": msg, "type": kind, "param": null, "code": code}})
}

impl Batch {
    /// A result line as text, in Azure's shape for a batch made through Azure.
    fn render(&self, mut line: Value) -> String {
        if self.azure {
            crate::azure::shape_line(&mut line);
        }
        line.to_string()
    }

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

    fn finished(&self, elapsed: Duration, profile: &Profile) -> bool {
        self.cancel.is_some() || elapsed.as_millis() >= u128::from(profile.process_ms()) || !self.invalid.is_empty()
    }

    fn row_status(&self, i: usize, profile: &Profile) -> u16 {
        if profile.server_error_rows.contains(&i) {
            500
        } else if profile.rate_limit_rows.contains(&i) {
            429
        } else if profile.invalid_rows.contains(&i) {
            400
        } else {
            200
        }
    }

    /// Counts (completed, failed) among the first `n` rows.
    fn counts(&self, n: usize, profile: &Profile) -> (usize, usize) {
        let failed = (0..n).filter(|i| self.row_status(*i, profile) != 200).count();
        (n - failed, failed)
    }

    /// Reaches the terminal state if due; returns the files to store when it
    /// ends now. `ids` names the two files.
    pub fn advance(
        &mut self,
        now: Instant,
        unix: u64,
        profile: &Profile,
        seed: u64,
        ids: [String; 2],
    ) -> Option<Written> {
        if self.ended.is_some() || !self.finished(now - self.started, profile) {
            return None;
        }
        if !self.invalid.is_empty() {
            self.ended = Some(Ended {
                status: "failed",
                at: unix,
                completed: 0,
                failed: 0,
                output_file_id: None,
                error_file_id: None,
                input_tokens: 0,
                output_tokens: 0,
            });
            return None;
        }
        let (status, done, tail_code) = match self.cancel {
            Some((_, n)) => (
                "cancelled",
                n,
                Some((
                    "batch_cancelled",
                    "The batch was cancelled before this request executed.",
                )),
            ),
            None if self.processable(profile) < self.requests.len() => (
                "expired",
                self.processable(profile),
                Some((
                    "batch_expired",
                    "This request could not be executed before the completion window expired.",
                )),
            ),
            None => ("completed", self.requests.len(), None),
        };
        let mut out: Vec<(usize, String)> = Vec::new();
        let mut err: Vec<(usize, String)> = Vec::new();
        let (mut tin, mut tout) = (0u64, 0u64);
        for (i, r) in self.requests.iter().enumerate() {
            let h = hash(seed, r.custom_id.as_bytes());
            let line_id = format!("batch_req_emu{h:016x}");
            let req_id = format!("req_emu{:016x}", mix(h));
            let line = if i >= done {
                let Some((code, message)) = tail_code else { continue };
                let v = json!({"id": line_id, "custom_id": r.custom_id, "response": null, "error": {"code": code, "message": message}});
                err.push((i, self.render(v)));
                continue;
            } else {
                match self.row_status(i, profile) {
                    200 => {
                        let ask = Ask {
                            seed,
                            custom_id: &r.custom_id,
                            index: Some(i),
                            body: &r.body,
                            path: Path::Batch,
                            created: self.created_at,
                        };
                        let body = answer::for_endpoint(&self.endpoint, &ask, profile);
                        let (used_in, used_out) = answer::tokens(&body);
                        (tin, tout) = (tin + used_in, tout + used_out);
                        let v = json!({"id": line_id, "custom_id": r.custom_id, "response": {"status_code": 200, "request_id": req_id, "body": body}, "error": null});
                        (true, self.render(v))
                    }
                    s => {
                        let v = json!({"id": line_id, "custom_id": r.custom_id, "response": {"status_code": s, "request_id": req_id, "body": error_body(s)}, "error": null});
                        (false, self.render(v))
                    }
                }
            };
            if profile.missing_rows.contains(&i) {
                continue;
            }
            let sink = if line.0 { &mut out } else { &mut err };
            sink.push((i, line.1.clone()));
            if profile.duplicate_rows.contains(&i) {
                sink.push((i, line.1));
            }
        }
        if profile.shuffle {
            shuffle(&mut out, seed);
            shuffle(&mut err, seed ^ 1);
        }
        let (completed, failed_done) = self.counts(done, profile);
        let failed = failed_done + (self.requests.len() - done) * usize::from(tail_code.is_some());
        let join =
            |v: Vec<(usize, String)>| -> Vec<u8> { v.into_iter().flat_map(|(_, l)| (l + "\n").into_bytes()).collect() };
        let [out_id, err_id] = ids;
        let written = Written {
            output: join(out),
            errors: join(err),
        };
        self.ended = Some(Ended {
            status,
            at: unix,
            completed,
            failed,
            output_file_id: Some(out_id),
            error_file_id: Some(err_id),
            input_tokens: tin,
            output_tokens: tout,
        });
        Some(written)
    }

    /// The batch object as OpenAI's `GET /v1/batches/{id}` returns it.
    pub fn object(&self, now: Instant, profile: &Profile) -> Value {
        let elapsed = now - self.started;
        let validating = elapsed.as_millis() < u128::from(profile.process_ms() / 10);
        let total = self.requests.len();
        let mut v = json!({
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "model": self.requests.first().and_then(|r| r.body.get("model")).cloned(),
            "errors": null,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": "in_progress",
            "output_file_id": null,
            "error_file_id": null,
            "created_at": self.created_at,
            "in_progress_at": self.created_at,
            "expires_at": self.created_at + 86_400,
            "finalizing_at": null,
            "completed_at": null,
            "failed_at": null,
            "expired_at": null,
            "cancelling_at": self.cancel.map(|c| c.0),
            "cancelled_at": null,
            "request_counts": {"total": total, "completed": 0, "failed": 0},
            "usage": null,
            "metadata": self.metadata,
        });
        match &self.ended {
            Some(e) => {
                v["status"] = json!(e.status);
                v["output_file_id"] = json!(e.output_file_id);
                v["error_file_id"] = json!(e.error_file_id);
                let at_key = match e.status {
                    "completed" => "completed_at",
                    "expired" => "expired_at",
                    "cancelled" => "cancelled_at",
                    _ => "failed_at",
                };
                v[at_key] = json!(e.at);
                if e.status == "failed" {
                    v["errors"] = json!({"object": "list", "data": self.invalid});
                    v["request_counts"] = json!({"total": 0, "completed": 0, "failed": 0});
                } else {
                    v["finalizing_at"] = json!(e.at);
                    v["request_counts"] = json!({"total": total, "completed": e.completed, "failed": e.failed});
                    v["usage"] = json!({
                        "input_tokens": e.input_tokens,
                        "input_tokens_details": {"cached_tokens": 0},
                        "output_tokens": e.output_tokens,
                        "output_tokens_details": {"reasoning_tokens": 0},
                        "total_tokens": e.input_tokens + e.output_tokens,
                    });
                }
            }
            None if self.cancel.is_some() => v["status"] = json!("cancelling"),
            None if validating => {
                v["status"] = json!("validating");
                v["in_progress_at"] = Value::Null;
                v["request_counts"] = json!({"total": 0, "completed": 0, "failed": 0});
            }
            None => {
                let (c, f) = self.counts(self.processed(elapsed, profile), profile);
                v["request_counts"] = json!({"total": total, "completed": c, "failed": f});
            }
        }
        v
    }
}

/// Seeded Fisher-Yates.
pub(crate) fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut s = mix(seed);
    for i in (1..v.len()).rev() {
        s = mix(s);
        v.swap(i, (s % (i as u64 + 1)) as usize);
    }
}
