//! End-to-end tests of the aggregator through the `Judge` trait (no component).

use super::*;

const PRICES: &str = r#"{"batch_discount": 0.5, "models": {
    "gpt-4o-mini": {"input": 0.15, "output": 0.60},
    "gpt-4o": {"input": 2.50, "output": 10.00, "cached_input": 1.25}
}}"#;

/// The model names the tests' observations index into.
pub(crate) const MODELS: [&str; 9] = [
    "",
    "(other)",
    "gpt-4o-mini-2024-07-18",
    "gpt-4o",
    "gpt-4o-mini",
    "mystery-1",
    "anthropic.claude-3-5-haiku-20241022-v1:0",
    "claude-sonnet-4-20250514",
    "publishers/google/models/gemini-2.0-flash-001",
];

fn model_index(name: &str) -> u32 {
    MODELS
        .iter()
        .position(|m| *m == name)
        .map_or(MODELS.len() as u32, |i| i as u32)
}

pub(crate) fn started(j: CostPerRow) -> CostPerRow {
    started_as(j, "openai")
}

/// Begins a run of `provider` whose models are [`MODELS`] and `mystery-2`.
pub(crate) fn started_as(mut j: CostPerRow, provider: &str) -> CostPerRow {
    let info = RunInfo {
        rows_submitted: 10,
        segment_size: 5,
        provider: provider.into(),
        models: MODELS
            .iter()
            .map(|m| m.to_string())
            .chain(["mystery-2".to_string()])
            .collect(),
        snapshots: vec![String::new()],
    };
    if let Err(e) = j.begin(&info) {
        panic!("begin failed: {e:?}");
    }
    j
}

pub(crate) fn judge(extra: &[(&str, &str)]) -> CostPerRow {
    let mut pairs = vec![("prices".to_string(), PRICES.to_string())];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    match CostPerRow::init(Config::new(pairs)) {
        Ok(j) => started(j),
        Err(e) => panic!("init failed: {e:?}"),
    }
}

pub(crate) fn usage(input: u64, cached: u64, output: u64) -> Usage {
    usage_w(input, cached, 0, output)
}

pub(crate) fn usage_w(input: u64, cached: u64, write: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cached_input_tokens: cached,
        cache_write_tokens: write,
        reasoning_tokens: output / 2,
    }
}

pub(crate) fn obs(segment: u32, model: &str, u: Usage, retry: Usage, validated: Option<bool>) -> Observation {
    Observation {
        index: 0,
        segment,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        model: model_index(model),
        snapshot: None,
        attempt: 1,
        usage: u,
        retry_usage: retry,
        verdict: None,
        validated,
    }
}

pub(crate) fn metric(r: &Report, name: &str, seg: Option<u32>) -> Option<f64> {
    r.metrics
        .iter()
        .find(|m| m.name == name && m.segment == seg)
        .map(|m| m.value)
}

pub(crate) fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

/// The alarm kinds, without the `price-table` note every report carries.
pub(crate) fn alarm_kinds(r: &Report) -> Vec<&str> {
    r.alarms
        .iter()
        .map(|a| a.kind.as_str())
        .filter(|k| *k != "price-table")
        .collect()
}

pub(crate) fn alarm<'a>(r: &'a Report, kind: &str) -> Vec<&'a str> {
    r.alarms
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| a.message.as_str())
        .collect()
}

#[test]
fn totals_retries_segments_and_validated() {
    let mut j = judge(&[]);
    let zero = usage(0, 0, 0);
    // (1000*0.15 + 200*0.60) * 0.5 / 1e6 = 135e-6, via the dated name.
    j.observe(&obs(0, "gpt-4o-mini-2024-07-18", usage(1000, 0, 200), zero, Some(true)));
    // (600*2.5 + 400*1.25 + 100*10) * 0.5 / 1e6 = 1500e-6; retry (1000*2.5)*0.5/1e6 = 1250e-6.
    j.observe(&obs(1, "gpt-4o", usage(1000, 400, 100), usage(1000, 0, 0), Some(false)));
    let r = j.finish().unwrap_or_default();
    assert!(close(metric(&r, "batch_cost_usd", None), 1635e-6));
    assert!(close(metric(&r, "retry_cost_usd", None), 1250e-6));
    assert!(close(metric(&r, "total_cost_usd", None), 2885e-6));
    assert!(close(metric(&r, "segment_cost_usd", Some(1)), 2750e-6));
    assert!(close(metric(&r, "cost_per_completed_row_usd", None), 2885e-6 / 2.0));
    assert!(close(metric(&r, "cost_per_validated_row_usd", None), 2885e-6));
    assert_eq!(metric(&r, "input_tokens", None), Some(2000.0));
    assert_eq!(metric(&r, "cached_input_tokens", None), Some(400.0));
    assert_eq!(metric(&r, "output_tokens", None), Some(300.0));
    assert_eq!(metric(&r, "validated_rows", None), Some(1.0));
    // The dated name fell back to its alias: reported.
    assert_eq!(alarm_kinds(&r), ["price-fallback"], "{:?}", r.alarms);
}

#[test]
fn discount_override() {
    let mut j = judge(&[("batch-discount", "1.0")]);
    j.observe(&obs(0, "gpt-4o-mini", usage(1000, 0, 200), usage(0, 0, 0), None));
    let r = j.finish().unwrap_or_default();
    assert!(close(metric(&r, "total_cost_usd", None), 270e-6));
    // No quality judge ran: no per-validated-row metric and no alarm.
    assert_eq!(metric(&r, "cost_per_validated_row_usd", None), None);
    assert!(alarm_kinds(&r).is_empty());
    let bad = vec![
        ("prices".into(), PRICES.into()),
        ("batch-discount".into(), "half".into()),
    ];
    assert!(matches!(CostPerRow::init(Config::new(bad)), Err(JudgeError::Config(_))));
    let broken = vec![("prices".into(), "{not json".into())];
    assert!(matches!(
        CostPerRow::init(Config::new(broken)),
        Err(JudgeError::Config(_))
    ));
}

pub(crate) fn built_in_unstarted() -> CostPerRow {
    match CostPerRow::init(Config::new(Vec::new())) {
        Ok(j) => j,
        Err(e) => panic!("the default table must parse: {e:?}"),
    }
}

pub(crate) fn built_in() -> CostPerRow {
    started(built_in_unstarted())
}

#[test]
fn built_in_table_prices_without_config() {
    let mut j = built_in();
    j.observe(&obs(
        0,
        "gpt-4o-mini-2024-07-18",
        usage(1_000_000, 0, 1_000_000),
        usage(0, 0, 0),
        None,
    ));
    let r = match j.finish() {
        Ok(r) => r,
        Err(e) => panic!("finish failed: {e:?}"),
    };
    // (0.15 + 0.60) × 0.5 batch discount
    assert!(close(metric(&r, "batch_cost_usd", None), 0.375));
    assert_eq!(metric(&r, "unpriced_rows", None), Some(0.0));
}

fn row(metadata: &[(&str, &str)]) -> Row {
    Row {
        id: "r1".into(),
        index: 0,
        segment: 0,
        provider: "openai".into(),
        model: "gpt-4o-mini".into(),
        snapshot: None,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        attempt: 1,
        prompt: Vec::new(),
        response: Some("{}".into()),
        finish_reason: Some("stop".into()),
        usage: usage(0, 0, 0),
        error_code: None,
        error_message: None,
        metadata: metadata.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

#[test]
fn scorer_labels_only_rows_the_host_marks_as_sync_retries() {
    let mut j = judge(&[]);
    let label = |j: &mut CostPerRow, m: &[(&str, &str)]| match j.score(&row(m)) {
        Ok(v) => {
            assert!(v.passed);
            v.label
        }
        Err(e) => panic!("score failed: {e:?}"),
    };
    assert_eq!(label(&mut j, &[(CHANNEL_KEY, "sync")]), Some(SYNC_LABEL.to_string()));
    assert_eq!(label(&mut j, &[]), None);
    assert_eq!(label(&mut j, &[(CHANNEL_KEY, "batch")]), None);
    // A request's own metadata cannot pose as the channel under another key.
    assert_eq!(
        label(&mut j, &[("channel", "sync"), ("assay.sync.status", "completed")]),
        None
    );
}

fn synced(mut o: Observation) -> Observation {
    o.flags = RowFlags::RETRIED;
    o.attempt = 2;
    o.verdict = Some(SlimVerdict {
        score: None,
        label: Some(SYNC_LABEL.into()),
        passed: true,
    });
    o
}

#[test]
fn sync_retries_pay_the_sync_price_and_count_in_the_unit_cost() {
    let mut j = judge(&[]);
    let zero = usage(0, 0, 0);
    // Batch row: (1000*0.15 + 200*0.60) * 0.5 / 1e6 = 135e-6.
    j.observe(&obs(0, "gpt-4o-mini", usage(1000, 0, 200), zero, Some(true)));
    // Recovered on the sync API: the same tokens at the list price, 270e-6; its failed
    // batch attempt billed 500 input tokens at the batch price, 37.5e-6.
    j.observe(&synced(obs(
        0,
        "gpt-4o-mini",
        usage(1000, 0, 200),
        usage(500, 0, 0),
        Some(true),
    )));
    // A sync label on a row that did not complete prices nothing as sync.
    let mut failed = synced(obs(1, "gpt-4o-mini", zero, usage(100, 0, 0), None));
    failed.status = RowStatus::ProviderError;
    j.observe(&failed);
    let r = j.finish().unwrap_or_default();
    assert!(close(metric(&r, "batch_cost_usd", None), 135e-6));
    assert!(close(metric(&r, "sync_retry_cost_usd", None), 270e-6));
    assert!(close(metric(&r, "retry_cost_usd", None), 37.5e-6 + 7.5e-6));
    let total = 135e-6 + 270e-6 + 45e-6;
    assert!(close(metric(&r, "total_cost_usd", None), total));
    assert_eq!(metric(&r, "sync_retry_rows", None), Some(1.0));
    assert_eq!(metric(&r, "completed_rows", None), Some(2.0));
    // (batch cost + sync retry cost, with every retry) / completed validated rows.
    assert!(close(metric(&r, "cost_per_validated_row_usd", None), total / 2.0));
    assert!(close(
        metric(&r, "segment_cost_usd", Some(0)),
        135e-6 + 270e-6 + 37.5e-6
    ));
}

#[test]
fn without_sync_results_the_judge_stops_scoring_and_asking_for_metadata() {
    let off = judge(&[(crate::SYNC_RESULTS_KEY, "false")]).refine(crate::CostPerRow::describe());
    assert!(!off.scores && off.aggregates);
    assert!(off.needs.is_empty());
    let on = judge(&[(crate::SYNC_RESULTS_KEY, "true")]).refine(crate::CostPerRow::describe());
    assert!(on.scores && on.needs.contains(Needs::METADATA));
    // Without the host's word (an older host, `assay judge test`) it scores, to be safe.
    assert!(judge(&[]).refine(crate::CostPerRow::describe()).scores);
}
