//! `assay merge PART...`: the partials of `assay eval --shard i/N` combined
//! into the summary one unsharded run gives, printed, gated and exited on
//! as `assay eval` does.
//!
//! Invariant: the judges are found and prepared as `assay eval` prepares
//! them, with the configuration the partials carry, and one whose sha256
//! differs from the one that scored the shards is refused; the summary
//! comes from the same summarize, aggregate and gate code as a single run.

use std::path::PathBuf;

use anyhow::{Context, Result};
use assay::eval::merge::{self, MergeError};
use assay::eval::partial::{PartialError, read};
use assay::judge::Policy;
use assay::judge::cache::CompileCache;
use assay::judge::engine::JudgeEngine;
use assay::judge::registry::SearchPath;
use assay::judge::state::RunContext;
use clap::Args;

use super::args::Format;
use super::eval::{Evaluated, gate_config, present};
use super::exit;
use super::job_ctx::fail;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' partials (`--partial-out`), every shard 0..N once, in any order.
    #[arg(required = true, value_name = "PART")]
    pub partials: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the gates, judges and provider errors as JUnit XML test cases.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report (charts, alarms, costs, failed rows).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Fail (exit 1) when completed / submitted is below this fraction.
    #[arg(long)]
    pub min_completion: Option<f64>,
    /// Fail (exit 1) when a quality judge's pass rate is below this (`F` or `JUDGE=F`). Repeatable.
    #[arg(long)]
    pub min_pass_rate: Vec<String>,
    /// Fail (exit 1) when the provider's counts disagree with the files.
    #[arg(long)]
    pub strict_reconcile: bool,
    /// Extra directories to look for judges in (searched first).
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    /// Operator policy file; also $ASSAY_POLICY.
    #[arg(long, env = "ASSAY_POLICY")]
    pub policy: Option<PathBuf>,
    /// Compile judges instead of using the compile cache.
    #[arg(long)]
    pub no_cache: bool,
}

fn merge_error(e: MergeError) -> anyhow::Error {
    match e {
        MergeError::Eval(e) => super::eval::settings::eval_error(e),
        MergeError::JudgeChanged { .. } => fail(exit::JUDGE, e),
        MergeError::Partial(PartialError::Open { .. }) => fail(exit::INPUT, e),
        e => fail(exit::INPUT, e),
    }
}

pub fn run(args: MergeArgs) -> Result<i32> {
    let gates = gate_config(args.min_completion, &args.min_pass_rate, args.strict_reconcile)?;
    let mut readers = Vec::new();
    for p in &args.partials {
        readers.push(read::open(p).map_err(|e| merge_error(e.into()))?);
    }
    merge::check(&mut readers).map_err(merge_error)?;
    let header = readers[0].header.clone();
    let policy = match &args.policy {
        Some(p) => Policy::load(p).map_err(|e| fail(exit::USAGE, e))?,
        None => Policy::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let merged = rt.block_on(async {
        let engine = JudgeEngine::new().map_err(|e| fail(exit::JUDGE, e))?;
        let cache = match args.no_cache {
            true => None,
            false => CompileCache::default_dir().and_then(CompileCache::open),
        };
        let path = SearchPath::standard(&args.plugin_dirs);
        let run = RunContext { seed: header.seed };
        let mut judges = Vec::new();
        for key in &header.judges {
            let facts = [("assay.sync-results", "false".to_owned())];
            let j = assay::eval::prepare(
                &engine,
                cache.as_ref(),
                &policy,
                &path,
                &key.name,
                key.config.clone(),
                &facts,
                run,
            )
            .await
            .map_err(|e| fail(exit::JUDGE, e))?;
            if j.loaded.sha256 != key.sha256 {
                return Err(merge_error(MergeError::JudgeChanged {
                    judge: key.name.clone(),
                    expected: key.sha256.clone(),
                    found: j.loaded.sha256.clone(),
                }));
            }
            judges.push(j);
        }
        let rebuilt = merge::rebuild(&mut readers).map_err(merge_error)?;
        merge::summarize(&header, judges, rebuilt, &gates, args.report.is_some())
            .await
            .map_err(merge_error)
    })?;
    let mut summary = merged.summary;
    let bad_lines_over = merged.bad_lines_over;
    summary.exit_code = if bad_lines_over {
        exit::INPUT
    } else if summary.gates.iter().any(|g| !g.passed) {
        exit::GATE
    } else {
        exit::OK
    };
    if let Some(path) = &args.junit {
        assay::report::junit::write(&summary, path).map_err(|e| fail(exit::OUTPUT, e))?;
    }
    if let (Some(path), Some(rows)) = (&args.report, &merged.failed) {
        // A merge is not recorded in the run history; the report says so.
        let trend = Err("A merged run is not recorded in the history.");
        assay::report::html::write(&summary, rows, trend, path).map_err(|e| fail(exit::OUTPUT, e))?;
    }
    let done = Evaluated {
        summary,
        bad_lines_over,
        run: None,
        partial: None,
        checkpoint: None,
    };
    present(&done, args.format)?;
    Ok(done.summary.exit_code)
}
