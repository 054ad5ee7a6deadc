//! Arguments of the job commands: submit, status, watch, fetch, jobs.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::Format;

/// Where the job store lives.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// The job store (SQLite); default $ASSAY_STATE, else the user data
    /// directory (~/.local/share/assay/state.db).
    #[arg(long)]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobProvider {
    /// The OpenAI Batch API or an OpenAI-compatible host (key: OPENAI_API_KEY).
    Openai,
    /// Azure OpenAI (key: AZURE_OPENAI_API_KEY; endpoint: AZURE_OPENAI_ENDPOINT
    /// or --base-url; api-version: --api-version or OPENAI_API_VERSION).
    Azure,
    /// Anthropic Message Batches (key: ANTHROPIC_API_KEY).
    Anthropic,
}

/// Azure OpenAI's api-version, for `--provider azure`.
#[derive(Debug, Args)]
pub struct ApiVersionArgs {
    /// Azure OpenAI api-version (default $OPENAI_API_VERSION), e.g. 2024-10-21.
    #[arg(long)]
    pub api_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[arg(long, value_enum)]
    pub provider: JobProvider,
    /// The batch input file (JSONL: OpenAI /v1/chat/completions,
    /// /v1/responses or /v1/embeddings lines, Azure's /chat/completions, or
    /// Anthropic {custom_id, params} lines).
    #[arg(long)]
    pub input: PathBuf,
    /// The API base URL (default $OPENAI_BASE_URL or $ANTHROPIC_BASE_URL,
    /// else the provider's own; Azure: the resource endpoint, default
    /// $AZURE_OPENAI_ENDPOINT).
    #[arg(long)]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub azure: ApiVersionArgs,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub state: StateArgs,
    /// A tag for the job: `--gate-on-last` looks at the last evaluated job
    /// with the same tag; `eval --job` records its run under it.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Refuse to submit (exit 1) when the last evaluated job of the same tag
    /// (or, without --tag, the same provider, API and models) failed its
    /// gates or raised canary-drift, segment-drift or regression.
    #[arg(long)]
    pub gate_on_last: bool,
    /// With --gate-on-last: submit anyway (the override is recorded).
    #[arg(long, requires = "gate_on_last")]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct JobArgs {
    /// The job id `assay submit` printed.
    pub job: i64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// The first wait between polls, in milliseconds; it grows 1.5x per poll
    /// up to 60 s.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..))]
    pub interval_ms: u64,
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Args)]
pub struct CanaryArgs {
    #[arg(long, value_enum)]
    pub provider: JobProvider,
    /// The batch input file (JSONL: OpenAI /v1/chat/completions,
    /// /v1/responses or /v1/embeddings lines, Azure's /chat/completions, or
    /// Anthropic {custom_id, params} lines).
    #[arg(long)]
    pub input: PathBuf,
    /// The API base URL (default $OPENAI_BASE_URL or $ANTHROPIC_BASE_URL,
    /// else the provider's own; Azure: the resource endpoint, default
    /// $AZURE_OPENAI_ENDPOINT).
    #[arg(long)]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub azure: ApiVersionArgs,
    /// The sample: a percentage (`2%`), a fraction (`0.02`) or a row count (`50`),
    /// taken from every segment alike; at least one row per segment.
    #[arg(long, default_value = "2%")]
    pub sample: String,
    /// Seed of the sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Rows per segment (the strata of the sample), in input order.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    pub segment_size: u32,
    /// Sync requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Where to write the sample and its answers (canary_input.jsonl,
    /// canary_output.jsonl, canary_errors.jsonl).
    #[arg(long, default_value = "canary")]
    pub out: PathBuf,
    /// A judge to score the answers with, by name. Repeatable.
    #[arg(long = "judge")]
    pub judges: Vec<String>,
    /// Judge configuration: JUDGE.KEY=VALUE, as for `assay eval`.
    #[arg(long = "set", value_name = "JUDGE.KEY=VALUE")]
    pub sets: Vec<String>,
    /// Exit 1 when a quality judge's pass rate on the sample is below this.
    #[arg(long)]
    pub gate: Option<f64>,
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub history: super::history::HistoryArgs,
    /// The job store, where the canary's scores are kept for the job later
    /// submitted from the same input (the same file as --history).
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Strategy {
    /// Record the failed rows as lost and evaluate.
    Drop,
    /// Resend the retryable and missing rows through the sync API, then
    /// evaluate with the answers as sync results.
    RetrySync,
    /// Exit 1 with the failed rows listed, for manual handling.
    Halt,
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The job id `assay submit` printed (fetched with `assay fetch`).
    pub job: i64,
    #[arg(long, value_enum)]
    pub strategy: Strategy,
    /// Outcomes that retry-sync resends (missing rows always are).
    #[arg(long, default_value = "rate_limit,server_error,expired")]
    pub retryable: String,
    /// Sync requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// A judge for the evaluation after recovery. Repeatable.
    #[arg(long = "judge")]
    pub judges: Vec<String>,
    #[arg(long = "set", value_name = "JUDGE.KEY=VALUE")]
    pub sets: Vec<String>,
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Args)]
pub struct DriftAuditArgs {
    /// The provider to send the audit's requests to (not needed for files).
    #[arg(long, value_enum)]
    pub provider: Option<JobProvider>,
    /// The batch input file: the rows to sample (live), or the input of
    /// `--results` (files).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// How many rows to compare, sampled with `--seed` from every segment
    /// alike; required unless `--sync-results` gives the sync side.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub pairs: Option<u64>,
    /// Seed of the sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Rows per segment (the strata of the sample), in input order.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    pub segment_size: u32,
    /// Audit a fetched job: sample the rows its batch completed and send
    /// them through the sync API (or pair it with --sync-results).
    #[arg(long, conflicts_with_all = ["input", "results"])]
    pub job: Option<i64>,
    /// Batch result files already fetched (comma-separated), with --input.
    #[arg(long = "results", value_name = "FILE[,FILE...]", requires = "input")]
    pub results: Vec<String>,
    /// Sync answers already obtained for some of the rows (repeatable).
    #[arg(long = "sync-results", value_name = "FILE")]
    pub sync_results: Vec<PathBuf>,
    /// The drift judge (default batch-sync-drift; e.g. batch-sync-drift-llm).
    #[arg(long = "judge", default_value = "batch-sync-drift")]
    pub judge: String,
    /// Judge configuration: JUDGE.KEY=VALUE, as for `assay eval`.
    #[arg(long = "set", value_name = "JUDGE.KEY=VALUE")]
    pub sets: Vec<String>,
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    /// The API base URL, as for `assay submit`.
    #[arg(long)]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub azure: ApiVersionArgs,
    /// Sync requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// The first wait between polls of the audit's batch, in milliseconds.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..))]
    pub interval_ms: u64,
    /// List the stored audits instead of running one.
    #[arg(long, conflicts_with_all = ["input", "job", "results", "sync_results", "pairs"])]
    pub list: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub state: StateArgs,
}
