//! `llm-caller`: a judge that calls the `llm` capability exactly as each row's
//! response text directs, so the host's tests can walk every grant, budget and
//! denial path and read the outcome back from the verdicts.
//!
//! A row's response is `;`-separated `key=value` directives: `calls=N` (default 1),
//! `model=NAME` (default empty: the grant's first model), `row=N` (default: the
//! row's own position), `max=N` max-tokens (default 16), `say=TEXT` the user
//! message (default `echo <row id>`), `spin=N` burns about N million fuel units of
//! compute after the calls. A row whose response is `none` makes no call.
//! The verdict's label is the last call's outcome: `ok`, `cached`, or the
//! `llm-error` case name; its details are the answer or the error text; it passes
//! only when every call succeeded.
//!
//! Invariant: nothing here traps; every outcome is reported in the verdict.

use assay_judge_sdk::llm::assay::llm::llm::{ChatMessage, ChatRequest, chat};
use assay_judge_sdk::prelude::*;

/// The judge instance (stateless).
pub struct LlmCaller;

struct Directives {
    calls: u32,
    model: String,
    row: Option<u32>,
    max: u32,
    say: Option<String>,
    spin: u64,
}

fn parse(text: &str) -> Directives {
    let mut d = Directives {
        calls: 1,
        model: String::new(),
        row: None,
        max: 16,
        say: None,
        spin: 0,
    };
    for part in text.split(';') {
        let Some((k, v)) = part.split_once('=') else { continue };
        match k.trim() {
            "calls" => d.calls = v.parse().unwrap_or(1),
            "model" => d.model = v.to_owned(),
            "row" => d.row = v.parse().ok(),
            "max" => d.max = v.parse().unwrap_or(16),
            "say" => d.say = Some(v.to_owned()),
            "spin" => d.spin = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    d
}

/// Deterministic busy work the optimizer cannot remove.
fn spin(millions: u64) -> u64 {
    let mut x = 1u64;
    for i in 0..millions.saturating_mul(200_000) {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
    }
    x
}

fn score_one(pos: usize, row: &Row) -> Verdict {
    let text = row.response.as_deref().unwrap_or("");
    if text == "none" {
        let mut v = Verdict::pass(1.0);
        v.label = Some("no-call".into());
        return v;
    }
    let d = parse(text);
    let say = d.say.clone().unwrap_or_else(|| format!("echo {}", row.id));
    let mut label = "ok";
    let mut details = String::new();
    let mut all_ok = true;
    for _ in 0..d.calls {
        let request = ChatRequest {
            row: d.row.unwrap_or(u32::try_from(pos).unwrap_or(u32::MAX)),
            model: d.model.clone(),
            messages: vec![ChatMessage {
                role: "user".into(),
                content: say.clone(),
            }],
            max_tokens: d.max,
            temperature: None,
            json: false,
        };
        match chat(&request) {
            Ok(r) => {
                label = if r.cached { "cached" } else { "ok" };
                details = format!(
                    "{} [{}; {}+{} tokens]",
                    r.content, r.model, r.input_tokens, r.output_tokens
                );
            }
            Err(e) => {
                let (k, m) = (e.kind(), e.message());
                label = k;
                details = m.to_owned();
                all_ok = false;
            }
        }
    }
    if d.spin > 0 {
        details.push_str(&format!(" spin={}", spin(d.spin) & 1));
    }
    let mut v = if all_ok {
        Verdict::pass(1.0)
    } else {
        Verdict::fail(label, None)
    };
    v.label = Some(label.into());
    v.with_details(details)
}

impl Judge for LlmCaller {
    fn describe() -> Descriptor {
        Descriptor::new("llm-caller", "0.1.0", "Calls llm as each row directs, for host tests").quality()
    }

    fn init(_config: Config) -> Result<Self, JudgeError> {
        Ok(LlmCaller)
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        Ok(score_one(0, row))
    }

    fn score_batch(&mut self, rows: &[Row]) -> Vec<Result<Verdict, JudgeError>> {
        rows.iter().enumerate().map(|(i, r)| Ok(score_one(i, r))).collect()
    }
}

assay_judge_sdk::export_judge!(LlmCaller);
