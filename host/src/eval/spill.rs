//! Per-row verdict text (details and error messages) for `--rows-out`,
//! spilled to a temporary file so memory stays flat in the number of rows.
//!
//! Invariant: at most one fragment per row; a row without one has nothing
//! beyond what the compact tables hold.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;

pub struct Spill {
    out: BufWriter<File>,
    file: File,
    written: u64,
    /// (offset, length) per row; length 0 = nothing spilled.
    spans: Vec<(u64, u32)>,
}

impl Spill {
    pub fn new(rows: usize) -> std::io::Result<Spill> {
        let file = tempfile::tempfile()?;
        let out = BufWriter::with_capacity(1 << 20, file.try_clone()?);
        Ok(Spill {
            out,
            file,
            written: 0,
            spans: vec![(0, 0); rows],
        })
    }

    /// Records a JSON object fragment for `idx`.
    pub fn put(&mut self, idx: u32, json: &str) -> std::io::Result<()> {
        let Some(span) = self.spans.get_mut(idx as usize) else {
            return Ok(());
        };
        self.out.write_all(json.as_bytes())?;
        *span = (self.written, json.len() as u32);
        self.written += json.len() as u64;
        Ok(())
    }

    pub fn finish(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }

    /// The fragment for `idx`, if any (call `finish` first).
    pub fn get(&self, idx: u32) -> std::io::Result<Option<serde_json::Value>> {
        let Some(&(off, len)) = self.spans.get(idx as usize) else {
            return Ok(None);
        };
        if len == 0 {
            return Ok(None);
        }
        let mut buf = vec![0u8; len as usize];
        self.file.read_exact_at(&mut buf, off)?;
        Ok(serde_json::from_slice(&buf).ok())
    }
}
