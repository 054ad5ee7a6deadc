//! Ctrl-C while traces are on: from the first row span until the job span
//! is sent, a Ctrl-C stops the run at the next row so that what was built is
//! flushed and counted; at any other time (or a second Ctrl-C) the process
//! ends at once with 130.
//!
//! Invariant: the handler is installed only when traces are on, so a run
//! without them keeps the default Ctrl-C behaviour.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set from the first row span until the job span is sent: a Ctrl-C then
/// flushes what was built instead of quitting at once.
static EMITTING: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C while traces are being sent: stop at the next row, flush, report.
/// At any other time (or a second Ctrl-C) the process ends at once with 130.
pub fn install() {
    let _ = std::thread::Builder::new().name("assay-ctrl-c".into()).spawn(|| {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        rt.block_on(async {
            loop {
                if tokio::signal::ctrl_c().await.is_err() {
                    return;
                }
                if EMITTING.load(Ordering::SeqCst) && !INTERRUPTED.swap(true, Ordering::SeqCst) {
                    crate::note!("assay: interrupted; flushing traces (Ctrl-C again to quit now)");
                } else {
                    std::process::exit(130);
                }
            }
        });
    });
}

pub fn start_emitting() {
    EMITTING.store(true, Ordering::SeqCst);
}

pub fn stop_emitting() {
    EMITTING.store(false, Ordering::SeqCst);
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

pub fn reset() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}
