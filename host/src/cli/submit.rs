//! `assay submit`: create the batch from the input (OpenAI and Azure:
//! upload, then create at the endpoint the lines name; Anthropic: the
//! requests streamed in the create), record the job.
//!
//! Invariant: an input whose lines name no batchable endpoint is refused
//! before anything is recorded; the job row exists before anything is sent,
//! and the batch id is recorded the moment the provider returns it; a rerun
//! of the same input at the same base URL returns the recorded job, and a
//! batch created by a run that died before recording it is found again (see
//! `job_client`) rather than submitted twice. With `--gate-on-last` the gate
//! (`submit_gate`) is asked before the job row exists, so a refusal leaves
//! no job behind; the newest canary of the same input is linked to the job.

use std::path::Path;

use anyhow::Result;
use assay::jobs::Job;
use assay::jobs::JobStore;
use assay::jobs::key::{file_sha256, job_key};
use assay::jobs::store::Canary;
use assay_provider::SyncApi;
use serde_json::json;

use super::args::Format;
use super::exit;
use super::job_args::SubmitArgs;
use super::job_client::JobClient;
use super::job_ctx::{fail, open_store, provider_fail, runtime};
use super::submit_gate::{self, Decision};

/// What `submit` recorded.
pub struct Submitted {
    pub job: Job,
    pub batch_id: String,
    pub status: String,
    pub existing: bool,
    /// The canary scored on the same input, now linked to the job.
    pub canary: Option<Canary>,
    /// `--gate-on-last`: the last evaluated job, and whether it was forced past.
    pub gate: Option<Decision>,
}

/// How to submit: the tag, and the gate on the last evaluated job.
#[derive(Default)]
pub struct Options<'a> {
    pub tag: Option<&'a str>,
    pub gate_on_last: bool,
    pub force: bool,
}

/// Records the job and creates its batch from `input`, or returns the job
/// already recorded for the same input at the same base URL. With
/// `--gate-on-last`, a new submission is refused (nothing sent, no job
/// recorded) when the last evaluated job blocks it.
pub fn submit(store: &JobStore, client: &JobClient, input: &Path, opts: &Options) -> Result<Submitted> {
    let sha = file_sha256(input).map_err(|e| fail(exit::INPUT, format!("{}: {e}", input.display())))?;
    let api = client.input_api(input)?;
    let name = client.provider().name();
    let shape = submit_gate::shape(name, api.map(SyncApi::what), input)?;
    let key = job_key(name, client.base_url(), &sha);
    let canonical = std::fs::canonicalize(input).unwrap_or_else(|_| input.to_owned());
    let found = store.by_key(&key).map_err(|e| fail(exit::INPUT, e))?;
    let gate = match &found {
        // Already sent: nothing is submitted again, so there is nothing to gate.
        Some(j) if j.batch_id.is_some() => None,
        _ if opts.gate_on_last => {
            let ask = submit_gate::Ask {
                tag: opts.tag,
                shape: &shape,
                input_sha256: &sha,
                this_job: found.as_ref().map(|j| j.id),
                force: opts.force,
            };
            Some(submit_gate::check(store, &ask)?)
        }
        _ => None,
    };
    let (job, existing) = match found {
        Some(j) => (j, true),
        None => {
            let j = store
                .insert(&key, name, client.base_url(), &canonical, &sha)
                .map_err(|e| fail(exit::INPUT, e))?;
            if let Some(v) = client.api_version() {
                store.set_api_version(j.id, v).map_err(|e| fail(exit::INPUT, e))?;
            }
            (j, false)
        }
    };
    if !existing || opts.tag.is_some() || job.shape.is_none() {
        store
            .set_labels(job.id, opts.tag.or(job.tag.as_deref()), &shape)
            .map_err(|e| fail(exit::INPUT, e))?;
    }
    let canary = super::feedback::link_canary(store, &job)?;
    let rt = runtime()?;
    let (batch_id, status) = rt.block_on(async {
        if let Some(b) = &job.batch_id {
            return Ok::<_, anyhow::Error>((b.clone(), job.status.clone()));
        }
        let obj = client.create(store, &job, input).await?;
        let v = client.state(&obj).map_err(provider_fail)?;
        store
            .set_batch(job.id, &v.id, &v.status)
            .map_err(|e| fail(exit::INPUT, e))?;
        Ok((v.id, v.status))
    })?;
    Ok(Submitted {
        job,
        batch_id,
        status,
        existing,
        canary,
        gate,
    })
}

pub fn run(a: SubmitArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    let client = JobClient::from_env(a.provider, a.base_url.as_deref(), a.azure.api_version.as_deref())
        .map_err(provider_fail)?;
    let opts = Options {
        tag: a.tag.as_deref(),
        gate_on_last: a.gate_on_last,
        force: a.force,
    };
    let s = submit(&store, &client, &a.input, &opts)?;
    if let Some(Decision::Forced(last)) = &s.gate {
        assay::note!("{}", submit_gate::forced_note(last));
    }
    let last = match &s.gate {
        Some(Decision::Clear(Some(l)) | Decision::Forced(l)) => {
            Some(json!({"job": l.job, "run": l.run, "reasons": l.reasons}))
        }
        _ => None,
    };
    let text = match a.format {
        Format::Json => {
            json!({
                "job": s.job.id,
                "batch": s.batch_id,
                "status": s.status,
                "existing": s.existing,
                "canary": s.canary.as_ref().map(|c| c.id),
                "gate": s.gate.as_ref().map(|d| match d {
                    Decision::Clear(_) => "clear",
                    Decision::Forced(_) => "forced",
                }),
                "last": last,
            })
            .to_string()
                + "\n"
        }
        Format::Text => {
            let what = if s.existing { "already submitted" } else { "submitted" };
            let canary = s
                .canary
                .as_ref()
                .map(|c| format!("with {}\n", super::feedback::describe(c)))
                .unwrap_or_default();
            format!("{what}: batch {} ({})\n{canary}{}\n", s.batch_id, s.status, s.job.id)
        }
    };
    super::out::emit(&text)?;
    Ok(exit::OK)
}
