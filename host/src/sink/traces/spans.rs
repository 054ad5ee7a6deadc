//! The spans themselves, in OpenInference and OpenTelemetry GenAI names: a
//! row's `LLM` span, each judge verdict as a `gen_ai.evaluation.result` event
//! and an `EVALUATOR` child span, and the job's `CHAIN` span.
//!
//! Invariant: ids are unique within the run's trace (one counter, never 0);
//! a row's span lies at its provider time when the file gave one, else at
//! the run's start; content (`input.value`, `output.value`, explanations) is
//! set only when content is on.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{Event, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use sha2::{Digest, Sha256};

use crate::sink::{CellView, RowVerdict, RowView};

/// The run's trace: its id and a span id counter.
pub struct Ids {
    pub trace: TraceId,
    salt: u64,
    next: u64,
    pub job: SpanId,
}

impl Ids {
    /// Ids for a run started at `started` on `input`.
    pub fn new(input: &str, started: SystemTime) -> Ids {
        let mut h = Sha256::new();
        h.update(input.as_bytes());
        h.update(
            started
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
                .to_le_bytes(),
        );
        h.update(std::process::id().to_le_bytes());
        let d = h.finalize();
        let mut t = [0u8; 16];
        t.copy_from_slice(&d[..16]);
        let mut s = [0u8; 8];
        s.copy_from_slice(&d[16..24]);
        let mut ids = Ids {
            trace: TraceId::from_bytes(t),
            salt: u64::from_le_bytes(s),
            next: 0,
            job: SpanId::INVALID,
        };
        ids.job = ids.span();
        ids
    }

    /// Whether no span but the job's has been numbered yet.
    pub fn is_first_row(&self) -> bool {
        self.next == 1
    }

    pub fn span(&mut self) -> SpanId {
        loop {
            self.next += 1;
            let id = self.salt ^ self.next;
            if id != 0 {
                return SpanId::from(id);
            }
        }
    }

    fn context(&self, span: SpanId) -> SpanContext {
        SpanContext::new(self.trace, span, TraceFlags::SAMPLED, false, TraceState::NONE)
    }
}

pub fn scope() -> InstrumentationScope {
    InstrumentationScope::builder("assay")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

/// What one span says, beside its ids.
pub struct Parts {
    pub name: String,
    pub at: (SystemTime, SystemTime),
    pub attributes: Vec<KeyValue>,
    pub events: Vec<Event>,
    pub status: Status,
}

/// A finished span.
pub fn span(ids: &Ids, id: SpanId, parent: SpanId, p: Parts) -> SpanData {
    let Parts {
        name,
        at,
        attributes,
        events,
        status,
    } = p;
    let mut span_events = SpanEvents::default();
    span_events.events = events;
    SpanData {
        span_context: ids.context(id),
        parent_span_id: parent,
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: Cow::Owned(name),
        start_time: at.0,
        end_time: at.1,
        attributes,
        dropped_attributes_count: 0,
        events: span_events,
        links: SpanLinks::default(),
        status,
        instrumentation_scope: scope(),
    }
}

/// When a row's span lies: the provider's time, else the run's start.
pub fn row_time(r: &RowView<'_>, run_started: SystemTime) -> SystemTime {
    match r.content.and_then(|c| c.created) {
        Some(s) if s > 0 => UNIX_EPOCH + Duration::from_secs(s as u64),
        _ => run_started,
    }
}

/// The evaluation attributes of one verdict, `None` when the judge did not score the row.
fn evaluation(v: &RowVerdict<'_>, content: bool) -> Option<Vec<KeyValue>> {
    let mut a = vec![KeyValue::new("gen_ai.evaluation.name", v.judge.to_owned())];
    match v.cell {
        CellView::Unscored => return None,
        CellView::Verdict { passed, score, label } => {
            if let Some(s) = score {
                a.push(KeyValue::new("gen_ai.evaluation.score.value", s));
            }
            let label = label
                .filter(|l| !l.is_empty())
                .unwrap_or(if passed { "pass" } else { "fail" });
            a.push(KeyValue::new("gen_ai.evaluation.score.label", label.to_owned()));
            a.push(KeyValue::new("batch.evaluation.passed", passed));
        }
        CellView::JudgeError => {
            a.push(KeyValue::new("gen_ai.evaluation.score.label", "judge_error"));
            a.push(KeyValue::new("error.type", "judge_error"));
            a.push(KeyValue::new("batch.evaluation.passed", false));
        }
        CellView::Failed(kind) => {
            a.push(KeyValue::new(
                "gen_ai.evaluation.score.label",
                format!("stopped:{}", kind.as_str()),
            ));
            a.push(KeyValue::new("error.type", kind.as_str()));
            a.push(KeyValue::new("batch.evaluation.passed", false));
        }
    }
    if content && let Some(text) = v.text {
        let explanation = ["details", "error", "failure"]
            .iter()
            .find_map(|k| text.get(*k))
            .map(|x| match x {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
        if let Some(e) = explanation {
            a.push(KeyValue::new("gen_ai.evaluation.explanation", e));
        }
    }
    Some(a)
}

/// A row's `LLM` span followed by one `EVALUATOR` span per verdict.
pub fn row_spans(ids: &mut Ids, r: &RowView<'_>, at: SystemTime, content: bool, out: &mut Vec<SpanData>) {
    let row_id = ids.span();
    let u = r.usage;
    let mut a = vec![
        KeyValue::new("openinference.span.kind", "LLM"),
        KeyValue::new("batch.row_id", r.id.to_owned()),
        KeyValue::new("batch.row_index", i64::from(r.index)),
        KeyValue::new("batch.row_status", r.status.as_str()),
        KeyValue::new("batch.segment", i64::from(r.segment)),
        KeyValue::new("batch.attempt", i64::from(r.attempt)),
        KeyValue::new("llm.token_count.prompt", u.input as i64),
        KeyValue::new("llm.token_count.completion", u.output as i64),
        KeyValue::new("llm.token_count.total", u.input.saturating_add(u.output) as i64),
        KeyValue::new("gen_ai.usage.input_tokens", u.input as i64),
        KeyValue::new("gen_ai.usage.output_tokens", u.output as i64),
    ];
    if u.cached_input > 0 {
        a.push(KeyValue::new(
            "llm.token_count.prompt_details.cache_read",
            u.cached_input as i64,
        ));
    }
    if u.reasoning > 0 {
        a.push(KeyValue::new(
            "llm.token_count.completion_details.reasoning",
            u.reasoning as i64,
        ));
    }
    if !r.model.is_empty() {
        a.push(KeyValue::new("llm.model_name", r.model.to_owned()));
        a.push(KeyValue::new("gen_ai.response.model", r.model.to_owned()));
    }
    if let Some(s) = r.snapshot {
        a.push(KeyValue::new("batch.snapshot", s.to_owned()));
    }
    let flags = r.flags.names();
    if !flags.is_empty() {
        a.push(KeyValue::new("batch.flags", flags.join(",")));
    }
    if let Some(v) = r.validated {
        a.push(KeyValue::new("batch.validated", v));
    }
    if let Some(k) = r.error_kind {
        a.push(KeyValue::new("batch.error_kind", k.as_str()));
    }
    if let Some(code) = r.error_code {
        a.push(KeyValue::new("batch.error_code", code.to_owned()));
        a.push(KeyValue::new("error.type", code.to_owned()));
    }
    if let (true, Some(c)) = (content, r.content) {
        if let Some(p) = c.prompt {
            a.push(KeyValue::new("input.value", p.to_owned()));
            a.push(KeyValue::new("input.mime_type", "application/json"));
        }
        if let Some(text) = c.response {
            a.push(KeyValue::new("output.value", text.to_owned()));
            a.push(KeyValue::new("output.mime_type", "text/plain"));
        }
    }
    let status = match r.status {
        assay_batch::Status::Completed => Status::Unset,
        s => Status::error(match (r.error_code, r.error_message) {
            (Some(c), Some(m)) => format!("{}: {c}: {m}", s.as_str()),
            (Some(c), None) => format!("{}: {c}", s.as_str()),
            (None, _) => s.as_str().to_owned(),
        }),
    };
    let mut events = Vec::new();
    let mut judges = Vec::new();
    for v in r.verdicts {
        let Some(attrs) = evaluation(v, content) else { continue };
        events.push(Event::new("gen_ai.evaluation.result", at, attrs.clone(), 0));
        let mut attrs = attrs;
        attrs.insert(0, KeyValue::new("openinference.span.kind", "EVALUATOR"));
        judges.push((format!("judge {}", v.judge), attrs));
    }
    let row = Parts {
        name: format!("row {}", r.id),
        at: (at, at),
        attributes: a,
        events,
        status,
    };
    out.push(span(ids, row_id, ids.job, row));
    for (name, attributes) in judges {
        let id = ids.span();
        let judge = Parts {
            name,
            at: (at, at),
            attributes,
            events: Vec::new(),
            status: Status::Unset,
        };
        out.push(span(ids, id, row_id, judge));
    }
}
