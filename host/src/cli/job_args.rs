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
}

#[derive(Debug, Args)]
pub struct SubmitArgs {
    #[arg(long, value_enum)]
    pub provider: JobProvider,
    /// The batch input file (JSONL, /v1/chat/completions lines).
    #[arg(long)]
    pub input: PathBuf,
    /// The API base URL (default $OPENAI_BASE_URL, else the provider's own).
    #[arg(long)]
    pub base_url: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub state: StateArgs,
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
