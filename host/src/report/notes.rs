//! Fix notes per failure cluster (`assay cluster --explain`): the note each
//! cluster got, where it came from, and the notes stored with a job, as the
//! terminal, JSON and HTML show them.
//!
//! Invariant: a note's `source` is `llm` only when its text is a model's
//! answer through the `cluster-explain` judge; every other note is the
//! cluster's shape, with the reason the model gave none. Every string here
//! reaches HTML only through `esc` and the terminal only through `sanitize`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::html::esc;
use super::terminal::sanitize;
use crate::jobs::ClusterNote;
use crate::judge::llm::LlmStats;

/// Where a note's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteSource {
    /// The granted model's answer.
    Llm,
    /// The cluster's deterministic shape description.
    Shape,
}

impl NoteSource {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteSource::Llm => "llm",
            NoteSource::Shape => "shape",
        }
    }
}

/// One cluster's fix note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub text: String,
    pub source: NoteSource,
    /// The model's answer came from the answer cache (no call, no tokens).
    pub cached: bool,
    /// Why the note is the shape (`budget-exhausted: …`, no grant, …).
    pub reason: Option<String>,
}

/// How the notes of one run were made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explained {
    /// The judge that wrote them.
    pub judge: &'static str,
    /// Whether the policy grants the judge `llm` (else it did not run).
    pub granted: bool,
    pub llm_notes: u64,
    pub shape_notes: u64,
    /// The judge's calls: answered, cached, tokens and refusals by kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm: Option<LlmStats>,
    /// The job the notes were stored with (`--job`); none for files.
    pub stored_with_job: Option<i64>,
}

/// A job's stored notes, shown by a later `eval --job` that did not explain.
#[derive(Debug, Clone, Serialize)]
pub struct JobNotes {
    pub job: i64,
    pub notes: Vec<ClusterNote>,
}

/// `fix (llm): …` / `fix (shape; reason): …`, for the terminal.
pub fn note_line(n: &Note) -> String {
    let mut how = n.source.as_str().to_owned();
    if let Some(r) = &n.reason {
        let _ = write!(how, "; {r}");
    }
    if n.cached {
        how.push_str(", cached");
    }
    format!("    fix ({}): {}\n", sanitize(&how), sanitize(&n.text))
}

/// The terminal's lines after the clusters: what the model did, how many notes
/// fell back and why, where they were stored.
pub fn footer(e: &Explained, notes: &[&Note]) -> String {
    let mut o = String::new();
    if let Some(s) = &e.llm {
        let _ = writeln!(
            o,
            "  fix notes: {} asked the model: {} calls, {} cached, {} input + {} output tokens",
            e.judge, s.calls, s.cached, s.input_tokens, s.output_tokens
        );
    }
    if e.shape_notes > 0 {
        let why = match e.granted {
            false => format!("no [llm.{}] grant in the policy", e.judge),
            true => {
                let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
                for n in notes.iter().filter(|n| n.source == NoteSource::Shape) {
                    let r = n.reason.as_deref().unwrap_or("unknown");
                    *kinds.entry(r.split(':').next().unwrap_or(r)).or_default() += 1;
                }
                let k: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
                format!("the model gave none ({})", k.join(", "))
            }
        };
        let _ = writeln!(
            o,
            "  {} of {} notes are the shape: {}",
            e.shape_notes,
            e.llm_notes + e.shape_notes,
            sanitize(&why)
        );
    }
    if let Some(j) = e.stored_with_job {
        let _ = writeln!(o, "  fix notes stored with job {j}");
    }
    o
}

/// A note in a table cell: the text, then where it came from.
pub fn note_cell(n: &Note) -> String {
    let how = match &n.reason {
        Some(r) => format!("{}: {r}", n.source.as_str()),
        None if n.cached => format!("{}, cached", n.source.as_str()),
        None => n.source.as_str().to_owned(),
    };
    format!("{} <small>({})</small>", esc(&n.text), esc(&how))
}

/// The report's section of a job's stored notes.
pub fn render_job_notes(o: &mut String, j: &JobNotes) {
    let _ = write!(
        o,
        "<h2>Fix notes of job {}</h2><p>From the last <code>assay cluster --job {} --explain</code>.</p>",
        j.job, j.job
    );
    o.push_str(
        "<table id=\"fix-notes\"><tr><th>#</th><th>rows</th><th>shape</th><th>fix note</th><th>source</th></tr>",
    );
    for n in &j.notes {
        let _ = write!(
            o,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            n.cluster,
            n.rows,
            esc(&n.shape),
            esc(&n.note),
            esc(&n.source)
        );
    }
    o.push_str("</table>");
}

#[cfg(test)]
mod tests;
