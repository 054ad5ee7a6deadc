//! The verdict on one batch/sync pair: which side is materially better, as a
//! class, a score and a compact label.
//!
//! Materiality: the pair is `worse` when some material rubric passes only on the
//! sync side and none only on the batch side, `better` the other way round, and
//! `mixed` when both happen. When no rubric separates the sides, the answers'
//! agreement (JSON fields or tokens, [`crate::agree`]) only *confirms* the tie:
//! `equivalent` at or above `min-agreement`, else `divergent` — both score 0.5.
//!
//! Invariants: score is exactly 0.0 (`worse`), 1.0 (`better`) or 0.5; `passed` is
//! `score >= 0.5`; the label is at most 128 bytes.

use assay_judge_sdk::{Verdict, truncate_utf8};

use crate::agree::{Agreement, agreement};
use crate::checks::RubricResult;
use crate::label::{MAX_LABEL, encode};
use crate::rubric::Outcome;
use crate::side::Side;

/// The pair's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Worse,
    Equivalent,
    Better,
    /// Each side wins a material rubric.
    Mixed,
    /// Every rubric ties but the answers disagree (below `min-agreement`).
    Divergent,
}

/// All classes, in report order.
pub const CLASSES: [Class; 5] = [
    Class::Worse,
    Class::Equivalent,
    Class::Better,
    Class::Mixed,
    Class::Divergent,
];

impl Class {
    /// The class's name, as in labels and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Class::Worse => "worse",
            Class::Equivalent => "equivalent",
            Class::Better => "better",
            Class::Mixed => "mixed",
            Class::Divergent => "divergent",
        }
    }

    /// The class named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        CLASSES.into_iter().find(|c| c.name() == s)
    }

    /// 0.0 worse, 1.0 better, 0.5 otherwise.
    pub fn score(self) -> f64 {
        match self {
            Class::Worse => 0.0,
            Class::Better => 1.0,
            Class::Equivalent | Class::Mixed | Class::Divergent => 0.5,
        }
    }
}

/// The structural comparison of one pair.
#[derive(Debug, Clone, PartialEq)]
pub struct PairVerdict {
    pub class: Class,
    pub rubrics: Vec<RubricResult>,
    /// Measured only when no material rubric separates the sides.
    pub agreement: Option<Agreement>,
}

impl PairVerdict {
    /// Classifies `rubrics` (from [`crate::Checks::evaluate`]) on the two sides.
    pub fn classify(rubrics: Vec<RubricResult>, batch: &Side, sync: &Side, min_agreement: f64) -> Self {
        let wins = |o: Outcome| rubrics.iter().any(|r| r.material && r.outcome == o);
        let (batch_wins, sync_wins) = (wins(Outcome::BatchOnly), wins(Outcome::SyncOnly));
        let (class, agreement) = match (batch_wins, sync_wins) {
            (true, true) => (Class::Mixed, None),
            (true, false) => (Class::Better, None),
            (false, true) => (Class::Worse, None),
            (false, false) => {
                let a = agreement(batch.text(), sync.text());
                let class = if a.value() >= min_agreement {
                    Class::Equivalent
                } else {
                    Class::Divergent
                };
                (class, Some(a))
            }
        };
        PairVerdict {
            class,
            rubrics,
            agreement,
        }
    }

    /// The outcomes, in label order.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.rubrics.iter().map(|r| r.outcome).collect()
    }

    /// `<class>:g=X,s=X,t=X,r=X`.
    pub fn label(&self) -> String {
        encode(self.class.name(), &self.outcomes())
    }

    /// One paragraph for people: every rubric's note and the agreement.
    pub fn details(&self) -> String {
        let mut parts: Vec<String> = self.rubrics.iter().map(|r| r.note.clone()).collect();
        if let Some(a) = self.agreement {
            parts.push(a.describe());
        }
        parts.join("; ")
    }

    /// The verdict with `label_prefix` (e.g. `fallback:timeout:`) before the label.
    pub fn verdict(&self, label_prefix: &str) -> Verdict {
        verdict(self.class, format!("{label_prefix}{}", self.label()), self.details())
    }
}

/// A verdict of `class` with `label` and `details` (both capped).
pub fn verdict(class: Class, mut label: String, mut details: String) -> Verdict {
    truncate_utf8(&mut label, MAX_LABEL);
    truncate_utf8(&mut details, local_metrics::MAX_DETAILS);
    let score = class.score();
    Verdict {
        score: Some(score),
        label: Some(label),
        passed: score >= 0.5,
        details: Some(details),
    }
}
