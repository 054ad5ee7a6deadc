//! How alike the two answers are, used only to *confirm* equivalence when every
//! rubric ties: JSON field agreement when both sides are JSON objects, else
//! token-level ROUGE-L F1.
//!
//! Invariants: the value is in `[0, 1]`; both sides empty agree fully, one side
//! empty agrees not at all; work is bounded (each side cut to [`MAX_TOKENS`]
//! tokens, objects compared on their top-level fields only).

use local_metrics::rouge::rouge_l;
use local_metrics::text::tokens;
use serde_json::Value;

/// Tokens of each side compared at most.
pub const MAX_TOKENS: usize = 1_000;

/// How the agreement was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Agreement {
    /// Share of top-level fields (union of both sides' keys) with equal values.
    Fields(f64),
    /// ROUGE-L F1 over lowercased tokens.
    Tokens(f64),
}

impl Agreement {
    /// The value in `[0, 1]`.
    pub fn value(self) -> f64 {
        match self {
            Agreement::Fields(v) | Agreement::Tokens(v) => v,
        }
    }

    /// One line for details.
    pub fn describe(self) -> String {
        match self {
            Agreement::Fields(v) => format!("JSON field agreement {v:.2}"),
            Agreement::Tokens(v) => format!("token similarity {v:.2}"),
        }
    }
}

/// The agreement of the batch and the sync answer.
pub fn agreement(batch: Option<&str>, sync: Option<&str>) -> Agreement {
    let (a, b) = match (batch, sync) {
        (None, None) => return Agreement::Tokens(1.0),
        (None, Some(_)) | (Some(_), None) => return Agreement::Tokens(0.0),
        (Some(a), Some(b)) => (a, b),
    };
    if let (Ok(Value::Object(x)), Ok(Value::Object(y))) =
        (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b))
    {
        let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
        if keys.is_empty() {
            return Agreement::Fields(1.0);
        }
        let same = keys.iter().filter(|k| x.get(k.as_str()) == y.get(k.as_str())).count();
        return Agreement::Fields(same as f64 / keys.len() as f64);
    }
    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
    let ta: Vec<&str> = tokens(&la).into_iter().take(MAX_TOKENS).collect();
    let tb: Vec<&str> = tokens(&lb).into_iter().take(MAX_TOKENS).collect();
    Agreement::Tokens(rouge_l(&ta, &tb, 1.0).f.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_tokens() {
        let f = agreement(Some(r#"{"a":1,"b":2}"#), Some(r#"{"a":1,"b":3,"c":0}"#));
        assert_eq!(f, Agreement::Fields(1.0 / 3.0));
        assert_eq!(agreement(Some("{}"), Some("{}")), Agreement::Fields(1.0));
        assert_eq!(
            agreement(Some("The cat sat."), Some("the CAT sat.")),
            Agreement::Tokens(1.0)
        );
        assert_eq!(agreement(Some("x"), None), Agreement::Tokens(0.0));
        assert_eq!(agreement(None, None), Agreement::Tokens(1.0));
        let t = agreement(Some("a b c d"), Some("a b x y")).value();
        assert!((t - 0.5).abs() < 1e-9, "{t}");
    }
}
