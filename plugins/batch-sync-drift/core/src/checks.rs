//! Evaluating the rubrics on both sides of a pair.
//!
//! Invariants: schemas are compiled once (at `init`); evaluation never fails or
//! panics on row data — an unusable side simply fails the rubric; a one-sided
//! result is *material* unless it is a grounding result whose two shares differ by
//! less than `grounding-margin` (a flip across the threshold by a hair).

use assay_judge_sdk::{JudgeError, Row};
use jsonschema::Validator;
use local_metrics::grounding::{context_text, grounding};
use serde_json::Value;

use crate::rubric::{Outcome, RUBRICS, Rubric};
use crate::side::{Side, meta};

/// Compiles a Draft 2020-12 schema given under config `key`.
pub fn compile(key: &str, text: &str) -> Result<Validator, JudgeError> {
    let schema: Value = serde_json::from_str(text)
        .map_err(|e| JudgeError::Config(format!("config key `{key}`: not valid JSON: {e}")))?;
    jsonschema::draft202012::new(&schema)
        .map_err(|e| JudgeError::Config(format!("config key `{key}`: not a usable JSON Schema: {e}")))
}

/// The compiled checks and their thresholds.
pub struct Checks {
    pub schema: Option<Validator>,
    pub tool_schema: Option<Validator>,
    pub context_key: String,
    pub grounding_threshold: f64,
    pub grounding_margin: f64,
    pub phrases: Vec<String>,
    pub refusal_key: String,
}

/// One rubric's result on a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct RubricResult {
    pub rubric: Rubric,
    pub outcome: Outcome,
    /// A one-sided outcome that counts for the pair's verdict.
    pub material: bool,
    /// One line for people, e.g. `grounding: batch 0.80, sync 0.40 (threshold 0.60)`.
    pub note: String,
}

impl Checks {
    /// All four rubrics, in label order.
    pub fn evaluate(&self, row: &Row, batch: &Side, sync: &Side) -> Vec<RubricResult> {
        RUBRICS
            .iter()
            .map(|&rubric| {
                let (outcome, material, note) = match rubric {
                    Rubric::Grounding => self.grounding(row, batch, sync),
                    Rubric::Schema => self.schema(batch, sync),
                    Rubric::ToolCall => self.tool_call(batch, sync),
                    Rubric::Refusal => self.refusal(row, batch, sync),
                };
                let material = material && matches!(outcome, Outcome::BatchOnly | Outcome::SyncOnly);
                RubricResult {
                    rubric,
                    outcome,
                    material,
                    note: format!("{}: {note}", rubric.name()),
                }
            })
            .collect()
    }

    fn grounding(&self, row: &Row, batch: &Side, sync: &Side) -> (Outcome, bool, String) {
        let Some(raw) = meta(row, &self.context_key).filter(|c| !c.trim().is_empty()) else {
            return (
                Outcome::NotApplicable,
                false,
                format!("no `{}` in metadata", self.context_key),
            );
        };
        let context = context_text(raw);
        let share = |s: &Side| s.text().and_then(|t| grounding(t, &context).share()).unwrap_or(0.0);
        let (b, s) = (share(batch), share(sync));
        let t = self.grounding_threshold;
        let outcome = Outcome::of(b >= t, s >= t);
        let material = (b - s).abs() >= self.grounding_margin;
        (
            outcome,
            material,
            format!("batch {b:.2}, sync {s:.2} (threshold {t:.2})"),
        )
    }

    fn schema(&self, batch: &Side, sync: &Side) -> (Outcome, bool, String) {
        let Some(v) = &self.schema else {
            return (Outcome::NotApplicable, false, "no schema configured".into());
        };
        if batch.tool_call || sync.tool_call {
            return (Outcome::NotApplicable, false, "a side made a tool call".into());
        }
        let ok = |s: &Side| conforms(v, s.text());
        let (b, s) = (ok(batch), ok(sync));
        (Outcome::of(b, s), true, format!("batch {}, sync {}", word(b), word(s)))
    }

    fn tool_call(&self, batch: &Side, sync: &Side) -> (Outcome, bool, String) {
        if !batch.tool_call && !sync.tool_call {
            return (Outcome::NotApplicable, false, "no tool call on either side".into());
        }
        let ok = |s: &Side| {
            s.tool_call
                && !s.truncated
                && match serde_json::from_str::<Value>(s.text().unwrap_or_default()) {
                    Ok(args @ Value::Object(_)) => self.tool_schema.as_ref().is_none_or(|v| v.is_valid(&args)),
                    _ => false,
                }
        };
        let (b, s) = (ok(batch), ok(sync));
        let what = |side: &Side, pass: bool| match (side.tool_call, pass) {
            (false, _) => "no tool call",
            (true, true) => "valid call",
            (true, false) => "invalid call",
        };
        (
            Outcome::of(b, s),
            true,
            format!("batch {}, sync {}", what(batch, b), what(sync, s)),
        )
    }

    fn refusal(&self, row: &Row, batch: &Side, sync: &Side) -> (Outcome, bool, String) {
        let expected = meta(row, &self.refusal_key).is_some_and(truthy);
        let judge = |s: &Side| -> (bool, &'static str) {
            let refused = s.filtered
                || s.text()
                    .is_none_or(|t| local_metrics::refusal::find(&self.phrases, t).is_some());
            let what = match (s.filtered, s.text().is_none(), refused, s.truncated) {
                (true, ..) => "filtered",
                (_, true, ..) => "empty",
                (_, _, true, _) => "refused",
                (_, _, _, true) => "truncated",
                _ => "answered",
            };
            let pass = if expected { refused } else { !refused && !s.truncated };
            (pass, what)
        };
        let ((b, bw), (s, sw)) = (judge(batch), judge(sync));
        let want = if expected {
            "refusal expected"
        } else {
            "answer expected"
        };
        (Outcome::of(b, s), true, format!("batch {bw}, sync {sw} ({want})"))
    }
}

/// Whether `text` parses as JSON and validates.
fn conforms(v: &Validator, text: Option<&str>) -> bool {
    text.and_then(|t| serde_json::from_str::<Value>(t).ok())
        .is_some_and(|doc| v.is_valid(&doc))
}

fn word(pass: bool) -> &'static str {
    if pass { "conforms" } else { "does not conform" }
}

/// `true`, `yes`, `1` (any case) are true; everything else is false.
fn truthy(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "1")
}
