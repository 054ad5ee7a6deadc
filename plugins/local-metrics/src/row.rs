//! Row and config helpers shared by the judges.

use assay_judge_sdk::{Config, JudgeError, Row, Verdict, truncate_utf8};

/// Longest details these judges write (the host accepts 16 KiB).
pub const MAX_DETAILS: usize = 2048;

/// `text` cut to [`MAX_DETAILS`] bytes on a character boundary.
pub fn details(text: impl Into<String>) -> String {
    let mut s = text.into();
    truncate_utf8(&mut s, MAX_DETAILS);
    s
}

/// The value of metadata `key` on `row` (the first pair with that key), or
/// `InvalidInput("no `key` in row metadata")`.
pub fn metadata_value<'a>(row: &'a Row, key: &str) -> Result<&'a str, JudgeError> {
    row.metadata
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| JudgeError::InvalidInput(format!("no `{key}` in row metadata")))
}

/// Config `key` as a number in `[0, 1]`, `default` when absent.
pub fn threshold(config: &Config, key: &str, default: f64) -> Result<f64, JudgeError> {
    let t: f64 = config.parse_or(key, default)?;
    if !(0.0..=1.0).contains(&t) {
        return Err(JudgeError::Config(format!(
            "config key `{key}`: must be a number in [0, 1], got {t}"
        )));
    }
    Ok(t)
}

/// Config `key` (or `default` when absent), refusing an empty value.
pub fn non_empty(config: &Config, key: &str, default: &str) -> Result<String, JudgeError> {
    let value = config.get(key).unwrap_or(default).trim();
    if value.is_empty() {
        return Err(JudgeError::Config(format!("config key `{key}`: must not be empty")));
    }
    Ok(value.to_string())
}

/// The verdict of a graded judge: pass at or above `threshold`, otherwise
/// fail with `label`; the score and (capped) details are kept either way.
pub fn graded(score: f64, threshold: f64, label: &str, text: impl Into<String>) -> Verdict {
    let d = details(text);
    if score >= threshold {
        Verdict::pass(score).with_details(d)
    } else {
        Verdict::fail(label, Some(d)).with_score(score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{cfg, row};

    #[test]
    fn metadata_lookup_and_errors() {
        let r = row(Some("x"), &[("reference", "a"), ("reference", "b")]);
        assert_eq!(metadata_value(&r, "reference").ok(), Some("a"));
        match metadata_value(&r, "gold") {
            Err(JudgeError::InvalidInput(m)) => assert_eq!(m, "no `gold` in row metadata"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn thresholds_are_checked() {
        assert_eq!(threshold(&cfg(&[]), "threshold", 0.3).ok(), Some(0.3));
        assert_eq!(threshold(&cfg(&[("threshold", "1")]), "threshold", 0.3).ok(), Some(1.0));
        for bad in ["1.5", "-0.1", "NaN", "x"] {
            match threshold(&cfg(&[("threshold", bad)]), "threshold", 0.3) {
                Err(JudgeError::Config(m)) => assert!(m.contains("`threshold`"), "{m}"),
                other => panic!("{bad}: unexpected {other:?}"),
            }
        }
        assert!(non_empty(&cfg(&[("k", " ")]), "k", "d").is_err());
        assert_eq!(non_empty(&cfg(&[]), "k", "d").ok().as_deref(), Some("d"));
    }

    #[test]
    fn details_are_capped() {
        let d = details("é".repeat(5000));
        assert!(d.len() <= MAX_DETAILS && d.ends_with('…'));
    }
}
