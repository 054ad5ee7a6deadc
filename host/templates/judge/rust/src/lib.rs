//! {{name}}: an assay judge written in Rust against the WIT in `wit/`
//! (`assay:judge@0.1.0`, world `judge`).
//!
//! Fails a completed row whose response is empty (label `empty`) or longer
//! than config `max-chars` (default 100, in characters; label `too-long`),
//! and passes it otherwise. A row without response text is a `judge-error`
//! (`invalid-input`), not a trap: a trap means the host stopped the judge.

use std::sync::atomic::{AtomicUsize, Ordering};

wit_bindgen::generate!({ path: "wit", world: "judge" });

use assay::judge::host::{Level, log};
use assay::judge::types::{Descriptor, JudgeError, Needs, Observation, Report, Row, RunInfo, Verdict};
use exports::assay::judge::{aggregator, meta, scorer};

/// Set by `init`; an instance lives for many chunks, so state kept here
/// persists between `score-batch` calls.
static MAX_CHARS: AtomicUsize = AtomicUsize::new(100);

struct Judge;

impl meta::Guest for Judge {
    fn describe() -> Descriptor {
        Descriptor {
            name: "{{name}}".into(),
            version: "0.1.0".into(),
            description: "Fails empty responses and responses longer than max-chars".into(),
            scores: true,
            aggregates: false,
            quality: true,
            // Ask for `Needs::PROMPT` / `Needs::METADATA` only if the judge reads them.
            needs: Needs::empty(),
            config_keys: vec![(
                "max-chars".into(),
                "longest acceptable response, in characters (default 100)".into(),
            )],
        }
    }

    fn init(config: Vec<(String, String)>) -> Result<(), JudgeError> {
        for (key, value) in config {
            match key.as_str() {
                "max-chars" => {
                    let n: usize = value
                        .trim()
                        .parse()
                        .map_err(|_| JudgeError::Config(format!("max-chars must be a number, got {value:?}")))?;
                    MAX_CHARS.store(n, Ordering::Relaxed);
                }
                other => return Err(JudgeError::Config(format!("unknown config key '{other}'"))),
            }
        }
        log(Level::Debug, &format!("max-chars = {}", MAX_CHARS.load(Ordering::Relaxed)));
        Ok(())
    }
}

fn verdict(text: &str) -> Verdict {
    let max = MAX_CHARS.load(Ordering::Relaxed);
    let fail = |label: &str, details: Option<String>| Verdict {
        score: Some(0.0),
        label: Some(label.into()),
        passed: false,
        details,
    };
    if text.trim().is_empty() {
        return fail("empty", None);
    }
    let n = text.chars().count();
    if n > max {
        return fail("too-long", Some(format!("{n} characters, above max-chars {max}")));
    }
    Verdict {
        score: Some(1.0),
        label: None,
        passed: true,
        details: None,
    }
}

impl scorer::Guest for Judge {
    /// One result per row, in order.
    fn score_batch(rows: Vec<Row>) -> Vec<Result<Verdict, JudgeError>> {
        rows.iter()
            .map(|row| match &row.response {
                None => Err(JudgeError::InvalidInput("no response text".into())),
                Some(text) => Ok(verdict(text)),
            })
            .collect()
    }
}

/// The world requires the aggregator exports; this judge aggregates nothing
/// (`aggregates: false`), so they do nothing.
impl aggregator::Guest for Judge {
    fn begin(_info: RunInfo) -> Result<(), JudgeError> {
        Ok(())
    }

    fn observe(_batch: Vec<Observation>) -> Result<(), JudgeError> {
        Ok(())
    }

    fn finish() -> Result<Report, JudgeError> {
        Ok(Report {
            metrics: Vec::new(),
            alarms: Vec::new(),
        })
    }
}

export!(Judge);
