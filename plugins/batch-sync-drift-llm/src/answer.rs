//! Reading the model's pairwise answer.
//!
//! Invariants: parsing never panics; it accepts exactly one JSON object (code
//! fences and text around it are ignored) whose `verdict` is `A` (the batch
//! response is better), `B` (the sync response is better) or `equivalent`
//! (also `tie`, `equal`, `same`), case-insensitively; anything else is `None`.

use batch_sync_core::Class;
use serde_json::Value;

/// The class the model's answer names, and its one-line reason (if any).
pub fn parse(content: &str) -> Option<(Class, Option<String>)> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    let doc: Value = serde_json::from_str(content.get(start..=end)?).ok()?;
    let verdict = doc.get("verdict")?.as_str()?.trim().to_ascii_lowercase();
    let class = match verdict.as_str() {
        "a" => Class::Better,
        "b" => Class::Worse,
        "equivalent" | "tie" | "equal" | "same" => Class::Equivalent,
        _ => return None,
    };
    let reason = doc.get("reason").and_then(Value::as_str).map(str::to_string);
    Some((class, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(
            parse(r#"{"verdict": "A", "reason": "valid JSON"}"#),
            Some((Class::Better, Some("valid JSON".into())))
        );
        assert_eq!(parse("```json\n{\"verdict\": \"b\"}\n```"), Some((Class::Worse, None)));
        assert_eq!(
            parse(r#"{"verdict": " Equivalent "}"#).map(|a| a.0),
            Some(Class::Equivalent)
        );
        assert_eq!(parse(r#"{"verdict": "tie"}"#).map(|a| a.0), Some(Class::Equivalent));
        for bad in [
            "",
            "A",
            "{",
            "}{",
            r#"{"verdict": "C"}"#,
            r#"{"verdict": 1}"#,
            r#"{"answer": "A"}"#,
            "{\"verdict\": \"é\"}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
