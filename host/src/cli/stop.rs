//! What `assay eval` and `assay judge test` print of the judges' logs, and, when the host
//! stopped a judge, how to replay its first failing row alone.
//!
//! Invariant: the replay file is always a new file (never one that exists),
//! and the printed command is one shell line that runs as shown.

use std::io::Write;

use assay::eval::stop::Repro;
use assay::eval::summarize::JudgeLog;
use assay::report::terminal;

/// `--judge-log`: every captured line as `[judge] LEVEL (row ID): MESSAGE`.
pub fn print_judge_logs(logs: &[JudgeLog]) {
    for (name, lines) in logs {
        for l in lines {
            assay::note!("[{name}] {}", terminal::sanitize(&l.tagged()));
        }
    }
}

/// Lines to add below the stop message: the first failing row and its
/// reason, the file its call's rows were written to, and the command that
/// replays them under `assay judge test`.
pub fn replay_hint(repro: &Repro, judge_log: bool) -> String {
    let first = &repro.first;
    // The whole reason (up to 4 KiB) is in the message above; its start names it.
    let mut out = format!("\n  first failing row: {}", terminal::sanitize(&cut(&first.text, 240)));
    let written = write_rows(&repro.judge, &first.rows);
    match &written {
        Ok(path) => {
            let what = match first.call_rows {
                1 => "the row".to_owned(),
                n => format!("the {n} rows of the call it failed in"),
            };
            out.push_str(&format!("\n  {what} written to {}", path.display()));
            let mut cmd = format!(
                "assay judge test {} --rows {}",
                repro.judge,
                shell_word(&path.to_string_lossy())
            );
            if let Some(dir) = &repro.plugin_dir {
                cmd.push_str(&format!(" --plugin-dir {}", shell_word(&dir.to_string_lossy())));
            }
            for (k, v) in &repro.config {
                cmd.push_str(&format!(" --set {}", shell_word(&format!("{k}={v}"))));
            }
            cmd.push_str(" --judge-log");
            out.push_str(&format!("\n  reproduce: {}", terminal::sanitize(&cmd)));
        }
        Err(e) => out.push_str(&format!(
            "\n  (cannot write the row to a temporary file to replay it: {e})"
        )),
    }
    if !judge_log {
        out.push_str("\n  rerun with --judge-log to see what the judge logged and wrote to stderr");
    }
    out.push_str("\n  the ceiling is max-judge-error-rate in the --policy file");
    out
}

/// `e` with `hint` added to its message (its exit code kept).
pub fn with_hint(e: anyhow::Error, hint: Option<String>) -> anyhow::Error {
    match (e.downcast::<super::eval::Exit>(), hint) {
        (Ok(mut x), Some(hint)) => {
            x.message.push_str(&hint);
            anyhow::anyhow!(x)
        }
        (Ok(x), None) => anyhow::anyhow!(x),
        (Err(e), _) => e,
    }
}

/// Writes `rows` to a new file in the temporary directory and keeps it.
fn write_rows(judge: &str, rows: &str) -> std::io::Result<std::path::PathBuf> {
    let (mut file, path) = tempfile::Builder::new()
        .prefix(&format!("assay-{judge}-failed-"))
        .suffix(".jsonl")
        .tempfile()?
        .keep()
        .map_err(|e| e.error)?;
    file.write_all(rows.as_bytes())?;
    file.sync_all()?;
    Ok(path)
}

/// `s` as one shell word: as is when it holds only safe characters, else
/// single-quoted.
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./=:,@%+".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The first `max` bytes of `s` (at a character boundary), marked when cut.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
