//! Logging through the host's `log` import.
//!
//! The host captures and caps what a judge logs and prints it only when asked to.
//! Natively (unit tests) the messages go to stderr instead, so judge logic that logs
//! still runs outside a component.

use crate::Level;

/// Sends `message` to the host at `level`.
pub fn log(level: Level, message: &str) {
    #[cfg(target_family = "wasm")]
    crate::bindings::assay::judge0_1_0::host::log(level, message);
    #[cfg(not(target_family = "wasm"))]
    eprintln!("[{level:?}] {message}");
}

/// Logs at `trace` level.
pub fn trace(message: &str) {
    log(Level::Trace, message)
}

/// Logs at `debug` level.
pub fn debug(message: &str) {
    log(Level::Debug, message)
}

/// Logs at `info` level.
pub fn info(message: &str) {
    log(Level::Info, message)
}

/// Logs at `warn` level.
pub fn warn(message: &str) {
    log(Level::Warn, message)
}

/// Logs at `error` level.
pub fn error(message: &str) {
    log(Level::Error, message)
}
