//! A small OpenAI-compatible chat endpoint for the `llm` capability's tests:
//! deterministic answers, started by the test itself on loopback.
//!
//! The last user message picks the behaviour: `slow:<ms> ...` answers after a
//! delay, `fail` answers HTTP 500, `garbage` answers 200 with a body that is not
//! a chat completion; anything else is echoed back as `echo: <message>`. A
//! request in JSON mode (`response_format: json_object`) gets a pairwise verdict,
//! `{"verdict": "A"|"B"|"equivalent", ...}`: `A` when the prompt contains
//! `prefer-batch`, `B` when it contains `prefer-sync`, else `equivalent` — unless
//! its system message asks for `{"fix": ...}` (cluster-explain), which gets
//! `{"fix": "loopback fix for <first line of the last user message>"}`. Usage is
//! deterministic: prompt tokens = content bytes / 4 + 1, completion tokens =
//! answer bytes / 4 + 1. The server counts requests, the most in flight at once,
//! and keeps the last `Authorization` header and model it saw, and every request's
//! last user message.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
pub struct Seen {
    pub requests: AtomicU64,
    in_flight: AtomicU64,
    pub max_in_flight: AtomicU64,
    pub last_auth: Mutex<Option<String>>,
    pub last_model: Mutex<Option<String>>,
    /// The last user message of every request, in arrival order.
    pub user_messages: Mutex<Vec<String>>,
}

pub struct LlmServer {
    pub url: String,
    pub seen: Arc<Seen>,
    _thread: std::thread::JoinHandle<()>,
}

impl LlmServer {
    pub fn start() -> LlmServer {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/v1", std_listener.local_addr().expect("addr"));
        let seen = Arc::new(Seen::default());
        let s = seen.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                loop {
                    let Ok((conn, _)) = listener.accept().await else {
                        continue;
                    };
                    let s = s.clone();
                    tokio::spawn(async move {
                        let _ = serve(conn, s).await;
                    });
                }
            });
        });
        LlmServer {
            url,
            seen,
            _thread: thread,
        }
    }

    pub fn requests(&self) -> u64 {
        self.seen.requests.load(Ordering::SeqCst)
    }
}

async fn serve(mut conn: TcpStream, seen: Arc<Seen>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        })
    };
    let len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while buf.len() < header_end + len {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body: serde_json::Value = serde_json::from_slice(&buf[header_end..]).unwrap_or_default();
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.max_in_flight.fetch_max(now, Ordering::SeqCst);
    *seen.last_auth.lock().expect("lock") = header("authorization");
    let model = body["model"].as_str().unwrap_or("").to_owned();
    *seen.last_model.lock().expect("lock") = Some(model.clone());
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let prompt_bytes: usize = messages.iter().map(|m| m["content"].as_str().map_or(0, str::len)).sum();
    let last = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or("")
        .to_owned();
    seen.user_messages.lock().expect("lock").push(last.clone());
    let (status, reply) = if let Some(rest) = last.strip_prefix("slow:") {
        let ms: u64 = rest.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        (200, completion(&model, &format!("echo: {last}"), prompt_bytes))
    } else if last == "fail" {
        (
            500,
            r#"{"error":{"message":"upstream exploded","type":"server_error"}}"#.to_owned(),
        )
    } else if last == "garbage" {
        (200, "<html>not json</html>".to_owned())
    } else if body["response_format"]["type"] == "json_object" && asks_for_a_fix(&messages) {
        let first = last.lines().next().unwrap_or("");
        let answer = serde_json::json!({"fix": format!("loopback fix for {first}")}).to_string();
        (200, completion(&model, &answer, prompt_bytes))
    } else if body["response_format"]["type"] == "json_object" {
        let verdict = if last.contains("prefer-batch") {
            "A"
        } else if last.contains("prefer-sync") {
            "B"
        } else {
            "equivalent"
        };
        let answer = serde_json::json!({"verdict": verdict, "reason": "loopback test server"}).to_string();
        (200, completion(&model, &answer, prompt_bytes))
    } else {
        (200, completion(&model, &format!("echo: {last}"), prompt_bytes))
    };
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    let resp = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
        reply.len()
    );
    conn.write_all(resp.as_bytes()).await?;
    conn.shutdown().await
}

/// Whether the system message asks for a fix note (`cluster-explain`'s answer format).
fn asks_for_a_fix(messages: &[serde_json::Value]) -> bool {
    messages
        .iter()
        .any(|m| m["role"] == "system" && m["content"].as_str().is_some_and(|c| c.contains(r#"{"fix""#)))
}

fn completion(model: &str, content: &str, prompt_bytes: usize) -> String {
    serde_json::json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_bytes / 4 + 1, "completion_tokens": content.len() / 4 + 1},
    })
    .to_string()
}
