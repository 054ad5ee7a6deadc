//! Google errors: a `google.rpc.Status`-like `{code, message, status}`
//! mapped to a status and error kind (the rules are in [`crate::google`]'s
//! module docs).
//!
//! Invariant: the status name wins over the code; codes below 100 are gRPC
//! codes, others HTTP; a code or name not listed lands in `Other`, never
//! dropped.

use serde::Deserialize;

use crate::json::{LooseStr, Str, cow, loose};
use crate::row::Outcome;
use crate::status::{ErrorKind, Status};

/// gRPC status name → the HTTP code Google maps it to.
fn status_http(name: &str) -> Option<u16> {
    Some(match name {
        "CANCELLED" => 499,
        "UNKNOWN" | "INTERNAL" | "DATA_LOSS" => 500,
        "INVALID_ARGUMENT" | "FAILED_PRECONDITION" | "OUT_OF_RANGE" => 400,
        "DEADLINE_EXCEEDED" => 504,
        "NOT_FOUND" => 404,
        "ALREADY_EXISTS" | "ABORTED" => 409,
        "PERMISSION_DENIED" => 403,
        "UNAUTHENTICATED" => 401,
        "RESOURCE_EXHAUSTED" => 429,
        "UNIMPLEMENTED" => 501,
        "UNAVAILABLE" => 503,
        _ => return None,
    })
}

/// gRPC numeric code → status name.
fn grpc_name(code: u64) -> Option<&'static str> {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    NAMES.get(usize::try_from(code).ok()?).copied()
}

/// Status and error kind of a Google error (see the module docs): `code` is
/// an HTTP code (≥ 100) or a gRPC code (< 100); `status` a gRPC status name.
pub fn error_status(code: Option<u64>, status: Option<&str>) -> (Status, Option<ErrorKind>) {
    let http = status.and_then(status_http).or_else(|| {
        code.and_then(|c| {
            if c < 100 {
                grpc_name(c).and_then(status_http)
            } else {
                u16::try_from(c).ok()
            }
        })
    });
    let kind = match http {
        Some(429) => ErrorKind::RateLimit,
        Some(408 | 504) => return (Status::Timeout, None),
        Some(499) => return (Status::Canceled, None),
        Some(500..=599) => ErrorKind::ServerError,
        Some(400..=499) => ErrorKind::InvalidRequest,
        _ => ErrorKind::Other,
    };
    (Status::ProviderError, Some(kind))
}

/// A `google.rpc.Status`-like error object.
#[derive(Deserialize)]
pub(crate) struct RawError<'a> {
    #[serde(borrow)]
    code: Option<LooseStr<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
    #[serde(borrow)]
    status: Option<Str<'a>>,
}

/// Builds the outcome of an error; `http` is the HTTP code the line states
/// outside the error object (Vertex's reason phrase), if any.
pub(crate) fn error_outcome<'a>(err: Option<RawError<'a>>, http: Option<u16>) -> Outcome<'a> {
    let (code, message, status) = match err {
        Some(e) => (loose(e.code), cow(e.message), cow(e.status)),
        None => (None, None, None),
    };
    let num: Option<u64> = code.as_deref().and_then(|c| c.parse().ok());
    // A non-numeric `code` is taken as a status name.
    let name = status.or_else(|| code.clone().filter(|_| num.is_none()));
    let num = num.or(http.map(u64::from));
    let (st, kind) = error_status(num, name.as_deref());
    let mut o = Outcome::new(st);
    o.error_kind = kind;
    o.http_status = num.filter(|&c| c >= 100).and_then(|c| u16::try_from(c).ok()).or(http);
    o.error_code = name.or(code);
    o.error_message = message;
    o
}
