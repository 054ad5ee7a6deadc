//! The captured stdout/stderr of a judge: WASI output streams that keep the
//! first bytes up to a cap and drop the rest, plus the last bytes of the
//! current call (where a language runtime writes the exception that stops it).
//!
//! Invariant: a write never fails and never blocks, whatever its size, so a
//! judge that prints too much loses only the output past the cap (counted),
//! never a row; a pipe never holds more than its cap plus `TAIL_BYTES`.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

/// Captured stdout or stderr: keeps the first `cap` bytes, drops and counts
/// the rest, and always accepts a write, so a chatty judge is never failed
/// for printing (with wasmtime's `MemoryOutputPipe` a write past its capacity
/// traps the guest).
#[derive(Debug, Clone)]
pub struct CappedPipe {
    inner: Arc<Mutex<PipeBuf>>,
}

#[derive(Debug, Default)]
struct PipeBuf {
    kept: Vec<u8>,
    dropped: u64,
    cap: usize,
    /// The last `TAIL_BYTES` written since `mark`, whatever the cap dropped.
    tail: Vec<u8>,
}

/// How much of a call's last output is kept for its failure detail: a Python
/// traceback's last frames and exception line, or a JavaScript message and its
/// stack, fit; a judge that floods stderr cannot make the host keep more.
pub const TAIL_BYTES: usize = 2048;

impl CappedPipe {
    pub fn new(cap: usize) -> CappedPipe {
        CappedPipe {
            inner: Arc::new(Mutex::new(PipeBuf {
                cap,
                ..PipeBuf::default()
            })),
        }
    }

    fn accept(&self, bytes: &[u8]) {
        if let Ok(mut b) = self.inner.lock() {
            let room = b.cap.saturating_sub(b.kept.len()).min(bytes.len());
            b.kept.extend_from_slice(&bytes[..room]);
            b.dropped += (bytes.len() - room) as u64;
            let last = &bytes[bytes.len().saturating_sub(TAIL_BYTES)..];
            let over = (b.tail.len() + last.len()).saturating_sub(TAIL_BYTES);
            b.tail.drain(..over);
            b.tail.extend_from_slice(last);
        }
    }

    /// Starts a new call: forgets the tail of the last one.
    pub fn mark(&self) {
        if let Ok(mut b) = self.inner.lock() {
            b.tail.clear();
        }
    }

    /// The last bytes (at most `TAIL_BYTES`) written since `mark`, kept or
    /// not by the cap.
    pub fn tail(&self) -> Vec<u8> {
        self.inner.lock().map(|b| b.tail.clone()).unwrap_or_default()
    }

    /// Takes what was kept and how many bytes were dropped.
    pub fn take(&self) -> (Vec<u8>, u64) {
        match self.inner.lock() {
            Ok(mut b) => (std::mem::take(&mut b.kept), std::mem::take(&mut b.dropped)),
            Err(_) => (Vec::new(), 0),
        }
    }
}

/// Bytes a guest may hand over per write; any amount is accepted.
const WRITE_PERMIT: usize = 64 * 1024;

impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: bytes::Bytes) -> Result<(), StreamError> {
        self.accept(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }
    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(WRITE_PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for CappedPipe {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.accept(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests;
