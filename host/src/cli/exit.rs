//! Exit codes, documented in the README.

/// Everything ran and every gate passed.
pub const OK: i32 = 0;
/// A gate failed (`--min-completion`, `--min-pass-rate`).
pub const GATE: i32 = 1;
/// Bad command line (clap's own code).
pub const USAGE: i32 = 2;
/// Input problem: unreadable or empty file, or more bad lines than allowed.
pub const INPUT: i32 = 3;
/// Judge problem: refused at load, failed to start, or stopped by the host on
/// more rows than the policy allows.
pub const JUDGE: i32 = 4;
/// Output error: an output could not be written (a full disk, a closed
/// stdout, a path assay refuses to write over).
pub const OUTPUT: i32 = 5;
/// Internal error: a bug in assay (a host task that panicked), never the input's fault.
pub const INTERNAL: i32 = 6;
/// Provider problem (job commands): the provider refused a request, kept
/// failing after the retries, or a job ended `failed`.
pub const PROVIDER: i32 = 7;
/// Interrupted (Ctrl-C) while traces were being sent (they were flushed and
/// counted first), or during a resumable run (`--run-id`).
pub const INTERRUPTED: i32 = 130;
/// Terminated (SIGTERM) during a resumable run (`--run-id`): what was
/// committed stays, and `--resume` continues it.
pub const TERMINATED: i32 = 143;
