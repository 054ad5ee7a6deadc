//! `miscount`: a judge that breaks the one-verdict-per-row contract, written
//! with raw bindings (the SDK would pad a short answer itself). With config
//! `count = "one"` (the default) it returns one passing verdict per call,
//! whatever the number of rows, like a Python judge whose `return` sits inside
//! its loop; `none` returns no verdict; `extra` one verdict more than rows.
//! Invariant: a call of exactly one row gets exactly one verdict under `one`,
//! so only a multi-row call shows the bug.

use std::sync::atomic::{AtomicU8, Ordering};

wit_bindgen::generate!({ path: "../../../wit/v0.1", world: "judge" });

use assay::judge::types::{Descriptor, JudgeError, Needs, Observation, Report, Row, RunInfo, Verdict};
use exports::assay::judge::{aggregator, meta, scorer};

/// 0: one verdict per call, 1: none, 2: one more than rows.
static COUNT: AtomicU8 = AtomicU8::new(0);

struct Miscount;

impl meta::Guest for Miscount {
    fn describe() -> Descriptor {
        Descriptor {
            name: "miscount".into(),
            version: "0.1.0".into(),
            description: "Returns the wrong number of verdicts for a chunk, for host tests".into(),
            scores: true,
            aggregates: false,
            quality: true,
            needs: Needs::empty(),
            config_keys: vec![("count".into(), "one, none or extra".into())],
        }
    }

    fn init(config: Vec<(String, String)>) -> Result<(), JudgeError> {
        for (key, value) in config {
            let code = match (key.as_str(), value.as_str()) {
                ("count", "one") => 0,
                ("count", "none") => 1,
                ("count", "extra") => 2,
                _ => return Err(JudgeError::Config(format!("unknown config {key}={value}"))),
            };
            COUNT.store(code, Ordering::Relaxed);
        }
        Ok(())
    }
}

fn pass() -> Result<Verdict, JudgeError> {
    Ok(Verdict {
        score: Some(1.0),
        label: None,
        passed: true,
        details: None,
    })
}

impl scorer::Guest for Miscount {
    fn score_batch(rows: Vec<Row>) -> Vec<Result<Verdict, JudgeError>> {
        let n = match COUNT.load(Ordering::Relaxed) {
            0 => 1,
            1 => 0,
            _ => rows.len() + 1,
        };
        (0..n).map(|_| pass()).collect()
    }
}

impl aggregator::Guest for Miscount {
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

export!(Miscount);
