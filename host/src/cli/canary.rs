//! `assay canary`: send a seeded, segment-stratified sample of a batch input
//! (`sample`) through the sync API its lines name (chat completions,
//! responses or embeddings), write the answers as batch result files, and
//! score them with `assay eval` and its gate.
//!
//! Invariant: the sample depends only on the input, `--sample`, `--seed` and
//! `--segment-size`; every sampled row ends as exactly one line in the output
//! or the error file, so the canary's counts add up to its sample.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use assay_provider::{OpenAi, ProviderError, SyncApi};
use clap::Parser;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::exit;
use super::job_args::CanaryArgs;
use super::job_ctx::{client, fail, provider_name, runtime};
use super::sample::Quota;

/// Sends each (custom id, input line) through the sync API its `url` names,
/// `concurrency` at a time; returns (answered, result line) in the same order.
pub fn sync_answers(client: &OpenAi, rows: Vec<(String, Value)>, concurrency: u32) -> Result<Vec<(bool, String)>> {
    runtime()?.block_on(async {
        let sem = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1) as usize));
        let mut set = tokio::task::JoinSet::new();
        let n = rows.len();
        for (i, (id, body)) in rows.into_iter().enumerate() {
            let (client, sem) = (client.clone(), sem.clone());
            set.spawn(async move {
                let _permit = sem.acquire_owned().await;
                let url = body.get("url").and_then(Value::as_str).unwrap_or_default();
                let answer = match SyncApi::of_url(url) {
                    Ok(api) => client.sync(api, body.get("body").unwrap_or(&Value::Null)).await,
                    Err(e) => Err(e),
                };
                (i, result_line(&id, answer))
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

/// One row's sync answer as an OpenAI batch result line (output or error file).
pub fn result_line(id: &str, answer: Result<Value, ProviderError>) -> (bool, String) {
    let line_id = format!("canary_{}", hex::encode(&Sha256::digest(id)[..8]));
    match answer {
        Ok(body) => (
            true,
            json!({"id": line_id, "custom_id": id, "response": {"status_code": 200, "request_id": line_id, "body": body}, "error": null}).to_string(),
        ),
        Err(ProviderError::Refused { status, message, .. } | ProviderError::Exhausted { status, message, .. }) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": {"status_code": status, "request_id": line_id,
                "body": {"error": {"message": message, "type": if status == 429 { "requests" } else { "server_error" }, "param": null, "code": null}}}, "error": null})
            .to_string(),
        ),
        Err(e @ ProviderError::BadRequest { .. }) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": null, "error": {"code": "invalid_request", "message": e.to_string()}}).to_string(),
        ),
        Err(e) => (
            false,
            json!({"id": line_id, "custom_id": id, "response": null, "error": {"code": "request_timeout", "message": e.to_string()}}).to_string(),
        ),
    }
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
    let client = client(a.provider, a.base_url.as_deref(), a.azure.api_version.as_deref())?;
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
    eprintln!(
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
        provider_name(a.provider).into(),
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
    let cli = super::args::Cli::try_parse_from(&argv).map_err(|e| fail(exit::USAGE, e))?;
    match cli.command {
        super::args::Command::Eval(e) => super::eval::run_as(*e, assay::history::RunKind::Canary, false),
        _ => Err(fail(exit::INTERNAL, "canary: eval arguments did not parse as eval")),
    }
}

fn count_rows(input: &Path) -> usize {
    std::fs::read(input).map_or(0, |b| {
        b.split(|c| *c == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count()
    })
}
