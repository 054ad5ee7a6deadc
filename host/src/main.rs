//! The `assay` binary.

// Output goes through `note!` (stderr) and `cli::out` (stdout), which a closed
// pipe cannot turn into a panic.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

mod cli;

use clap::Parser;

/// glibc gives each thread that allocates its own arena, and an arena keeps
/// what its thread freed: the indexing, reading and scoring threads each
/// held megabytes of freed buffers. One arena lets every thread reuse them
/// (14 MiB less peak RSS at 1M rows, no more CPU: bench/RESULTS.md).
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes the allocator's settings, and runs before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

fn main() {
    one_malloc_arena();
    // Before any wasmtime engine: its handler passes on the faults it does not own.
    assay_batch::mapped::report_truncation();
    // Host diagnostics: `tracing` to stderr, filtered like RUST_LOG (default: warnings).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none())
        .init();
    let args = cli::args::Cli::parse();
    let result = match args.command {
        cli::args::Command::Eval(a) => cli::eval::run(*a),
        cli::args::Command::Judges(a) => cli::judges::list(a),
        cli::args::Command::Judge(cli::args::JudgeCommand::Build(a)) => cli::judges::build(a),
        cli::args::Command::Judge(cli::args::JudgeCommand::Test(a)) => cli::judge_test::run(*a),
        cli::args::Command::Judge(cli::args::JudgeCommand::New(a)) => cli::judge_new::run(a),
        cli::args::Command::Judge(cli::args::JudgeCommand::Stage(a)) => cli::judges::stage(a),
        cli::args::Command::Emulate(a) => cli::emulate::run(a),
        cli::args::Command::Submit(a) => cli::submit::run(a),
        cli::args::Command::Status(a) => cli::status::status(a),
        cli::args::Command::Watch(a) => cli::status::watch(a),
        cli::args::Command::Fetch(a) => cli::fetch::run(a),
        cli::args::Command::Jobs(a) => cli::jobs::run(a),
        cli::args::Command::Canary(a) => cli::canary::run(a),
        cli::args::Command::Recover(a) => cli::recover::run(a),
        cli::args::Command::History(a) => cli::history::list(a),
        cli::args::Command::Trend(a) => cli::history::trend(a),
        cli::args::Command::Merge(a) => cli::merge::run(a),
        cli::args::Command::Cluster(a) => cli::cluster::run(*a),
        cli::args::Command::DriftAudit(a) => cli::drift_audit::run(*a),
    };
    match result {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            let code = e.downcast_ref::<cli::eval::Exit>().map_or(cli::exit::USAGE, |x| x.code);
            assay::note!("error: {e:#}");
            std::process::exit(code);
        }
    }
}
