//! `assay judge test`: a judge's verdicts on golden rows, diffed against the
//! expected verdicts, so judge authors can keep a judge honest in their CI.
//!
//! Invariant: rows are scored through the same loader, compile cache, sandbox,
//! limits and per-worker instance reuse (`Scorer`) as `assay eval`; a
//! mismatch, a missing or an extra verdict fails (exit 1). `--aggregate` runs
//! the aggregator over the same rows (`judge_agg`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use assay::eval::read_config;
use assay::eval::rows::{Answer, Place, RequestExtras, wit_row};
use assay::judge::Policy;
use assay::judge::bindings::types::Row;
use assay::judge::cache::CompileCache;
use assay::judge::engine::JudgeEngine;
use assay::judge::load::load;
use assay::judge::registry::SearchPath;
use assay::judge::runner::Scorer;
use assay::judge::state::RunContext;
use assay_batch::{Flags, Status};
use serde_json::Value;

use super::args::TestArgs;
use super::exit;
use super::golden::{read_rows, verdict_json};

/// Where `assay judge test --timing` saw the time go. The first chunk pays
/// for making the instance and `init` (the interpreter's start-up, for a
/// Python or JS judge); later chunks reuse that instance.
#[derive(Debug, Default)]
struct Timing {
    load: Duration,
    first: Duration,
    first_rows: usize,
    rest: Duration,
    rest_rows: usize,
}

impl Timing {
    fn print(&self, restarts: u64) {
        let us = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n.max(1) as f64;
        assay::note!(
            "timing: load (cache or compile) {:.1} ms",
            self.load.as_secs_f64() * 1e3
        );
        assay::note!(
            "timing: first chunk (instance + init + {} rows) {:.2} ms",
            self.first_rows,
            self.first.as_secs_f64() * 1e3
        );
        if self.rest_rows > 0 {
            assay::note!(
                "timing: later chunks {} rows in {:.2} ms = {:.2} us/row (steady state); restarts {restarts}",
                self.rest_rows,
                self.rest.as_secs_f64() * 1e3,
                us(self.rest, self.rest_rows)
            );
        }
    }
}

pub fn run(args: TestArgs) -> Result<i32> {
    let golden = read_rows(&args.rows)?;
    let mut pairs = Vec::new();
    for s in &args.sets {
        let (k, v) = s
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {s:?}: expected KEY=VALUE"))?;
        pairs.push((k.to_owned(), v.to_owned()));
    }
    let config = read_config(&args.name, &pairs)?;
    let mut policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    args.llm.apply(&mut policy).map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        // I/O for a granted judge's calls to --judge-endpoint.
        .enable_all()
        .build()?;
    let results = rt.block_on(async {
        let engine = JudgeEngine::new()?;
        let entry = SearchPath::standard(&args.plugin_dirs).resolve(&args.name)?;
        entry.check_config(&config)?;
        // The compile cache `assay eval` uses: a second test of the same
        // component skips compiling it (seconds for a Python or JS judge).
        let cache = if args.no_cache {
            None
        } else {
            CompileCache::default_dir().and_then(CompileCache::open)
        };
        let t_load = Instant::now();
        let judge = load(&engine, cache.as_ref(), &policy, entry)?;
        let load_time = t_load.elapsed();
        let config = Arc::new(config);
        let mut scorer = Scorer::new(judge.clone(), config.clone(), RunContext { seed: 0 });
        let extras: Vec<RequestExtras> = golden
            .iter()
            .map(|g| RequestExtras {
                messages: g.prompt.iter().map(|m| (m.role.clone(), m.content.clone())).collect(),
                metadata: g
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
                    .collect(),
            })
            .collect();
        let views: Vec<_> = extras.iter().map(RequestExtras::view).collect();
        let rows: Vec<Row<'_>> = golden
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let place = Place {
                    id: &g.id,
                    index: i as u32,
                    segment: 0,
                    provider: "test",
                    attempt: 1,
                    flags: Flags::default(),
                };
                let answer = Answer {
                    status: Status::Completed,
                    model: Some(&g.model),
                    snapshot: None,
                    response: g.response.as_deref(),
                    finish_reason: g.finish_reason.as_deref(),
                    truncated: g.truncated,
                    usage: assay_batch::Usage {
                        input: g.usage.input,
                        output: g.usage.output,
                        ..assay_batch::Usage::default()
                    },
                    error_code: None,
                    error_message: None,
                };
                wit_row(place, answer, views.get(i))
            })
            .collect();
        let chunk = args.chunk_rows.map_or(rows.len(), |c| c as usize).max(1);
        let mut out = Vec::with_capacity(rows.len());
        let mut timing = Timing {
            load: load_time,
            ..Timing::default()
        };
        for (i, c) in rows.chunks(chunk).enumerate() {
            let t = Instant::now();
            out.extend(scorer.score(c).await?);
            if i == 0 {
                (timing.first, timing.first_rows) = (t.elapsed(), c.len());
            } else {
                timing.rest += t.elapsed();
                timing.rest_rows += c.len();
            }
        }
        if args.timing {
            timing.print(scorer.restarts);
        }
        scorer.close();
        if args.judge_log {
            super::stop::print_judge_logs(&[(args.name.clone(), std::mem::take(&mut scorer.log))]);
        }
        let report = match &args.aggregate {
            Some(_) => {
                Some(super::judge_agg::report(&judge, &config, &golden, &out, args.segment_size, args.judge_log).await?)
            }
            None => None,
        };
        anyhow::Ok((out, report))
    })?;
    let (results, report) = results;
    let got: Vec<Value> = golden
        .iter()
        .zip(&results)
        .map(|(g, r)| verdict_json(&g.id, r))
        .collect();
    let verdicts = match &args.expect {
        Some(expect) => super::golden::compare(expect, &golden, &got)?,
        // With --aggregate, the report is the output.
        None if report.is_some() => exit::OK,
        None => {
            let lines: String = got.iter().map(|v| format!("{v}\n")).collect();
            super::out::emit(&lines)?;
            exit::OK
        }
    };
    let aggregate = match (&args.aggregate, &report) {
        (Some(Some(path)), Some(report)) => super::judge_agg::compare(path, report)?,
        (Some(None), Some(report)) => {
            super::out::emit(&format!("{}\n", serde_json::to_string_pretty(report)?))?;
            exit::OK
        }
        _ => exit::OK,
    };
    Ok(if verdicts != exit::OK { verdicts } else { aggregate })
}
