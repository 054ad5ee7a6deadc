//! Scoring one response: parse as JSON, validate against the compiled schema, and
//! name the most significant failure as `<keyword>@<field>`.
//!
//! Invariants: a verdict's score is exactly 1.0 (pass) or 0.0 (fail); labels stay
//! within 128 bytes and details within 2 KiB; the label comes from the error with
//! the shallowest instance location (first in schema order on ties), so a missing
//! top-level property beats a type error deep inside an array.
//!
//! A response first meets the fast path (`crate::fast`), which may only answer
//! "passes"; anything else is scored here exactly as before.

use crate::fast::FastCheck;
use assay_judge_sdk::{JudgeError, Verdict, truncate_utf8};
use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

/// Longest label the host accepts.
const MAX_LABEL: usize = 128;
/// Longest details this judge writes.
const MAX_DETAILS: usize = 2048;
/// Error messages quoted in details.
const MAX_MESSAGES: usize = 5;
/// Errors examined per response (bounds work on pathological documents).
const MAX_ERRORS: usize = 1000;

/// A compiled Draft 2020-12 schema.
pub struct SchemaCheck {
    validator: Validator,
    /// Present when the schema stays within the fast path's keyword subset.
    fast: Option<FastCheck>,
}

impl SchemaCheck {
    /// Parses and compiles `schema_text`; a bad schema is a config error.
    pub fn new(schema_text: &str) -> Result<Self, JudgeError> {
        let schema: Value = serde_json::from_str(schema_text)
            .map_err(|e| JudgeError::Config(format!("config key `schema`: not valid JSON: {e}")))?;
        let validator = jsonschema::draft202012::new(&schema)
            .map_err(|e| JudgeError::Config(format!("config key `schema`: not a usable JSON Schema: {e}")))?;
        let fast = FastCheck::compile(&schema);
        Ok(SchemaCheck { validator, fast })
    }

    /// The verdict on one response text (`None`: the provider returned none).
    pub fn score(&self, response: Option<&str>) -> Verdict {
        let Some(text) = response else {
            return Verdict::fail("no_response", None);
        };
        if self.fast.as_ref().is_some_and(|fast| fast.passes(text)) {
            return Verdict::pass(1.0);
        }
        self.score_slow(text)
    }

    /// The fast path's answer: `None` when the schema has no fast path, else
    /// `Some(true)` for "passes" and `Some(false)` for "don't know".
    #[cfg(test)]
    pub(crate) fn fast_passes(&self, text: &str) -> Option<bool> {
        self.fast.as_ref().map(|fast| fast.passes(text))
    }

    /// The verdict of the slow path alone, as `score` gave before the fast path.
    #[cfg(test)]
    pub(crate) fn slow_score(&self, response: Option<&str>) -> Verdict {
        match response {
            None => Verdict::fail("no_response", None),
            Some(text) => self.score_slow(text),
        }
    }

    /// Parse into a `Value`, validate with `jsonschema`, and name the failure.
    fn score_slow(&self, text: &str) -> Verdict {
        let instance: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return Verdict::fail("json_parse", Some(e.to_string())),
        };
        // Most responses pass: the boolean check is far cheaper than
        // collecting errors, so only failures pay for the full walk.
        if self.validator.is_valid(&instance) {
            return Verdict::pass(1.0);
        }
        let mut best: Option<(usize, String)> = None;
        let mut messages = Vec::new();
        let mut total = 0usize;
        for error in self.validator.iter_errors(&instance).take(MAX_ERRORS) {
            total += 1;
            let depth = error.instance_path().segments().count();
            if best.as_ref().is_none_or(|(d, _)| depth < *d) {
                best = Some((depth, label_of(&error)));
            }
            if messages.len() < MAX_MESSAGES {
                messages.push(describe(&error));
            }
        }
        let Some((_, mut label)) = best else {
            return Verdict::pass(1.0);
        };
        truncate_utf8(&mut label, MAX_LABEL);
        let mut details = messages.join("; ");
        if total > messages.len() {
            details.push_str(&format!("; (+{} more)", total - messages.len()));
        }
        truncate_utf8(&mut details, MAX_DETAILS);
        Verdict::fail(label, Some(details))
    }
}

/// `<keyword>@<field>`: the field is the instance JSON pointer, extended by the
/// offending property for `required` and unexpected-property errors; the document
/// root is written `(root)`.
fn label_of(error: &ValidationError<'_>) -> String {
    let kind = error.kind();
    let mut field = error.instance_path().as_str().to_string();
    let property = match kind {
        ValidationErrorKind::Required { property } => {
            Some(property.as_str().map_or_else(|| property.to_string(), str::to_string))
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected.first().cloned(),
        _ => None,
    };
    if let Some(p) = property {
        field.push('/');
        field.push_str(&p.replace('~', "~0").replace('/', "~1"));
    }
    if field.is_empty() {
        field.push_str("(root)");
    }
    format!("{}@{field}", kind.keyword())
}

/// One error for people: `<pointer>: <message>`.
fn describe(error: &ValidationError<'_>) -> String {
    let path = error.instance_path().as_str();
    let mut msg = format!("{}: {error}", if path.is_empty() { "(root)" } else { path });
    truncate_utf8(&mut msg, MAX_DETAILS / MAX_MESSAGES);
    msg
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const SCHEMA: &str = r#"{
        "type": "object",
        "properties": {
            "label": {"enum": ["positive", "negative", "neutral"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "tags": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["label", "confidence"],
        "additionalProperties": false
    }"#;

    fn check() -> SchemaCheck {
        SchemaCheck::new(SCHEMA).expect("schema compiles")
    }

    fn label(response: &str) -> Option<String> {
        let v = check().score(Some(response));
        assert!(!v.passed, "{response} should fail");
        assert_eq!(v.score, Some(0.0));
        assert!(
            v.details
                .as_ref()
                .is_some_and(|d| !d.is_empty() && d.len() <= MAX_DETAILS)
        );
        v.label
    }

    #[test]
    fn passes_conforming_response() {
        let v = check().score(Some(r#"{"label": "neutral", "confidence": 0.5, "tags": ["a"]}"#));
        assert!(v.passed);
        assert_eq!(v.score, Some(1.0));
        assert_eq!(v.label, None);
    }

    #[test]
    fn no_response_and_json_parse() {
        let v = check().score(None);
        assert_eq!((v.passed, v.label.as_deref()), (false, Some("no_response")));
        let v = check().score(Some("```json\n{}\n```"));
        assert_eq!(v.label.as_deref(), Some("json_parse"));
        assert!(v.details.is_some_and(|d| d.contains("line 1")));
    }

    #[test]
    fn failure_labels() {
        let l = |s| label(s).unwrap_or_default();
        assert_eq!(l(r#"{"label": "neutral"}"#), "required@/confidence");
        assert_eq!(l(r#"{"label": "meh", "confidence": 0.5}"#), "enum@/label");
        assert_eq!(l(r#"{"label": "neutral", "confidence": "high"}"#), "type@/confidence");
        assert_eq!(l(r#"{"label": "neutral", "confidence": 1.5}"#), "maximum@/confidence");
        assert_eq!(
            l(r#"{"label": "neutral", "confidence": 0.5, "explanation": "x"}"#),
            "additionalProperties@/explanation"
        );
        assert_eq!(l(r#"[1, 2]"#), "type@(root)");
        assert_eq!(
            l(r#"{"label": "neutral", "confidence": 0.5, "tags": [1]}"#),
            "type@/tags/0"
        );
    }

    #[test]
    fn shallowest_error_wins_and_details_are_capped() {
        let v = check().score(Some(r#"{"label": "neutral", "tags": [1, 2, 3, 4, 5, 6, 7]}"#));
        assert_eq!(v.label.as_deref(), Some("required@/confidence"));
        assert!(v.details.as_ref().is_some_and(|d| d.contains("more")));
    }

    #[test]
    fn bad_schema_is_a_config_error() {
        assert!(matches!(SchemaCheck::new("{"), Err(JudgeError::Config(_))));
        assert!(matches!(
            SchemaCheck::new(r#"{"type": "no-such-type"}"#),
            Err(JudgeError::Config(_))
        ));
    }
}
