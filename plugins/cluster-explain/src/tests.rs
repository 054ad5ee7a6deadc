//! Native tests with a fake model: the request sent, the note and every fallback.

use assay_judge_sdk::Message;
use assay_judge_sdk::llm::assay::llm::llm::{ChatResponse, LlmError};
use local_metrics::testing::{cfg, row};

use super::*;

/// Answers from a script and remembers the requests.
struct Fake {
    answers: Vec<Result<(String, bool), LlmError>>,
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
        next.map(|(content, cached)| ChatResponse {
            content,
            model: "judge-model".into(),
            input_tokens: 10,
            output_tokens: 5,
            cached,
        })
    }
}

fn judge(pairs: &[(&str, &str)], answers: Vec<Result<(String, bool), LlmError>>) -> ClusterExplain<Fake> {
    let fake = Fake {
        answers,
        requests: Vec::new(),
    };
    match ClusterExplain::with_chat(&cfg(pairs), fake) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

const SHAPE: &str = "every Japanese-text row, schema keyword `required`";

/// A cluster row as the host sends it.
fn cluster(description: &str) -> Row {
    let mut r = row(None, &[(SHAPE_KEY, SHAPE)]);
    r.prompt = vec![Message {
        role: "user".into(),
        content: description.into(),
    }];
    r
}

fn summary(v: &Result<Verdict, JudgeError>) -> (String, String) {
    match v {
        Ok(v) => (
            v.label.clone().unwrap_or_default(),
            v.details.clone().unwrap_or_default(),
        ),
        Err(e) => panic!("judge error: {e:?}"),
    }
}

#[test]
fn one_request_per_cluster_with_the_description() {
    let answers = vec![
        Ok((
            r#"{"fix": "Add a Japanese example with `confidence`."}"#.to_string(),
            false,
        )),
        Ok((r#"{"fix": "Pin the snapshot."}"#.to_string(), true)),
    ];
    let mut j = judge(&[("model", "judge-small"), ("max-tokens", "64")], answers);
    let out = j.score_rows(&[cluster("Shape: A\nexamples…"), cluster("Shape: B")]);
    assert_eq!(j.chat.requests.len(), 2);
    let (a, b) = (&j.chat.requests[0], &j.chat.requests[1]);
    assert_eq!((a.row, b.row), (0, 1));
    assert_eq!(
        (a.model.as_str(), a.max_tokens, a.temperature, a.json),
        ("judge-small", 64, Some(0.0), true)
    );
    assert_eq!(
        (a.messages[0].role.as_str(), a.messages[1].role.as_str()),
        ("system", "user")
    );
    assert!(a.messages[0].content.contains(r#"{"fix": "<the fix>"}"#));
    assert!(
        a.messages[1].content.starts_with("Shape: A\nexamples…"),
        "{}",
        a.messages[1].content
    );
    assert_eq!(
        summary(&out[0]),
        ("llm".into(), "Add a Japanese example with `confidence`.".into())
    );
    assert_eq!(summary(&out[1]), ("llm:cached".into(), "Pin the snapshot.".into()));
}

#[test]
fn refusals_and_bad_answers_fall_back_to_the_shape_with_the_reason() {
    let answers = vec![
        Err(LlmError::NotGranted("no grant".into())),
        Err(LlmError::BudgetExhausted("this call may need\n900 tokens".into())),
        Err(LlmError::Timeout("30s".into())),
        Ok(("Pin the snapshot.".to_string(), false)),
        Ok((r#"{"fix": ""}"#.to_string(), false)),
    ];
    let mut j = judge(&[], answers);
    let out = j.score_rows(&(0..5).map(|_| cluster("Shape: x")).collect::<Vec<_>>());
    let got: Vec<(String, String)> = out.iter().map(summary).collect();
    let want = |kind: &str, why: &str| (format!("fallback:{kind}"), format!("{SHAPE}\n{kind}: {why}"));
    assert_eq!(
        got,
        [
            want("not-granted", "no grant"),
            want("budget-exhausted", "this call may need 900 tokens"),
            want("timeout", "30s"),
            want("unparsable", "Pin the snapshot."),
            want("unparsable", r#"{"fix": ""}"#),
        ]
    );
    assert!(out.iter().flatten().all(|v| v.passed && v.score.is_none()));
}

#[test]
fn a_row_without_a_shape_is_refused_and_one_without_a_description_is_not_sent() {
    let mut j = judge(&[], Vec::new());
    let bare = row(None, &[]);
    assert!(matches!(j.judge_row(0, &bare), Err(JudgeError::InvalidInput(m)) if m.contains("cluster.shape")));
    let silent = row(None, &[(SHAPE_KEY, SHAPE)]);
    let v = summary(&j.judge_row(0, &silent));
    assert_eq!(v.0, "fallback:no-description");
    assert!(j.chat.requests.is_empty());
}

#[test]
fn config_and_manifest() {
    assert!(ClusterExplain::with_chat(&cfg(&[("max-tokens", "0")]), HostChat).is_err());
    assert!(ClusterExplain::with_chat(&cfg(&[("max-tokens", "x")]), HostChat).is_err());
    let d = ClusterExplain::<HostChat>::describe();
    assert!(d.scores && !d.aggregates && !d.quality);
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
    assert!(manifest.contains("component = \"cluster_explain.wasm\""));
}
