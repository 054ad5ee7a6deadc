//! One `assay eval`: input index → result blocks through the workers →
//! ordered collection into the ledger and verdict tables → aggregators →
//! summary (and `--rows-out`).
//!
//! Invariant: every submitted row ends in exactly one status, and the summary
//! counts add up to the rows submitted; bad lines are all reported, never
//! dropped; the result does not depend on worker count or chunk size.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use assay_batch::{
    Applied, AtomicBitSet, BadLine, ErrorKind, Interner, Ledger, Provider, ProviderOptions, ReadError, ReadOptions,
    RetryPolicy, Status, is_gzip,
};
use tokio::sync::{Semaphore, mpsc};

use super::aggregate::{AggInputs, aggregate};
use super::detect::{SettleError, settle};
use super::input::index_input;
use super::judges::PreparedJudge;
use super::read::{Feed, ResultFile, read_results};
use super::reconcile::{AttemptTally, Reconciliation, reconcile};
use super::recover::{RecoverError, Sinks, apply_sync};
use super::snapshots::snapshots as snapshot_mix;
use super::spill::Spill;
use super::sync::read_sync_blocking;
use super::table::VerdictTable;
use super::work::{BlockDone, Target, WorkerCtx, process};
use crate::judge::StartError;
use crate::judge::runner::Scorer;
use crate::judge::state::RunContext;
use crate::report::summary::{BadLineEntry, BadLines, Flags, JudgeLlm, JudgeSummary, StatusCounts, Summary};

pub struct EvalConfig {
    /// `None`: tell from the files (`--provider auto`).
    pub provider: Option<Provider>,
    pub provider_opts: ProviderOptions,
    /// Provider batch/job objects, the i-th for attempt i+1 (`--batch-object`).
    pub batch_objects: Vec<PathBuf>,
    pub input: PathBuf,
    /// Result files per attempt, in attempt order.
    pub attempts: Vec<Vec<PathBuf>>,
    pub segment_size: u32,
    pub max_bad_lines: u64,
    pub max_line_bytes: usize,
    pub block_bytes: usize,
    pub chunk_rows: usize,
    pub workers: usize,
    pub retry: RetryPolicy,
    pub max_judge_error_rate: f64,
    pub rows_out: Option<PathBuf>,
    pub run: RunContext,
    /// `--sync-results`: the same rows' results from the synchronous API.
    pub sync_results: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("attempt {attempt}: its result files hold no rows ({files})")]
    EmptyAttempt { attempt: usize, files: String },
    #[error(transparent)]
    Judge(#[from] StartError),
    #[error(
        "judge '{judge}' was stopped by the host on {failures} rows, more than the allowed {allowed} ({rate}% of {rows} rows); first: {first}"
    )]
    TooManyFailures {
        judge: String,
        failures: u64,
        allowed: u64,
        rate: f64,
        rows: u64,
        first: String,
    },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("too many files: at most 65535 result files per run")]
    TooManyFiles,
    #[error(transparent)]
    Settle(#[from] SettleError),
    #[error("{path}: not a {provider} batch object: {source}")]
    BatchObject {
        path: PathBuf,
        provider: Provider,
        #[source]
        source: assay_batch::BatchObjectError,
    },
    #[error("{0} --batch-object files for {1} attempts: give at most one per attempt, in attempt order")]
    TooManyBatchObjects(usize, usize),
    #[error(transparent)]
    Sync(#[from] super::sync::SyncError),
}

/// The finished run: a summary plus what the CLI needs to decide exit codes.
pub struct EvalOutcome {
    pub summary: Summary,
    pub bad_lines_over: bool,
    pub judge_logs: Vec<(String, Vec<crate::judge::state::LogLine>)>,
}

pub async fn run(cfg: EvalConfig, mut judges: Vec<PreparedJudge>) -> Result<EvalOutcome, EvalError> {
    let started = Instant::now();
    let opts = ReadOptions {
        max_line_bytes: cfg.max_line_bytes,
        block_bytes: cfg.block_bytes,
    };
    let result_paths: Vec<&std::path::Path> = cfg.attempts.iter().flatten().map(PathBuf::as_path).collect();
    let settled = settle(cfg.provider, &cfg.input, &result_paths, &cfg.provider_opts)?;
    if cfg.batch_objects.len() > cfg.attempts.len() {
        return Err(EvalError::TooManyBatchObjects(
            cfg.batch_objects.len(),
            cfg.attempts.len(),
        ));
    }
    let mut batch_objects = Vec::new();
    for path in &cfg.batch_objects {
        let bytes = std::fs::read(path).map_err(|source| ReadError::Io {
            path: path.clone().into(),
            source,
        })?;
        let obj = settled
            .provider
            .parse_batch_object(&bytes)
            .map_err(|source| EvalError::BatchObject {
                path: path.clone(),
                provider: settled.provider,
                source,
            })?;
        batch_objects.push((path.display().to_string(), obj));
    }
    let (index, mut bad) = {
        let (path, s, popts) = (cfg.input.clone(), settled.clone(), cfg.provider_opts.clone());
        let threads = cfg.workers.max(1);
        tokio::task::spawn_blocking(move || index_input(&path, &s, &opts, &popts, threads))
            .await
            .map_err(|e| ReadError::Io {
                path: cfg.input.clone().into(),
                source: std::io::Error::other(e),
            })??
    };
    super::detect::refuse_other_shapes(&bad)?;
    let rows = index.len();
    phase("input index", started);
    let index = Arc::new(index);
    let sync = if cfg.sync_results.is_empty() {
        None
    } else {
        let popts = cfg.provider_opts.clone();
        let read = read_sync_blocking(
            cfg.sync_results.clone(),
            settled.provider,
            popts,
            index.clone(),
            cfg.max_line_bytes,
        );
        let (set, sync_bad) = read.await?;
        bad.extend(sync_bad);
        Some(Arc::new(set))
    };
    let attempts = cfg.attempts.len().max(1);
    if attempts > usize::from(u16::MAX) || cfg.attempts.iter().map(Vec::len).sum::<usize>() >= usize::from(u16::MAX) {
        return Err(EvalError::TooManyFiles);
    }
    let mut ledger = Ledger::new(rows, attempts as u16, cfg.retry);
    let final_set = Arc::new(AtomicBitSet::new(rows));
    // Without response text (embeddings) there is nothing for scorers to read.
    let scoring: Vec<usize> = (0..judges.len())
        .filter(|&j| judges[j].info.scores && settled.has_text)
        .collect();
    let mut tables: Vec<VerdictTable> = scoring.iter().map(|_| VerdictTable::new(rows)).collect();
    let mut spill = match &cfg.rows_out {
        Some(p) => Some(Spill::new(rows).map_err(|source| EvalError::Write {
            path: p.clone(),
            source,
        })?),
        None => None,
    };
    let mut model_names = Interner::new();
    let mut snapshot_names = Interner::new();

    let needs_prompt = judges.iter().any(|j| j.info.scores && j.info.needs_prompt);
    let needs_metadata = judges.iter().any(|j| j.info.scores && j.info.needs_metadata);
    let io_err = |source| ReadError::Io {
        path: cfg.input.clone().into(),
        source,
    };
    // Prompts are re-read by offset; offsets into a gzip file count
    // decompressed bytes, so such an input is decompressed once, up front.
    let unpacked = if (needs_prompt || needs_metadata) && !settled.input_body && is_gzip(&cfg.input).map_err(io_err)? {
        let mut tmp = tempfile::NamedTempFile::new().map_err(io_err)?;
        let file = std::fs::File::open(&cfg.input).map_err(io_err)?;
        std::io::copy(
            &mut flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file)),
            &mut tmp,
        )
        .map_err(io_err)?;
        Some(tmp)
    } else {
        None
    };
    let input_path = unpacked
        .as_ref()
        .map_or_else(|| cfg.input.clone(), |t| t.path().to_owned());
    let ctx = Arc::new(WorkerCtx {
        index: index.clone(),
        final_set: final_set.clone(),
        segment_size: cfg.segment_size.max(1),
        chunk_rows: cfg.chunk_rows,
        provider: settled.provider,
        provider_opts: cfg.provider_opts.clone(),
        input_body: settled.input_body,
        needs_prompt,
        needs_metadata,
        input: Arc::new(std::fs::File::open(&input_path).map_err(io_err)?),
        input_path,
        max_line_bytes: cfg.max_line_bytes,
        scorer_needs: scoring
            .iter()
            .map(|&j| (judges[j].info.needs_prompt, judges[j].info.needs_metadata))
            .collect(),
        sync: sync.clone(),
    });

    // Attempts last-to-first: a later attempt's result supersedes an earlier one.
    let mut files = Vec::new();
    for (a, paths) in cfg.attempts.iter().enumerate().rev() {
        for p in paths {
            files.push(ResultFile {
                attempt: a as u16 + 1,
                path: p.clone(),
            });
        }
    }
    let workers = cfg.workers.max(1);
    let (job_tx, job_rx) = async_channel::bounded(workers * 2);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<BlockDone>();
    let permits = Arc::new(Semaphore::new(workers * 4));
    let stop = Arc::new(AtomicBool::new(false));
    let feed = Feed {
        tx: job_tx,
        permits,
        stop: stop.clone(),
        handle: tokio::runtime::Handle::current(),
        max_line_bytes: cfg.max_line_bytes,
        block_bytes: cfg.block_bytes,
    };
    let reader = tokio::task::spawn_blocking(move || read_results(files, attempts, feed));
    let mut handles = Vec::new();
    for _ in 0..workers {
        let mut scorers: Vec<Scorer> = scoring
            .iter()
            .map(|&j| Scorer::new(judges[j].loaded.clone(), judges[j].config.clone(), cfg.run))
            .collect();
        let (rx, tx, ctx) = (job_rx.clone(), done_tx.clone(), ctx.clone());
        handles.push(tokio::spawn(async move {
            while let Ok(job) = rx.recv().await {
                let done = process(job, &ctx, &mut scorers).await;
                if tx.send(done).is_err() {
                    break;
                }
            }
            for s in &mut scorers {
                s.close();
            }
            scorers
        }));
    }
    drop(job_rx);
    drop(done_tx);

    // Collector: apply blocks strictly in sequence order.
    let mut tallies = vec![AttemptTally::default(); attempts];
    let mut pending: BTreeMap<u64, BlockDone> = BTreeMap::new();
    let mut next = 0u64;
    let mut abort: Option<EvalError> = None;
    let allowed = (cfg.max_judge_error_rate * rows as f64).floor() as u64;
    let mut first_failure: Vec<Option<String>> = vec![None; scoring.len()];
    let limit = Limit {
        judges: scoring.iter().map(|&j| judges[j].info.name.clone()).collect(),
        allowed,
        rate: cfg.max_judge_error_rate,
        rows: rows as u64,
    };
    while let Some(done) = done_rx.recv().await {
        pending.insert(done.seq, done);
        while let Some(mut done) = pending.remove(&next) {
            next += 1;
            if abort.is_some() {
                continue;
            }
            if let Some(e) = done.abort {
                abort = Some(EvalError::Judge(e));
                stop.store(true, Ordering::Relaxed);
                continue;
            }
            bad.extend(done.bad);
            // Block-local name ids → run-wide ids, interned in file order.
            // A name is interned only into the table(s) that use it.
            let (mut as_model, mut as_snapshot) = (vec![None; done.names.len() + 1], vec![None; done.names.len() + 1]);
            as_model[0] = Some(Interner::NONE);
            as_snapshot[0] = Some(Interner::NONE);
            for rec in &mut done.lines {
                let (m, s) = (usize::from(rec.record.model), usize::from(rec.record.snapshot));
                rec.record.model = *as_model[m].get_or_insert_with(|| model_names.intern(&done.names[m - 1]));
                rec.record.snapshot = *as_snapshot[s].get_or_insert_with(|| snapshot_names.intern(&done.names[s - 1]));
            }
            for rec in &done.lines {
                match rec.target {
                    Target::Unexpected(ref id) => ledger.record_unexpected(done.attempt, id),
                    Target::Row(idx) => {
                        let applied = ledger.apply(done.attempt, idx, rec.hash, &rec.record);
                        if matches!(applied, Applied::Final | Applied::Superseded)
                            && let Some(t) = tallies.get_mut(usize::from(done.attempt).saturating_sub(1))
                        {
                            t.add(rec);
                        }
                        if applied == Applied::Final {
                            final_set.set(idx as usize);
                            if let Some(slot) = rec.slot {
                                let mut fragment = serde_json::Map::new();
                                for (t, verdicts) in done.verdicts.iter().enumerate() {
                                    if let Some(r) = verdicts.get(slot as usize) {
                                        tables[t].store(idx, r);
                                        if let crate::judge::RowResult::Failed(f) = r {
                                            first_failure[t]
                                                .get_or_insert_with(|| format!("row {}: {f}", index.id(idx)));
                                        }
                                        if spill.is_some()
                                            && let Some(v) = super::rows_json::verdict_text(r)
                                        {
                                            fragment.insert(judges[scoring[t]].info.name.clone(), v);
                                        }
                                    }
                                }
                                if let (Some(s), false) = (spill.as_mut(), fragment.is_empty()) {
                                    let text = serde_json::Value::Object(fragment).to_string();
                                    s.put(idx, &text).map_err(|source| EvalError::Write {
                                        path: cfg.rows_out.clone().unwrap_or_default(),
                                        source,
                                    })?;
                                }
                            }
                        }
                    }
                }
            }
            if let Some(e) = over_limit(&tables, &first_failure, &limit) {
                abort = Some(e);
                stop.store(true, Ordering::Relaxed);
            }
            drop(done.permit);
        }
    }
    let stats = reader.await.map_err(|e| ReadError::Io {
        path: cfg.input.clone().into(),
        source: std::io::Error::other(e),
    })??;
    let mut scorers_by_worker = Vec::new();
    for h in handles {
        if let Ok(s) = h.await {
            scorers_by_worker.push(s);
        }
    }
    if let Some(e) = abort {
        return Err(e);
    }
    for (a, files) in cfg.attempts.iter().enumerate() {
        if stats.lines_per_attempt.get(a).copied().unwrap_or(0) == 0
            && bad.iter().all(|b| !files.iter().any(|f| *f == *b.path))
        {
            return Err(EvalError::EmptyAttempt {
                attempt: a + 1,
                files: files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    ledger.finish();
    super::detect::refuse_unjoined(settled.provider, &cfg.provider_opts, &ledger)?;
    let sync_summary = match &sync {
        Some(set) => {
            let mut scorers: Vec<Scorer> = scoring
                .iter()
                .map(|&j| Scorer::new(judges[j].loaded.clone(), judges[j].config.clone(), cfg.run))
                .collect();
            let sinks = Sinks {
                ledger: &mut ledger,
                models: &mut model_names,
                snapshots: &mut snapshot_names,
                tables: &mut tables,
                names: &limit.judges,
                spill: spill.as_mut(),
                first_failure: &mut first_failure,
            };
            let summary = apply_sync(set, &ctx, &index, attempts as u16, &mut scorers, sinks)
                .await
                .map_err(|e| match e {
                    RecoverError::Judge(e) => EvalError::Judge(e),
                    RecoverError::Spill(source) => EvalError::Write {
                        path: cfg.rows_out.clone().unwrap_or_default(),
                        source,
                    },
                })?;
            for s in &mut scorers {
                s.close();
            }
            scorers_by_worker.push(scorers);
            if let Some(e) = over_limit(&tables, &first_failure, &limit) {
                return Err(e);
            }
            Some(summary)
        }
        None => None,
    };
    phase("results and scoring", started);
    super::detect::refuse_other_shapes(&bad)?;
    bad.sort_by(|a, b| (a.path.as_ref(), a.line).cmp(&(b.path.as_ref(), b.line)));

    // Judge summaries: scoring counters, fuel, then aggregation.
    let mut judge_summaries: BTreeMap<String, JudgeSummary> = BTreeMap::new();
    let mut judge_logs = Vec::new();
    for (j, pj) in judges.iter().enumerate() {
        let mut s = JudgeSummary {
            version: pj.info.version.clone(),
            sha256: pj.loaded.sha256.clone(),
            quality: pj.info.quality,
            ..JudgeSummary::default()
        };
        if let Some(t) = scoring.iter().position(|&x| x == j) {
            let table = &tables[t];
            s.scored = table.scored;
            s.passed = table.passed;
            s.pass_rate = if table.scored > 0 {
                table.passed as f64 / table.scored as f64
            } else {
                0.0
            };
            s.judge_errors = table.judge_errors;
            for k in crate::judge::FailureKind::ALL {
                s.failures
                    .insert(k.as_str(), table.failures.get(&k).copied().unwrap_or(0));
            }
            let mut log = Vec::new();
            for w in &mut scorers_by_worker {
                if let Some(sc) = w.get_mut(t) {
                    s.fuel_used += sc.fuel_used();
                    s.instance_restarts += sc.restarts;
                    log.append(&mut sc.log);
                }
            }
            judge_logs.push((pj.info.name.clone(), log));
        }
        s.llm = pj.loaded.llm.as_deref().map(judge_llm);
        judge_summaries.insert(pj.info.name.clone(), s);
    }
    let quality: Vec<usize> = scoring
        .iter()
        .enumerate()
        .filter(|(_, j)| judges[**j].info.quality)
        .map(|(t, _)| t)
        .collect();
    let agg_input = AggInputs {
        ledger: Arc::new(ledger),
        models: Arc::new(model_names),
        snapshots: Arc::new(snapshot_names),
        tables: Arc::new(tables),
        quality: Arc::new(quality),
        rows,
        segment_size: cfg.segment_size.max(1),
        provider: settled.provider.as_str(),
    };
    // One task per aggregator: they read shared, finished tables and run at once.
    let mut running = Vec::new();
    for (j, pj) in judges.iter_mut().enumerate() {
        let own = scoring.iter().position(|&x| x == j);
        // Only judges with an aggregator leave the map here; the rest keep their summary.
        if let Some(inst) = pj.aggregator.take()
            && let Some(s) = judge_summaries.remove(&pj.info.name)
        {
            let task = tokio::spawn(aggregate(inst, own, agg_input.clone(), s));
            running.push((pj.info.name.clone(), task));
        }
    }
    for (name, task) in running {
        let s = match task.await {
            Ok((mut inst, s)) => {
                judge_logs.push((format!("{name} (aggregator)"), inst.take_log()));
                s
            }
            Err(e) => JudgeSummary {
                aggregator_error: Some(format!("aggregator task failed: {e}")),
                ..JudgeSummary::default()
            },
        };
        judge_summaries.insert(name, s);
    }
    let ledger = &agg_input.ledger;

    if let (Some(path), Some(spill)) = (&cfg.rows_out, spill.as_mut()) {
        let names: Vec<&str> = scoring.iter().map(|&j| judges[j].info.name.as_str()).collect();
        super::rows_json::write_rows_out(path, &agg_input, &index, &names, spill).map_err(|source| {
            EvalError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }

    phase("aggregation and rows-out", started);
    let reconciliation: Vec<Reconciliation> = batch_objects
        .iter()
        .enumerate()
        .map(|(a, (src, obj))| reconcile(a + 1, src, obj, &tallies[a], rows as u64))
        .collect();
    let snapshots = snapshot_mix(
        ledger,
        rows,
        cfg.segment_size.max(1),
        &agg_input.models,
        &agg_input.snapshots,
    );
    if !settled.has_text {
        for (name, s) in judge_summaries.iter_mut() {
            if judges.iter().any(|j| &j.info.name == name && j.info.scores) {
                s.skipped = Some("the endpoint returns no text (embeddings): nothing to score".into());
            }
        }
    }
    let mut error_kinds: BTreeMap<&'static str, u64> = ErrorKind::ALL.iter().map(|k| (k.as_str(), 0)).collect();
    for idx in 0..rows as u32 {
        if matches!(ledger.status(idx), Status::ProviderError | Status::RetryExhausted)
            && let Some(k) = ledger.error_kind(idx)
        {
            *error_kinds.entry(k.as_str()).or_default() += 1;
        }
    }
    let counts = ledger.status_counts();
    let status_counts = StatusCounts::from_counts(counts);
    let fc = ledger.flag_counts();
    let (unexpected, unexpected_ids) = ledger.unexpected();
    let completed = counts[Status::Completed.index()];
    let bad_count = bad.len() as u64;
    let summary = Summary {
        assay_version: env!("CARGO_PKG_VERSION"),
        provider: settled.provider.as_str().to_owned(),
        input: cfg.input.display().to_string(),
        attempts: cfg
            .attempts
            .iter()
            .map(|a| a.iter().map(|p| p.display().to_string()).collect())
            .collect(),
        rows_submitted: rows as u64,
        segment_size: cfg.segment_size.max(1),
        segments: (rows as u64).div_ceil(u64::from(cfg.segment_size.max(1))) as u32,
        status_counts,
        error_kinds,
        completion_rate: if rows > 0 { completed as f64 / rows as f64 } else { 0.0 },
        flags: Flags {
            truncated: fc.truncated,
            retried: fc.retried,
            silently_retried: fc.silently_retried,
            duplicate: fc.duplicate,
            unexpected,
        },
        unexpected_ids: unexpected_ids.to_vec(),
        bad_lines: BadLines {
            count: bad_count,
            max_allowed: cfg.max_bad_lines,
            lines: bad.iter().take(100).map(bad_entry).collect(),
        },
        judges: judge_summaries,
        reconciliation,
        snapshots,
        sync: sync_summary,
        gates: Vec::new(),
        exit_code: 0,
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    Ok(EvalOutcome {
        summary,
        bad_lines_over: bad_count > cfg.max_bad_lines,
        judge_logs,
    })
}

/// With `ASSAY_PHASES=1`, prints the elapsed time at each phase boundary
/// to stderr: a cheap way to see where a run spends its time.
fn phase(name: &str, started: Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("ASSAY_PHASES").is_some()) {
        eprintln!("assay: {name} done at {} ms", started.elapsed().as_millis());
    }
}

/// The host-failure ceiling for the scoring judges (in scorer order).
struct Limit {
    judges: Vec<String>,
    allowed: u64,
    rate: f64,
    rows: u64,
}

/// The abort for the first scoring judge the host stopped on more rows than allowed.
fn over_limit(tables: &[VerdictTable], first_failure: &[Option<String>], l: &Limit) -> Option<EvalError> {
    let (t, table) = tables.iter().enumerate().find(|(_, t)| t.host_failures() > l.allowed)?;
    Some(EvalError::TooManyFailures {
        judge: l.judges.get(t).cloned().unwrap_or_default(),
        failures: table.host_failures(),
        allowed: l.allowed,
        rate: l.rate * 100.0,
        rows: l.rows,
        first: first_failure.get(t).cloned().flatten().unwrap_or_default(),
    })
}

fn bad_entry(b: &BadLine) -> BadLineEntry {
    BadLineEntry {
        file: b.path.display().to_string(),
        line: b.line,
        reason: b.reason.to_string(),
    }
}

/// A granted judge's model spend, for the summary.
fn judge_llm(access: &crate::judge::llm::LlmAccess) -> JudgeLlm {
    let st = access.stats();
    JudgeLlm {
        calls: st.calls,
        cached: st.cached,
        input_tokens: st.input_tokens,
        output_tokens: st.output_tokens,
        token_budget: access.grant.token_budget,
        cost_usd: access.grant.cost_usd(st.input_tokens, st.output_tokens),
        errors: st.errors,
    }
}
