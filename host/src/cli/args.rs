//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "assay",
    version,
    about = "Evaluate LLM batch inference jobs with sandboxed WebAssembly judges"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Classify every row of a finished batch job and score it with judges.
    Eval(Box<EvalArgs>),
    /// List the judges on the search path (reads manifests only; runs no wasm).
    Judges(JudgesArgs),
    /// Judge authoring tools.
    #[command(subcommand)]
    Judge(JudgeCommand),
    /// Serve a local OpenAI-compatible batch provider emulator on 127.0.0.1.
    Emulate(EmulateArgs),
    /// Submit a batch input file to a provider and record the job.
    Submit(super::job_args::SubmitArgs),
    /// Ask the provider for a job's status once.
    Status(super::job_args::JobArgs),
    /// Poll a job with backoff until it ends, showing progress.
    Watch(super::job_args::WatchArgs),
    /// Download a finished job's result files and batch object.
    Fetch(super::job_args::JobArgs),
    /// List the jobs in the store.
    Jobs(super::job_args::JobsArgs),
    /// Score a seeded sample of a batch input through the sync API, and gate on it.
    Canary(super::job_args::CanaryArgs),
    /// Handle a fetched job's failed rows: drop, retry through the sync API, or halt.
    Recover(super::job_args::RecoverArgs),
    /// List the recorded runs (eval, canary, drift audit), newest first.
    History(super::history::ListArgs),
    /// Completion, quality and unit cost across recorded runs; exit 1 when the newest run regresses.
    Trend(super::history::TrendArgs),
    /// Combine the partials of `assay eval --shard i/N` into the run's summary.
    Merge(super::merge::MergeArgs),
    /// Group a run's failed rows by shared shape (HDBSCAN); takes `assay eval`'s inputs.
    Cluster(Box<EvalArgs>),
    /// Compare batch and sync answers for the same rows (batch-sync-drift),
    /// and store the audit with its job.
    DriftAudit(Box<super::job_args::DriftAuditArgs>),
}

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the chosen port is printed).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seed for the deterministic answers.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Fault profile (TOML); without it the provider is healthy.
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum JudgeCommand {
    /// Build judge crates for wasm32-wasip2 and stage them with their sha256.
    Build(BuildArgs),
    /// Run a judge on golden rows and compare its verdicts with the expected ones.
    Test(Box<TestArgs>),
    /// Write a new judge project (manifest, source, WIT, golden rows, README).
    New(NewArgs),
    /// Stage a component built by any toolchain next to its manifest, with its sha256.
    Stage(StageArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The judge's name: a-z, 0-9 and '-', starting with a letter.
    pub name: String,
    /// The language to write the judge in.
    #[arg(long, value_enum)]
    pub lang: Lang,
    /// Where to write the project (default ./NAME); must be absent or empty.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StageArgs {
    /// The judge's source directory (holding judge.toml).
    pub dir: PathBuf,
    /// The built component.
    #[arg(long)]
    pub wasm: PathBuf,
    /// Where to stage it: the judge lands in OUT/<name>/.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The judge, by name.
    pub name: String,
    /// Golden rows, one JSON object per line: {"id", "response", "metadata": {..}, "prompt": [..], ...}.
    #[arg(long)]
    pub rows: PathBuf,
    /// Expected verdicts, one per row: {"id", "passed", "score"?, "label"?}. Without it the
    /// verdicts are printed, ready to be saved as the expected file.
    #[arg(long)]
    pub expect: Option<PathBuf>,
    /// Judge configuration: KEY=VALUE (`@path` passes the file's content).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    /// Operator policy file; also $ASSAY_POLICY.
    #[arg(long, env = "ASSAY_POLICY")]
    pub policy: Option<PathBuf>,
    /// Compile the judge instead of using the compile cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Rows per judge call (default: all rows in one call).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub chunk_rows: Option<u64>,
    /// Print load, first-chunk and steady-state times to stderr.
    #[arg(long)]
    pub timing: bool,
    /// Print what the judge logged (captured and capped) to stderr.
    #[arg(long)]
    pub judge_log: bool,
    /// Also run the judge's aggregator (begin, observe, finish) over the golden rows
    /// and diff its report (metrics, alarms) against EXPECTED, a JSON file; bare,
    /// print the report instead, ready to be saved as EXPECTED.
    #[arg(long, value_name = "EXPECTED", num_args = 0..=1)]
    pub aggregate: Option<Option<PathBuf>>,
    /// Rows per segment for --aggregate: row i is in segment i / N.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    pub segment_size: u32,
    #[command(flatten)]
    pub llm: super::llm::LlmArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// Tell from the shape of the files' first lines.
    Auto,
    Openai,
    Azure,
    Anthropic,
    Bedrock,
    Vertex,
    Gemini,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Provider whose file formats to read.
    #[arg(long, value_enum, default_value = "auto")]
    pub provider: Provider,
    /// Vertex AI: dotted path to each row's id inside input and result lines
    /// (e.g. request.labels.custom_id); without it rows join on a hash of the request.
    #[arg(long)]
    pub id_path: Option<String>,
    /// The provider's batch/job object (JSON; Bedrock: manifest.json.out) for
    /// reconciliation. Repeat per attempt, in attempt order.
    #[arg(long = "batch-object")]
    pub batch_objects: Vec<PathBuf>,
    /// Fail (exit 1) when the provider's counts disagree with the files.
    #[arg(long)]
    pub strict_reconcile: bool,
    /// The batch input file (JSONL), in submission order.
    #[arg(long, required_unless_present = "job")]
    pub input: Option<PathBuf>,
    /// Result files of one attempt, comma-separated (e.g. output,errors).
    /// Repeat for each retry attempt, in attempt order.
    #[arg(long = "results", required_unless_present = "job", value_name = "FILE[,FILE...]")]
    pub results: Vec<String>,
    /// Evaluate a job fetched with `assay fetch`: its input, result files and
    /// batch object, instead of --input, --results and --batch-object.
    #[arg(long, conflicts_with_all = ["input", "results", "batch_objects"])]
    pub job: Option<i64>,
    #[command(flatten)]
    pub state: super::job_args::StateArgs,
    /// Compare the batch with this stored canary (`assay canary` prints its
    /// id); with --job, the job's own canary is the default.
    #[arg(long, value_name = "ID")]
    pub canary: Option<i64>,
    /// Raise `canary-drift` when a quality judge's pass rate on the batch is
    /// below the canary's by more than this many percentage points, with 95%
    /// confidence.
    #[arg(long, value_name = "POINTS", default_value_t = 5.0)]
    pub canary_drift_points: f64,
    /// Results for some of the same rows from the provider's synchronous API, in
    /// the same format: paired with completed rows, recovering the others. Repeatable.
    #[arg(long = "sync-results", value_name = "FILE")]
    pub sync_results: Vec<PathBuf>,
    /// A judge to run, by name. Repeatable.
    #[arg(long = "judge")]
    pub judges: Vec<String>,
    /// Judge configuration: JUDGE.KEY=VALUE, where VALUE `@path` passes the file's content.
    #[arg(long = "set", value_name = "JUDGE.KEY=VALUE")]
    pub sets: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write one JSON line per submitted row (status, flags, verdicts).
    #[arg(long)]
    pub rows_out: Option<PathBuf>,
    /// Write the gates, judges and provider errors as JUnit XML test cases.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// No progress bars on stderr (they are drawn only when stderr is a terminal).
    #[arg(long)]
    pub quiet: bool,
    /// Write a self-contained HTML report (charts, alarms, costs, failed rows).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Rows per drift segment, in submission order.
    #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..))]
    pub segment_size: u32,
    /// Bad input lines tolerated before the run fails (exit 3).
    #[arg(long, default_value_t = 0)]
    pub max_bad_lines: u64,
    /// Longest accepted line, in bytes.
    #[arg(long, default_value_t = 64 * 1024 * 1024)]
    pub max_line_bytes: usize,
    /// Largest decompressed size of a gzip input that judges needing the
    /// prompt or metadata make assay unpack (to an unnamed file in TMPDIR).
    #[arg(long, default_value_t = 16 * 1024 * 1024 * 1024)]
    pub max_unpacked_bytes: u64,
    /// Fail (exit 1) when completed / submitted is below this fraction.
    #[arg(long)]
    pub min_completion: Option<f64>,
    /// Fail (exit 1) when a quality judge's pass rate is below this. `F` applies
    /// to every quality judge, `JUDGE=F` to one. Repeatable.
    #[arg(long)]
    pub min_pass_rate: Vec<String>,
    /// Outcomes that count as retryable (for retry_exhausted).
    #[arg(long, default_value = "rate_limit,server_error,expired")]
    pub retryable: String,
    /// Operator policy file (limits and ceilings); also $ASSAY_POLICY.
    #[arg(long, env = "ASSAY_POLICY")]
    pub policy: Option<PathBuf>,
    /// Extra directories to look for judges in (searched first).
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    /// Worker threads (default: available cores).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Rows per judge call.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub chunk_rows: u64,
    /// Seed for the judges' deterministic randomness.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Compile judges every run instead of using the compile cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print what judges logged (captured and capped) to stderr.
    #[arg(long)]
    pub judge_log: bool,
    #[command(flatten)]
    pub llm: super::llm::LlmArgs,
    #[command(flatten)]
    pub traces: super::traces::TraceArgs,
    #[command(flatten)]
    pub history: super::history::HistoryArgs,
    #[command(flatten)]
    pub resume: super::resume::ResumeArgs,
    /// Cluster the failed rows: adds them to --format json, the text view and --report
    /// (always on for `assay cluster`).
    #[arg(long)]
    pub cluster: bool,
    /// Failed rows clustered at most; above it a deterministic sample is clustered.
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub cluster_max_rows: u64,
    /// HDBSCAN's smallest cluster (default: 5, or 0.5% of the clustered rows when more).
    #[arg(long, value_parser = clap::value_parser!(u64).range(2..))]
    pub cluster_min_size: Option<u64>,
    /// One fix note per cluster from the built-in `cluster-explain` judge (a model,
    /// when the policy grants it `llm`; else the cluster's shape). Implies --cluster;
    /// with --job, the notes are stored with the job.
    #[arg(long)]
    pub explain: bool,
    /// Score only shard I of N (rows by a stable hash of their id) and write the
    /// shard's partial to --partial-out; `assay merge` combines the N partials.
    #[arg(long, value_name = "I/N", requires = "partial_out", conflicts_with_all = [
        "rows_out", "report", "junit", "sync_results", "run_id", "resume",
        "otlp_endpoint", "cluster", "explain", "canary", "min_pass_rate", "min_completion",
        "strict_reconcile",
    ])]
    pub shard: Option<String>,
    /// Where `--shard` writes its partial (gzip-compressed JSON lines).
    #[arg(long, value_name = "PART", requires = "shard")]
    pub partial_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct JudgesArgs {
    #[arg(long = "plugin-dir")]
    pub plugin_dirs: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Cargo workspaces (or judge crates) to build. Default with --all: the
    /// source tree's plugins/ directory.
    pub dirs: Vec<PathBuf>,
    /// Build the built-in judges of this source tree.
    #[arg(long)]
    pub all: bool,
    /// Where to stage judges (default: the built-in judge directory,
    /// <workspace>/target/judges).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// cargo's target directory for the wasm build (default: DIR/target; with
    /// --all, the source tree's target/wasm).
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
}
