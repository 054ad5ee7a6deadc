//! `assay:judge@0.2.0`'s packed calls: a judge gets the same rows through
//! `score-packed` as through `score-batch`, and the same observations through
//! `observe-packed` as through `observe`; the host checks what a manifest's
//! `wit` version promises.

use crate::support;

use std::sync::Arc;

use assay::eval::aggregate::drive;
use assay::judge::bindings::types::{Message, Observation, Row, RowFlags, RowStatus, RunInfo, SlimVerdict, Usage};
use assay::judge::engine::JudgeEngine;
use assay::judge::load::load;
use assay::judge::manifest::Manifest;
use assay::judge::runner::Scorer;
use assay::judge::state::RunContext;
use assay::judge::{JudgeInstance, JudgePre, LoadError, Policy, Role, RowResult};

const RUN: RunContext = RunContext { seed: 7 };

fn load_guest(engine: &JudgeEngine, name: &str) -> Result<Arc<JudgePre>, LoadError> {
    let entry = Manifest::read(&support::hostile_judges().join(name).join("judge.toml")).expect("manifest");
    load(engine, None, &Policy::default(), entry)
}

/// Rows that use every field: each status, flags, absent and present
/// options, non-ASCII text, an empty response, prompt and metadata, token
/// counts above 32 bits.
fn rows<'a>(prompt: &'a [Message<'a>], metadata: &'a [(&'a str, &'a str)]) -> Vec<Row<'a>> {
    let statuses = [
        RowStatus::Completed,
        RowStatus::ProviderError,
        RowStatus::ContentFilter,
        RowStatus::Timeout,
        RowStatus::Expired,
        RowStatus::Canceled,
        RowStatus::RetryExhausted,
        RowStatus::Missing,
    ];
    let flags = [
        RowFlags::empty(),
        RowFlags::TRUNCATED,
        RowFlags::RETRIED | RowFlags::SILENTLY_RETRIED,
        RowFlags::DUPLICATE | RowFlags::TRUNCATED,
    ];
    let responses = [Some("{\"a\": 1}"), None, Some(""), Some("naïve 😀 réponse")];
    (0..16)
        .map(|i| Row {
            id: ["row-0", "ligne-é", "r", "行"][i % 4],
            index: (i as u64) << 33 | i as u64,
            segment: i as u32 / 3,
            provider: "openai",
            model: ["gpt-4o-mini", ""][i % 2],
            snapshot: [None, Some("fp_44709d6fcb")][i / 8],
            status: statuses[i % 8],
            flags: flags[i % 4],
            attempt: 1 + i as u32 % 3,
            prompt: if i % 3 == 0 { prompt } else { &[] },
            response: responses[i % 4],
            finish_reason: [Some("stop"), None, Some("length")][i % 3],
            usage: Usage {
                input_tokens: 1 << 40 | i as u64,
                output_tokens: i as u64,
                cached_input_tokens: 3,
                cache_write_tokens: u64::MAX,
                reasoning_tokens: 0,
            },
            error_code: [None, Some("server_error")][i % 2],
            error_message: [None, Some("«overloaded»")][(i / 2) % 2],
            metadata: if i % 2 == 1 { metadata } else { &[] },
        })
        .collect()
}

/// A prompt and metadata with non-ASCII text and an empty message, for [`rows`].
const PROMPT: [Message<'static>; 2] = [
    Message {
        role: "system",
        content: "Réponds en JSON.",
    },
    Message {
        role: "user",
        content: "",
    },
];
const METADATA: [(&str, &str); 2] = [("team", "search"), ("clé", "välue")];

fn details(out: &[RowResult]) -> Vec<String> {
    out.iter()
        .map(|r| match r {
            RowResult::Verdict(v) => v.details.clone().expect("echo-row always sets details"),
            other => panic!("expected a verdict, got {other:?}"),
        })
        .collect()
}

fn score(judge: Arc<JudgePre>, rows: &[Row<'_>]) -> Vec<RowResult> {
    support::runtime().block_on(async {
        let mut scorer = Scorer::new(judge, Arc::new(Vec::new()), RUN);
        let out = scorer.score(rows).await.expect("scorer starts");
        scorer.close();
        out
    })
}

#[test]
fn a_judge_sees_the_same_rows_through_score_packed_as_through_score_batch() {
    let engine = JudgeEngine::new().expect("engine");
    let packed = load_guest(&engine, "echo-row").expect("echo-row loads");
    assert!(
        packed.packed.is_some(),
        "a judge built with the 0.2 SDK exports packed-scorer"
    );
    let mut batch = load_guest(&engine, "echo-row").expect("echo-row loads");
    Arc::get_mut(&mut batch).expect("one owner").packed = None;

    let rows = rows(&PROMPT, &METADATA);
    let through_packed = details(&score(packed, &rows));
    let through_batch = details(&score(batch, &rows));
    assert_eq!(through_packed, through_batch);
    // The echo is the whole row, so equal echoes are equal rows.
    let last = &through_packed[15];
    for part in [
        "id: \"行\"",
        "index: 128849018895",
        "segment: 5",
        "snapshot: Some(\"fp_44709d6fcb\")",
        "status: RowStatus::Missing",
        "attempt: 1",
        "flags: RowFlags(TRUNCATED | DUPLICATE)",
        "input-tokens: 1099511627791",
        "response: Some(\"naïve 😀 réponse\")",
        "cache-write-tokens: 18446744073709551615",
        "error-message: Some(\"«overloaded»\")",
        "(\"clé\", \"välue\")",
    ] {
        assert!(last.contains(part), "{part} not in {last}");
    }
    assert!(through_packed[0].contains("Réponds en JSON."), "{}", through_packed[0]);
    assert!(
        through_packed[3].contains("flags: RowFlags(TRUNCATED | DUPLICATE)"),
        "{}",
        through_packed[3]
    );
    assert!(through_packed[1].contains("response: None"), "{}", through_packed[1]);
    assert!(
        through_packed[2].contains("response: Some(\"\")"),
        "{}",
        through_packed[2]
    );
}

/// A judge that scores row views (`SCORES_VIEWS`) sees, through either
/// call, exactly the rows a judge scoring `Row`s sees.
#[test]
fn a_judge_scoring_views_sees_the_rows_score_batch_gives() {
    let engine = JudgeEngine::new().expect("engine");
    let mut by_batch = load_guest(&engine, "echo-row").expect("echo-row loads");
    Arc::get_mut(&mut by_batch).expect("one owner").packed = None;
    let views = load_guest(&engine, "echo-view").expect("echo-view loads");
    assert!(views.packed.is_some(), "echo-view exports packed-scorer");
    let mut views_by_batch = load_guest(&engine, "echo-view").expect("echo-view loads");
    Arc::get_mut(&mut views_by_batch).expect("one owner").packed = None;

    let rows = rows(&PROMPT, &METADATA);
    let expected = details(&score(by_batch, &rows));
    assert_eq!(details(&score(views, &rows)), expected);
    assert_eq!(details(&score(views_by_batch, &rows)), expected);
}

#[test]
fn a_judge_built_against_0_1_has_no_packed_scorer_and_still_scores() {
    let engine = JudgeEngine::new().expect("engine");
    let judge = load_guest(&engine, "miscount").expect("miscount loads");
    assert!(judge.packed.is_none());
}

#[test]
fn a_manifest_declaring_0_2_for_a_0_1_component_is_refused_at_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = support::hostile_judges().join("miscount");
    let manifest = std::fs::read_to_string(src.join("judge.toml")).expect("manifest");
    assert!(manifest.contains("wit = \"assay:judge@0.1.0\""), "{manifest}");
    let declared = manifest.replace("assay:judge@0.1.0", "assay:judge@0.2.0");
    std::fs::write(dir.path().join("judge.toml"), declared).expect("write manifest");
    for f in std::fs::read_dir(&src).expect("read dir").flatten() {
        if f.path().extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).expect("copy component");
        }
    }
    let entry = Manifest::read(&dir.path().join("judge.toml")).expect("manifest");
    let engine = JudgeEngine::new().expect("engine");
    let err = load(&engine, None, &Policy::default(), entry).err().expect("refused");
    assert!(matches!(err, LoadError::NotPacked { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("declares wit = \"assay:judge@0.2.0\"")
            && msg.contains("does not export assay:judge@0.2.0's packed-scorer and packed-aggregator"),
        "{msg}"
    );
}

/// Observations that use every field, with and without a verdict, score,
/// label, snapshot and validation.
fn observations() -> Vec<Observation<'static>> {
    let labels = [None, Some("enum@/label"), Some("é✓")];
    (0..12u32)
        .map(|i| Observation {
            index: u64::from(i) << 34 | u64::from(i),
            segment: i / 5,
            status: [RowStatus::Completed, RowStatus::Expired, RowStatus::Missing][i as usize % 3],
            flags: [RowFlags::empty(), RowFlags::RETRIED | RowFlags::DUPLICATE][i as usize % 2],
            model: i % 3,
            snapshot: [None, Some(0), Some(7)][i as usize % 3],
            attempt: 1 + i % 2,
            usage: Usage {
                input_tokens: 1 << 41 | u64::from(i),
                output_tokens: u64::from(i) * 3,
                cached_input_tokens: 0,
                cache_write_tokens: 1,
                reasoning_tokens: u64::MAX,
            },
            retry_usage: Usage {
                input_tokens: u64::from(i),
                output_tokens: 0,
                cached_input_tokens: 2,
                cache_write_tokens: 0,
                reasoning_tokens: 5,
            },
            verdict: (i % 4 != 3).then(|| SlimVerdict {
                score: [None, Some(0.25), Some(1.0 / 3.0)][i as usize % 3],
                label: labels[i as usize % 3],
                passed: i % 2 == 0,
            }),
            validated: [None, Some(false), Some(true)][i as usize % 3],
        })
        .collect()
}

fn aggregate(judge: &Arc<JudgePre>) -> Vec<String> {
    support::runtime().block_on(async {
        let mut inst = JudgeInstance::start(judge, &[], RUN, Role::Aggregator)
            .await
            .expect("aggregator starts");
        let info = RunInfo {
            rows_submitted: 12,
            segment_size: 5,
            provider: "openai",
            models: &["a", "b", "c"],
            snapshots: &["fp"],
        };
        let report = drive(&mut inst, info, observations().into_iter())
            .await
            .expect("aggregates");
        report.alarms.into_iter().map(|a| a.message).collect()
    })
}

#[test]
fn an_aggregator_sees_the_same_observations_through_observe_packed_as_through_observe() {
    let engine = JudgeEngine::new().expect("engine");
    let packed = load_guest(&engine, "echo-row").expect("echo-row loads");
    let mut plain = load_guest(&engine, "echo-row").expect("echo-row loads");
    Arc::get_mut(&mut plain).expect("one owner").packed = None;
    let through_packed = aggregate(&packed);
    let through_observe = aggregate(&plain);
    assert_eq!(through_packed.len(), 12);
    assert_eq!(through_packed, through_observe);
    let seen = through_packed.join("\n");
    for part in [
        "index: 188978561035",
        "reasoning-tokens: 18446744073709551615",
        "snapshot: Some(7)",
        "label: Some(\"é✓\")",
        "score: Some(0.3333333333333333)",
        "verdict: None",
        "validated: Some(true)",
        "flags: RowFlags(RETRIED | DUPLICATE)",
    ] {
        assert!(seen.contains(part), "{part} not in {seen}");
    }
}
