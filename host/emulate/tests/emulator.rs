//! The emulator end to end over real HTTP on 127.0.0.1: its files read with
//! assay's own OpenAI parser, its counts agreeing with its files, and each
//! profile fault showing where it should.

use std::collections::BTreeMap;
use std::time::Duration;

use assay_batch::Status;
use assay_emulate::{Profile, start};
use serde_json::{Value, json};

const KEY: &str = "sk-emulator-test";

fn input(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        let line = json!({"custom_id": format!("r{i}"), "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": format!("question {i}")}],
                     "metadata": {"reference": format!("answer {i}")}}});
        s.push_str(&line.to_string());
        s.push('\n');
    }
    s.into_bytes()
}

fn multipart(data: &[u8]) -> (String, Vec<u8>) {
    let b = "emutestboundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(KEY);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send().await.unwrap()
    }

    async fn submit(&self, n: usize) -> String {
        let (ct, body) = multipart(&input(n));
        let f: Value = self
            .http
            .post(format!("{}/files", self.base))
            .bearer_auth(KEY)
            .header("content-type", ct)
            .body(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(f["purpose"], "batch");
        let b: Value = self
            .call(
                reqwest::Method::POST,
                "/batches",
                Some(json!({"input_file_id": f["id"], "endpoint": "/v1/chat/completions", "completion_window": "24h"})),
            )
            .await
            .json()
            .await
            .unwrap();
        b["id"].as_str().unwrap().to_owned()
    }

    async fn wait(&self, id: &str) -> Value {
        for _ in 0..200 {
            let b: Value = self
                .call(reqwest::Method::GET, &format!("/batches/{id}"), None)
                .await
                .json()
                .await
                .unwrap();
            if ["completed", "expired", "cancelled", "failed"].contains(&b["status"].as_str().unwrap()) {
                return b;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("batch {id} never ended");
    }

    async fn content(&self, file: &Value) -> String {
        let r = self
            .call(
                reqwest::Method::GET,
                &format!("/files/{}/content", file.as_str().unwrap()),
                None,
            )
            .await;
        assert!(r.status().is_success());
        r.text().await.unwrap()
    }
}

async fn emulator(profile: Profile) -> (assay_emulate::Running, Api) {
    let running = start(0, 42, profile).await.unwrap();
    let api = Api {
        base: running.base_url(),
        http: reqwest::Client::new(),
    };
    (running, api)
}

/// custom_id → statuses of its lines, read with assay's OpenAI parser.
fn read(text: &str) -> BTreeMap<String, Vec<Status>> {
    let mut m: BTreeMap<String, Vec<Status>> = BTreeMap::new();
    for l in text.lines() {
        let r = assay_batch::openai::parse_result_line(l.as_bytes()).unwrap();
        m.entry(r.custom_id.into_owned()).or_default().push(r.outcome.status);
    }
    m
}

#[tokio::test]
async fn a_healthy_batch_completes_with_files_assay_reads_and_counts_that_agree() {
    let (_e, api) = emulator(Profile::default()).await;
    let id = api.submit(12).await;
    let b = api.wait(&id).await;
    assert_eq!(b["status"], "completed");
    assert_eq!(b["request_counts"], json!({"total": 12, "completed": 12, "failed": 0}));
    let out = read(&api.content(&b["output_file_id"]).await);
    assert_eq!(out.len(), 12);
    assert!(out.values().all(|v| v == &[Status::Completed]));
    assert_eq!(api.content(&b["error_file_id"]).await, "");
}

#[tokio::test]
async fn row_faults_land_in_the_right_file_with_the_right_status() {
    let profile = Profile::parse(
        "server_error_rows = [1]\nrate_limit_rows = [2]\ncontent_filter_rows = [3]\nmissing_rows = [4]\nduplicate_rows = [0]\nexpire_from = 8\nshuffle = true\nrotate_at = 5\nprocess_ms = 100",
    )
    .unwrap();
    let (_e, api) = emulator(profile).await;
    let id = api.submit(10).await;
    let b = api.wait(&id).await;
    assert_eq!(b["status"], "expired");
    // The provider believes it answered row 4 (dropped from the file): 6 completed.
    assert_eq!(b["request_counts"], json!({"total": 10, "completed": 6, "failed": 4}));
    let out_text = api.content(&b["output_file_id"]).await;
    let out = read(&out_text);
    let err = read(&api.content(&b["error_file_id"]).await);
    assert_eq!(out["r0"], [Status::Completed, Status::Completed]);
    assert_eq!(out["r3"], [Status::ContentFilter]);
    assert!(!out.contains_key("r4") && !err.contains_key("r4"));
    assert_eq!(err["r1"], [Status::ProviderError]);
    assert_eq!(err["r2"], [Status::ProviderError]);
    assert_eq!(err["r8"], [Status::Expired]);
    assert_eq!(err["r9"], [Status::Expired]);
    let models: Vec<String> = out_text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["response"]["body"]["model"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(models.contains(&"gpt-4o-mini".to_owned()) && models.contains(&"gpt-4o-mini-rotated".to_owned()));
    let order: Vec<&str> = out_text
        .lines()
        .map(|l| l.split("\"custom_id\":\"").nth(1).unwrap().split('"').next().unwrap())
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|s| s[1..].parse::<u32>().unwrap());
    assert_ne!(order, sorted, "shuffle = true leaves the output in input order");
}

#[tokio::test]
async fn a_cancelled_batch_marks_unprocessed_rows_batch_cancelled() {
    let (_e, api) = emulator(Profile::parse("process_ms = 60000").unwrap()).await;
    let id = api.submit(5).await;
    let c: Value = api
        .call(reqwest::Method::POST, &format!("/batches/{id}/cancel"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["status"], "cancelling");
    let b = api.wait(&id).await;
    assert_eq!(b["status"], "cancelled");
    let err = read(&api.content(&b["error_file_id"]).await);
    assert_eq!(err.len(), 5);
    assert!(err.values().all(|v| v == &[Status::Canceled]));
}

#[tokio::test]
async fn http_faults_answer_429_with_retry_after_then_pass_and_a_reset_cuts_the_download() {
    let profile = Profile::parse(
        "[[http]]\nroute = \"POST /v1/batches\"\nstatus = 429\nretry_after = \"2\"\n[[http]]\nroute = \"GET /v1/files/*/content\"\nreset_after_bytes = 10\n",
    )
    .unwrap();
    let (_e, api) = emulator(profile).await;
    let first = api.call(reqwest::Method::POST, "/batches", Some(json!({}))).await;
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "2");
    let id = api.submit(3).await;
    let b = api.wait(&id).await;
    let url = format!("{}/files/{}/content", api.base, b["output_file_id"].as_str().unwrap());
    let cut = api.http.get(&url).bearer_auth(KEY).send().await.unwrap();
    let announced = cut.content_length().unwrap();
    assert!(announced > 10);
    assert!(cut.bytes().await.is_err(), "a cut body must not end cleanly");
    assert_eq!(read(&api.content(&b["output_file_id"]).await).len(), 3);
}

#[tokio::test]
async fn requests_without_the_key_are_refused_401_and_sync_answers_are_deterministic() {
    let (_e, api) = emulator(Profile::parse(&format!("api_key = \"{KEY}\"\nquality_gap = 1.0")).unwrap()).await;
    let r = api
        .http
        .get(format!("{}/batches", api.base))
        .bearer_auth("sk-wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body =
        json!({"model": "m", "messages": [{"role": "user", "content": "q"}], "metadata": {"reference": "Paris"}});
    let a: Value = api
        .call(reqwest::Method::POST, "/chat/completions", Some(body.clone()))
        .await
        .json()
        .await
        .unwrap();
    let b: Value = api
        .call(reqwest::Method::POST, "/chat/completions", Some(body))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["choices"], b["choices"]);
    assert_eq!(
        a["choices"][0]["message"]["content"], "Paris",
        "sync answers are never degraded"
    );
}
