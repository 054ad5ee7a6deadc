//! Redaction of span text before export: e-mail addresses, phone numbers,
//! card numbers (Luhn-checked), API-key-like strings, and the user's own
//! `--redact REGEX` patterns, all in one compiled regex and one pass.
//!
//! Invariant: every string the exporter sends (span names, string attributes,
//! event attributes, status messages) has been through [`Redactor::span`];
//! a match is replaced by `[REDACTED:<kind>]`, never shortened or hashed.

use std::borrow::Cow;

use opentelemetry::trace::Status;
use opentelemetry::{KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;
use regex::{Captures, Regex};

use super::TraceError;

/// The built-in patterns, as (kind, regex); tried in this order at each position.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "email",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    ),
    (
        "api_key",
        concat!(
            r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}",
            r"|\bAKIA[0-9A-Z]{16}\b",
            r"|\bgh[pousr]_[A-Za-z0-9]{20,}",
            r"|\bxox[abprs]-[A-Za-z0-9-]{10,}",
            r"|\bAIza[0-9A-Za-z_-]{30,}",
            r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
            r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{16,}",
        ),
    ),
    ("card", r"\b(?:\d[ -]?){12,18}\d\b"),
    (
        "phone",
        r"(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)|\b\d{2,4})[ .-]\d{3,4}[ .-]\d{3,5}\b",
    ),
];

pub struct Redactor {
    re: Regex,
    /// Group name → kind shown in the replacement, in group order.
    kinds: Vec<(String, String)>,
}

/// Whether the digits of `s` pass the Luhn check (card numbers do).
fn luhn(s: &str) -> bool {
    let digits: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match i % 2 {
            1 if d * 2 > 9 => d * 2 - 9,
            1 => d * 2,
            _ => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

impl Redactor {
    /// The built-in patterns plus `user` (each a regex; refused with the reason when invalid).
    pub fn new(user: &[String]) -> Result<Redactor, TraceError> {
        let mut parts = Vec::new();
        let mut kinds = Vec::new();
        for (kind, re) in BUILT_IN {
            let group = format!("assay_{kind}");
            parts.push(format!("(?P<{group}>{re})"));
            kinds.push((group, (*kind).to_owned()));
        }
        for (n, pattern) in user.iter().enumerate() {
            Regex::new(pattern).map_err(|e| TraceError::Redact {
                pattern: pattern.clone(),
                reason: e.to_string(),
            })?;
            let group = format!("assay_user{n}");
            parts.push(format!("(?P<{group}>(?:{pattern}))"));
            kinds.push((group, "custom".to_owned()));
        }
        let re = Regex::new(&parts.join("|")).map_err(|e| TraceError::Redact {
            pattern: user.join(" | "),
            reason: e.to_string(),
        })?;
        Ok(Redactor { re, kinds })
    }

    /// `s` with every match replaced, and how many were.
    pub fn text<'a>(&self, s: &'a str) -> (Cow<'a, str>, u64) {
        let mut n = 0;
        let out = self.re.replace_all(s, |c: &Captures<'_>| {
            let whole = c.get(0).map_or("", |m| m.as_str());
            let Some((group, kind)) = self.kinds.iter().find(|(g, _)| c.name(g).is_some()) else {
                return whole.to_owned();
            };
            if group == "assay_card" && !luhn(whole) {
                return whole.to_owned();
            }
            n += 1;
            format!("[REDACTED:{kind}]")
        });
        (out, n)
    }

    fn value(&self, v: &mut Value) -> u64 {
        let Value::String(s) = v else { return 0 };
        let (out, n) = self.text(s.as_str());
        if n > 0 {
            *v = Value::String(StringValue::from(out.into_owned()));
        }
        n
    }

    fn attributes(&self, attrs: &mut [KeyValue]) -> u64 {
        attrs.iter_mut().map(|kv| self.value(&mut kv.value)).sum()
    }

    /// Redacts everything a span carries as text; returns the number of matches.
    pub fn span(&self, span: &mut SpanData) -> u64 {
        let mut n = 0;
        let (name, k) = self.text(&span.name);
        if k > 0 {
            span.name = Cow::Owned(name.into_owned());
            n += k;
        }
        n += self.attributes(&mut span.attributes);
        for e in span.events.events.iter_mut() {
            n += self.attributes(&mut e.attributes);
        }
        if let Status::Error { description } = &mut span.status {
            let (d, k) = self.text(description);
            if k > 0 {
                *description = Cow::Owned(d.into_owned());
                n += k;
            }
        }
        n
    }
}
