//! `assay cluster` and `assay eval --cluster`: the cluster sink added to the
//! eval pipeline's sinks, the clustering after the run, and its output.
//!
//! Invariant: `assay cluster` is `assay eval` with the same inputs, the same
//! pipeline and the same exit codes; it only prints the clusters instead of
//! the summary.

use std::sync::{Arc, Mutex};

use anyhow::Result;
use assay::cluster::{self, Options};
use assay::report::Summary;
use assay::report::clusters::{Clusters, render_text};
use assay::sink::RowSink;
use assay::sink::cluster::{ClusterSink, Gathered};

use super::args::{EvalArgs, Format};
use super::eval::run_as;
use super::exit;
use super::job_ctx::fail;

/// `assay cluster`.
pub fn run(mut args: EvalArgs) -> Result<i32> {
    args.cluster = true;
    // Clustering looks again at a run; it is not a new point on the trend.
    args.history.no_history = true;
    args.history.history = None;
    run_as(args, assay::history::RunKind::Eval, true)
}

/// The clustering of one run: the sink's collection and the settings.
pub struct Clustering {
    shared: Arc<Mutex<Gathered>>,
    opts: Options,
}

impl Clustering {
    /// With `--cluster` (or under `assay cluster`), adds the cluster sink to `sinks`.
    pub fn new(args: &EvalArgs, sinks: &mut Vec<Box<dyn RowSink>>) -> Option<Clustering> {
        if !args.cluster {
            return None;
        }
        let opts = Options {
            max_rows: usize::try_from(args.cluster_max_rows).unwrap_or(usize::MAX),
            min_size: args.cluster_min_size.map(|m| usize::try_from(m).unwrap_or(usize::MAX)),
        };
        let shared = ClusterSink::shared(opts.max_rows);
        sinks.push(Box::new(ClusterSink::new(shared.clone())));
        Some(Clustering { shared, opts })
    }

    /// Clusters what the sink kept (call once the run has returned).
    pub fn finish(&self) -> Result<Clusters> {
        let collected = ClusterSink::take(&self.shared);
        cluster::cluster(&collected, self.opts).map_err(|e| fail(exit::INTERNAL, e))
    }
}

/// `assay cluster`'s output: the clusters alone, as text or JSON.
pub fn print(c: Option<&Clusters>, format: Format) -> std::io::Result<()> {
    let Some(c) = c else {
        return Ok(());
    };
    match format {
        Format::Text => super::out::emit(&render_text(c)),
        Format::Json => super::out::emit(&(serde_json::to_string_pretty(c).map_err(std::io::Error::from)? + "\n")),
    }
}

/// The terminal summary, followed by the clusters under `--cluster`.
pub fn with_text(mut text: String, s: &Summary) -> String {
    if let Some(c) = &s.clusters {
        text.push('\n');
        text.push_str(&render_text(c));
    }
    text
}
