//! `--otlp-endpoint`: per-row OpenTelemetry traces over OTLP/HTTP protobuf.
//! One `CHAIN` span per job, one `LLM` span per row under it, and each
//! judge verdict as an evaluation event and an `EVALUATOR` child span.
//!
//! The sink builds row spans as rows arrive and hands them to the export
//! thread (`export`), which redacts (`redact`) and sends them. The job span
//! needs the finished summary (cost per validated row, wall time, gates), so
//! the CLI ends it through [`TraceHandle::finish_job`] after the run.
//!
//! Invariant: every span built is counted in the [`TraceReport`] as exported
//! or dropped — on a normal end, on an error and on Ctrl-C alike; nothing
//! leaves the process unredacted.

pub mod export;
pub mod interrupt;
mod job;
pub mod redact;
pub mod spans;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::trace::Status;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::{RowSink, RowView, SinkError};
use crate::report::summary::Summary;
pub use crate::report::traces::TraceReport;
use export::{BATCH_SPANS, Exporter};
use spans::Ids;

#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("--redact {pattern:?}: not a valid regular expression: {reason}")]
    Redact { pattern: String, reason: String },
    #[error("cannot set up the OTLP exporter for {endpoint}: {reason}")]
    Exporter { endpoint: String, reason: String },
    #[error("cannot start the trace export thread: {source}")]
    Thread {
        #[source]
        source: std::io::Error,
    },
    #[error("the trace export thread stopped early")]
    Closed,
    #[error("interrupted (Ctrl-C)")]
    Interrupted,
}

/// What the command line asked of traces.
pub struct TraceOptions {
    /// `--otlp-endpoint` (a base URL; `/v1/traces` is appended). `None`: the
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT` variables.
    pub endpoint: Option<String>,
    /// Prompt, response and judge explanations on the spans (off with `--otlp-no-content`).
    pub content: bool,
    /// `--redact REGEX`, on top of the built-in patterns.
    pub redact: Vec<String>,
    /// The Phoenix project (`openinference.project.name`).
    pub project: String,
    pub input: String,
    pub run_started: SystemTime,
    /// How long the final flush may take.
    pub flush_wait: Duration,
}

/// The export state between the sink and the job span.
struct Parked {
    exporter: Exporter,
    ids: Ids,
    batch: Vec<SpanData>,
    first: Option<SystemTime>,
    last: Option<SystemTime>,
}

pub struct TraceSink {
    parked: Option<Parked>,
    content: bool,
    run_started: SystemTime,
    handle: Arc<Mutex<Option<Parked>>>,
}

/// The CLI's side: ends the job span and reports.
pub struct TraceHandle {
    parked: Arc<Mutex<Option<Parked>>>,
    endpoint: String,
    opts: TraceOptions,
}

/// The URL spans are sent to, for messages.
fn shown_endpoint(opts: &TraceOptions) -> String {
    match &opts.endpoint {
        Some(base) => format!("{}/v1/traces", base.trim_end_matches('/')),
        None => std::env::var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .or_else(|_| {
                std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT").map(|b| format!("{}/v1/traces", b.trim_end_matches('/')))
            })
            .unwrap_or_else(|_| "http://localhost:4318/v1/traces".into()),
    }
}

/// Starts the exporter and returns the sink for the run and the CLI's handle.
pub fn start(opts: TraceOptions) -> Result<(TraceSink, TraceHandle), TraceError> {
    let endpoint = shown_endpoint(&opts);
    let fail = |reason: String| TraceError::Exporter {
        endpoint: endpoint.clone(),
        reason,
    };
    let redactor = redact::Redactor::new(&opts.redact)?;
    let mut builder = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary);
    if opts.endpoint.is_some() {
        builder = builder.with_endpoint(endpoint.clone());
    }
    let mut exporter = builder.build().map_err(|e| fail(e.to_string()))?;
    exporter.set_resource(
        &Resource::builder_empty()
            .with_attributes([
                KeyValue::new("service.name", "assay"),
                KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
                KeyValue::new("openinference.project.name", opts.project.clone()),
            ])
            .build(),
    );
    let exporter = Exporter::start(exporter, redactor)?;
    let parked = Arc::new(Mutex::new(None));
    let sink = TraceSink {
        parked: Some(Parked {
            exporter,
            ids: Ids::new(&opts.input, opts.run_started),
            batch: Vec::with_capacity(BATCH_SPANS),
            first: None,
            last: None,
        }),
        content: opts.content,
        run_started: opts.run_started,
        handle: parked.clone(),
    };
    interrupt::reset();
    Ok((sink, TraceHandle { parked, endpoint, opts }))
}

impl TraceSink {
    fn park(&mut self) {
        if let Some(p) = self.parked.take() {
            *self.handle.lock().unwrap_or_else(PoisonError::into_inner) = Some(p);
        }
    }
}

impl Drop for TraceSink {
    /// A run that stops before `finish` still leaves its spans to the handle.
    fn drop(&mut self) {
        self.park();
    }
}

impl RowSink for TraceSink {
    fn wants_text(&self) -> bool {
        self.content
    }

    fn wants_content(&self) -> bool {
        true
    }

    fn row(&mut self, r: &RowView<'_>) -> Result<(), SinkError> {
        if interrupt::interrupted() {
            return Err(TraceError::Interrupted.into());
        }
        let p = self.parked.as_mut().ok_or(TraceError::Closed)?;
        if p.ids.is_first_row() {
            // From the first span on, Ctrl-C flushes instead of quitting at once.
            interrupt::start_emitting();
        }
        let at = spans::row_time(r, self.run_started);
        p.first = Some(p.first.map_or(at, |f| f.min(at)));
        p.last = Some(p.last.map_or(at, |l| l.max(at)));
        spans::row_spans(&mut p.ids, r, at, self.content, &mut p.batch);
        if p.batch.len() >= BATCH_SPANS {
            let batch = std::mem::replace(&mut p.batch, Vec::with_capacity(BATCH_SPANS));
            p.exporter.send(batch)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), SinkError> {
        self.park();
        Ok(())
    }
}

impl TraceHandle {
    /// Ends the job span with the summary's facts, flushes every span and reports.
    pub fn finish_job(self, summary: &Summary) -> TraceReport {
        let status = match summary.gates.iter().find(|g| !g.passed) {
            Some(g) => Status::error(format!("gate failed: {}", g.name)),
            None => Status::Unset,
        };
        self.close(job::attributes(summary), summary.elapsed_ms, status, false)
    }

    /// Ends the job span of a run that did not finish (an error or Ctrl-C), flushes and reports.
    pub fn finish_interrupted(self, why: &str) -> TraceReport {
        let elapsed = self.opts.run_started.elapsed().map_or(0, |d| d.as_millis() as u64);
        let attrs = vec![
            KeyValue::new("openinference.span.kind", "CHAIN"),
            KeyValue::new("batch.input", self.opts.input.clone()),
            KeyValue::new("batch.wall_time_ms", elapsed as i64),
        ];
        self.close(attrs, elapsed, Status::error(why.to_owned()), true)
    }

    fn close(self, attrs: Vec<KeyValue>, elapsed_ms: u64, status: Status, interrupted: bool) -> TraceReport {
        interrupt::stop_emitting();
        let parked = self.parked.lock().unwrap_or_else(PoisonError::into_inner).take();
        let mut report = TraceReport {
            endpoint: self.endpoint,
            project: self.opts.project.clone(),
            content: self.opts.content,
            spans: 0,
            exported: 0,
            dropped: 0,
            redactions: 0,
            interrupted: interrupted || interrupt::interrupted(),
            first_error: None,
        };
        let Some(mut p) = parked else {
            report.first_error = Some("the trace sink was never finished".into());
            return report;
        };
        let start = self.opts.run_started;
        let end = start + Duration::from_millis(elapsed_ms);
        let at = (
            p.first.map_or(start, |f| f.min(start)),
            p.last.map_or(end, |l| l.max(end)),
        );
        let name = format!("assay eval {}", self.opts.input);
        let parts = spans::Parts {
            name,
            at,
            attributes: attrs,
            events: Vec::new(),
            status,
        };
        let job = spans::span(&p.ids, p.ids.job, opentelemetry::trace::SpanId::INVALID, parts);
        p.batch.push(job);
        let last = p.batch.len() as u64;
        let (lost, send_error) = match p.exporter.send(std::mem::take(&mut p.batch)) {
            Ok(()) => (0, None),
            Err(e) => (last, Some(e)),
        };
        let (sent, tally) = p.exporter.close(self.opts.flush_wait);
        report.spans = sent + lost;
        report.exported = tally.exported;
        report.dropped = report.spans.saturating_sub(tally.exported);
        report.redactions = tally.redactions;
        report.first_error = tally.first_error.or_else(|| send_error.map(|e| e.to_string()));
        report
    }
}

#[cfg(test)]
mod tests;
