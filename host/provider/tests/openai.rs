//! The OpenAI client against the emulator on 127.0.0.1: the whole batch
//! cycle, and each HTTP fault handled as the retry policy says.

use std::time::{Duration, Instant};

use assay_emulate::{Profile, Running, start};
use assay_provider::{ApiKey, BatchView, OpenAi, ProviderError, RetryPolicy};
use serde_json::json;

const KEY: &str = "sk-test-0123456789abcdef";

async fn setup(profile: &str) -> (Running, OpenAi, tempfile::TempDir) {
    let e = start(0, 3, Profile::parse(profile).unwrap()).await.unwrap();
    let mut c = OpenAi::new(&e.base_url(), ApiKey::new(KEY)).unwrap();
    c.retry = RetryPolicy {
        max_attempts: 4,
        base: Duration::from_millis(10),
        cap: Duration::from_millis(50),
        retry_after_cap: Duration::from_secs(5),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for i in 0..6 {
        input.push_str(&json!({"custom_id": format!("r{i}"), "method": "POST", "url": "/v1/chat/completions", "body": {"model": "m", "messages": [{"role": "user", "content": format!("q{i}")}]}}).to_string());
        input.push('\n');
    }
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    (e, c, dir)
}

async fn run_batch(c: &OpenAi, dir: &std::path::Path) -> BatchView {
    let f = c.upload(&dir.join("in.jsonl")).await.unwrap();
    let b = c
        .create_batch(f["id"].as_str().unwrap(), &json!({"assay_job": "j1"}))
        .await
        .unwrap();
    let id = BatchView::of(&b).unwrap().id;
    loop {
        let v = BatchView::of(&c.batch(&id).await.unwrap()).unwrap();
        if v.terminal() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn upload_create_poll_and_download_complete_a_batch_with_files_matching_the_counts() {
    let (_e, c, dir) = setup("server_error_rows = [2]").await;
    let v = run_batch(&c, dir.path()).await;
    assert_eq!(
        (v.status.as_str(), v.total, v.completed, v.failed),
        ("completed", 6, 5, 1)
    );
    let out = dir.path().join("out.jsonl");
    let err = dir.path().join("err.jsonl");
    c.download(v.output_file_id.as_deref().unwrap(), &out).await.unwrap();
    c.download(v.error_file_id.as_deref().unwrap(), &err).await.unwrap();
    assert_eq!(std::fs::read_to_string(out).unwrap().lines().count(), 5);
    assert_eq!(std::fs::read_to_string(err).unwrap().lines().count(), 1);
    let found = c.find_batch("assay_job", "j1", 2).await.unwrap().unwrap();
    assert_eq!(found["id"], json!(v.id));
    let chat = c
        .chat(&json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
        .await
        .unwrap();
    assert_eq!(chat["object"], "chat.completion");
}

#[tokio::test]
async fn a_429_waits_the_retry_after_seconds_then_succeeds() {
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/batches\"\nstatus = 429\nretry_after = \"1\"\n").await;
    let t = Instant::now();
    c.list_batches(10, None).await.unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
}

#[tokio::test]
async fn server_errors_are_retried_until_they_pass_and_reported_when_they_never_do() {
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/batches\"\nstatus = 503\ntimes = 3\n").await;
    c.list_batches(10, None).await.unwrap();
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/batches\"\nstatus = 500\ntimes = 0\n").await;
    match c.list_batches(10, None).await {
        Err(ProviderError::Exhausted {
            status: 500,
            attempts: 4,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_quota_429_and_refusals_are_not_retried_and_say_what_to_do_without_the_key() {
    let (_e, c, _dir) = setup("api_key = \"sk-the-right-one\"").await;
    let e = c.list_batches(10, None).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(matches!(e, ProviderError::Refused { status: 401, .. }), "{text}");
    assert!(text.contains("API key") && !text.contains(KEY), "{text}");
    let (_e, c, _dir) =
        setup("[[http]]\nroute = \"GET /v1/batches\"\nstatus = 429\ncode = \"insufficient_quota\"\ntimes = 0\n").await;
    let t = Instant::now();
    let e = c.list_batches(10, None).await.unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 429, .. }), "{e}");
    assert!(
        e.to_string().contains("quota") && t.elapsed() < Duration::from_millis(200),
        "{e}"
    );
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/batches\"\nstatus = 403\ntimes = 0\n").await;
    let t = Instant::now();
    let e = c.list_batches(10, None).await.unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 403, .. }), "{e}");
    assert!(
        e.to_string().contains("permissions")
            && !format!("{e} {e:?}").contains(KEY)
            && t.elapsed() < Duration::from_millis(200),
        "{e}"
    );
    let (_e, c, _dir) = setup("").await;
    let e = c.batch("batch_nope").await.unwrap_err();
    assert!(matches!(e, ProviderError::Refused { status: 404, .. }), "{e}");
    assert!(e.to_string().contains("base URL"), "{e}");
}

#[tokio::test]
async fn a_download_cut_mid_stream_is_retried_and_a_file_always_cut_never_lands() {
    let (_e, c, dir) = setup("[[http]]\nroute = \"GET /v1/files/*/content\"\nreset_after_bytes = 20\n").await;
    let v = run_batch(&c, dir.path()).await;
    let out = dir.path().join("out.jsonl");
    let n = c.download(v.output_file_id.as_deref().unwrap(), &out).await.unwrap();
    assert_eq!(std::fs::metadata(&out).unwrap().len(), n);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 6);

    let (_e, c, dir) =
        setup("[[http]]\nroute = \"GET /v1/files/*/content\"\nreset_after_bytes = 20\ntimes = 0\n").await;
    let v = run_batch(&c, dir.path()).await;
    let out = dir.path().join("out.jsonl");
    match c.download(v.output_file_id.as_deref().unwrap(), &out).await {
        Err(ProviderError::Truncated { got: 20, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(!out.exists());
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("in.jsonl")],
        "no partial file is left behind"
    );
}

#[tokio::test]
async fn a_slow_answer_hits_the_read_timeout_and_is_retried() {
    let (_e, c, _dir) = setup("[[http]]\nroute = \"GET /v1/batches\"\ndelay_ms = 1500\n").await;
    let c = c
        .with_timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .unwrap();
    let t = Instant::now();
    c.list_batches(10, None).await.unwrap();
    assert!(t.elapsed() < Duration::from_millis(1400), "{:?}", t.elapsed());
}
