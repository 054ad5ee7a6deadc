//! A crafted batch with three planted failure clusters and scattered random
//! failures, for `assay cluster` and `assay cluster --explain`.
//!
//! The batch (600 rows, segments of 50, OpenAI format, judged by schema-drift):
//! - planted `japanese`: 40 Japanese-text prompts spread over the whole batch
//!   whose answers miss a required property (`required@/confidence`);
//! - planted `long`: 30 prompts of about 10k tokens that the provider refused
//!   with `context_length_exceeded`;
//! - planted `late`: every third row from segment 9 on, served by a new
//!   snapshot (`fp_new`), answering a label outside the enum (`enum@/label`);
//! - 24 scattered failures of six kinds (server errors, rate limits, timeouts,
//!   content filters, unparsable answers, missing fields on English prompts)
//!   at random places, four of each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{assay, data, write_lines};

pub const ROWS: usize = 600;
pub const SEGMENT: usize = 50;
pub const LATE: usize = 9 * SEGMENT;

const JA: [&str; 8] = [
    "商品はとても良かったです。",
    "配送が遅れて残念でした。",
    "値段の割に品質が高いと思います。",
    "二度と買いません。",
    "説明通りの商品でした。",
    "色がきれいで気に入っています。",
    "すぐに壊れてしまいました。",
    "サポートの対応が丁寧でした。",
];
const EN: [&str; 8] = [
    "Packaging was damaged but the item is OK.",
    "Best purchase I've made this year!",
    "Honestly it's fine, nothing special.",
    "The app keeps crashing on startup.",
    "Arrived quickly and works as described.",
    "Customer service never answered my emails.",
    "Great value for the price, would buy again.",
    "The colour is different from the photos.",
];

/// A small deterministic generator (the test's own, so the batch never changes).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Plant {
    None,
    Japanese,
    Long,
    Late,
    Noise(usize),
}

fn plant_of(i: usize, noise: &BTreeMap<usize, usize>) -> Plant {
    if let Some(&k) = noise.get(&i) {
        return Plant::Noise(k);
    }
    if i % 15 == 3 {
        Plant::Japanese
    } else if i % 20 == 7 {
        Plant::Long
    } else if i >= LATE && i.is_multiple_of(3) {
        Plant::Late
    } else {
        Plant::None
    }
}

fn review(pick: &[&str], rng: &mut Lcg, n: usize) -> String {
    (0..n)
        .map(|_| pick[rng.below(pick.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

fn completed(i: usize, content: &str, prompt_chars: usize, finish: &str) -> Value {
    let fp = if i >= LATE { "fp_new" } else { "fp_old" };
    json!({"id": format!("batch_req_{i}"), "custom_id": format!("row-{i}"), "error": null,
        "response": {"status_code": 200, "request_id": format!("req_{i}"), "body": {
            "id": format!("chatcmpl-{i}"), "object": "chat.completion", "created": 1711738702,
            "model": "gpt-4o-mini-2024-07-18", "system_fingerprint": fp,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt_chars / 4 + 40, "completion_tokens": 30, "total_tokens": prompt_chars / 4 + 70}}}})
}

fn http_error(i: usize, status: u16, code: &str, message: &str) -> Value {
    json!({"id": format!("batch_req_{i}"), "custom_id": format!("row-{i}"), "error": null,
        "response": {"status_code": status, "request_id": format!("req_{i}"), "body": {
            "error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}}}})
}

fn line_error(i: usize, code: &str, message: &str) -> Value {
    json!({"id": format!("batch_req_{i}"), "custom_id": format!("row-{i}"), "response": null,
        "error": {"code": code, "message": message}})
}

pub struct Batch {
    pub input: PathBuf,
    pub output: PathBuf,
    pub errors: PathBuf,
    pub planted: BTreeMap<&'static str, BTreeSet<String>>,
}

pub fn batch(dir: &Path) -> Batch {
    let mut rng = Lcg(0x5eed_c105);
    let mut noise = BTreeMap::new();
    while noise.len() < 24 {
        let i = rng.below(ROWS);
        if plant_of(i, &BTreeMap::new()) == Plant::None && !noise.contains_key(&i) {
            let k = noise.len() % 6;
            noise.insert(i, k);
        }
    }
    let (mut input, mut output, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    let mut planted: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let good = r#"{"label":"positive","confidence":0.9,"rationale":"The review praises the item."}"#;
    for i in 0..ROWS {
        let plant = plant_of(i, &noise);
        let text = match plant {
            Plant::Japanese => format!("このレビューの感情を分類してください: {}", review(&JA, &mut rng, 4)),
            Plant::Long => format!(
                "Classify the sentiment of every review in this export: {}",
                review(&EN, &mut rng, 1000)
            ),
            _ => format!("Classify the sentiment of this review: {}", review(&EN, &mut rng, 4)),
        };
        let chars = text.chars().count();
        input.push(
            json!({"custom_id": format!("row-{i}"), "method": "POST", "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [
                    {"role": "system", "content": "Reply with a JSON object with keys label, confidence and rationale."},
                    {"role": "user", "content": text}]}})
            .to_string(),
        );
        let id = format!("row-{i}");
        match plant {
            Plant::None => output.push(completed(i, good, chars, "stop")),
            Plant::Japanese => {
                planted.entry("japanese").or_default().insert(id);
                output.push(completed(
                    i,
                    r#"{"label":"negative","rationale":"配送が遅れた。"}"#,
                    chars,
                    "stop",
                ));
            }
            Plant::Long => {
                planted.entry("long").or_default().insert(id);
                errors.push(http_error(i, 400, "context_length_exceeded",
                    "This model's maximum context length is 8192 tokens. However, your messages resulted in 10240 tokens."));
            }
            Plant::Late => {
                planted.entry("late").or_default().insert(id);
                output.push(completed(
                    i,
                    r#"{"label":"mixed","confidence":0.5,"rationale":"Both."}"#,
                    chars,
                    "stop",
                ));
            }
            Plant::Noise(k) => {
                planted.entry("noise").or_default().insert(id);
                match k {
                    0 => errors.push(line_error(
                        i,
                        "server_error",
                        "The server had an error while processing your request.",
                    )),
                    1 => errors.push(http_error(
                        i,
                        429,
                        "rate_limit_exceeded",
                        "Rate limit reached for requests.",
                    )),
                    2 => errors.push(line_error(i, "request_timeout", "The request timed out.")),
                    3 => output.push(completed(i, "", chars, "content_filter")),
                    4 => output.push(completed(i, "I cannot answer that as JSON.", chars, "stop")),
                    _ => output.push(completed(i, r#"{"label":"neutral","confidence":0.4}"#, chars, "stop")),
                }
            }
        }
    }
    let strings = |v: Vec<Value>| v.iter().map(Value::to_string).collect::<Vec<_>>();
    Batch {
        input: write_lines(dir, "input.jsonl", &input),
        output: write_lines(dir, "output.jsonl", &strings(output)),
        errors: write_lines(dir, "errors.jsonl", &strings(errors)),
        planted,
    }
}

pub fn args(cmd: &str, b: &Batch, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = vec![
        cmd.into(),
        "--provider".into(),
        "openai".into(),
        "--input".into(),
        b.input.display().to_string(),
        "--results".into(),
        format!("{},{}", b.output.display(), b.errors.display()),
        "--judge".into(),
        "schema-drift".into(),
        "--set".into(),
        format!("schema-drift.schema=@{}", data("schema.json").display()),
        "--segment-size".into(),
        SEGMENT.to_string(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

pub fn run(cmd: &str, b: &Batch, extra: &[&str]) -> std::process::Output {
    let a = args(cmd, b, extra);
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    assay(&refs)
}

pub fn ids(cluster: &Value) -> BTreeSet<String> {
    cluster["ids"]
        .as_array()
        .unwrap_or_else(|| panic!("cluster without ids: {cluster}"))
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}
