//! Small constructors for the WIT records judges build most: [`Verdict`],
//! [`Descriptor`] and [`Report`]. They are inherent methods on the generated types.
//!
//! Invariant: the constructors build only values the host accepts as given (scores
//! in `[0, 1]`); labels and details are the caller's to keep within the host's caps
//! (128 bytes, 16 KiB) — [`truncate_utf8`] helps.

use crate::{Alarm, Descriptor, Metric, Needs, Report, Row, RowFlags, RowStatus, Usage, Verdict};

impl Verdict {
    /// A passing verdict with `score` (clamped to `[0, 1]`; NaN becomes 0).
    pub fn pass(score: f64) -> Self {
        Verdict {
            score: Some(clamp01(score)),
            label: None,
            passed: true,
            details: None,
        }
    }

    /// A failing verdict with score 0, a short class `label` and optional `details`.
    pub fn fail(label: impl Into<String>, details: Option<String>) -> Self {
        Verdict {
            score: Some(0.0),
            label: Some(label.into()),
            passed: false,
            details,
        }
    }

    /// The same verdict with `score` (clamped to `[0, 1]`; NaN becomes 0).
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = Some(clamp01(score));
        self
    }

    /// The same verdict with `details`.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// Cuts `s` to at most `max` bytes on a character boundary, marking a cut with `…`.
pub fn truncate_utf8(s: &mut String, max: usize) {
    if s.len() <= max {
        return;
    }
    let ellipsis = '…'.len_utf8();
    let mut end = max.saturating_sub(ellipsis);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.truncate(end);
    if max >= ellipsis {
        s.push('…');
    }
}

impl Row {
    /// A completed row with `response`, everything else empty: for unit tests
    /// that call a judge's `score` natively.
    pub fn completed(id: &str, response: Option<&str>) -> Self {
        Row {
            id: id.into(),
            index: 0,
            segment: 0,
            provider: "test".into(),
            model: String::new(),
            snapshot: None,
            status: RowStatus::Completed,
            flags: RowFlags::empty(),
            attempt: 1,
            prompt: Vec::new(),
            response: response.map(Into::into),
            finish_reason: None,
            usage: Usage {
                input_tokens: 0,
                output_tokens: 0,
                cached_input_tokens: 0,
                cache_write_tokens: 0,
                reasoning_tokens: 0,
            },
            error_code: None,
            error_message: None,
            metadata: Vec::new(),
        }
    }
}

impl Descriptor {
    /// A judge that neither scores nor aggregates yet; chain the builders below.
    pub fn new(name: &str, version: &str, description: &str) -> Self {
        Descriptor {
            name: name.into(),
            version: version.into(),
            description: description.into(),
            scores: false,
            aggregates: false,
            quality: false,
            needs: Needs::empty(),
            config_keys: Vec::new(),
        }
    }

    /// Exports a useful `score-batch`.
    pub fn scorer(mut self) -> Self {
        self.scores = true;
        self
    }

    /// A scorer whose verdicts count towards "validated" rows.
    pub fn quality(mut self) -> Self {
        self.scores = true;
        self.quality = true;
        self
    }

    /// Exports a useful aggregator.
    pub fn aggregator(mut self) -> Self {
        self.aggregates = true;
        self
    }

    /// Asks the host to fill these row fields.
    pub fn needs(mut self, needs: Needs) -> Self {
        self.needs |= needs;
        self
    }

    /// Documents one configuration key.
    pub fn config_key(mut self, key: &str, help: &str) -> Self {
        self.config_keys.push((key.into(), help.into()));
        self
    }
}

impl Report {
    /// No metrics, no alarms.
    pub fn new() -> Self {
        Report {
            metrics: Vec::new(),
            alarms: Vec::new(),
        }
    }

    /// Adds a run-wide metric.
    pub fn metric(mut self, name: &str, value: f64) -> Self {
        self.push_metric(name, None, value);
        self
    }

    /// Adds a per-segment metric.
    pub fn segment_metric(mut self, name: &str, segment: u32, value: f64) -> Self {
        self.push_metric(name, Some(segment), value);
        self
    }

    /// Adds an alarm.
    pub fn alarm(mut self, kind: &str, segment: Option<u32>, message: impl Into<String>) -> Self {
        self.push_alarm(kind, segment, message);
        self
    }

    /// Adds a metric in place.
    pub fn push_metric(&mut self, name: &str, segment: Option<u32>, value: f64) {
        self.metrics.push(Metric {
            name: name.into(),
            value,
            segment,
        });
    }

    /// Adds an alarm in place.
    pub fn push_alarm(&mut self, kind: &str, segment: Option<u32>, message: impl Into<String>) {
        self.alarms.push(Alarm {
            kind: kind.into(),
            segment,
            message: message.into(),
        });
    }
}

impl Default for Report {
    fn default() -> Self {
        Report::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_clamp() {
        assert_eq!(Verdict::pass(1.5).score, Some(1.0));
        assert_eq!(Verdict::pass(f64::NAN).score, Some(0.0));
        let v = Verdict::fail("x", None).with_details("d");
        assert!(!v.passed && v.label.as_deref() == Some("x") && v.details.is_some());
    }

    #[test]
    fn truncation_respects_chars() {
        let mut s = "ééééé".to_string(); // 10 bytes
        truncate_utf8(&mut s, 6);
        assert!(s.len() <= 6 && s.ends_with('…'), "{s}");
        let mut t = "short".to_string();
        truncate_utf8(&mut t, 6);
        assert_eq!(t, "short");
    }
}
