//! The Anthropic client against the emulator on 127.0.0.1: the whole
//! Message Batch cycle read back with assay's own Anthropic readers, and
//! each HTTP fault handled as the retry policy says.

use std::time::{Duration, Instant};

use assay_batch::{ProviderOptions, Status};
use assay_emulate::{Profile, Running, start};
use assay_provider::{Anthropic, ApiKey, MessageBatchView, ProviderError, RetryPolicy};
use serde_json::json;

const KEY: &str = "sk-ant-test-0123456789abcdef";

async fn setup(profile: &str) -> (Running, Anthropic, tempfile::TempDir) {
    let e = start(0, 3, Profile::parse(profile).unwrap()).await.unwrap();
    let mut c = Anthropic::new(&format!("http://{}", e.addr), ApiKey::new(KEY)).unwrap();
    c.retry = RetryPolicy {
        max_attempts: 4,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        retry_after_cap: Duration::from_secs(5),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for i in 0..8 {
        input.push_str(&json!({"custom_id": format!("r{i}"), "params": {"model": "claude-emu", "max_tokens": 64,
            "messages": [{"role": "user", "content": format!("q{i}")}], "metadata": {"reference": format!("answer {i}")}}}).to_string());
        input.push('\n');
    }
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    (e, c, dir)
}

async fn run_batch(c: &Anthropic, dir: &std::path::Path) -> MessageBatchView {
    let b = c.create_batch(&dir.join("in.jsonl")).await.unwrap();
    let v = MessageBatchView::of(&b).unwrap();
    assert_eq!((v.processing_status.as_str(), v.processing), ("in_progress", 8));
    loop {
        let v = MessageBatchView::of(&c.batch(&v.id).await.unwrap()).unwrap();
        if v.terminal() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn create_poll_and_download_a_batch_whose_results_the_eval_reader_classifies_as_the_counts_say() {
    let (_e, c, dir) = setup(
        "server_error_rows = [1]\nrate_limit_rows = [2]\ninvalid_rows = [3]\ncontent_filter_rows = [4]\nexpire_from = 7\nshuffle = true\nrotate_at = 5\nprocess_ms = 100\n",
    )
    .await;
    let v = run_batch(&c, dir.path()).await;
    assert_eq!(
        (v.succeeded, v.errored, v.canceled, v.expired, v.processing),
        (4, 3, 0, 1, 0)
    );
    let obj = c.batch(&v.id).await.unwrap();
    let parsed = assay_batch::anthropic::parse_batch_object(obj.to_string().as_bytes()).unwrap();
    assert_eq!((parsed.total, parsed.failed), (Some(8), Some(4)));
    assert!(obj["created_at"].as_str().unwrap().ends_with('Z'), "{obj}");
    let out = dir.path().join("results.jsonl");
    c.download_results(v.results_url.as_deref().unwrap(), &out)
        .await
        .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let opts = ProviderOptions::default();
    let mut got: Vec<(String, Status, Option<String>)> = text
        .lines()
        .map(|l| {
            let r = assay_batch::anthropic::parse_result_line(l.as_bytes(), &opts).unwrap();
            (
                r.custom_id.into_owned(),
                r.outcome.status,
                r.outcome.model.map(|m| m.into_owned()),
            )
        })
        .collect();
    let order: Vec<String> = got.iter().map(|g| g.0.clone()).collect();
    got.sort();
    let statuses: Vec<Status> = got.iter().map(|g| g.1).collect();
    use Status::*;
    assert_eq!(
        statuses,
        [
            Completed,
            ProviderError,
            ProviderError,
            ProviderError,
            ContentFilter,
            Completed,
            Completed,
            Expired
        ]
    );
    assert_ne!(order, ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"], "shuffled");
    assert_eq!(got[0].2.as_deref(), Some("claude-emu"));
    assert_eq!(got[5].2.as_deref(), Some("claude-emu-rotated"));
    let m = c
        .message(&json!({"model": "claude-emu", "max_tokens": 16, "messages": [{"role": "user", "content": "hi"}]}))
        .await
        .unwrap();
    assert_eq!(
        (m["type"].as_str(), m["role"].as_str()),
        (Some("message"), Some("assistant"))
    );
}

#[tokio::test]
async fn a_canceled_batch_ends_with_canceled_results_and_a_lost_create_is_found_after_the_mark() {
    let (_e, c, dir) = setup("process_ms = 60000\n").await;
    let mark = c.newest_batch_id().await.unwrap();
    assert_eq!(mark, None);
    let b = c.create_batch(&dir.path().join("in.jsonl")).await.unwrap();
    let mark = c.newest_batch_id().await.unwrap();
    let b2 = c.create_batch(&dir.path().join("in.jsonl")).await.unwrap();
    let since = c.batches_since(mark.as_deref(), 2).await.unwrap();
    assert_eq!(since.len(), 1);
    assert_eq!(since[0]["id"], b2["id"]);
    let id = b["id"].as_str().unwrap();
    assert_eq!(c.cancel_batch(id).await.unwrap()["processing_status"], "canceling");
    let v = MessageBatchView::of(&c.batch(id).await.unwrap()).unwrap();
    assert_eq!((v.processing_status.as_str(), v.canceled), ("ended", 8));
}

#[tokio::test]
async fn a_429_waits_its_retry_after_and_a_529_is_retried() {
    let (_e, c, _dir) =
        setup("[[http]]\nroute = \"GET /v1/messages/batches\"\nstatus = 429\nretry_after = \"1\"\n").await;
    let t = Instant::now();
    c.list_batches(10, None).await.unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
    let (_e, c, _dir) = setup("[[http]]\nroute = \"POST /v1/messages\"\nstatus = 529\ntimes = 2\n").await;
    c.message(&json!({"model": "m", "max_tokens": 8, "messages": []}))
        .await
        .unwrap();
    let (_e, c, _dir) = setup("[[http]]\nroute = \"POST /v1/messages\"\nstatus = 529\ntimes = 0\n").await;
    match c.message(&json!({"model": "m", "max_tokens": 8, "messages": []})).await {
        Err(ProviderError::Exhausted {
            status: 529,
            attempts: 4,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn refusals_are_not_retried_and_never_show_the_key() {
    let (_e, c, dir) = setup("api_key = \"sk-ant-the-right-one\"").await;
    let e = c.list_batches(10, None).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(matches!(e, ProviderError::Refused { status: 401, .. }), "{text}");
    assert!(text.contains("API key") && !text.contains(KEY), "{text}");
    let e = c.create_batch(&dir.path().join("in.jsonl")).await.unwrap_err();
    assert!(!format!("{e} {e:?}").contains(KEY));
    let (_e, c, _dir) = setup("").await;
    let e = c.message(&json!({"model": "m", "messages": []})).await.unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 400, .. }), "{e}");
    assert!(e.to_string().contains("max_tokens"), "{e}");
}

/// Anthropic answers a spent monthly limit with a 429 `rate_limit_error`
/// whose message names the spend limit: not retried (it will not pass by
/// waiting), refused at once with the quota hint; a plain rate limit still is.
#[tokio::test]
async fn a_spend_limit_429_is_not_retried() {
    let (_e, c, _dir) = setup(
        "[[http]]\nroute = \"GET /v1/messages/batches\"\nstatus = 429\nmessage = \"This request would exceed your account's monthly spend limit. Please try again later.\"\ntimes = 0\n",
    )
    .await;
    let t = Instant::now();
    let e = c.list_batches(10, None).await.unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 429, .. }), "{e}");
    assert!(
        e.to_string().contains("spend limit") && t.elapsed() < Duration::from_millis(200),
        "{e} after {:?}",
        t.elapsed()
    );
    assert!(!format!("{e} {e:?}").contains(KEY));
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/messages/batches\"\nstatus = 429\ntimes = 0\n").await;
    let e = c.list_batches(10, None).await.unwrap_err();
    assert!(
        matches!(
            e,
            ProviderError::Exhausted {
                status: 429,
                attempts: 4,
                ..
            }
        ),
        "{e}"
    );
}

#[tokio::test]
async fn a_results_download_cut_mid_stream_is_retried_and_lands_whole() {
    let (_e, c, dir) =
        setup("process_ms = 50\n[[http]]\nroute = \"GET /v1/messages/batches/*/results\"\nreset_after_bytes = 30\n")
            .await;
    let v = run_batch(&c, dir.path()).await;
    let out = dir.path().join("results.jsonl");
    c.download_results(v.results_url.as_deref().unwrap(), &out)
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 8);
}

#[tokio::test]
async fn a_slow_answer_hits_the_read_timeout_and_is_retried() {
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/messages/batches\"\ndelay_ms = 1500\n").await;
    let c = c
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .unwrap();
    let t = Instant::now();
    c.list_batches(10, None).await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(1400), "{:?}", t.elapsed());
}
