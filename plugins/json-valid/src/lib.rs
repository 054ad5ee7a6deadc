//! `json-valid`: whether each completed response parses as JSON (by default, a
//! JSON object at the top level).
//!
//! Invariants: scores are exactly 1.0 or 0.0; parse errors become a `json_parse`
//! verdict (serde_json's nesting limit included), never a trap.

use assay_judge_sdk::prelude::*;
use local_metrics::{PassRate, details};
use serde_json::Value;

/// The judge's name, as in `judge.toml`.
pub const NAME: &str = "json-valid";

/// The judge instance.
pub struct JsonValid {
    require_object: bool,
    stats: PassRate,
}

impl Judge for JsonValid {
    fn describe() -> Descriptor {
        Descriptor::new(
            NAME,
            "0.1.0",
            "Whether each completed response parses as JSON (by default: a JSON object)",
        )
        .quality()
        .aggregator()
        .config_key(
            "require-object",
            "true: the top-level value must be a JSON object; false: any JSON value passes (default true)",
        )
    }

    fn init(config: Config) -> Result<Self, JudgeError> {
        Ok(JsonValid {
            require_object: config.parse_or("require-object", true)?,
            stats: PassRate::new(),
        })
    }

    fn score(&mut self, row: &Row) -> Result<Verdict, JudgeError> {
        let Some(text) = row.response.as_deref() else {
            return Ok(Verdict::fail("no_response", None));
        };
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return Ok(Verdict::fail("json_parse", Some(details(e.to_string())))),
        };
        if self.require_object && !value.is_object() {
            let kind = match value {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => "an object",
            };
            return Ok(Verdict::fail(
                "not_object",
                Some(format!("top-level value is {kind}, not an object")),
            ));
        }
        Ok(Verdict::pass(1.0))
    }

    fn observe(&mut self, obs: &Observation) {
        self.stats.observe(obs);
    }

    fn finish(&mut self) -> Result<Report, JudgeError> {
        Ok(self.stats.report())
    }
}

assay_judge_sdk::export_judge!(JsonValid);

#[cfg(test)]
mod tests;
