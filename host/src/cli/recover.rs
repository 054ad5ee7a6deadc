//! `assay recover`: what to do with a fetched job's failed rows: drop them,
//! resend them through the sync API, or halt with their list.
//!
//! Invariant: retry-sync is idempotent per row: answers are appended to the
//! job's `sync_results.jsonl`, and a row already answered there is never sent
//! again; rows that still fail are not written, so a rerun retries them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anyhow::Result;
use assay_batch::{RetryPolicy, Status};
use clap::Parser;
use serde_json::{Value, json};

use super::exit;
use super::job_args::{JobProvider, RecoverArgs, Strategy};
use super::job_ctx::{client_for, fail, fetched_files, get_job, open_store};

/// Whether some line answered a row, and the status of its last failing line.
type Seen = (bool, Status, Option<assay_batch::ErrorKind>);

/// custom id → what its result lines (in `provider`'s format) say.
pub fn outcomes(provider: JobProvider, files: &[std::path::PathBuf]) -> Result<BTreeMap<String, Seen>> {
    let parse = provider.batch_provider().result_parser();
    let opts = assay_batch::ProviderOptions::default();
    let mut m: BTreeMap<String, Seen> = BTreeMap::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| fail(exit::INPUT, format!("{}: {e}", f.display())))?;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let r =
                parse(line.into(), &opts).map_err(|e| fail(exit::INPUT, format!("{}:{}: {e}", f.display(), n + 1)))?;
            let ok = r.outcome.status == Status::Completed;
            let e = m
                .entry(r.custom_id.into_owned())
                .or_insert((false, r.outcome.status, r.outcome.error_kind));
            if ok {
                e.0 = true;
            } else if !e.0 {
                (e.1, e.2) = (r.outcome.status, r.outcome.error_kind);
            }
        }
    }
    Ok(m)
}

pub fn run(a: RecoverArgs) -> Result<i32> {
    let retry = RetryPolicy::parse(&a.retryable).map_err(|e| fail(exit::USAGE, e))?;
    let store = open_store(&a.state)?;
    let job = get_job(&store, a.job)?;
    let (files, _) = fetched_files(&store, &job)?;
    let dir = store.job_dir(job.id);
    let provider = JobProvider::of(&job)?;
    let seen = outcomes(provider, &files)?;
    let text =
        std::fs::read_to_string(&job.input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", job.input.display())))?;
    let mut failed: Vec<(String, String, bool, Value)> = Vec::new();
    let mut total = 0usize;
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        total += 1;
        let v: Value = serde_json::from_str(line)
            .map_err(|e| fail(exit::INPUT, format!("{}:{}: {e}", job.input.display(), n + 1)))?;
        let id = v
            .get("custom_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let (status, retryable) = match seen.get(&id) {
            Some((true, ..)) => continue,
            Some((false, s, k)) => (s.as_str().to_owned(), retry.is_retryable(*s, *k)),
            None => ("missing".to_owned(), true),
        };
        failed.push((id, status, retryable, v));
    }
    let before = total - failed.len();
    let sync_path = dir.join("sync_results.jsonl");
    let mut after = before;
    match a.strategy {
        Strategy::Halt if !failed.is_empty() => {
            let list: String = failed.iter().map(|(id, s, ..)| format!("{id}\t{s}\n")).collect();
            super::out::emit(&list)?;
            assay::note!(
                "halt: {} of {total} rows did not complete; they are listed on stdout",
                failed.len()
            );
            return Ok(exit::GATE);
        }
        Strategy::Halt => {}
        Strategy::Drop => {
            let dropped: Vec<&str> = failed.iter().map(|f| f.0.as_str()).collect();
            let rec = json!({"strategy": "drop", "dropped": dropped});
            std::fs::write(dir.join("recovery.json"), rec.to_string() + "\n")
                .map_err(|e| fail(exit::OUTPUT, format!("{}: {e}", dir.display())))?;
        }
        Strategy::RetrySync => {
            let answered = outcomes(
                provider,
                &[sync_path.clone()]
                    .into_iter()
                    .filter(|p| p.exists())
                    .collect::<Vec<_>>(),
            )?;
            let done: BTreeSet<&String> = answered.iter().filter(|(_, o)| o.0).map(|(id, _)| id).collect();
            let send: Vec<(String, Value)> = failed
                .iter()
                .filter(|f| f.2 && !done.contains(&f.0))
                .map(|f| (f.0.clone(), f.3.clone()))
                .collect();
            let client = client_for(&job)?;
            let sent = send.len();
            let answers = super::canary::sync_answers(&client, send, a.concurrency)?;
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&sync_path)
                .map_err(|e| fail(exit::OUTPUT, format!("{}: {e}", sync_path.display())))?;
            let mut new = 0;
            for (_, line) in answers.iter().filter(|(ok, _)| *ok) {
                writeln!(file, "{line}").map_err(|e| fail(exit::OUTPUT, format!("{}: {e}", sync_path.display())))?;
                new += 1;
            }
            file.sync_all().map_err(|e| fail(exit::OUTPUT, e))?;
            let recovered = failed.iter().filter(|f| done.contains(&f.0)).count() + new;
            after = before + recovered;
            assay::note!(
                "recover: {} failed, {} retryable, {sent} sent, {new} answered now",
                failed.len(),
                failed.iter().filter(|f| f.2).count()
            );
        }
    }
    assay::note!(
        "completion before recovery {before}/{total} ({:.3}), after {after}/{total} ({:.3})",
        before as f64 / total.max(1) as f64,
        after as f64 / total.max(1) as f64
    );
    let mut argv: Vec<String> = vec!["assay".into(), "eval".into(), "--job".into(), job.id.to_string()];
    if let Some(s) = &a.state.state {
        argv.extend(["--state".into(), s.display().to_string()]);
    }
    if std::fs::metadata(&sync_path).is_ok_and(|m| m.len() > 0) && a.strategy == Strategy::RetrySync {
        argv.extend(["--sync-results".into(), sync_path.display().to_string()]);
    }
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
    let cli = super::args::Cli::try_parse_from(&argv).map_err(|e| fail(exit::USAGE, e))?;
    match cli.command {
        super::args::Command::Eval(e) => super::eval::run(*e),
        _ => Err(fail(exit::INTERNAL, "recover: eval arguments did not parse as eval")),
    }
}
