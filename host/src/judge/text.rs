//! Text a judge or a manifest supplies, made safe before it reaches a
//! terminal, a log, JSON, JUnit or HTML.
//!
//! Invariant: names and versions are validated against a documented
//! character set and length (a bad one is refused, never repaired); free text
//! (descriptions, messages, log lines) leaves here as one line, capped, with
//! every control character shown visibly (`\n`, `\u{1b}`), so it can neither
//! move the cursor nor forge a line of assay's own output.

use std::fmt::Write as _;

/// Judge names: `[a-z0-9][a-z0-9_-]*`, at most 64 bytes (the built-ins, and
/// what `--set NAME.key=value` can address).
pub const MAX_NAME_BYTES: usize = 64;
/// Versions: `[0-9A-Za-z.+-]`, at most 32 bytes (semver and its build tags).
pub const MAX_VERSION_BYTES: usize = 32;
/// Alarm kinds: `[a-z0-9][a-z0-9_-]*`, at most 64 bytes (`segment-drift`).
pub const MAX_ALARM_KIND_BYTES: usize = 64;
/// Metric names: an identifier (`[A-Za-z_][A-Za-z0-9_]*`),
/// optionally followed by `:` and a qualifier of printable text (a model
/// name, say), at most 256 bytes in all.
pub const MAX_METRIC_NAME_BYTES: usize = 256;

pub fn is_judge_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_BYTES
        && !s.starts_with(['-', '_'])
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Config keys: `[a-z0-9][a-z0-9._-]*`, at most 64 bytes (`assay.sync-results`).
pub fn is_config_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NAME_BYTES
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
}

/// Longest description or config help kept, as one line.
pub const MAX_DESCRIPTION_BYTES: usize = 256;

pub fn is_version(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_VERSION_BYTES
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

pub fn is_alarm_kind(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ALARM_KIND_BYTES
        && !s.starts_with(['-', '_'])
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

pub fn is_metric_name(s: &str) -> bool {
    if s.is_empty() || s.len() > MAX_METRIC_NAME_BYTES {
        return false;
    }
    let (ident, qualifier) = match s.split_once(':') {
        Some((i, q)) => (i, Some(q)),
        None => (s, None),
    };
    let mut bytes = ident.bytes();
    let head_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    head_ok
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && qualifier.is_none_or(|q| !q.is_empty() && !q.chars().any(char::is_control))
}

/// `s` as one visible line of at most `max` bytes (plus an ellipsis when
/// cut): control characters, line breaks included, are written as escapes.
pub fn one_line(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max) + 4);
    for c in s.chars() {
        let before = out.len();
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
        if out.len() > max {
            out.truncate(before);
            out.push('…');
            break;
        }
    }
    out
}

/// Characters that reorder text on screen (Trojan Source), shown as escapes.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_line_breaks_become_visible() {
        let s = one_line("ok\x1b]0;pwned\x07\nschema-drift 100.00%\u{202e}", 1024);
        assert_eq!(s, "ok\\u{1b}]0;pwned\\u{7}\\nschema-drift 100.00%\\u{202e}");
        assert!(!s.chars().any(char::is_control));
    }

    #[test]
    fn one_line_caps_without_splitting_an_escape() {
        let s = one_line(&"é".repeat(100), 11);
        assert_eq!(s, "ééééé…");
        assert_eq!(one_line("\n\n\n", 5), "\\n\\n…");
    }

    #[test]
    fn names_versions_and_metric_names_follow_their_charsets() {
        assert!(is_judge_name("batch-sync-drift-llm"));
        assert!(is_config_key("assay.sync-results") && !is_config_key("a\nb") && !is_config_key(".x"));
        for bad in ["", "-x", "Schema", "a b", "a\x1b", &"a".repeat(65)] {
            assert!(!is_judge_name(bad), "{bad:?}");
        }
        assert!(is_version("0.1.0") && is_version("1.2.3-rc.1+build.5"));
        assert!(!is_version("0.1.0\x1b]0;x\x07") && !is_version(""));
        assert!(is_metric_name("pass_rate") && is_metric_name("model_cost_usd:(other models)"));
        for bad in ["", "9lives", "pass rate", "x\ny", "m:", "m:a\nb", "a-b"] {
            assert!(!is_metric_name(bad), "{bad:?}");
        }
        assert!(is_alarm_kind("segment-drift") && is_alarm_kind("host-cap"));
        assert!(!is_alarm_kind("a\nb") && !is_alarm_kind("-x") && !is_alarm_kind("Drift"));
    }
}
