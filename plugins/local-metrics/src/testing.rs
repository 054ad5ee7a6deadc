//! Builders and assertions for the judges' native golden tests. Test-only in
//! spirit: nothing in a judge's scoring path calls it, so release components do
//! not keep it.

use assay_judge_sdk::{
    Config, Descriptor, JudgeError, Observation, Report, Row, RowFlags, RowStatus, SlimVerdict, Usage, Verdict,
};

/// A config from literal pairs.
pub fn cfg(pairs: &[(&str, &str)]) -> Config {
    Config::new(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

/// A completed row with `response` and `metadata`.
pub fn row(response: Option<&str>, metadata: &[(&str, &str)]) -> Row {
    Row {
        id: "row-1".into(),
        index: 0,
        segment: 0,
        provider: "openai".into(),
        model: "gpt-4o-mini".into(),
        snapshot: None,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        attempt: 1,
        prompt: Vec::new(),
        response: response.map(str::to_string),
        finish_reason: Some("stop".into()),
        usage: Usage {
            input_tokens: 0,
            output_tokens: 0,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
        },
        error_code: None,
        error_message: None,
        metadata: metadata.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

/// An observation of `segment` with this judge's `(passed, score)`, if it scored.
pub fn observation(segment: u32, verdict: Option<(bool, f64)>) -> Observation {
    let zero = Usage {
        input_tokens: 0,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
    };
    Observation {
        index: 0,
        segment,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        model: 0,
        snapshot: None,
        attempt: 1,
        usage: zero,
        retry_usage: zero,
        verdict: verdict.map(|(passed, score)| SlimVerdict {
            score: Some(score),
            label: None,
            passed,
        }),
        validated: verdict.map(|(passed, _)| passed),
    }
}

/// The value of metric `name` for `segment` (`None`: run-wide).
pub fn metric(report: &Report, name: &str, segment: Option<u32>) -> Option<f64> {
    report
        .metrics
        .iter()
        .find(|m| m.name == name && m.segment == segment)
        .map(|m| m.value)
}

/// What a golden case expects of a verdict.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    pub passed: bool,
    pub score: f64,
    pub label: Option<&'static str>,
}

/// A pass with `score`.
pub const fn pass(score: f64) -> Expect {
    Expect {
        passed: true,
        score,
        label: None,
    }
}

/// A failure with `label` and `score`.
pub const fn fail(label: &'static str, score: f64) -> Expect {
    Expect {
        passed: false,
        score,
        label: Some(label),
    }
}

/// Asserts `got` is a verdict matching `want` (score to 1e-9) within the host's caps.
pub fn assert_verdict(case: &str, got: &Result<Verdict, JudgeError>, want: Expect) {
    let v = match got {
        Ok(v) => v,
        Err(e) => panic!("{case}: expected a verdict, got {e:?}"),
    };
    assert_eq!(v.passed, want.passed, "{case}: passed ({v:?})");
    assert_eq!(v.label.as_deref(), want.label, "{case}: label ({v:?})");
    let score = v.score.unwrap_or(f64::NAN);
    assert!(
        score.is_finite() && (0.0..=1.0).contains(&score),
        "{case}: score {score}"
    );
    assert!(
        (score - want.score).abs() <= 1e-9,
        "{case}: score {score}, want {}",
        want.score
    );
    assert!(
        v.label.as_ref().is_none_or(|l| l.len() <= 128),
        "{case}: label too long"
    );
    assert!(
        v.details.as_ref().is_none_or(|d| d.len() <= crate::MAX_DETAILS),
        "{case}: details too long"
    );
}

/// Asserts `got` is `InvalidInput(message)`.
pub fn assert_invalid_input(case: &str, got: &Result<Verdict, JudgeError>, message: &str) {
    match got {
        Err(JudgeError::InvalidInput(m)) => assert_eq!(m, message, "{case}"),
        other => panic!("{case}: expected InvalidInput, got {other:?}"),
    }
}

/// Asserts a config error whose message contains `needle`.
pub fn assert_config_error<T>(case: &str, got: Result<T, JudgeError>, needle: &str) {
    match got {
        Err(JudgeError::Config(m)) => assert!(m.contains(needle), "{case}: {m}"),
        Err(e) => panic!("{case}: expected a config error, got {e:?}"),
        Ok(_) => panic!("{case}: expected a config error, got Ok"),
    }
}

/// Checks `desc` against the judge's `judge.toml` text: name, version,
/// description, wit, component `<lib>.wasm`, the `[config]` keys, and that the
/// judge is a quality scorer with an aggregator.
pub fn check_manifest(desc: &Descriptor, manifest: &str, lib: &str) {
    let top = |key: &str| -> Option<String> {
        manifest
            .lines()
            .take_while(|l| !l.trim_start().starts_with('['))
            .find_map(|l| value_of(l, key))
    };
    assert_eq!(top("name").as_deref(), Some(desc.name.as_str()), "name");
    assert_eq!(top("version").as_deref(), Some(desc.version.as_str()), "version");
    assert_eq!(top("version").as_deref(), Some("0.1.0"), "version");
    assert_eq!(
        top("description").as_deref(),
        Some(desc.description.as_str()),
        "description"
    );
    assert_eq!(top("wit").as_deref(), Some("assay:judge@0.2.0"), "wit");
    assert_eq!(top("component"), Some(format!("{lib}.wasm")), "component");
    assert!(desc.scores && desc.quality && desc.aggregates, "capabilities: {desc:?}");
    let mut in_config = false;
    let mut keys = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_config = line.starts_with("[config]");
            continue;
        }
        if in_config && let Some((k, _)) = line.split_once('=') {
            let help = value_of(line, k.trim()).unwrap_or_default();
            keys.push((k.trim().to_string(), help));
        }
    }
    let mut described = desc.config_keys.clone();
    keys.sort();
    described.sort();
    assert_eq!(keys, described, "[config] keys and help versus describe()");
}

fn value_of(line: &str, key: &str) -> Option<String> {
    let (k, v) = line.split_once('=')?;
    if k.trim() != key {
        return None;
    }
    let v = v.trim();
    let v = v.strip_prefix('"')?;
    Some(v[..v.find('"')?].to_string())
}
