//! A small S3-compatible object server for the `s3://` input tests, started
//! by the test itself on loopback: path-style `GET` and `HEAD` of
//! `/BUCKET/KEY`, served from `ROOT/BUCKET/KEY`, with the headers
//! `object_store` needs (Content-Length, ETag, Last-Modified, and
//! Content-Range for a `Range: bytes=A-[B]` request). A missing file answers
//! S3's 404 `NoSuchKey`; a key under `private/` answers 403 `AccessDenied`.
//! The server counts every request and keeps each one's `Authorization`
//! header.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every object's Last-Modified: fixed, so runs and shards see the same object.
pub const LAST_MODIFIED: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

pub struct S3Server {
    /// `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL.
    pub url: String,
    /// Every request's Authorization header, in arrival order.
    pub auth: Arc<Mutex<Vec<String>>>,
    /// Every request, signed or not.
    pub requests: Arc<AtomicUsize>,
    _thread: std::thread::JoinHandle<()>,
}

impl S3Server {
    pub fn start(root: PathBuf) -> S3Server {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", std_listener.local_addr().expect("addr"));
        let auth = Arc::new(Mutex::new(Vec::new()));
        let seen = auth.clone();
        let requests = Arc::new(AtomicUsize::new(0));
        let count = requests.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                loop {
                    let Ok((conn, _)) = listener.accept().await else {
                        continue;
                    };
                    let (root, seen, count) = (root.clone(), seen.clone(), count.clone());
                    tokio::spawn(async move {
                        let _ = serve(conn, root, seen, count).await;
                    });
                }
            });
        });
        S3Server {
            url,
            auth,
            requests,
            _thread: thread,
        }
    }

    /// The environment that points `assay` at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_ALLOW_HTTP", "true".into()),
            ("AWS_ACCESS_KEY_ID", "AKIDTESTLOOPBACK".into()),
            ("AWS_SECRET_ACCESS_KEY", "loopback-secret".into()),
            ("AWS_REGION", "us-east-1".into()),
        ]
    }

    /// How many requests have arrived so far.
    pub fn request_count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn serve(
    mut conn: TcpStream,
    root: PathBuf,
    seen: Arc<Mutex<Vec<String>>>,
    count: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    count.fetch_add(1, Ordering::SeqCst);
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (method, target) = (first.next().unwrap_or_default(), first.next().unwrap_or_default());
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    if let Some(a) = header("authorization") {
        seen.lock().expect("auth log").push(a);
    }
    let path = target.split('?').next().unwrap_or_default().trim_start_matches('/');
    let (status, headers, body) = answer(method, path, header("range"), &root);
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    conn.write_all(out.as_bytes()).await?;
    if method != "HEAD" {
        conn.write_all(&body).await?;
    }
    conn.shutdown().await
}

fn error(status: &str, code: &str) -> (String, Vec<(String, String)>, Vec<u8>) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code}</Message></Error>"
    );
    let headers = vec![
        ("Content-Type".into(), "application/xml".into()),
        ("Content-Length".into(), body.len().to_string()),
    ];
    (status.into(), headers, body.into_bytes())
}

fn answer(
    method: &str,
    path: &str,
    range: Option<String>,
    root: &std::path::Path,
) -> (String, Vec<(String, String)>, Vec<u8>) {
    if method != "GET" && method != "HEAD" {
        return error("405 Method Not Allowed", "MethodNotAllowed");
    }
    let Some((_bucket, key)) = path.split_once('/') else {
        return error("400 Bad Request", "InvalidRequest");
    };
    if key.starts_with("private/") {
        return error("403 Forbidden", "AccessDenied");
    }
    if path.split('/').any(|p| p == ".." || p.is_empty()) {
        return error("400 Bad Request", "InvalidRequest");
    }
    let Ok(bytes) = std::fs::read(root.join(path)) else {
        return error("404 Not Found", "NoSuchKey");
    };
    let len = bytes.len() as u64;
    let mut headers = vec![
        (
            "ETag".to_owned(),
            format!("\"{len:x}-{}\"", bytes.iter().map(|&b| u64::from(b)).sum::<u64>()),
        ),
        ("Last-Modified".to_owned(), LAST_MODIFIED.to_owned()),
        ("Content-Type".to_owned(), "application/octet-stream".to_owned()),
        ("Accept-Ranges".to_owned(), "bytes".to_owned()),
    ];
    let spec = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.split_once('-'));
    let Some((from, to)) = spec else {
        headers.push(("Content-Length".into(), len.to_string()));
        return ("200 OK".into(), headers, bytes);
    };
    let from: u64 = from.parse().unwrap_or(0);
    let to: u64 = to.parse().unwrap_or(len.saturating_sub(1)).min(len.saturating_sub(1));
    if from >= len || from > to {
        return error("416 Range Not Satisfiable", "InvalidRange");
    }
    let part = bytes[from as usize..=to as usize].to_vec();
    headers.push(("Content-Length".into(), part.len().to_string()));
    headers.push(("Content-Range".into(), format!("bytes {from}-{to}/{len}")));
    ("206 Partial Content".into(), headers, part)
}
