//! The export thread: spans go from the sink to the OTLP/HTTP protobuf
//! exporter in batches, through a small bounded channel, redacted on the way.
//!
//! Invariant: nothing is dropped for lack of room — a full channel blocks
//! the sink (back-pressure) instead, so memory stays bounded for any number
//! of rows; every span handed to [`Exporter::send`] ends up counted either
//! as exported (the receiver acknowledged its batch) or as dropped (its batch
//! failed after retries, the receiver was given up on, or the final flush
//! ran out of time), and the first error is kept for the summary.

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::TraceError;
use super::redact::Redactor;

/// Spans per export request.
pub const BATCH_SPANS: usize = 512;
/// Batches waiting for the export thread before the sink blocks.
const QUEUE_BATCHES: usize = 8;
/// Tries per batch, and the pauses between them.
const RETRY_PAUSES: [Duration; 2] = [Duration::from_millis(200), Duration::from_secs(1)];
/// Consecutive failed batches after which the receiver is given up on: the
/// rest are counted as dropped without a request each.
const GIVE_UP_AFTER: u32 = 3;

/// What the export thread did.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub exported: u64,
    pub failed: u64,
    pub redactions: u64,
    pub first_error: Option<String>,
}

pub struct Exporter {
    tx: Option<SyncSender<Vec<SpanData>>>,
    done: Receiver<Tally>,
    /// Spans handed over so far.
    pub sent: u64,
}

impl Exporter {
    /// Starts the export thread around `exporter`.
    pub fn start<E: SpanExporter + 'static>(exporter: E, redactor: Redactor) -> Result<Exporter, TraceError> {
        let (tx, rx) = sync_channel::<Vec<SpanData>>(QUEUE_BATCHES);
        let (done_tx, done) = sync_channel::<Tally>(1);
        std::thread::Builder::new()
            .name("assay-otlp-export".into())
            .spawn(move || {
                let tally = run(exporter, redactor, rx);
                let _ = done_tx.send(tally);
            })
            .map_err(|source| TraceError::Thread { source })?;
        Ok(Exporter {
            tx: Some(tx),
            done,
            sent: 0,
        })
    }

    /// Hands one batch over, waiting while the queue is full.
    pub fn send(&mut self, batch: Vec<SpanData>) -> Result<(), TraceError> {
        if batch.is_empty() {
            return Ok(());
        }
        let n = batch.len() as u64;
        let tx = self.tx.as_ref().ok_or(TraceError::Closed)?;
        tx.send(batch).map_err(|_| TraceError::Closed)?;
        self.sent += n;
        Ok(())
    }

    /// Closes the queue and waits up to `wait` for the last batches; spans
    /// not acknowledged by then count as dropped.
    pub fn close(mut self, wait: Duration) -> (u64, Tally) {
        drop(self.tx.take());
        let tally = match self.done.recv_timeout(wait) {
            Ok(t) => t,
            Err(RecvTimeoutError::Timeout) => Tally {
                first_error: Some(format!(
                    "the receiver did not take every span within {} s",
                    wait.as_secs()
                )),
                ..Tally::default()
            },
            Err(RecvTimeoutError::Disconnected) => Tally {
                first_error: Some("the export thread stopped".into()),
                ..Tally::default()
            },
        };
        (self.sent, tally)
    }
}

fn run<E: SpanExporter>(exporter: E, redactor: Redactor, rx: Receiver<Vec<SpanData>>) -> Tally {
    let mut tally = Tally::default();
    let mut failures_in_a_row = 0;
    while let Ok(mut batch) = rx.recv() {
        for span in batch.iter_mut() {
            tally.redactions += redactor.span(span);
        }
        let n = batch.len() as u64;
        if failures_in_a_row >= GIVE_UP_AFTER {
            tally.failed += n;
            continue;
        }
        let started = Instant::now();
        let mut result = futures_executor::block_on(exporter.export(batch.clone()));
        for pause in RETRY_PAUSES {
            if result.is_ok() {
                break;
            }
            std::thread::sleep(pause);
            result = futures_executor::block_on(exporter.export(batch.clone()));
        }
        match result {
            Ok(()) => {
                failures_in_a_row = 0;
                tally.exported += n;
                tracing::trace!(target: "assay::traces", spans = n, ms = started.elapsed().as_millis() as u64, "batch exported");
            }
            Err(e) => {
                failures_in_a_row += 1;
                tally.failed += n;
                tracing::warn!(target: "assay::traces", spans = n, error = %e, "batch not exported");
                tally.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let _ = exporter.shutdown();
    tally
}
