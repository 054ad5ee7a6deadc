//! Structure-aware inputs: plausible provider result lines built from
//! `arbitrary` values (ids drawn from the [`crate::fixed_index`], random
//! outcomes, token counts, texts and models), spread over up to three
//! attempts, with the odd garbage line between them.
//!
//! Invariants checked: a rendered line always parses, to its own id and to
//! the status its outcome promises; over the attempts, every row's final
//! result comes from the latest attempt that has one, its status is that
//! result's (or `retry_exhausted` when a retryable failure was seen in two
//! or more attempts), and the counts add up to the rows.

use arbitrary::Arbitrary;
use assay_batch::ingest::{Target, apply, read_line};
use assay_batch::{Interner, Ledger, Provider, ProviderOptions, RetryPolicy, Status};

use crate::pipeline::{check_ledger, check_outcome};
use crate::reader::{check_blocks, plain_reader, read_all};
use crate::{fixed_ids, fixed_index, settings};

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Shape {
    OpenAi,
    Anthropic,
    Gemini,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Kind {
    Stop,
    Length,
    Filtered,
    RateLimit,
    ServerError,
    Expired,
    Canceled,
}

#[derive(Arbitrary, Debug)]
pub struct Plausible {
    pub attempt: u8,
    /// Index into the fixed ids; past their end, an id never submitted.
    pub id: u16,
    pub kind: Kind,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub text: String,
    pub model: String,
    /// Replaces the line with these bytes (a bad line among good ones).
    pub garbage: Option<Vec<u8>>,
}

#[derive(Arbitrary, Debug)]
pub struct Job {
    pub shape: Shape,
    pub crlf: bool,
    pub lines: Vec<Plausible>,
}

fn q(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The status a rendered line must parse to.
fn status_of(kind: Kind) -> Status {
    match kind {
        Kind::Stop | Kind::Length => Status::Completed,
        Kind::Filtered => Status::ContentFilter,
        Kind::RateLimit | Kind::ServerError => Status::ProviderError,
        Kind::Expired => Status::Expired,
        Kind::Canceled => Status::Canceled,
    }
}

/// One result line of `shape` for row id `id`.
pub fn render(shape: Shape, id: &str, p: &Plausible) -> String {
    let (id, text, model) = (q(id), q(&p.text), q(&p.model));
    let (i, o) = (p.input_tokens, p.output_tokens);
    match shape {
        Shape::OpenAi => {
            let ok = |finish: &str| {
                format!(
                    r#"{{"id":"batch_req_x","custom_id":{id},"response":{{"status_code":200,"request_id":"r","body":{{"id":"c","object":"chat.completion","model":{model},"choices":[{{"index":0,"message":{{"role":"assistant","content":{text}}},"finish_reason":"{finish}"}}],"usage":{{"prompt_tokens":{i},"completion_tokens":{o}}}}}}},"error":null}}"#
                )
            };
            let http = |code: u16, err: &str| {
                format!(
                    r#"{{"id":"batch_req_x","custom_id":{id},"response":{{"status_code":{code},"request_id":"r","body":{{"error":{{"message":{text},"type":"{err}","code":"{err}"}}}}}},"error":null}}"#
                )
            };
            let batch = |code: &str| {
                format!(
                    r#"{{"id":"batch_req_x","custom_id":{id},"response":null,"error":{{"code":"{code}","message":{text}}}}}"#
                )
            };
            match p.kind {
                Kind::Stop => ok("stop"),
                Kind::Length => ok("length"),
                Kind::Filtered => ok("content_filter"),
                Kind::RateLimit => http(429, "rate_limit_exceeded"),
                Kind::ServerError => http(500, "server_error"),
                Kind::Expired => batch("batch_expired"),
                Kind::Canceled => batch("batch_cancelled"),
            }
        }
        Shape::Anthropic => {
            let ok = |stop: &str| {
                format!(
                    r#"{{"custom_id":{id},"result":{{"type":"succeeded","message":{{"id":"m","type":"message","role":"assistant","model":{model},"content":[{{"type":"text","text":{text}}}],"stop_reason":"{stop}","stop_sequence":null,"usage":{{"input_tokens":{i},"output_tokens":{o}}}}}}}}}"#
                )
            };
            let err = |t: &str| {
                format!(
                    r#"{{"custom_id":{id},"result":{{"type":"errored","error":{{"type":"error","error":{{"type":"{t}","message":{text}}}}}}}}}"#
                )
            };
            match p.kind {
                Kind::Stop => ok("end_turn"),
                Kind::Length => ok("max_tokens"),
                Kind::Filtered => ok("refusal"),
                Kind::RateLimit => err("rate_limit_error"),
                Kind::ServerError => err("api_error"),
                Kind::Expired => format!(r#"{{"custom_id":{id},"result":{{"type":"expired"}}}}"#),
                Kind::Canceled => format!(r#"{{"custom_id":{id},"result":{{"type":"canceled"}}}}"#),
            }
        }
        Shape::Gemini => {
            let ok = |finish: &str| {
                format!(
                    r#"{{"key":{id},"response":{{"candidates":[{{"content":{{"role":"model","parts":[{{"text":{text}}}]}},"finishReason":"{finish}","index":0}}],"usageMetadata":{{"promptTokenCount":{i},"candidatesTokenCount":{o}}},"modelVersion":{model}}}}}"#
                )
            };
            let err = |code: u32, status: &str| {
                format!(r#"{{"key":{id},"error":{{"code":{code},"message":{text},"status":"{status}"}}}}"#)
            };
            match p.kind {
                Kind::Stop => ok("STOP"),
                Kind::Length => ok("MAX_TOKENS"),
                Kind::Filtered => ok("SAFETY"),
                Kind::RateLimit => err(429, "RESOURCE_EXHAUSTED"),
                Kind::ServerError => err(500, "INTERNAL"),
                Kind::Expired => err(504, "DEADLINE_EXCEEDED"),
                Kind::Canceled => err(499, "CANCELLED"),
            }
        }
    }
}

fn provider(shape: Shape) -> Provider {
    match shape {
        Shape::OpenAi => Provider::OpenAi,
        Shape::Anthropic => Provider::Anthropic,
        Shape::Gemini => Provider::Gemini,
    }
}

/// Renders `job` into up to three attempt files and checks them through
/// the pipeline (attempts applied last to first, as `assay eval` does).
pub fn check_job(job: &Job) {
    const ATTEMPTS: u16 = 3;
    let ids = fixed_ids();
    let parse = provider(job.shape).result_parser();
    let opts = ProviderOptions::default();
    let nl = if job.crlf { "\r\n" } else { "\n" };
    let mut files = vec![Vec::<u8>::new(); ATTEMPTS as usize];
    for p in &job.lines {
        let file = &mut files[usize::from(p.attempt) % ATTEMPTS as usize];
        match &p.garbage {
            Some(g) => file.extend(g.iter().filter(|&&b| b != b'\n')),
            None => {
                let id = ids
                    .get(usize::from(p.id))
                    .map_or_else(|| format!("zz{}", p.id), String::clone);
                let line = render(job.shape, &id, p);
                let parsed =
                    parse(line.as_bytes().into(), &opts).unwrap_or_else(|e| panic!("rendered line {line} fails: {e}"));
                assert_eq!(parsed.custom_id, id.as_str(), "id of {line}");
                let want = match (job.shape, p.kind) {
                    (Shape::Gemini, Kind::Expired) => Status::Timeout,
                    (_, k) => status_of(k),
                };
                assert_eq!(parsed.outcome.status, want, "status of {line}");
                file.extend_from_slice(line.as_bytes());
            }
        }
        file.extend_from_slice(nl.as_bytes());
    }
    let index = fixed_index();
    let policy = RetryPolicy::default();
    let mut ledger = Ledger::new(index.len(), ATTEMPTS, policy);
    let mut names = Interner::new();
    // Per row: (latest attempt with a result, status and kind of its first line, attempts seen).
    let mut want: Vec<Option<(u16, Status, Option<assay_batch::ErrorKind>)>> = vec![None; index.len()];
    let mut seen = vec![0u8; index.len()];
    for (k, data) in files.iter().enumerate().rev() {
        let attempt = k as u16 + 1;
        let (max_line, block_bytes) = settings(data);
        let Ok(blocks) = read_all(&mut plain_reader(data, max_line, block_bytes)) else {
            panic!("reading from memory cannot fail");
        };
        check_blocks(data, blocks.as_deref(), max_line);
        let mut guess = 0;
        for block in blocks.iter().flatten() {
            for line in block.lines() {
                let Ok((rec, parsed)) = read_line(
                    block,
                    &line,
                    |b| parse(b, &opts),
                    index,
                    &mut guess,
                    |n| names.intern_opt(n),
                ) else {
                    continue;
                };
                check_outcome(&parsed.outcome.status, parsed.outcome.error_kind.is_some());
                apply(&mut ledger, attempt, &rec);
                if let Target::Row(i) = rec.target {
                    seen[i as usize] |= 1 << k;
                    let w = &mut want[i as usize];
                    if w.is_none() {
                        *w = Some((attempt, rec.record.status, rec.record.error_kind));
                    }
                }
            }
        }
    }
    check_ledger(&mut ledger, |i| {
        let (_, status, kind) = want[i as usize]?;
        let other = seen[i as usize].count_ones() > 1;
        Some(if other && policy.is_retryable(status, kind) {
            Status::RetryExhausted
        } else {
            status
        })
    });
    for (i, w) in want.iter().enumerate() {
        let got = ledger.attempt(i as u32);
        assert_eq!(got, w.map_or(0, |w| w.0), "final attempt of row {i}");
    }
}
