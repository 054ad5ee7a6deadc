//! `assay eval`: turn arguments into an `EvalConfig`, prepare judges, run,
//! apply gates, print, and choose the exit code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use assay::eval::{self, EvalConfig, EvalError};
use assay::judge::Policy;
use assay::judge::cache::CompileCache;
use assay::judge::engine::JudgeEngine;
use assay::judge::registry::SearchPath;
use assay::judge::state::RunContext;
use assay::report::failed;
use assay::report::terminal;
use assay::sink::failed::FailedRowsSink;
use assay::sink::rows_out::RowsOut;
use assay::sink::traces::TraceError;
use assay::sink::{RowSink, SinkError};
use assay_batch::RetryPolicy;

use super::args::{EvalArgs, Format, Provider};
use super::exit;

/// An error that already knows its exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Exit {
    pub code: i32,
    pub message: String,
}

fn fail(code: i32, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(Exit {
        code,
        message: e.to_string()
    })
}

mod remote;
pub(crate) mod settings;
mod shard;

pub use settings::gate_config;
use settings::{eval_error, input_files, parse_set};

pub fn run(args: EvalArgs) -> Result<i32> {
    run_as(args, assay::history::RunKind::Eval, false)
}

/// `assay eval`, recorded in the run history as a run of `kind`;
/// `cluster_only`: `assay cluster`, which prints the clusters instead of the summary.
pub fn run_as(args: EvalArgs, kind: assay::history::RunKind, cluster_only: bool) -> Result<i32> {
    let format = args.format;
    let shard = args.shard.clone();
    let done = evaluate(args, kind)?;
    if let (Some(w), Some(shard)) = (&done.partial, &shard) {
        shard::present(w, shard, format)?;
        done.finish();
        return Ok(exit::OK);
    }
    if cluster_only {
        super::cluster::print(done.summary.clusters.as_ref(), format)
            .map_err(|e| fail(exit::OUTPUT, format!("cannot write the summary to stdout: {e}")))?;
        report_bad_lines(&done);
    } else {
        present(&done, format)?;
    }
    done.finish();
    Ok(done.summary.exit_code)
}

/// What `evaluate` ran.
pub struct Evaluated {
    /// The summary, with its exit code set.
    pub summary: assay::report::Summary,
    /// More bad lines than allowed.
    pub bad_lines_over: bool,
    /// The run's id in the history, when it was recorded.
    pub run: Option<i64>,
    /// `--shard`: the partial written (the summary is only the shard's view).
    pub partial: Option<assay::eval::slice::Written>,
    /// The run's checkpoint, marked finished by [`Evaluated::finish`].
    pub checkpoint: Option<std::sync::Arc<assay::eval::checkpoint::Checkpoint>>,
}

impl Evaluated {
    /// Marks the run finished (its committed blocks dropped): call it only
    /// once every output is written, so a run killed before then can still be
    /// resumed to the same outputs.
    pub fn finish(&self) {
        super::resume::end(self.checkpoint.as_ref(), true);
    }
}

/// Runs the evaluation, writes its files (`--junit`, `--report`,
/// `--rows-out`) and records it in the run history as a run of `kind`.
/// Nothing is printed on stdout.
pub fn evaluate(mut args: EvalArgs, kind: assay::history::RunKind) -> Result<Evaluated> {
    let history = super::history::target(&args.history, args.state.state.as_deref())?;
    if let Some(job) = args.job {
        super::job_ctx::fill_eval_args(&mut args, job)?;
    }
    let canary = super::feedback::resolve(&args)?;
    let input = args
        .input
        .clone()
        .ok_or_else(|| fail(exit::USAGE, "--input is required"))?;
    let provider = match args.provider {
        Provider::Auto => None,
        Provider::Openai => Some(assay_batch::Provider::OpenAi),
        Provider::Azure => Some(assay_batch::Provider::Azure),
        Provider::Anthropic => Some(assay_batch::Provider::Anthropic),
        Provider::Bedrock => Some(assay_batch::Provider::Bedrock),
        Provider::Vertex => Some(assay_batch::Provider::Vertex),
        Provider::Gemini => Some(assay_batch::Provider::Gemini),
    };
    let mut sets: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for s in &args.sets {
        let (j, k, v) = parse_set(s).map_err(|e| fail(exit::USAGE, e))?;
        let explained = args.explain && j == assay::cluster::explain::JUDGE;
        if !args.judges.contains(&j) && !explained {
            return Err(fail(
                exit::USAGE,
                format!("--set {s:?} configures judge '{j}', which no --judge selects"),
            ));
        }
        sets.entry(j).or_default().push((k, v));
    }
    let gates = gate_config(args.min_completion, &args.min_pass_rate, args.strict_reconcile)?;
    let mut attempts = Vec::new();
    for r in &args.results {
        let files: Vec<PathBuf> = r.split(',').filter(|f| !f.is_empty()).map(PathBuf::from).collect();
        if files.is_empty() {
            return Err(fail(exit::USAGE, format!("--results {r:?} names no file")));
        }
        attempts.push(files);
    }
    remote::check(input_files(&args, &input).iter().map(PathBuf::as_path)).map_err(remote::RemoteError::exit)?;
    let retry = RetryPolicy::parse(&args.retryable).map_err(|e| fail(exit::USAGE, e))?;
    let mut policy = match &args.policy {
        Some(p) => Policy::load(p).map_err(|e| fail(exit::USAGE, e))?,
        None => Policy::default(),
    };
    args.llm.apply(&mut policy).map_err(|e| fail(exit::USAGE, e))?;
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let run_ctx = RunContext { seed: args.seed };
    // The run's start, for the history and the traces (judges see a fixed clock).
    let started = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();

    if assay::progress::wanted(args.quiet) {
        assay::progress::install();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers.max(1))
        // Time for deadlines; I/O for the `llm` capability's endpoint calls.
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // The files read through copies (`s3://` objects, streams), named back in errors.
    let copied = std::cell::RefCell::new(Vec::new());
    let copied_out = &copied;
    let done = rt.block_on(async move {
        let engine = JudgeEngine::new().map_err(|e| fail(exit::JUDGE, e))?;
        let cache = if args.no_cache {
            None
        } else {
            CompileCache::default_dir().and_then(CompileCache::open)
        };
        let path = SearchPath::standard(&args.plugin_dirs);
        let explain_config = super::cluster::explain_config(&path, sets.get(assay::cluster::explain::JUDGE))?;
        for (i, name) in args.judges.iter().enumerate() {
            if args.judges[..i].contains(name) {
                return Err(fail(exit::USAGE, format!("--judge {name} given twice")));
            }
        }
        let mut configs = Vec::new();
        for name in &args.judges {
            let config = eval::read_config(name, sets.get(name).map_or(&[][..], |v| &v[..]))
                .map_err(|e| fail(exit::USAGE, e))?;
            configs.push(config);
        }
        let cfg = EvalConfig {
            provider,
            provider_opts: assay_batch::ProviderOptions {
                id_path: args.id_path.clone(),
            },
            batch_objects: args.batch_objects.clone(),
            input: input.clone(),
            attempts,
            segment_size: args.segment_size,
            max_bad_lines: args.max_bad_lines,
            max_line_bytes: args.max_line_bytes,
            max_unpacked_bytes: args.max_unpacked_bytes,
            block_bytes: 1 << 20,
            chunk_rows: args.chunk_rows as usize,
            workers,
            retry,
            max_judge_error_rate: policy.max_judge_error_rate,
            run: run_ctx,
            sync_results: args.sync_results.clone(),
            gates,
            checkpoint: None,
            shard: None,
            copied: Vec::new(),
        };
        // The input's index starts now, its threads beside the judges'
        // loading (bench/RESULTS.md); a run that names objects to download
        // indexes after the download.
        let early = match remote::none_in(&cfg) {
            true => eval::EarlyIndex::start(&cfg),
            false => None,
        };
        let facts = [("assay.sync-results", (!args.sync_results.is_empty()).to_string())];
        // Each judge is prepared on a thread of its own: a load from the
        // compile cache is one core's hashing and copying (30 ms for
        // `schema-drift`, bench/RESULTS.md), so the others load beside it.
        let handle = tokio::runtime::Handle::current();
        let prepared = std::thread::scope(|s| {
            let (engine, cache, policy, path, facts, handle) =
                (&engine, cache.as_ref(), &policy, &path, &facts, &handle);
            let threads: Vec<_> = args
                .judges
                .iter()
                .zip(configs)
                .map(|(name, config)| {
                    s.spawn(move || {
                        handle.block_on(eval::prepare(engine, cache, policy, path, name, config, facts, run_ctx))
                    })
                })
                .collect();
            threads.into_iter().map(|t| t.join()).collect::<Vec<_>>()
        });
        let mut judges = Vec::new();
        for j in prepared {
            let j = j.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            judges.push(j.map_err(|e| match e {
                eval::judges::PrepareError::UnknownKey(_) => fail(exit::USAGE, e),
                e => fail(exit::JUDGE, e),
            })?);
        }
        let mut cfg = cfg;
        // Held to the end of the run: the copies go when it is dropped.
        let _copies = remote::fetch(&mut cfg).await.map_err(remote::RemoteError::exit)?;
        *copied_out.borrow_mut() = cfg.copied.clone();
        cfg.shard = shard::prepare(&args, &cfg, &mut judges)?;
        let sharded = cfg.shard.is_some();
        let scoring = judges.iter().filter(|j| j.info.scores).count();
        // Every `assay eval` that records its run gets a checkpoint by default.
        // A shard is not resumable: it is rerun whole, and only the merge is recorded.
        let place = match (&history, kind) {
            (super::history::Target::At(p), assay::history::RunKind::Eval) if !sharded => {
                super::resume::Place::Default(p)
            }
            _ => super::resume::Place::Explicit(args.state.state.as_deref()),
        };
        cfg.checkpoint = super::resume::open(&args.resume, place, &cfg, &judges, scoring)?;
        let checkpoint = cfg.checkpoint.clone();
        if let Some(cp) = &checkpoint {
            super::resume::watch_signals(cp.clone(), !args.traces.enabled(), args.resume.resume.is_some())?;
        }
        let mut sinks: Vec<Box<dyn RowSink>> = Vec::new();
        if let Some(path) = &args.rows_out {
            let inputs = input_files(&args, &input);
            let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
            sinks.push(Box::new(
                RowsOut::create(path, &inputs).map_err(|e| fail(exit::OUTPUT, e))?,
            ));
        }
        let failed_rows = args
            .report
            .as_ref()
            .map(|_| FailedRowsSink::shared(failed::DEFAULT_CAP));
        if let Some(rows) = &failed_rows {
            sinks.push(Box::new(FailedRowsSink::new(rows.clone())));
        }
        let clustering = super::cluster::Clustering::new(&args, &mut sinks)?;
        let mut trace_handle = None;
        if let Some((sink, handle)) = args
            .traces
            .start(&input, UNIX_EPOCH + started)
            .map_err(|e| fail(exit::USAGE, e))?
        {
            sinks.push(Box::new(sink));
            trace_handle = Some(handle);
        }
        let outcome = match eval::run_with(cfg, judges, sinks, early).await {
            Ok(o) => o,
            Err(stop) => {
                copied_out.borrow_mut().extend(stop.names.iter().cloned());
                super::resume::end(checkpoint.as_ref(), false);
                if args.judge_log {
                    super::stop::print_judge_logs(&stop.judge_logs);
                }
                let hint = stop.repro.as_ref().map(|r| super::stop::replay_hint(r, args.judge_log));
                let e = stop.error;
                let interrupted = matches!(e, EvalError::Sink(SinkError::Traces(TraceError::Interrupted)));
                if let Some(h) = trace_handle.take() {
                    super::traces::finish_failed(h, interrupted);
                }
                return Err(match interrupted {
                    true => fail(
                        exit::INTERRUPTED,
                        "interrupted (Ctrl-C); the spans sent are counted above",
                    ),
                    false => super::stop::with_hint(eval_error(e), hint),
                });
            }
        };
        let mut summary = outcome.summary;
        summary.exit_code = if outcome.bad_lines_over {
            exit::INPUT
        } else if summary.gates.iter().any(|g| !g.passed) {
            exit::GATE
        } else {
            exit::OK
        };
        if let Some(c) = canary.as_ref().filter(|_| !sharded) {
            assay::report::canary::compare(&mut summary, c, args.canary_drift_points);
        }
        if let Some(c) = &clustering {
            let explain = args.explain.then_some(super::cluster::Explain {
                engine: &engine,
                cache: cache.as_ref(),
                policy: &policy,
                path: &path,
                run: run_ctx,
                job: args.job,
                state: &args.state,
                config: explain_config,
            });
            summary.clusters = Some(c.finish(explain).await?);
        }
        summary.fix_notes = super::cluster::stored_notes(&args)?;
        if let Some(h) = trace_handle.take() {
            summary.traces = Some(super::traces::finish(h, &summary));
        }
        if args.judge_log {
            super::stop::print_judge_logs(&outcome.judge_logs);
        }
        let (tag, started_ms) = (args.history.tag.as_deref(), started.as_millis() as i64);
        // A shard's summary is partial: only the merged run is recorded.
        let recorded = match sharded {
            false => super::history::record(&history, kind, args.job, tag, started_ms, &summary),
            true => None,
        };
        super::cluster::link_run(&args, recorded.as_ref())?;
        if let Some(path) = &args.junit {
            assay::report::junit::write(&summary, path).map_err(|e| fail(exit::OUTPUT, e))?;
        }
        if let (Some(path), Some(rows)) = (&args.report, &failed_rows) {
            let rows = FailedRowsSink::take(rows);
            let trend = super::history::for_report(recorded.as_ref().map(|r| r.0.as_path()), &history, tag);
            let trend = trend.as_ref().map_err(String::as_str);
            assay::report::html::write(&summary, &rows, trend, path).map_err(|e| fail(exit::OUTPUT, e))?;
        }
        Ok(Evaluated {
            summary,
            bad_lines_over: outcome.bad_lines_over,
            run: recorded.map(|r| r.1),
            partial: outcome.partial,
            checkpoint,
        })
    });
    done.map_err(|e| remote::rename(e, &copied.borrow()))
}

/// Prints the summary on stdout (and the bad-lines error on stderr).
pub fn present(done: &Evaluated, format: Format) -> Result<()> {
    let summary = &done.summary;
    match format {
        Format::Json => super::out::emit(&(serde_json::to_string_pretty(summary)? + "\n")),
        Format::Text => super::out::emit(&super::cluster::with_text(terminal::render(summary), summary)),
    }
    .map_err(|e| fail(exit::OUTPUT, format!("cannot write the summary to stdout: {e}")))?;
    report_bad_lines(done);
    Ok(())
}

fn report_bad_lines(done: &Evaluated) {
    let summary = &done.summary;
    if done.bad_lines_over {
        assay::note!(
            "error: {} bad input line(s), more than --max-bad-lines {}; first: {}",
            summary.bad_lines.count,
            summary.bad_lines.max_allowed,
            summary.bad_lines.first()
        );
    }
}
