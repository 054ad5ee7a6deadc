//! A job's provider: one client type for the job commands, so submit,
//! status, watch, fetch, canary, recover and drift-audit run the same code
//! for every provider (OpenAI and Azure OpenAI share the OpenAI client, in
//! its Azure flavor); each provider's own steps (creating a batch, finding one whose
//! create answer was lost, writing a sync answer as a result line) live in
//! its module, `openai` or `anthropic`.
//!
//! Invariant: a job's provider is the name stored with it, and a client is
//! built for that provider (at the job's base URL and api-version) from the
//! environment's key only; the batch
//! states of every provider are read into one `BatchState`, whose counts add
//! up to the requests the provider says it holds.

use std::path::Path;

use anyhow::Result;
use assay::jobs::{Job, JobStore};
use assay_provider::{Anthropic, BatchView, MessageBatchView, OpenAi, ProviderError, SyncApi};
use serde_json::Value;

use super::args::Provider;
use super::exit;
use super::job_args::JobProvider;
use super::job_ctx::{fail, provider_fail};

pub mod anthropic;
pub mod openai;

impl JobProvider {
    /// The name stored with a job (and part of its key).
    pub fn name(self) -> &'static str {
        match self {
            JobProvider::Openai => "openai",
            JobProvider::Azure => "azure",
            JobProvider::Anthropic => "anthropic",
        }
    }

    pub fn parse(name: &str) -> Option<JobProvider> {
        [JobProvider::Openai, JobProvider::Azure, JobProvider::Anthropic]
            .into_iter()
            .find(|p| p.name() == name)
    }

    /// A stored job's provider.
    pub fn of(job: &Job) -> Result<JobProvider> {
        JobProvider::parse(&job.provider).ok_or_else(|| {
            fail(
                exit::INPUT,
                format!("job {}: unknown provider {:?} in the job store", job.id, job.provider),
            )
        })
    }

    /// The `--provider` of `assay eval` that reads this provider's files.
    pub fn eval_provider(self) -> Provider {
        match self {
            JobProvider::Openai => Provider::Openai,
            JobProvider::Azure => Provider::Azure,
            JobProvider::Anthropic => Provider::Anthropic,
        }
    }

    /// The reader of this provider's result lines.
    pub fn batch_provider(self) -> assay_batch::Provider {
        match self {
            JobProvider::Openai => assay_batch::Provider::OpenAi,
            JobProvider::Azure => assay_batch::Provider::Azure,
            JobProvider::Anthropic => assay_batch::Provider::Anthropic,
        }
    }
}

/// A provider's batch in the terms the job commands use.
#[derive(Debug, Clone)]
pub struct BatchState {
    pub id: String,
    pub status: String,
    pub total: u64,
    pub completed: u64,
    pub failed: u64,
    /// Nothing will change any more.
    pub terminal: bool,
    /// The batch ended without running (OpenAI `failed`).
    pub failed_batch: bool,
    /// (what to download, file name in the job directory), one per result file.
    pub files: Vec<(String, &'static str)>,
}

#[derive(Debug, Clone)]
pub enum JobClient {
    /// OpenAI, or Azure OpenAI (an Azure-flavored client).
    OpenAi(OpenAi),
    Anthropic(Anthropic),
}

impl JobClient {
    /// A client for `provider` with the key from its environment variable,
    /// `base_url` and (Azure) `api_version`.
    pub fn from_env(
        provider: JobProvider,
        base_url: Option<&str>,
        api_version: Option<&str>,
    ) -> Result<JobClient, ProviderError> {
        Ok(match provider {
            JobProvider::Openai => JobClient::OpenAi(OpenAi::from_env(base_url)?),
            JobProvider::Azure => JobClient::OpenAi(OpenAi::azure_from_env(base_url, api_version)?),
            JobProvider::Anthropic => JobClient::Anthropic(Anthropic::from_env(base_url)?),
        })
    }

    /// A client for the job's provider at the base URL (and api-version) it
    /// was submitted with.
    pub fn for_job(job: &Job) -> Result<JobClient> {
        JobClient::from_env(JobProvider::of(job)?, Some(&job.base_url), job.api_version.as_deref())
            .map_err(provider_fail)
    }

    pub fn provider(&self) -> JobProvider {
        match self {
            // Only an Azure-flavored client has an api-version.
            JobClient::OpenAi(c) if c.api_version().is_some() => JobProvider::Azure,
            JobClient::OpenAi(_) => JobProvider::Openai,
            JobClient::Anthropic(_) => JobProvider::Anthropic,
        }
    }

    /// The api-version stored with the job (Azure only).
    pub fn api_version(&self) -> Option<&str> {
        match self {
            JobClient::OpenAi(c) => c.api_version(),
            JobClient::Anthropic(_) => None,
        }
    }

    pub fn base_url(&self) -> &str {
        match self {
            JobClient::OpenAi(c) => c.base_url(),
            JobClient::Anthropic(c) => c.base_url(),
        }
    }

    /// A batch object of this provider, read.
    pub fn state(&self, obj: &Value) -> Result<BatchState, ProviderError> {
        Ok(match self {
            JobClient::OpenAi(_) => {
                let v = BatchView::of(obj)?;
                let files = [(&v.output_file_id, "output.jsonl"), (&v.error_file_id, "errors.jsonl")]
                    .into_iter()
                    .filter_map(|(id, name)| id.clone().map(|id| (id, name)))
                    .collect();
                BatchState {
                    terminal: v.terminal(),
                    failed_batch: v.status == "failed",
                    id: v.id,
                    status: v.status,
                    total: v.total,
                    completed: v.completed,
                    failed: v.failed,
                    files,
                }
            }
            JobClient::Anthropic(_) => {
                let v = MessageBatchView::of(obj)?;
                BatchState {
                    terminal: v.terminal(),
                    failed_batch: false,
                    total: v.total(),
                    completed: v.succeeded,
                    failed: v.failed(),
                    files: v
                        .results_url
                        .clone()
                        .map(|u| (u, "results.jsonl"))
                        .into_iter()
                        .collect(),
                    id: v.id,
                    status: v.processing_status,
                }
            }
        })
    }

    /// The batch as the provider states it now, read and raw.
    pub async fn batch(&self, id: &str) -> Result<(BatchState, Value), ProviderError> {
        let obj = match self {
            JobClient::OpenAi(c) => c.batch(id).await?,
            JobClient::Anthropic(c) => c.batch(id).await?,
        };
        Ok((self.state(&obj)?, obj))
    }

    /// The batch endpoint an input's lines name (OpenAI and Azure, whose
    /// lines carry a `url`; refused when it names none assay batches), or
    /// `None` for Anthropic, whose lines name no endpoint.
    pub fn input_api(&self, input: &Path) -> Result<Option<SyncApi>> {
        match self {
            JobClient::OpenAi(_) => openai::input_api(input).map(Some),
            JobClient::Anthropic(_) => Ok(None),
        }
    }

    /// Creates the job's batch from `input` (OpenAI: at the endpoint its
    /// lines name), or finds the one a run that died after sending it
    /// created; returns the batch object.
    pub async fn create(&self, store: &JobStore, job: &Job, input: &Path) -> Result<Value> {
        match self {
            JobClient::OpenAi(c) => openai::create(c, store, job, input).await,
            JobClient::Anthropic(c) => anthropic::create(c, store, job, input).await,
        }
    }

    /// Downloads one of `BatchState::files` into `dest`, whole or not at all.
    pub async fn download(&self, what: &str, dest: &Path) -> Result<u64, ProviderError> {
        match self {
            JobClient::OpenAi(c) => c.download(what, dest).await,
            JobClient::Anthropic(c) => c.download_results(what, dest).await,
        }
    }

    /// One batch input line sent through the sync API: OpenAI's `body` to
    /// the API its `url` names, Anthropic's `params` to Messages.
    pub async fn sync(&self, line: &Value) -> Result<Value, ProviderError> {
        match self {
            JobClient::OpenAi(c) => {
                let url = line.get("url").and_then(Value::as_str).unwrap_or_default();
                c.sync(SyncApi::of_url(url)?, line.get("body").unwrap_or(&Value::Null))
                    .await
            }
            JobClient::Anthropic(c) => c.message(line.get("params").unwrap_or(&Value::Null)).await,
        }
    }

    /// A sync answer as a result line of this provider's batch results:
    /// (answered, line).
    pub fn result_line(&self, id: &str, answer: Result<Value, ProviderError>) -> (bool, String) {
        match self {
            JobClient::OpenAi(_) => openai::result_line(id, answer),
            JobClient::Anthropic(_) => anthropic::result_line(id, answer),
        }
    }
}
