//! `assay canary`: send a seeded, segment-stratified sample of a batch input
//! (`sample`) through the provider's sync API (OpenAI and Azure: the one its
//! lines name, chat completions, responses or embeddings; Anthropic:
//! Messages), write the answers as the provider's batch result files, and
//! score them with `assay eval` and its gate.
//!
//! Invariant: the sample depends only on the input, `--sample`, `--seed` and
//! `--segment-size`; every sampled row ends as exactly one line in the output
//! or the error file, so the canary's counts add up to its sample.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use clap::Parser;
use serde_json::Value;

use super::exit;
use super::feedback::{CanaryRecord, record_canary};
use super::job_args::CanaryArgs;
use super::job_client::JobClient;
use super::job_ctx::{fail, open_store, provider_fail, runtime};
use super::sample::Quota;

/// Sends each (custom id, input line) through the provider's sync API (for
/// OpenAI and Azure, the API its `url` names), `concurrency` at a time;
/// returns (answered, result line in the provider's batch results format)
/// in the same order.
pub fn sync_answers(client: &JobClient, rows: Vec<(String, Value)>, concurrency: u32) -> Result<Vec<(bool, String)>> {
    runtime()?.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1) as usize));
        let mut set = tokio::task::JoinSet::new();
        let n = rows.len();
        for (i, (id, body)) in rows.into_iter().enumerate() {
            let (client, sem) = (client.clone(), sem.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let answer = client.sync(&body).await;
                (i, client.result_line(&id, answer))
            });
        }
        let mut out = vec![(false, String::new()); n];
        while let Some(r) = set.join_next().await {
            let (i, line) = r.map_err(|e| fail(exit::INTERNAL, e))?;
            out[i] = line;
        }
        Ok(out)
    })
}

fn write(path: &Path, lines: &[String]) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| fail(exit::OUTPUT, format!("{}: {e}", path.display())))?;
    for l in lines {
        writeln!(f, "{l}").map_err(|e| fail(exit::OUTPUT, format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

pub fn run(a: CanaryArgs) -> Result<i32> {
    if let Some(g) = a.gate
        && !(0.0..=1.0).contains(&g)
    {
        return Err(fail(exit::USAGE, format!("--gate {g} must be a fraction within 0..1")));
    }
    let client = JobClient::from_env(a.provider, a.base_url.as_deref(), a.azure.api_version.as_deref())
        .map_err(provider_fail)?;
    let picked = super::sample::rows(&a.input, a.seed, a.segment_size, Quota::PerSegment(&a.sample), |_| true)?;
    std::fs::create_dir_all(&a.out).map_err(|e| fail(exit::OUTPUT, format!("{}: {e}", a.out.display())))?;
    let answers = sync_answers(&client, picked.clone(), a.concurrency)?;
    let dir = &a.out;
    let input_path = dir.join("canary_input.jsonl");
    write(
        &input_path,
        &picked.iter().map(|(_, v)| v.to_string()).collect::<Vec<_>>(),
    )?;
    let ok: Vec<String> = answers.iter().filter(|(ok, _)| *ok).map(|(_, l)| l.clone()).collect();
    let errs: Vec<String> = answers.iter().filter(|(ok, _)| !*ok).map(|(_, l)| l.clone()).collect();
    let (out_path, err_path) = (dir.join("canary_output.jsonl"), dir.join("canary_errors.jsonl"));
    write(&out_path, &ok)?;
    write(&err_path, &errs)?;
    assay::note!(
        "canary: {} of {} rows sampled, {} answered, {} failed; files in {}",
        picked.len(),
        count_rows(&a.input),
        ok.len(),
        errs.len(),
        dir.display()
    );
    let results: Vec<&PathBuf> = [&out_path, &err_path]
        .into_iter()
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0))
        .collect();
    let mut argv: Vec<String> = vec![
        "assay".into(),
        "eval".into(),
        "--provider".into(),
        a.provider.name().into(),
    ];
    argv.extend(["--input".into(), input_path.display().to_string()]);
    argv.extend([
        "--results".into(),
        results
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(","),
    ]);
    argv.extend(["--segment-size".into(), a.segment_size.to_string()]);
    argv.extend(["--format".into(), format!("{:?}", a.format).to_lowercase()]);
    for j in &a.judges {
        argv.extend(["--judge".into(), j.clone()]);
    }
    for s in &a.sets {
        argv.extend(["--set".into(), s.clone()]);
    }
    for d in &a.plugin_dirs {
        argv.extend(["--plugin-dir".into(), d.display().to_string()]);
    }
    if let Some(g) = a.gate {
        argv.extend(["--min-pass-rate".into(), g.to_string()]);
    }
    argv.extend(a.history.to_argv());
    if let Some(s) = &a.state.state {
        argv.extend(["--state".into(), s.display().to_string()]);
    }
    let cli = super::args::Cli::try_parse_from(&argv).map_err(|e| fail(exit::USAGE, e))?;
    let super::args::Command::Eval(e) = cli.command else {
        return Err(fail(exit::INTERNAL, "canary: eval arguments did not parse as eval"));
    };
    let format = e.format;
    let done = super::eval::evaluate(*e, assay::history::RunKind::Canary)?;
    let record = CanaryRecord {
        provider: a.provider.name(),
        input: &a.input,
        sample: &a.sample,
        seed: a.seed,
    };
    let stored = record_canary(open_store(&a.state), &record, done.run, &done.summary);
    super::eval::present(&done, format)?;
    done.finish();
    if let Some(id) = stored {
        assay::note!(
            "canary {id} stored: the job submitted from {} will be compared with it",
            a.input.display()
        );
    }
    Ok(done.summary.exit_code)
}

fn count_rows(input: &Path) -> usize {
    std::fs::read(input).map_or(0, |b| {
        b.split(|c| *c == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count()
    })
}
