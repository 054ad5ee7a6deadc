//! `assay cluster` and `assay eval --cluster`: the cluster sink added to the
//! eval pipeline's sinks, the clustering after the run, and its output.
//!
//! `--explain` adds a fix note per cluster (`assay::cluster::explain`) and, with
//! `--job J`, replaces job J's stored notes; `eval --job J` without it shows
//! the notes stored with J.
//!
//! Invariant: `assay cluster` is `assay eval` with the same inputs, the same
//! pipeline and the same exit codes; it only prints the clusters instead of
//! the summary. Notes are stored only under the job the run evaluated.

use std::sync::{Arc, Mutex};

use anyhow::Result;
use assay::cluster::explain::{self, Setup};
use assay::cluster::{self, Options};
use assay::jobs::NewNote;
use assay::judge::Policy;
use assay::judge::cache::CompileCache;
use assay::judge::engine::JudgeEngine;
use assay::judge::registry::SearchPath;
use assay::judge::state::RunContext;
use assay::report::Summary;
use assay::report::clusters::{Clusters, render_text};
use assay::report::notes::JobNotes;
use assay::sink::RowSink;
use assay::sink::cluster::{ClusterSink, Gathered};
use assay::sink::traces::redact::Redactor;

use super::args::{EvalArgs, Format};
use super::eval::run_as;
use super::exit;
use super::job_args::StateArgs;
use super::job_ctx::{fail, open_store};

/// `assay cluster`.
pub fn run(mut args: EvalArgs) -> Result<i32> {
    args.cluster = true;
    // Clustering looks again at a run; it is not a new point on the trend.
    args.history.no_history = true;
    args.history.history = None;
    run_as(args, assay::history::RunKind::Eval, true)
}

/// The clustering of one run: the sink's collection and the settings.
pub struct Clustering {
    shared: Arc<Mutex<Gathered>>,
    opts: Options,
    /// `--explain`: the traces' redactor (with `--redact`) for the examples.
    redactor: Option<Redactor>,
}

/// What `--explain` needs of the run: the judge engine, the policy, where
/// judges are, and the job the notes belong to.
pub struct Explain<'a> {
    pub engine: &'a JudgeEngine,
    pub cache: Option<&'a CompileCache>,
    pub policy: &'a Policy,
    pub path: &'a SearchPath,
    pub run: RunContext,
    pub job: Option<i64>,
    pub state: &'a StateArgs,
    /// `--set cluster-explain.KEY=VALUE`, read and checked ([`explain_config`]).
    pub config: Vec<(String, String)>,
}

/// The `cluster-explain` judge's config from `--set`, checked against its
/// manifest before the run (none given: nothing to check, nothing resolved).
pub fn explain_config(path: &SearchPath, sets: Option<&Vec<(String, String)>>) -> Result<Vec<(String, String)>> {
    let Some(pairs) = sets.filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let entry = path.resolve(explain::JUDGE).map_err(|e| fail(exit::JUDGE, e))?;
    let config = assay::eval::read_config(explain::JUDGE, pairs).map_err(|e| fail(exit::USAGE, e))?;
    entry.check_config(&config).map_err(|e| fail(exit::USAGE, e))?;
    Ok(config)
}

impl Clustering {
    /// With `--cluster` or `--explain` (or under `assay cluster`), adds the
    /// cluster sink to `sinks`; a bad `--redact` is refused before the run.
    pub fn new(args: &EvalArgs, sinks: &mut Vec<Box<dyn RowSink>>) -> Result<Option<Clustering>> {
        if !args.cluster && !args.explain {
            return Ok(None);
        }
        let redactor = match args.explain {
            true => Some(Redactor::new(&args.traces.redact).map_err(|e| fail(exit::USAGE, e))?),
            false => None,
        };
        let opts = Options {
            max_rows: usize::try_from(args.cluster_max_rows).unwrap_or(usize::MAX),
            min_size: args.cluster_min_size.map(|m| usize::try_from(m).unwrap_or(usize::MAX)),
        };
        let shared = ClusterSink::shared(opts.max_rows, args.explain);
        sinks.push(Box::new(ClusterSink::new(shared.clone())));
        Ok(Some(Clustering { shared, opts, redactor }))
    }

    /// Clusters what the sink kept (call once the run has returned); under
    /// `--explain`, gives each cluster its note and stores them with the job.
    pub async fn finish(&self, x: Option<Explain<'_>>) -> Result<Clusters> {
        let collected = ClusterSink::take(&self.shared);
        let mut c = cluster::cluster(&collected, self.opts).map_err(|e| fail(exit::INTERNAL, e))?;
        let (Some(x), Some(redactor)) = (x, &self.redactor) else {
            return Ok(c);
        };
        let setup = Setup {
            engine: x.engine,
            cache: x.cache,
            policy: x.policy,
            path: x.path,
            run: x.run,
            redactor,
            config: x.config,
        };
        explain::explain(&mut c, &collected.examples, setup)
            .await
            .map_err(|e| fail(exit::JUDGE, e))?;
        if let Some(job) = x.job {
            store_notes(x.state, job, &c)?;
            if let Some(e) = &mut c.explain {
                e.stored_with_job = Some(job);
            }
        }
        Ok(c)
    }
}

/// Replaces job `job`'s notes with the notes of `c`.
fn store_notes(state: &StateArgs, job: i64, c: &Clusters) -> Result<()> {
    let notes: Vec<NewNote> = c
        .clusters
        .iter()
        .filter_map(|k| {
            k.note.as_ref().map(|n| NewNote {
                cluster: k.id,
                rows: k.size,
                shape: &k.shape,
                note: &n.text,
                source: n.source.as_str(),
            })
        })
        .collect();
    open_store(state)?
        .replace_cluster_notes(job, &notes)
        .map_err(|e| fail(exit::OUTPUT, format!("cannot store the fix notes with job {job}: {e}")))
}

/// Links the notes this run stored with its job to the run, once the run is
/// recorded (`recorded`: the history file and the run's id), when the history
/// is the job store's own database.
pub fn link_run(args: &EvalArgs, recorded: Option<&(std::path::PathBuf, i64)>) -> Result<()> {
    let (Some(job), Some((history, run)), true) = (args.job, recorded, args.explain) else {
        return Ok(());
    };
    let store = open_store(&args.state)?;
    if store.path() != history.as_path() {
        return Ok(());
    }
    store.set_cluster_notes_run(job, *run).map_err(|e| {
        fail(
            exit::OUTPUT,
            format!("cannot link job {job}'s fix notes to run {run}: {e}"),
        )
    })
}

/// `eval --job J` without `--explain`: the notes stored with J, if any.
pub fn stored_notes(args: &EvalArgs) -> Result<Option<JobNotes>> {
    let Some(job) = args.job.filter(|_| !args.explain) else {
        return Ok(None);
    };
    let notes = open_store(&args.state)?
        .cluster_notes(job)
        .map_err(|e| fail(exit::INPUT, e))?;
    Ok((!notes.is_empty()).then_some(JobNotes { job, notes }))
}

/// `assay cluster`'s output: the clusters alone, as text or JSON.
pub fn print(c: Option<&Clusters>, format: Format) -> std::io::Result<()> {
    let Some(c) = c else {
        return Ok(());
    };
    match format {
        Format::Text => super::out::emit(&render_text(c)),
        Format::Json => super::out::emit(&(serde_json::to_string_pretty(c).map_err(std::io::Error::from)? + "\n")),
    }
}

/// The terminal summary, followed by the clusters under `--cluster`.
pub fn with_text(mut text: String, s: &Summary) -> String {
    if let Some(c) = &s.clusters {
        text.push('\n');
        text.push_str(&render_text(c));
    }
    text
}
