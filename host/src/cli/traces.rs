//! `assay eval`'s trace flags, and the sink they start.

use std::path::Path;
use std::time::{Duration, SystemTime};

use assay::report::summary::Summary;
use assay::sink::traces::{self, TraceHandle, TraceOptions, TraceReport, TraceSink};
use clap::Args;

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Send per-row OpenTelemetry traces over OTLP/HTTP protobuf to this base
    /// URL (`/v1/traces` is appended). Without it, $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
    /// or $OTEL_EXPORTER_OTLP_ENDPOINT turn traces on.
    #[arg(long)]
    pub otlp_endpoint: Option<String>,
    /// Leave prompts, responses and judge explanations off the spans.
    #[arg(long)]
    pub otlp_no_content: bool,
    /// The project the spans belong to (Phoenix's `openinference.project.name`).
    #[arg(long, default_value = "assay")]
    pub otlp_project: String,
    /// A regular expression whose matches are redacted from spans, on top of
    /// e-mail addresses, phone numbers, card numbers and API keys (repeatable).
    #[arg(long)]
    pub redact: Vec<String>,
}

impl TraceArgs {
    /// Whether traces are on: the flag, or a standard OTLP endpoint variable.
    pub fn enabled(&self) -> bool {
        self.otlp_endpoint.as_deref().is_some_and(|e| !e.is_empty())
            || ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
    }

    /// The sink and the CLI's handle, when traces are on.
    pub fn start(
        &self,
        input: &Path,
        run_started: SystemTime,
    ) -> Result<Option<(TraceSink, TraceHandle)>, traces::TraceError> {
        if !self.enabled() {
            return Ok(None);
        }
        let opts = TraceOptions {
            endpoint: self.otlp_endpoint.clone().filter(|e| !e.is_empty()),
            content: !self.otlp_no_content,
            redact: self.redact.clone(),
            project: self.otlp_project.clone(),
            input: input.display().to_string(),
            run_started,
            flush_wait: Duration::from_secs(60),
        };
        let started = traces::start(opts)?;
        traces::interrupt::install();
        Ok(Some(started))
    }
}

/// Ends the job span of a finished run; says on stderr when spans were dropped.
pub fn finish(h: TraceHandle, summary: &Summary) -> TraceReport {
    let t = h.finish_job(summary);
    if t.dropped > 0 {
        assay::note!(
            "warning: traces: {} of {} spans were not exported{}",
            t.dropped,
            t.spans,
            t.first_error
                .as_deref()
                .map(|e| format!(" (first error: {e})"))
                .unwrap_or_default()
        );
    }
    t
}

/// Ends the job span of a run that failed or was interrupted, and prints the counts.
pub fn finish_failed(h: TraceHandle, interrupted: bool) {
    let t = h.finish_interrupted(if interrupted {
        "interrupted (Ctrl-C)"
    } else {
        "the run failed"
    });
    assay::note!(
        "assay: traces: {} spans, {} exported, {} dropped{}",
        t.spans,
        t.exported,
        t.dropped,
        t.first_error
            .map(|e| format!(" (first error: {e})"))
            .unwrap_or_default()
    );
}
