//! Run history at the command line: recording a run (`assay eval`, `canary`,
//! `drift-audit`), `assay history`, `assay trend`, and the trend the HTML
//! report draws.
//!
//! Invariant: a run that cannot be recorded (no data directory, a read-only
//! home, a locked or foreign database) costs one warning line on stderr and
//! never the run's own exit code; `--no-history` touches no file at all.

mod view;

use std::path::{Path, PathBuf};

use anyhow::Result;
use assay::history::{self, RunKind, RunMeta, RunRecord};
use assay::judge::text::one_line;
use assay::report::Summary;
use assay::report::trend::{Band, Trend};
use clap::Args;

use super::args::Format;
use super::exit;
use super::job_ctx::fail;

/// The history flags of the commands that record runs.
#[derive(Debug, Clone, Default, Args)]
pub struct HistoryArgs {
    /// The run history: the state database, the same file as --state; default
    /// $ASSAY_STATE, else the user data directory (~/.local/share/assay/state.db).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// Record nothing in the run history.
    #[arg(long, conflicts_with = "history")]
    pub no_history: bool,
    /// A tag for the run in the history (`assay trend --tag TAG`).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
}

impl HistoryArgs {
    /// These flags as command-line arguments (a command that runs `eval` for its
    /// scoring passes them on).
    pub fn to_argv(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(p) = &self.history {
            v.extend(["--history".into(), p.display().to_string()]);
        }
        if self.no_history {
            v.push("--no-history".into());
        }
        if let Some(t) = &self.tag {
            v.extend(["--tag".into(), t.clone()]);
        }
        v
    }
}

/// Where a run will be recorded.
#[derive(Debug, Clone)]
pub enum Target {
    Off,
    At(PathBuf),
    /// No location could be found; the reason.
    Nowhere(String),
}

/// Settles the target before the run: `--history` and `--state` naming two
/// different files is a usage error.
pub fn target(h: &HistoryArgs, state: Option<&Path>) -> Result<Target> {
    if h.no_history {
        return Ok(Target::Off);
    }
    let explicit = match (h.history.as_deref(), state) {
        (Some(a), Some(b)) if a != b => {
            return Err(fail(
                exit::USAGE,
                format!(
                    "--history {} and --state {} name different files; they are the same database, give one",
                    a.display(),
                    b.display()
                ),
            ));
        }
        (a, b) => a.or(b),
    };
    Ok(match assay::db::default_path(explicit) {
        Ok(p) => Target::At(p),
        Err(e) => Target::Nowhere(e.to_string()),
    })
}

fn warn(what: &str) {
    assay::note!(
        "warning: run not recorded in the history ({}); --history PATH chooses the file, --no-history turns recording off",
        what.replace(['\n', '\r'], " ")
    );
}

/// Records the run from its final summary; returns the database it went to
/// and the run's id, or `None` (off, or a warning was printed).
pub fn record(
    target: &Target,
    kind: RunKind,
    job_id: Option<i64>,
    tag: Option<&str>,
    started_ms: i64,
    s: &Summary,
) -> Option<(PathBuf, i64)> {
    let path = match target {
        Target::Off => return None,
        Target::Nowhere(why) => {
            warn(why);
            return None;
        }
        Target::At(p) => p,
    };
    let meta = RunMeta {
        kind,
        job_id,
        tag: tag.map(str::to_owned),
        started_at: started_ms,
    };
    let record = RunRecord::from_summary(&meta, s);
    match history::record(path, &record) {
        Ok(run) => {
            warn_changed_judges(path, run, &record);
            Some((path.clone(), run))
        }
        Err(e) => {
            warn(&e.to_string());
            None
        }
    }
}

/// One warning per judge whose sha256 differs from the one the latest earlier
/// run recorded under its name: its trend now compares different code. A
/// history that cannot be read here costs nothing (the run is recorded).
fn warn_changed_judges(path: &Path, run: i64, record: &RunRecord) {
    let Ok(Some(conn)) = history::open_existing(path) else {
        return;
    };
    for (name, j) in &record.judges {
        if let Ok(Some((before, old))) = history::query::previous_sha256(&conn, name, run)
            && !old.eq_ignore_ascii_case(&j.sha256)
        {
            assay::note!(
                "warning: judge '{}' changed since run {before}: sha256 {} was {}; its trend compares different code",
                one_line(name, 128),
                one_line(&j.sha256, 64),
                one_line(&old, 64)
            );
        }
    }
}

/// The report's trend: the last runs of `tag` (all runs without one), or why
/// there is none.
pub fn for_report(recorded: Option<&Path>, target: &Target, tag: Option<&str>) -> Result<Trend, String> {
    let Some(path) = recorded else {
        return Err(match target {
            Target::Off => "Run history is off (--no-history).".into(),
            _ => "This run could not be recorded in the history (see the warning on stderr).".into(),
        });
    };
    let band = Band { window: 5, points: 5.0 };
    load(path, tag, 60, band).map_err(|e| format!("The history could not be read: {e}"))
}

fn load(path: &Path, tag: Option<&str>, limit: usize, band: Band) -> Result<Trend, history::HistoryError> {
    // `window` runs more than are drawn, so the first drawn run has its baseline too.
    let Some(conn) = history::open_existing(path)? else {
        return Ok(Trend::compute(Vec::new(), band));
    };
    let runs = history::list(&conn, path, tag, limit.saturating_add(band.window))?;
    let mut points: Vec<_> = runs.iter().rev().map(|r| r.point()).collect();
    let ids: Vec<i64> = points.iter().map(|p| p.run).collect();
    let events = history::gate::events_by_run(&conn, &ids).map_err(|source| history::HistoryError::Sqlite {
        path: path.display().to_string(),
        source,
    })?;
    for (run, refused, forced) in events {
        if let Some(p) = points.iter_mut().find(|p| p.run == run) {
            p.next_submission.refused = refused;
            p.next_submission.forced = forced;
        }
    }
    Ok(Trend::compute(points, band).keep_last(limit))
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// The run history (the state database; `--state` names the same file).
    #[arg(long, alias = "state", value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// Only runs with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// The newest N runs.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The run history (the state database; `--state` names the same file).
    #[arg(long, alias = "state", value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// Only runs with this tag (without it, every run).
    #[arg(long)]
    pub tag: Option<String>,
    /// A run is compared with the median of the previous N runs.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub window: u64,
    /// How far a run may fall below that median before it regresses: rates in
    /// percentage points, the unit cost in percent above it.
    #[arg(long, value_name = "POINTS", default_value_t = 5.0)]
    pub band: f64,
    /// The newest N runs are drawn.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: u64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

fn path_of(p: Option<&Path>) -> Result<PathBuf> {
    assay::db::default_path(p).map_err(|e| fail(exit::USAGE, e))
}

/// `assay history`.
pub fn list(a: ListArgs) -> Result<i32> {
    let path = path_of(a.history.as_deref())?;
    let runs = match history::open_existing(&path).map_err(|e| fail(exit::INPUT, e))? {
        Some(conn) => history::list(&conn, &path, a.tag.as_deref(), a.limit).map_err(|e| fail(exit::INPUT, e))?,
        None => Vec::new(),
    };
    let text = match a.format {
        Format::Json => {
            serde_json::to_string_pretty(&serde_json::json!({"history": path.display().to_string(), "runs": runs}))?
                + "\n"
        }
        Format::Text => view::runs(&path, &runs),
    };
    super::out::emit(&text).map_err(|e| fail(exit::OUTPUT, e))?;
    Ok(exit::OK)
}

/// `assay trend`: exit 1 when the newest run regresses.
pub fn trend(a: TrendArgs) -> Result<i32> {
    if !(a.band.is_finite() && a.band >= 0.0) {
        return Err(fail(
            exit::USAGE,
            format!("--band {} must be a number of points, 0 or more", a.band),
        ));
    }
    let path = path_of(a.history.as_deref())?;
    let band = Band {
        window: a.window as usize,
        points: a.band,
    };
    let t = load(&path, a.tag.as_deref(), a.limit as usize, band).map_err(|e| fail(exit::INPUT, e))?;
    let text = match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&t)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("history".into(), path.display().to_string().into());
                o.insert("tag".into(), a.tag.clone().into());
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
        Format::Text if t.runs.is_empty() => format!("no runs recorded in {}\n", path.display()),
        Format::Text => assay::report::trend::render_text(&t),
    };
    super::out::emit(&text).map_err(|e| fail(exit::OUTPUT, e))?;
    Ok(if t.newest_regressed { exit::GATE } else { exit::OK })
}
