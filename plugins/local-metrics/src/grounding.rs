//! Groundedness overlap: the share of a response's content words found in a
//! retrieval context (the `groundedness-lite` definition, shared with
//! `batch-sync-drift`).
//!
//! Invariants: content words are lowercased alphanumeric runs of at least
//! [`MIN_WORD_CHARS`] characters that are not stopwords, counted once each;
//! [`Grounding::share`] is in `[0, 1]` and is `None` when there is nothing to check.

use std::collections::HashSet;

use crate::text::{is_stopword, words};

/// Shortest content word, in characters.
pub const MIN_WORD_CHARS: usize = 3;

/// The context text: a JSON array of strings (DeepEval/Ragas `retrieval_context`)
/// joined by newlines, else the value as given.
pub fn context_text(raw: &str) -> String {
    if raw.trim_start().starts_with('[')
        && let Ok(parts) = serde_json::from_str::<Vec<String>>(raw)
    {
        return parts.join("\n");
    }
    raw.to_string()
}

/// How much of a response the context supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grounding {
    /// Distinct content words in the response.
    pub content: usize,
    /// The content words not found in the context, in order of first use.
    pub missing: Vec<String>,
}

impl Grounding {
    /// Distinct content words found in the context.
    pub fn grounded(&self) -> usize {
        self.content - self.missing.len()
    }

    /// `grounded / content`; `None` when the response has no content words.
    pub fn share(&self) -> Option<f64> {
        (self.content > 0).then(|| self.grounded() as f64 / self.content as f64)
    }
}

/// Checks `response` against `context` (already passed through [`context_text`]).
pub fn grounding(response: &str, context: &str) -> Grounding {
    let context = context.to_lowercase();
    let known: HashSet<&str> = words(&context).collect();
    let answer = response.to_lowercase();
    let mut seen = HashSet::new();
    let mut content = 0usize;
    let mut missing = Vec::new();
    for w in words(&answer) {
        if w.chars().count() < MIN_WORD_CHARS || is_stopword(w) || !seen.insert(w) {
            continue;
        }
        content += 1;
        if !known.contains(w) {
            missing.push(w.to_string());
        }
    }
    Grounding { content, missing }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares() {
        let g = grounding(
            "The Eiffel Tower was built in 1889.",
            "The Eiffel Tower, completed 1889",
        );
        assert_eq!((g.content, g.grounded()), (4, 3));
        assert_eq!(g.missing, ["built"]);
        assert_eq!(g.share(), Some(0.75));
        assert_eq!(grounding("No, it is.", "x").share(), None);
    }

    #[test]
    fn context_arrays() {
        assert_eq!(context_text(r#"["a b", "c\"d\u00e9"]"#), "a b\nc\"dé");
        assert_eq!(context_text("[]"), "");
        assert_eq!(context_text("[not json"), "[not json");
        assert_eq!(context_text(r#"["a", 1]"#), r#"["a", 1]"#);
        assert_eq!(context_text(r#"["a"] tail"#), r#"["a"] tail"#);
    }
}
