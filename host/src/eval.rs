//! `assay eval`: the pipeline from provider files to a summary, as stages.
//!
//! [`run`] reads as the flow itself: plan → index the input → read the
//! sync results → read, parse, classify and score result blocks on N
//! workers, collected in submission order → recover rows from sync results →
//! summarize the judges → aggregate → hand every row to the sinks →
//! summarize the run and check its gates. Each stage is its own file with
//! its invariant in its header; settings are settled once, in `plan`.
//!
//! Invariant: every submitted row ends in exactly one status, and the
//! summary counts add up to the rows submitted; bad lines are all reported,
//! never dropped; the result does not depend on worker count or chunk size.

pub mod aggregate;
pub mod calls;
pub mod checkpoint;
pub mod collect;
pub mod detect;
pub mod early;
pub mod emit;
pub mod error;
pub mod errors;
pub mod extras;
pub mod gates;
pub mod input;
pub mod judges;
pub mod merge;
#[cfg(feature = "bench-native")]
pub mod native;
pub mod partial;
pub mod plan;
pub mod read;
pub mod reconcile;
pub mod recover;
pub mod rows;
pub mod score;
pub mod shard;
pub mod slice;
pub mod snapshots;
pub mod spill;
pub mod stop;
pub mod streams;
pub mod summarize;
pub mod sync;
pub mod table;
mod thread;
pub mod verdicts;
pub mod work;

use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument;

use assay_batch::{AtomicBitSet, Ledger};

pub use early::EarlyIndex;
pub use error::EvalError;
pub use gates::GateConfig;
pub use judges::{HOST_KEY_PREFIX, JudgeInfo, PreparedJudge, prepare, read_config};
pub use plan::EvalConfig;

use crate::judge::budget::RunBudget;
use crate::judge::state::LogLine;
use crate::report::summary::Summary;
use crate::sink::RowSink;
use calls::Scorer;
use summarize::JudgeLog;

/// The finished run: a summary plus what the CLI needs to decide exit codes.
pub struct EvalOutcome {
    pub summary: Summary,
    pub bad_lines_over: bool,
    pub judge_logs: Vec<(String, Vec<LogLine>)>,
    /// `--shard`: the partial the run wrote.
    pub partial: Option<slice::Written>,
}

/// A run that stopped with an error: the error, what the judges logged up
/// to the stop, and, when the host stopped a judge, its first failing row.
pub struct EvalStop {
    pub error: EvalError,
    pub judge_logs: Vec<JudgeLog>,
    pub repro: Option<stop::Repro>,
    /// (path read, path given) of every file the run read through a copy
    /// (a stream, an `s3://` object), so its error can name the file as given.
    pub names: Vec<(std::path::PathBuf, std::path::PathBuf)>,
}

impl<E: Into<EvalError>> From<E> for EvalStop {
    fn from(error: E) -> EvalStop {
        EvalStop {
            error: error.into(),
            judge_logs: Vec::new(),
            repro: None,
            names: Vec::new(),
        }
    }
}

pub async fn run(
    cfg: EvalConfig,
    judges: Vec<PreparedJudge>,
    sinks: Vec<Box<dyn RowSink>>,
) -> Result<EvalOutcome, EvalStop> {
    run_with(cfg, judges, sinks, None).await
}

/// [`run`], its input index already started by [`EarlyIndex::start`] on
/// the same configuration (while the judges loaded).
pub async fn run_with(
    mut cfg: EvalConfig,
    judges: Vec<PreparedJudge>,
    sinks: Vec<Box<dyn RowSink>>,
    early: Option<EarlyIndex>,
) -> Result<EvalOutcome, EvalStop> {
    let started = Instant::now();
    let streams = streams::take(&mut cfg)?;
    let names = streams.names().to_vec();
    run_on(cfg, judges, sinks, streams, started, early)
        .await
        .map_err(|stop| EvalStop { names, ..stop })
}

/// The run over `streams`, the copies [`streams::take`] made.
async fn run_on(
    cfg: EvalConfig,
    mut judges: Vec<PreparedJudge>,
    sinks: Vec<Box<dyn RowSink>>,
    streams: streams::Streams,
    started: Instant,
    early: Option<EarlyIndex>,
) -> Result<EvalOutcome, EvalStop> {
    let (mut plan, indexed, started) = match early {
        Some(early) => {
            let e = early.finish().await?;
            (e.plan, Some((e.index, e.bad)), e.started)
        }
        None => (plan::plan(&cfg)?, None, started),
    };
    for (source, _) in &mut plan.batch_objects {
        *source = streams.shown(std::path::Path::new(source)).display().to_string();
    }
    // Byte offsets are kept only when something re-reads request lines.
    plan.read.offsets = judges.iter().any(|j| j.info.needs_prompt || j.info.needs_metadata)
        || sinks.iter().any(|s| s.wants_content() || s.reads_prompts());
    let (mut index, mut bad) = match indexed {
        Some(indexed) => indexed,
        None => {
            crate::progress::stage("indexing", None);
            input::index(&cfg, &plan).await?
        }
    };
    if !plan.read.offsets {
        index.drop_offsets();
    }
    detect::refuse_other_shapes(&bad)?;
    input::require_rows(&cfg, &index, &bad)?;
    let rows = index.len();
    phase("input index", started);
    let index = Arc::new(index);
    let owned = cfg.shard.as_ref().map(|r| Arc::new(r.shard.owned_rows(&index)));
    let sync = sync::read(&cfg, &plan, &index, &mut bad).await?;

    // Without response text (embeddings) there is nothing for scorers to read.
    let scoring: Vec<usize> = (0..judges.len())
        .filter(|&j| judges[j].info.scores && plan.settled.has_text)
        .collect();
    let names = scoring.iter().map(|&j| judges[j].info.name.clone()).collect();
    let spill = match sinks.iter().any(|s| s.wants_text()) {
        true => Some(spill::Spill::new(rows).map_err(|source| EvalError::Spill { source })?),
        false => None,
    };
    let mut store = verdicts::VerdictStore::new(rows, names, spill);
    let keep_content = sinks.iter().any(|s| s.wants_content());
    if keep_content {
        store.content = Some(spill::Spill::new(rows).map_err(|source| EvalError::Spill { source })?);
    }
    // Prompts for sinks that want content (traces) or some rows' prompts
    // (clustering), re-read from the input at emit time.
    let prompts = match keep_content || sinks.iter().any(|s| s.reads_prompts()) {
        true => Some(extras::RequestSource::open(
            &cfg.input,
            &plan.settled,
            index.clone(),
            (true, false),
            cfg.max_line_bytes,
            cfg.max_unpacked_bytes,
        )?),
        false => None,
    };
    let limit = verdicts::Limit {
        allowed: (cfg.max_judge_error_rate * rows as f64).floor() as u64,
        rate: cfg.max_judge_error_rate,
        rows: rows as u64,
    };
    let needs: Vec<score::Needs> = scoring
        .iter()
        .map(|&j| (judges[j].info.needs_prompt, judges[j].info.needs_metadata))
        .collect();
    let wanted = needs.iter().fold((false, false), |a, n| (a.0 || n.0, a.1 || n.1));
    let requests = extras::RequestSource::open(
        &cfg.input,
        &plan.settled,
        index.clone(),
        wanted,
        cfg.max_line_bytes,
        cfg.max_unpacked_bytes,
    )?;
    let ctx = Arc::new(work::WorkerCtx {
        index: index.clone(),
        final_set: Arc::new(AtomicBitSet::new(rows)),
        segment_size: plan.segment_size,
        chunk_rows: plan.chunk_rows,
        provider: plan.settled.provider,
        provider_opts: cfg.provider_opts.clone(),
        requests,
        needs,
        sync: sync.clone(),
        keep_content,
        checkpoint: cfg.checkpoint.clone(),
        owned: owned.clone(),
    });
    // One run budget per scoring judge, shared by its scorers on every
    // worker and in recovery: failures and call time count as they happen.
    let budgets: Vec<Arc<RunBudget>> = scoring
        .iter()
        .map(|&j| {
            let time = judges[j].loaded.limits.run_budget;
            Arc::new(RunBudget::new(cfg.max_judge_error_rate, rows as u64, time))
        })
        .collect();
    let make_scorers = || -> Vec<Scorer> {
        scoring
            .iter()
            .zip(&budgets)
            .map(|(&j, budget)| Scorer::new(&judges[j], cfg.run, budget.clone()))
            .collect()
    };
    let ledger = Ledger::new(rows, plan.attempts, cfg.retry);
    crate::progress::stage("scoring", Some(rows as u64));
    let collected = collect::collect(&plan, ctx.clone(), ledger, &mut store, &limit, make_scorers)
        .instrument(phase_span("results and scoring"))
        .await;
    let mut c = collected.map_err(|s| stop::stopped(s.error, s.scorers, &judges, &scoring, &budgets))?;
    bad.append(&mut c.bad);
    input::check_attempts(&cfg, &c.rows_per_attempt, &bad)?;
    c.ledger.finish();
    detect::refuse_unjoined(plan.settled.provider, &cfg.provider_opts, &c.ledger)?;

    let sync_summary = match &sync {
        Some(set) => {
            let mut scorers = make_scorers();
            let into = recover::Settled {
                ledger: &mut c.ledger,
                models: &mut c.models,
                snapshots: &mut c.snapshots,
                store: &mut store,
                errors: &mut c.errors,
            };
            let summary = recover::apply_sync(set, &ctx, plan.attempts, &mut scorers, &limit, into).await;
            for s in &mut scorers {
                s.close();
            }
            c.scorers.push(scorers);
            match summary {
                Ok(summary) => Some(summary),
                Err(error) => return Err(stop::stopped(error, c.scorers, &judges, &scoring, &budgets)),
            }
        }
        None => None,
    };
    crate::progress::finish();
    phase("results and scoring", started);
    detect::refuse_other_shapes(&bad)?;

    let (mut judge_summaries, mut judge_logs) =
        summarize::judge_summaries(&judges, &scoring, &store, &mut c.scorers, plan.segment_size);
    let partial = match (&cfg.shard, &owned) {
        (Some(run), Some(owned)) => Some(slice::write(slice::Slice {
            run,
            cfg: &cfg,
            plan: &plan,
            streams: &streams,
            judges: &judges,
            scoring: &scoring,
            ledger: &c.ledger,
            models: &c.models,
            snapshots: &c.snapshots,
            errors: &c.errors,
            store: &store,
            summaries: &judge_summaries,
            bad: &bad,
            owned,
            index: &index,
            tallies: &c.tallies,
        })?),
        _ => None,
    };
    let quality: Vec<usize> = (0..scoring.len())
        .filter(|&t| judges[scoring[t]].info.quality)
        .collect();
    let verdicts::VerdictStore {
        tables,
        names,
        mut spill,
        mut content,
        ..
    } = store;
    let agg_input = aggregate::AggInputs {
        ledger: Arc::new(c.ledger),
        models: Arc::new(c.models),
        snapshots: Arc::new(c.snapshots),
        tables: Arc::new(tables),
        quality: Arc::new(quality),
        rows,
        segment_size: plan.segment_size,
        provider: plan.settled.provider.as_str(),
    };
    // The snapshot table and the error codes read only the ledger: they are
    // worked out beside the aggregators, on the core the shorter one frees
    // (at 1M rows about 10 ms that otherwise ran alone after them).
    let errors = Arc::new(c.errors);
    let side = tokio::task::spawn_blocking({
        let (input, errors) = (agg_input.clone(), Arc::clone(&errors));
        move || {
            let (ledger, models, snaps) = (&input.ledger, &input.models, &input.snapshots);
            let snapshots = snapshots::snapshots(ledger, input.rows, input.segment_size, models, snaps);
            (snapshots, errors.top(ledger))
        }
    });
    aggregate::aggregate_all(&mut judges, &scoring, &agg_input, &mut judge_summaries, &mut judge_logs)
        .instrument(phase_span("aggregation"))
        .await?;
    let (snapshots, error_codes) = side.await.map_err(|e| EvalError::task("summary", e))?;
    let kept = emit::Kept {
        spill: spill.as_mut(),
        content: content.as_mut(),
        prompts: prompts.as_ref(),
    };
    phase_span("rows to sinks").in_scope(|| emit::emit(&agg_input, &index, &errors, &names, kept, sinks))?;
    phase("aggregation and rows-out", started);

    let ledger = &agg_input.ledger;
    let reconciliation = plan
        .batch_objects
        .iter()
        .enumerate()
        .map(|(a, (src, obj))| reconcile::reconcile(a + 1, src, obj, &c.tallies[a], rows as u64))
        .collect();
    summarize::note_unscorable(&judges, &mut judge_summaries, plan.settled.has_text);
    let bad_lines_over = bad.len() as u64 > cfg.max_bad_lines;
    let mut sync = sync_summary;
    summarize::show_sync_files(&mut sync, &streams);
    let parts = summarize::Parts {
        error_codes,
        judges: judge_summaries,
        bad: summarize::bad_entries(bad, &streams),
        reconciliation,
        snapshots,
        sync,
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    let mut summary = summarize::summary(&summarize::Head::of(&cfg, &plan, &streams), ledger, parts);
    gates::apply(&mut summary, &cfg.gates)?;
    Ok(EvalOutcome {
        summary,
        bad_lines_over,
        judge_logs,
        partial,
    })
}

/// A pipeline phase as a `tracing` span (target `assay::phase`, level debug):
/// `RUST_LOG=assay::phase=debug` prints each one's busy and idle time when it closes.
fn phase_span(name: &'static str) -> tracing::Span {
    tracing::debug_span!(target: "assay::phase", "phase", name)
}

/// Each phase boundary is also a `tracing` event (target `assay::phase`, level
/// debug: `RUST_LOG=assay::phase=debug` shows it); with `ASSAY_PHASES=1` the
/// elapsed time is also printed to stderr as before.
fn phase(name: &str, started: Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ms = started.elapsed().as_millis() as u64;
    tracing::debug!(target: "assay::phase", phase = name, elapsed_ms = ms, "phase done");
    if *ON.get_or_init(|| std::env::var_os("ASSAY_PHASES").is_some()) {
        crate::note!("assay: {name} done at {ms} ms");
    }
}
