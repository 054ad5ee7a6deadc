//! Writing the command's answer to stdout.
//!
//! Invariant: a reader that stops early (`assay judges | head`) ends the output
//! quietly; it is not an error and never a panic, as `println!` would make it.

use std::io::Write;

/// Writes `text` to stdout; a closed pipe counts as done.
pub fn emit(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `println!` through [`emit`]: a reader that stopped early ends the output
/// quietly; any other write error is returned.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::out::emit(&format!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use say;
