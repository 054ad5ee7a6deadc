//! The HTTP side: accepting connections on 127.0.0.1, applying the profile's
//! HTTP faults, and dispatching to the provider routes.
//!
//! Invariant: faults are counted per profile entry in arrival order, so a
//! profile gives the same sequence of faulted requests on every run.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::body::Body;
use crate::openai;
use crate::profile::{HttpFault, Profile};
use crate::store::Store;

/// Everything a request handler sees.
pub struct Shared {
    pub seed: u64,
    pub profile: Profile,
    pub store: Mutex<Store>,
    fault_hits: Mutex<Vec<u32>>,
}

impl Shared {
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A JSON response.
pub fn json_response(status: StatusCode, v: &Value) -> Response<Body> {
    let mut r = Response::new(Body::full(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// An OpenAI-shaped error response.
pub fn error_response(status: StatusCode, kind: &str, code: &str, message: &str) -> Response<Body> {
    json_response(
        status,
        &json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
    )
}

/// The first fault that fires for this request, counting every matching entry.
fn fault_for(shared: &Shared, method: &str, path: &str) -> Option<HttpFault> {
    let mut hits = shared.fault_hits.lock().unwrap_or_else(PoisonError::into_inner);
    let mut fired = None;
    for (i, f) in shared.profile.http.iter().enumerate() {
        if !f.matches(method, path) {
            continue;
        }
        let n = hits[i];
        hits[i] = n.saturating_add(1);
        let times = f.times.unwrap_or(1);
        let live = n >= f.skip && (times == 0 || n < f.skip.saturating_add(times));
        if live && fired.is_none() {
            fired = Some(f.clone());
        }
    }
    fired
}

/// Whether the request carries the key: `x-api-key` on Anthropic's routes,
/// `api-key` on Azure paths, `Authorization: Bearer` on the others.
fn authorized(shared: &Shared, req: &Request<Incoming>, anthropic: bool) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let got = if anthropic {
        header("x-api-key")
    } else if crate::azure::is_azure(req.uri().path()) {
        header("api-key")
    } else {
        header("authorization").and_then(|v| v.strip_prefix("Bearer "))
    }
    .map(str::trim)
    .filter(|k| !k.is_empty());
    match (&shared.profile.api_key, got) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(want), Some(k)) => want == k,
    }
}

async fn handle(shared: Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let anthropic = crate::anthropic::is_route(&path);
    let fault = fault_for(&shared, &method, &path);
    if let Some(ms) = fault.as_ref().and_then(|f| f.delay_ms) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    if let Some(status) = fault.as_ref().and_then(|f| f.status) {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (kind, ecode) = if status == 429 {
            ("requests", "rate_limit_exceeded")
        } else {
            ("server_error", "server_error")
        };
        let ecode = fault.as_ref().and_then(|f| f.code.as_deref()).unwrap_or(ecode);
        let message = fault
            .as_ref()
            .and_then(|f| f.message.as_deref())
            .unwrap_or("Emulated fault from the profile.");
        let mut r = if anthropic {
            let kind = fault
                .as_ref()
                .and_then(|f| f.code.as_deref())
                .unwrap_or(assay_batch::anthropic::http_error_type(status));
            crate::anthropic::error_response(code, kind, message)
        } else {
            error_response(code, kind, ecode, message)
        };
        if let Some(ra) = fault.as_ref().and_then(|f| f.retry_after.as_deref())
            && let Ok(v) = HeaderValue::from_str(ra)
        {
            r.headers_mut().insert(RETRY_AFTER, v);
        }
        return Ok(r);
    }
    if anthropic && !authorized(&shared, &req, true) {
        return Ok(crate::anthropic::error_response(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "invalid x-api-key",
        ));
    }
    if anthropic && req.headers().get("anthropic-version").is_none() {
        return Ok(crate::anthropic::error_response(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "anthropic-version: header is required",
        ));
    }
    if !authorized(&shared, &req, anthropic) {
        return Ok(error_response(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            "invalid_api_key",
            "Incorrect API key provided.",
        ));
    }
    let query = req.uri().query().unwrap_or("").to_owned();
    let azure = if crate::azure::is_azure(&path) {
        match crate::azure::translate(&path, &query) {
            Some(t) => Some(t),
            None => return Ok(crate::azure::missing_api_version()),
        }
    } else {
        None
    };
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(error_response(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "bad_body",
                "The request body could not be read.",
            ));
        }
    };
    let call = openai::Call {
        method: &method,
        path: azure.as_ref().map_or(&path, |a| &a.path),
        query: &query,
        content_type: &content_type,
        body: &body,
        azure: azure.is_some(),
        deployment: azure.as_ref().and_then(|a| a.deployment.as_deref()),
    };
    let mut r = if anthropic {
        crate::anthropic::route(&shared, call, &format!("http://{host}"))
    } else {
        openai::route(&shared, call)
    };
    if let Some(keep) = fault.as_ref().and_then(|f| f.reset_after_bytes) {
        let (parts, b) = r.into_parts();
        let data: Bytes = match b.collect().await {
            Ok(c) => c.to_bytes(),
            Err(_) => Bytes::new(),
        };
        let stall = fault.as_ref().and_then(|f| f.stall_ms).unwrap_or(50);
        let cut = Body::cut(data, keep, stall);
        let len = cut.full_len();
        r = Response::from_parts(parts, cut);
        r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(len));
    }
    Ok(r)
}

/// A running emulator; dropping it stops the server.
pub struct Running {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The OpenAI-style base URL, ending in `/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Serves until the task ends (it does not, unless aborted).
    pub async fn wait(mut self) {
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds 127.0.0.1:`port` (0 picks a free port) and serves in the background
/// of the current tokio runtime.
pub async fn start(port: u16, seed: u64, profile: Profile) -> std::io::Result<Running> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        seed,
        fault_hits: Mutex::new(vec![0; profile.http.len()]),
        profile,
        store: Mutex::new(Store::default()),
    });
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    Ok(Running { addr, task })
}
