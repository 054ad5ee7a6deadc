//! What a judge may say: `log` calls and WASI stdout/stderr (through
//! `pipe.rs`), captured for `--judge-log` under hard byte caps.
//!
//! Invariant: the host never holds more of a judge's output than the caps
//! allow, and never fails the judge for saying too much. A `log` message is cut
//! to its cap while it is still in guest memory (the host borrows the string
//! there and copies only the kept prefix); output past a cap is dropped and
//! counted, and the count is reported beside what was kept.

use std::sync::Arc;

use wasmtime::StoreContextMut;
use wasmtime::component::{Linker, WasmStr};

use super::bindings::assay::judge::host::Level;
use super::state::JudgeState;
use super::text::{MAX_NAME_BYTES, one_line};

/// What one captured line costs beside its text, so a flood of empty
/// messages is bounded like a flood of long ones.
const LINE_OVERHEAD: usize = 32;

/// One captured guest log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub level: &'static str,
    pub message: String,
    /// The row(s) of the call that wrote it: one id for a one-row call,
    /// `FIRST … LAST (N rows)` for a chunk; none for instantiation and `init`.
    pub rows: Option<Arc<str>>,
}

impl LogLine {
    pub fn new(level: &'static str, message: String) -> LogLine {
        LogLine {
            level,
            message,
            rows: None,
        }
    }

    /// `LEVEL (row ID): MESSAGE`, or `LEVEL: MESSAGE` for a line of no call,
    /// as `--judge-log` prints it after the judge's name.
    pub fn tagged(&self) -> String {
        match &self.rows {
            Some(rows) => format!("{} (row {rows}): {}", self.level, self.message),
            None => format!("{}: {}", self.level, self.message),
        }
    }
}

/// The rows of one call, as its log lines are tagged: the id of a one-row
/// call, `FIRST … LAST (N rows)` for a chunk; ids cut to one visible line.
pub fn rows_label(ids: &[&str]) -> Arc<str> {
    let id = |s: &str| one_line(s, MAX_NAME_BYTES * 4);
    match ids {
        [] => Arc::from(""),
        [one] => Arc::from(id(one)),
        [first, .., last] => Arc::from(format!("{} … {} ({} rows)", id(first), id(last), ids.len())),
    }
}

/// Captured lines under a byte cap, with what did not fit counted.
#[derive(Debug, Default)]
pub struct CapturedLog {
    pub lines: Vec<LogLine>,
    /// Bytes charged so far (text plus a fixed cost per line).
    pub bytes: usize,
    /// Messages dropped after the cap was reached.
    pub dropped: u64,
    /// Messages cut to the per-message cap.
    pub cut: u64,
    cap: usize,
    line_cap: usize,
}

impl CapturedLog {
    pub fn new(cap: usize, line_cap: usize) -> CapturedLog {
        CapturedLog {
            cap,
            line_cap,
            ..CapturedLog::default()
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    pub fn line_cap(&self) -> usize {
        self.line_cap
    }

    pub fn is_full(&self) -> bool {
        self.bytes >= self.cap
    }

    /// The longest prefix of `text` this log keeps of one message, and
    /// whether that cuts it.
    pub fn keepable<'t>(&self, text: &'t str) -> (&'t str, bool) {
        let mut end = text.len().min(self.line_cap);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (&text[..end], end < text.len())
    }

    /// Keeps at most `line_cap` bytes of `text`, copying nothing more.
    pub fn push(&mut self, level: &'static str, text: &str) {
        let (kept, cut) = self.keepable(text);
        self.push_kept(level, kept.to_owned(), cut);
    }

    /// Adds a line the host wrote (already one visible, capped line), kept
    /// whole while the log has room.
    pub fn push_host(&mut self, message: String) {
        if self.is_full() {
            self.dropped += 1;
            return;
        }
        self.bytes += message.len() + LINE_OVERHEAD;
        self.lines.push(LogLine::new("host", message));
    }

    /// Tags every line from `start` on with the rows of the call that wrote them.
    pub fn tag_from(&mut self, start: usize, rows: &Arc<str>) {
        for line in self.lines.iter_mut().skip(start) {
            line.rows.get_or_insert_with(|| rows.clone());
        }
    }

    /// Adds a message already cut by `keepable`, as one visible line.
    fn push_kept(&mut self, level: &'static str, message: String, cut: bool) {
        if self.is_full() {
            self.dropped += 1;
            return;
        }
        let mut message = one_line(&message, usize::MAX);
        if cut {
            message.push('…');
            self.cut += 1;
        }
        self.bytes += message.len() + LINE_OVERHEAD;
        self.lines.push(LogLine::new(level, message));
    }

    /// Adds captured stdout or stderr bytes, one line each (uncapped here:
    /// the pipe already capped them).
    pub fn push_output(&mut self, level: &'static str, bytes: &[u8]) {
        for line in String::from_utf8_lossy(bytes).lines() {
            let message = one_line(line, usize::MAX);
            self.bytes += message.len() + LINE_OVERHEAD;
            self.lines.push(LogLine::new(level, message));
        }
    }

    /// Moves lines from `other` while this log has room; the rest count as dropped.
    pub fn absorb(&mut self, other: CapturedLog) {
        self.dropped += other.dropped;
        self.cut += other.cut;
        for line in other.lines {
            if self.is_full() {
                self.dropped += 1;
                continue;
            }
            self.bytes += line.message.len() + LINE_OVERHEAD;
            self.lines.push(line);
        }
    }

    /// The lines, with one more saying how many were dropped or cut.
    pub fn into_lines(mut self) -> Vec<LogLine> {
        if self.dropped > 0 || self.cut > 0 {
            self.lines.push(LogLine::new(
                "host",
                format!(
                    "{} log message(s) dropped past the {} byte cap, {} cut to {} bytes",
                    self.dropped, self.cap, self.cut, self.line_cap
                ),
            ));
        }
        self.lines
    }
}

/// Links `assay:judge/host.log` by hand, taking the message as a `WasmStr`:
/// the generated binding would copy the whole string out of guest memory
/// before the host could cut it (a 64 MiB message would cost 64 MiB of host
/// memory per call). A message to a full log is not even read.
pub fn link_log(linker: &mut Linker<JudgeState>) -> wasmtime::Result<()> {
    let mut host = linker.instance("assay:judge/host@0.1.0")?;
    host.func_wrap(
        "log",
        |store: StoreContextMut<'_, JudgeState>, (level, message): (Level, WasmStr)| {
            let level = match level {
                Level::Trace => "trace",
                Level::Debug => "debug",
                Level::Info => "info",
                Level::Warn => "warn",
                Level::Error => "error",
            };
            let error = level == "error";
            if store.data().log.is_full() && !error {
                let mut store = store;
                store.data_mut().log.dropped += 1;
                return Ok(());
            }
            // Borrowed from guest memory for UTF-8 guests: only the kept
            // prefix is copied.
            let (kept, cut) = {
                let text = message.to_str(&store)?;
                let (kept, cut) = store.data().log.keepable(&text);
                (kept.to_owned(), cut)
            };
            let mut store = store;
            let state = store.data_mut();
            // The call's last error line is kept for its failure detail even
            // past the log's cap (one line of at most `line_cap` bytes).
            if error {
                state.call_error = Some(kept.clone());
            }
            state.log.push_kept(level, kept, cut);
            Ok(())
        },
    )
}

#[cfg(test)]
mod tests;
