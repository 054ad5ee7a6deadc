//! The provider's own error code and message for each row whose final result
//! is a failure, kept only for those rows.
//!
//! Invariant: a row has an entry only while its final status is not
//! `completed`; a message is capped at [`MESSAGE_BYTES`] on a character
//! boundary; codes are interned, so a million failures share a handful of
//! strings.

use std::collections::{BTreeMap, HashMap};

use assay_batch::{Interner, Ledger, Status};

use crate::report::summary::CodeCount;

/// Longest error message kept per row: enough to act on, small enough that
/// a million failed rows cannot fill memory or `--rows-out`.
pub const MESSAGE_BYTES: usize = 512;
/// Codes listed per status in the summary.
pub const TOP_CODES: usize = 5;

/// A failed line's own words, taken on the worker.
#[derive(Debug, Clone)]
pub struct ErrorText {
    pub code: Option<String>,
    pub message: Option<String>,
}

impl ErrorText {
    pub fn new(code: Option<&str>, message: Option<&str>) -> Option<ErrorText> {
        if code.is_none() && message.is_none() {
            return None;
        }
        Some(ErrorText {
            code: code.map(str::to_owned),
            message: message.map(|m| cap(m, MESSAGE_BYTES).to_owned()),
        })
    }
}

/// `s` cut to at most `max` bytes, on a character boundary.
pub fn cap(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[derive(Default)]
pub struct ErrorCodes {
    codes: Interner,
    rows: HashMap<u32, (u16, Option<Box<str>>), foldhash::fast::FixedState>,
}

impl ErrorCodes {
    /// Records row `idx`'s final failure.
    pub fn put(&mut self, idx: u32, text: &ErrorText) {
        let code = self.codes.intern_opt(text.code.as_deref());
        self.rows.insert(idx, (code, text.message.as_deref().map(Box::from)));
    }

    /// Row `idx` completed after all (a sync retry): it has no error.
    pub fn clear(&mut self, idx: u32) {
        self.rows.remove(&idx);
    }

    /// (code, message) of row `idx`, if its final result was a failure that named them.
    pub fn get(&self, idx: u32) -> (Option<&str>, Option<&str>) {
        match self.rows.get(&idx) {
            None => (None, None),
            Some((code, msg)) => ((*code != Interner::NONE).then(|| self.codes.get(*code)), msg.as_deref()),
        }
    }

    /// The most common codes per final status, most rows first, ties by code.
    pub fn top(&self, ledger: &Ledger) -> BTreeMap<&'static str, Vec<CodeCount>> {
        let mut counts: BTreeMap<(&'static str, &str), u64> = BTreeMap::new();
        for (idx, (code, _)) in &self.rows {
            let status = ledger.status(*idx);
            if status == Status::Completed || *code == Interner::NONE {
                continue;
            }
            *counts.entry((status.as_str(), self.codes.get(*code))).or_default() += 1;
        }
        let mut out: BTreeMap<&'static str, Vec<CodeCount>> = BTreeMap::new();
        for ((status, code), rows) in counts {
            out.entry(status).or_default().push(CodeCount {
                code: code.to_owned(),
                rows,
            });
        }
        for v in out.values_mut() {
            v.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.code.cmp(&b.code)));
            v.truncate(TOP_CODES);
        }
        out
    }
}
