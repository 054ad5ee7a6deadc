//! Progress on stderr (`indicatif`) for the long parts of `assay eval`: indexing
//! the input, then reading and scoring the results, with rows/s and an ETA.
//!
//! Invariant: nothing is drawn unless the CLI called `install` (it does so only
//! when stderr is a terminal and `--quiet` is absent); otherwise every call is one
//! `OnceLock` load. The bar moves once per block of results, never per row, and
//! has no colour when `NO_COLOR` is set.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static BAR: OnceLock<ProgressBar> = OnceLock::new();

/// Whether progress should be drawn: not quiet, and stderr is a terminal.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// The bar's template; no colour spec at all when `no_color`.
pub fn template(no_color: bool) -> &'static str {
    if no_color {
        "{msg:>8} [{bar:30}] {pos}/{len} rows  {per_sec}  ETA {eta}"
    } else {
        "{msg:>8} [{bar:30.cyan/blue}] {pos}/{len} rows  {per_sec}  ETA {eta}"
    }
}

/// Turns progress drawing on for this process, on stderr.
pub fn install() {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.enable_steady_tick(Duration::from_millis(200));
    let _ = BAR.set(bar);
}

/// Starts a stage: `len` rows to go, or a spinner when unknown.
pub fn stage(what: &'static str, len: Option<u64>) {
    let Some(bar) = BAR.get() else { return };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let style = match len {
        Some(_) => ProgressStyle::with_template(template(no_color)),
        None => ProgressStyle::with_template("{msg:>8} {spinner} {elapsed}"),
    };
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar.set_length(len.unwrap_or(0));
    bar.set_position(0);
    bar.reset_eta();
    bar.set_message(what);
}

/// Advances the current stage by `n` rows.
pub fn inc(n: u64) {
    if let Some(bar) = BAR.get() {
        bar.inc(n);
    }
}

/// Clears the bar before the summary is printed.
pub fn finish() {
    if let Some(bar) = BAR.get() {
        bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests;
