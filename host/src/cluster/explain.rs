//! `--explain`: one fix note per failure cluster, written by the built-in
//! `cluster-explain` judge. Each cluster goes to the judge as one row (the
//! prompt: the cluster described in words by `input`; the metadata
//! `cluster.shape`: its shape), in one `score-batch` call; the verdict's
//! `details` carry the note.
//!
//! Invariant: a model is only ever asked through the judge's granted `llm`
//! capability (its grant, budget, cache and endpoint); the host makes no call
//! of its own. Without a grant the judge is not even loaded and every note is
//! the cluster's shape, source `shape`, saying why; so is every note the judge
//! could not get from the model. Every cluster gets exactly one note.

pub mod input;

use std::collections::BTreeMap;
use std::sync::Arc;

use assay_batch::{Flags, Status};

use super::Example;
use crate::eval::rows::{Answer, Place, RequestExtras, wit_row};
use crate::judge::cache::CompileCache;
use crate::judge::engine::JudgeEngine;
use crate::judge::load::load;
use crate::judge::registry::{RegistryError, SearchPath};
use crate::judge::runner::Scorer;
use crate::judge::state::RunContext;
use crate::judge::{LoadError, Policy, RowResult, StartError};
use crate::report::clusters::Clusters;
use crate::report::notes::{Explained, Note, NoteSource};
use crate::sink::traces::redact::Redactor;

/// The judge that writes the notes.
pub const JUDGE: &str = "cluster-explain";
/// The row metadata key with the cluster's shape (the judge's fallback note).
pub const SHAPE_KEY: &str = "cluster.shape";

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("--explain: {0}")]
    Resolve(#[source] RegistryError),
    #[error("--explain: {0}")]
    Load(#[source] LoadError),
    #[error("--explain: the judge {JUDGE} did not start: {0}")]
    Start(#[source] StartError),
}

/// Where the judge is found and what it may do.
pub struct Setup<'a> {
    pub engine: &'a JudgeEngine,
    pub cache: Option<&'a CompileCache>,
    pub policy: &'a Policy,
    pub path: &'a SearchPath,
    pub run: RunContext,
    pub redactor: &'a Redactor,
    /// The judge's config (`--set cluster-explain.KEY=VALUE`), already checked.
    pub config: Vec<(String, String)>,
}

fn shape_note(shape: &str, reason: String) -> Note {
    Note {
        text: shape.to_owned(),
        source: NoteSource::Shape,
        cached: false,
        reason: Some(reason),
    }
}

/// The note a verdict (or its absence) gives the cluster of shape `shape`.
fn note_of(result: Option<&RowResult>, shape: &str) -> Note {
    let v = match result {
        Some(RowResult::Verdict(v)) => v,
        Some(RowResult::JudgeError { kind, message }) => {
            return shape_note(shape, format!("judge error ({kind}): {message}"));
        }
        Some(RowResult::Failed(f)) => return shape_note(shape, format!("judge stopped: {f}")),
        None => return shape_note(shape, "the judge gave no verdict".into()),
    };
    let label = v.label.as_deref().unwrap_or("");
    let details = v.details.as_deref().unwrap_or("");
    match label {
        "llm" | "llm:cached" if !details.trim().is_empty() => Note {
            text: details.trim().to_owned(),
            source: NoteSource::Llm,
            cached: label == "llm:cached",
            reason: None,
        },
        _ => {
            let (text, why) = details.split_once('\n').unwrap_or((details, ""));
            let text = if text.trim().is_empty() { shape } else { text.trim() };
            let why = match why.trim() {
                "" => label.strip_prefix("fallback:").unwrap_or(label).to_owned(),
                w => w.to_owned(),
            };
            shape_note(text, why)
        }
    }
}

/// Gives every cluster of `c` its note and records how in `c.explain`.
pub async fn explain(c: &mut Clusters, examples: &BTreeMap<String, Example>, s: Setup<'_>) -> Result<(), ExplainError> {
    let granted = s.policy.llm.grants.contains_key(JUDGE);
    let mut llm = None;
    if !granted {
        let why = format!("no [llm.{JUDGE}] grant in the policy");
        for k in &mut c.clusters {
            k.note = Some(shape_note(&k.shape, why.clone()));
        }
    } else if !c.clusters.is_empty() {
        let entry = s.path.resolve(JUDGE).map_err(ExplainError::Resolve)?;
        let judge = load(s.engine, s.cache, s.policy, entry).map_err(ExplainError::Load)?;
        let n = c.clusters.len();
        let extras: Vec<RequestExtras> = c
            .clusters
            .iter()
            .map(|k| RequestExtras {
                messages: vec![("user".into(), input::describe(k, n, examples, s.redactor))],
                metadata: vec![(SHAPE_KEY.into(), k.shape.clone())],
            })
            .collect();
        let ids: Vec<String> = c.clusters.iter().map(|k| format!("cluster-{}", k.id)).collect();
        let views: Vec<_> = extras.iter().map(RequestExtras::view).collect();
        let rows: Vec<_> = views
            .iter()
            .enumerate()
            .map(|(i, view)| {
                let place = Place {
                    id: &ids[i],
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    segment: 0,
                    provider: "assay",
                    attempt: 1,
                    flags: Flags::default(),
                };
                let answer = Answer {
                    status: Status::Completed,
                    model: None,
                    snapshot: None,
                    response: None,
                    finish_reason: None,
                    truncated: false,
                    usage: assay_batch::Usage::default(),
                    error_code: None,
                    error_message: None,
                };
                wit_row(place, answer, Some(view))
            })
            .collect();
        let mut scorer = Scorer::new(judge.clone(), Arc::new(s.config), s.run);
        let results = scorer.score(&rows).await.map_err(ExplainError::Start)?;
        scorer.close();
        for (i, k) in c.clusters.iter_mut().enumerate() {
            k.note = Some(note_of(results.get(i), &k.shape));
        }
        llm = judge.llm.as_ref().map(|a| a.stats());
    }
    let llm_notes = c
        .clusters
        .iter()
        .filter(|k| k.note.as_ref().is_some_and(|n| n.source == NoteSource::Llm))
        .count() as u64;
    c.explain = Some(Explained {
        judge: JUDGE,
        granted,
        llm_notes,
        shape_notes: c.clusters.len() as u64 - llm_notes,
        llm,
        stored_with_job: None,
    });
    Ok(())
}

#[cfg(test)]
mod tests;
