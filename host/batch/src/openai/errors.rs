//! OpenAI / Azure error rows: a non-HTTP `error` (`batch_expired`,
//! `request_timeout`, ...), a non-200 response with its `body.error`, and a
//! 200 response without choices. The rules are in [`crate::openai`]'s
//! module docs.
//!
//! Invariant: an error code not listed lands in an `Other` (or by HTTP
//! class) arm and is kept in `error_code`, never dropped.

use std::borrow::Cow;

use serde::Deserialize;

use crate::json::{LooseStr, Str, cow, loose};
use crate::row::Outcome;
use crate::status::{ErrorKind, Status};

#[derive(Deserialize)]
pub(super) struct RawBodyError<'a> {
    #[serde(borrow)]
    pub(super) code: Option<LooseStr<'a>>,
    #[serde(borrow, rename = "type")]
    pub(super) kind: Option<Str<'a>>,
    #[serde(borrow)]
    pub(super) message: Option<Str<'a>>,
    #[serde(borrow)]
    pub(super) innererror: Option<RawInner<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawInner<'a> {
    #[serde(borrow)]
    code: Option<LooseStr<'a>>,
}

#[derive(Deserialize)]
pub(super) struct RawError<'a> {
    #[serde(borrow)]
    code: Option<LooseStr<'a>>,
    #[serde(borrow)]
    message: Option<Str<'a>>,
}

/// A non-HTTP error (`response: null`, `error: {code, message}`).
pub(super) fn classify_error(err: RawError<'_>) -> Outcome<'_> {
    let code = loose(err.code);
    let mut o = match code.as_deref() {
        Some("batch_expired") => Outcome::new(Status::Expired),
        Some("batch_cancelled" | "batch_canceled") => Outcome::new(Status::Canceled),
        Some("request_timeout") => Outcome::new(Status::Timeout),
        Some("content_filter") => Outcome::new(Status::ContentFilter),
        Some("rate_limit_exceeded") => Outcome::provider_error(ErrorKind::RateLimit),
        Some("server_error") => Outcome::provider_error(ErrorKind::ServerError),
        _ => Outcome::provider_error(ErrorKind::Other),
    };
    o.error_code = code;
    o.error_message = cow(err.message);
    o
}

/// A 200 response without choices.
pub(super) fn empty_response<'a>(mut o: Outcome<'a>, err: Option<Box<RawBodyError<'a>>>) -> Outcome<'a> {
    o.status = Status::ProviderError;
    o.error_kind = Some(ErrorKind::Other);
    o.error_code = Some(Cow::Borrowed("empty_response"));
    o.error_message = err.and_then(|e| cow(e.message));
    o
}

/// A non-200 response; `body.error` holds the details.
pub(super) fn http_error<'a>(mut o: Outcome<'a>, status: u16, err: Option<Box<RawBodyError<'a>>>) -> Outcome<'a> {
    let (code, inner) = match err {
        Some(e) => {
            o.error_message = cow(e.message);
            let inner = e.innererror.and_then(|i| loose(i.code));
            (loose(e.code).or(cow(e.kind)), inner)
        }
        None => (None, None),
    };
    let code_is = |c: &str| code.as_deref() == Some(c);
    let (st, kind) = if code_is("content_filter") || inner.as_deref() == Some("ResponsibleAIPolicyViolation") {
        (Status::ContentFilter, None)
    } else if status == 408 || code_is("request_timeout") {
        (Status::Timeout, None)
    } else if status == 429 || code_is("rate_limit_exceeded") {
        (Status::ProviderError, Some(ErrorKind::RateLimit))
    } else if (500..600).contains(&status) {
        (Status::ProviderError, Some(ErrorKind::ServerError))
    } else if (400..500).contains(&status) {
        (Status::ProviderError, Some(ErrorKind::InvalidRequest))
    } else {
        (Status::ProviderError, Some(ErrorKind::Other))
    };
    o.status = st;
    o.error_kind = kind;
    o.error_code = code;
    o
}
