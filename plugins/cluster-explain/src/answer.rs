//! Reading the model's fix note.
//!
//! Invariants: parsing never panics; it accepts exactly one JSON object (code
//! fences and text around it are ignored) whose `fix` is a string with some
//! non-blank text; the note comes back on one line (whitespace runs collapsed
//! to one space) and at most [`MAX_NOTE`] bytes; anything else is `None`.

use assay_judge_sdk::truncate_utf8;
use serde_json::Value;

/// Longest note kept, in bytes (a sentence or two).
pub const MAX_NOTE: usize = 400;

/// The fix the model's answer names, on one line.
pub fn parse(content: &str) -> Option<String> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    let doc: Value = serde_json::from_str(content.get(start..=end)?).ok()?;
    let fix = doc.get("fix")?.as_str()?;
    let mut note = fix.split_whitespace().collect::<Vec<_>>().join(" ");
    if note.is_empty() {
        return None;
    }
    truncate_utf8(&mut note, MAX_NOTE);
    Some(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        assert_eq!(
            parse(r#"{"fix": "Pin the snapshot from segment 18 on."}"#).as_deref(),
            Some("Pin the snapshot from segment 18 on.")
        );
        assert_eq!(
            parse("```json\n{\"fix\": \"  two\\n lines\\t here \"}\n```").as_deref(),
            Some("two lines here")
        );
        let long = format!(r#"{{"fix": "{}"}}"#, "é".repeat(400));
        let note = parse(&long).unwrap_or_default();
        assert!(note.len() <= MAX_NOTE && note.ends_with('…'), "{note}");
        for bad in [
            "",
            "fix it",
            "{",
            "}{",
            r#"{"fix": ""}"#,
            r#"{"fix": "   "}"#,
            r#"{"fix": 1}"#,
            r#"{"note": "x"}"#,
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
