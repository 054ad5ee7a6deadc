//! The response body type: whole bytes, or bytes cut short to emulate a
//! connection reset mid-download.
//!
//! Invariant: a cut body announces its full length and then fails, so the
//! client sees fewer bytes than `Content-Length` and an I/O error, never a
//! clean end.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

pub struct Body {
    data: Option<Bytes>,
    full_len: u64,
    cut: bool,
    /// A cut body waits here after its bytes, so the server flushes them
    /// (and the headers) before the connection drops.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body {
    pub fn full(data: impl Into<Bytes>) -> Body {
        let data = data.into();
        Body {
            full_len: data.len() as u64,
            data: Some(data),
            cut: false,
            pause: None,
        }
    }

    /// The first `keep` bytes of `data`, then, after `stall_ms`, a reset.
    pub fn cut(data: Bytes, keep: usize, stall_ms: u64) -> Body {
        let full_len = data.len() as u64;
        Body {
            data: Some(data.slice(..keep.min(data.len()))),
            full_len,
            cut: true,
            pause: Some(Box::pin(tokio::time::sleep(std::time::Duration::from_millis(stall_ms)))),
        }
    }

    pub fn full_len(&self) -> u64 {
        self.full_len
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(d) = self.data.take()
            && !d.is_empty()
        {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if self.cut {
            if let Some(p) = self.pause.as_mut()
                && p.as_mut().poll(cx).is_pending()
            {
                return Poll::Pending;
            }
            self.cut = false;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "emulated connection reset",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        !self.cut && self.data.as_ref().is_none_or(Bytes::is_empty)
    }

    fn size_hint(&self) -> SizeHint {
        if self.cut {
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        }
    }
}
