//! Native tests with a fake model: the requests sent, the answer mapping and every
//! fallback.

use assay_judge_sdk::Message;
use assay_judge_sdk::llm::assay::llm::llm::{ChatResponse, LlmError};
use local_metrics::testing::{cfg, row};

use super::*;

/// Answers from a script and remembers the requests.
struct Fake {
    answers: Vec<Result<String, LlmError>>,
    requests: Vec<ChatRequest>,
}

impl Chat for Fake {
    fn chat(&mut self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
        self.requests.push(request.clone());
        let next = if self.answers.is_empty() {
            Err(LlmError::Endpoint("script exhausted".into()))
        } else {
            self.answers.remove(0)
        };
        next.map(|content| ChatResponse {
            content,
            model: "judge-model".into(),
            input_tokens: 10,
            output_tokens: 5,
            cached: false,
        })
    }
}

fn judge(pairs: &[(&str, &str)], answers: Vec<Result<String, LlmError>>) -> BatchSyncDriftLlm<Fake> {
    let fake = Fake {
        answers,
        requests: Vec::new(),
    };
    match BatchSyncDriftLlm::with_chat(&cfg(pairs), fake) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

const OK: &str = r#"{"answer": 1}"#;
const SCHEMA: &str = r#"{"type": "object", "required": ["answer"]}"#;

/// A paired row: batch `response`, sync `sync`.
fn pair(batch: &str, sync: &str) -> Row {
    let mut r = row(
        Some(batch),
        &[("assay.sync.status", "completed"), ("assay.sync.response", sync)],
    );
    r.prompt = vec![Message {
        role: "user".into(),
        content: "Classify: great movie".into(),
    }];
    r
}

fn summary(v: &Verdict) -> (Option<f64>, bool, String) {
    (v.score, v.passed, v.label.clone().unwrap_or_default())
}

#[test]
fn requests_are_one_per_pair_with_the_row_position() {
    let answers = vec![Ok(r#"{"verdict": "A"}"#.to_string()); 2];
    let mut j = judge(
        &[("model", "gpt-4o-mini"), ("max-tokens", "64"), ("schema", SCHEMA)],
        answers,
    );
    let rows = vec![pair(OK, "nope"), row(Some(OK), &[]), pair("batch text", "sync text")];
    let out = j.score_rows(&rows);
    assert_eq!(out.len(), 3);
    assert_eq!(j.chat.requests.len(), 2, "no call for the unpaired row");
    let (a, b) = (&j.chat.requests[0], &j.chat.requests[1]);
    assert_eq!((a.row, b.row), (0, 2));
    assert_eq!(
        (a.model.as_str(), a.max_tokens, a.temperature, a.json),
        ("gpt-4o-mini", 64, Some(0.0), true)
    );
    assert_eq!(a.messages.len(), 2);
    assert_eq!(
        (a.messages[0].role.as_str(), a.messages[1].role.as_str()),
        ("system", "user")
    );
    let user = &b.messages[1].content;
    assert!(user.contains("## Request\n[user]\nClassify: great movie"), "{user}");
    assert!(
        user.contains("## Response A\nbatch text") && user.contains("## Response B\nsync text"),
        "{user}"
    );
    assert!(user.contains("schema: batch does not conform"), "{user}");
    let unpaired = out[1].as_ref().map(summary).ok();
    assert_eq!(unpaired, Some((None, true, "unpaired".into())));
}

#[test]
fn answers_map_to_scores() {
    let answers = vec![
        Ok(r#"{"verdict": "A", "reason": "B is not JSON"}"#.to_string()),
        Ok("```json\n{\"verdict\": \"B\"}\n```".to_string()),
        Ok(r#"{"verdict": "equivalent"}"#.to_string()),
    ];
    let mut j = judge(&[("schema", SCHEMA)], answers);
    let got: Vec<_> = j
        .score_rows(&[pair(OK, "nope"), pair(OK, "nope"), pair(OK, OK)])
        .iter()
        .map(|v| v.as_ref().map(summary).ok())
        .collect();
    assert_eq!(
        got,
        [
            Some((Some(1.0), true, "llm:better:g=.,s=b,t=.,r=B".into())),
            Some((Some(0.0), false, "llm:worse:g=.,s=b,t=.,r=B".into())),
            Some((Some(0.5), true, "llm:equivalent:g=.,s=B,t=.,r=B".into())),
        ]
    );
}

#[test]
fn errors_and_bad_answers_fall_back_to_the_structural_verdict() {
    let answers = vec![
        Err(LlmError::NotGranted("no grant".into())),
        Err(LlmError::BudgetExhausted("spent".into())),
        Err(LlmError::Timeout("30s".into())),
        Ok("I think A is better.".to_string()),
        Ok(r#"{"verdict": "C"}"#.to_string()),
    ];
    let mut j = judge(&[("schema", SCHEMA)], answers);
    let rows: Vec<_> = (0..5).map(|_| pair("nope", OK)).collect();
    let got: Vec<_> = j
        .score_rows(&rows)
        .iter()
        .map(|v| v.as_ref().map(summary).ok())
        .collect();
    let want = |kind: &str| Some((Some(0.0), false, format!("fallback:{kind}:worse:g=.,s=s,t=.,r=B")));
    assert_eq!(
        got,
        [
            want("not-granted"),
            want("budget-exhausted"),
            want("timeout"),
            want("unparsable"),
            want("unparsable")
        ]
    );
    let v = j.judge_row(0, &pair("nope", OK));
    assert!(
        v.details
            .is_some_and(|d| d.starts_with("model verdict unavailable (endpoint: script exhausted)"))
    );
}

#[test]
fn aggregate_counts_model_verdicts_and_fallbacks() {
    use local_metrics::testing::{metric, observation};
    let mut j = judge(&[], vec![Ok(r#"{"verdict": "B"}"#.to_string())]);
    let verdicts = j.score_rows(&[pair("x", "y"), pair("x", "y")]);
    for v in verdicts.into_iter().flatten() {
        let mut o = observation(0, None);
        o.verdict = Some(assay_judge_sdk::SlimVerdict {
            score: v.score,
            label: v.label,
            passed: v.passed,
        });
        j.core.observe(&o);
    }
    let stats = j.core.stats();
    assert_eq!((stats.llm_verdicts(), stats.fallbacks()), (1, 1));
    assert_eq!(metric(&j.core.report(), "worse", None), Some(1.0));
}

#[test]
fn config_and_manifest() {
    assert!(BatchSyncDriftLlm::with_chat(&cfg(&[("max-tokens", "0")]), HostChat).is_err());
    assert!(BatchSyncDriftLlm::with_chat(&cfg(&[("max-tokens", "x")]), HostChat).is_err());
    let d = BatchSyncDriftLlm::<HostChat>::describe();
    assert!(d.scores && d.aggregates && !d.quality);
    assert!(d.needs.contains(Needs::METADATA | Needs::PROMPT));
    let manifest = include_str!("../judge.toml");
    let config: Vec<(String, String)> = manifest
        .lines()
        .skip_while(|l| !l.starts_with("[config]"))
        .skip(1)
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect();
    let (mut a, mut b) = (config, d.config_keys.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(manifest.contains(&format!("description = \"{}\"", d.description)));
    assert!(manifest.contains("component = \"batch_sync_drift_llm.wasm\""));
}
