//! The provider's own error code and message for each row whose final result
//! is a failure, kept only for those rows.
//!
//! Invariant: a row has an entry only while its final status is not
//! `completed`; a message is capped at [`MESSAGE_BYTES`] on a character
//! boundary; codes and messages are interned (each distinct message is kept
//! once, whatever its count), so a million failures share a handful of
//! strings and cost 12 bytes of entry each.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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

/// The message id of a row without a message.
const NO_MESSAGE: u32 = u32::MAX;

#[derive(Default)]
pub struct ErrorCodes {
    codes: Interner,
    /// Distinct messages, by id, and the id of each.
    messages: Vec<Arc<str>>,
    message_ids: HashMap<Arc<str>, u32, foldhash::fast::FixedState>,
    /// (code, message id) per failed row.
    rows: HashMap<u32, (u16, u32), foldhash::fast::FixedState>,
}

impl ErrorCodes {
    /// Records row `idx`'s final failure.
    pub fn put(&mut self, idx: u32, text: &ErrorText) {
        let code = self.codes.intern_opt(text.code.as_deref());
        let message = text.message.as_deref().map_or(NO_MESSAGE, |m| self.message_id(m));
        self.rows.insert(idx, (code, message));
    }

    /// The id of `m`, kept once. (Past `u32::MAX - 1` distinct messages,
    /// which no batch reaches, the last id is shared.)
    fn message_id(&mut self, m: &str) -> u32 {
        if let Some(&id) = self.message_ids.get(m) {
            return id;
        }
        let id = u32::try_from(self.messages.len())
            .unwrap_or(NO_MESSAGE - 1)
            .min(NO_MESSAGE - 1);
        if id as usize == self.messages.len() {
            let m: Arc<str> = Arc::from(m);
            self.messages.push(m.clone());
            self.message_ids.insert(m, id);
        }
        id
    }

    /// Distinct messages kept.
    pub fn distinct_messages(&self) -> usize {
        self.messages.len()
    }

    /// Row `idx` completed after all (a sync retry): it has no error.
    pub fn clear(&mut self, idx: u32) {
        self.rows.remove(&idx);
    }

    /// (code, message) of row `idx`, if its final result was a failure that named them.
    pub fn get(&self, idx: u32) -> (Option<&str>, Option<&str>) {
        match self.rows.get(&idx) {
            None => (None, None),
            Some(&(code, msg)) => (
                (code != Interner::NONE).then(|| self.codes.get(code)),
                self.messages.get(msg as usize).map(|m| &**m),
            ),
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

#[cfg(test)]
mod tests;
