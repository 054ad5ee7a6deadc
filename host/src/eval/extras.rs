//! Re-reading a row's request (prompt and metadata) from the input file, for
//! judges whose descriptor asks for them.
//!
//! Invariant: a request is read from the input at its indexed offset, never
//! from memory kept per row; a gzip input is decompressed once, up front, so
//! offsets (which count decompressed bytes) stay valid; a line that cannot be
//! read or parsed gives empty extras, never a wrong row's.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assay_batch::{InputIndex, Provider, ReadError, anthropic, is_gzip};

use super::detect::Settled;
use super::error::EvalError;
use super::rows::RequestExtras;

/// The open input, for positional re-reads of request lines.
pub struct RequestSource {
    index: Arc<InputIndex>,
    provider: Provider,
    /// The input is an Anthropic `{"requests": [...]}` body: offsets point at elements.
    input_body: bool,
    needs_prompt: bool,
    needs_metadata: bool,
    /// The input, or the unnamed decompressed copy of a gzip input (gone
    /// with the process, however it ends).
    file: File,
    /// The input as named, for messages.
    path: PathBuf,
    max_line_bytes: usize,
}

/// Why a gzip input could not be unpacked for re-reads.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error(
        "{path}: decompresses to more than --max-unpacked-bytes {cap}; raise the cap, or run without judges that need the prompt or metadata"
    )]
    TooLarge { path: PathBuf, cap: u64 },
    #[error("{path}: cannot decompress for prompt and metadata re-reads: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the decompressed copy of {path} to a temporary file in {} (TMPDIR): {source}", std::env::temp_dir().display())]
    Temp {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl RequestSource {
    /// Opens `input` for re-reads of what judges need: `(prompt, metadata)`.
    /// `max_unpacked` caps the decompressed size of a gzip input.
    pub fn open(
        input: &Path,
        settled: &Settled,
        index: Arc<InputIndex>,
        needs: (bool, bool),
        max_line_bytes: usize,
        max_unpacked: u64,
    ) -> Result<RequestSource, EvalError> {
        let io_err = |source| ReadError::Io {
            path: input.into(),
            source,
        };
        let (needs_prompt, needs_metadata) = needs;
        // Prompts are re-read by offset; offsets into a gzip file count
        // decompressed bytes, so such an input is decompressed once, up front.
        let file = if (needs_prompt || needs_metadata) && !settled.input_body && is_gzip(input).map_err(io_err)? {
            unpack(input, max_unpacked)?
        } else {
            File::open(input).map_err(io_err)?
        };
        Ok(RequestSource {
            index,
            provider: settled.provider,
            input_body: settled.input_body,
            needs_prompt,
            needs_metadata,
            file,
            path: input.to_owned(),
            max_line_bytes,
        })
    }

    /// Whether any judge needs the request at all.
    pub fn wanted(&self) -> bool {
        self.needs_prompt || self.needs_metadata
    }

    /// Whether prompts are read (`prompt` gives them).
    pub fn needs_prompt(&self) -> bool {
        self.needs_prompt
    }

    /// The row's request messages, (role, content); empty when the source was
    /// opened without the prompt or the line cannot be read.
    pub fn prompt(&self, idx: u32) -> Vec<(String, String)> {
        self.read_one(idx).messages
    }

    /// Whether judges need metadata (sync pairing adds to it).
    pub fn needs_metadata(&self) -> bool {
        self.needs_metadata
    }

    /// Reads the input line at `offset` and pulls out what judges asked for.
    fn read_one(&self, idx: u32) -> RequestExtras {
        // No offset (out of range, or an index built without them): no
        // extras, never another row's.
        let Some(offset) = self.index.offset(idx) else {
            return RequestExtras::default();
        };
        if self.input_body {
            let element = anthropic::read_request_at(&self.file, &self.path, offset).unwrap_or_default();
            return self.extras_of(&element);
        }
        // Most request lines are a few KiB: start small, double as needed.
        let mut buf = vec![0u8; 4 * 1024];
        let mut len = 0;
        loop {
            if len == buf.len() {
                if buf.len() >= self.max_line_bytes {
                    break;
                }
                buf.resize(buf.len() * 2, 0);
            }
            match self.file.read_at(&mut buf[len..], offset + len as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let had_newline = memchr::memchr(b'\n', &buf[len..len + n]).is_some();
                    len += n;
                    if had_newline {
                        break;
                    }
                }
            }
        }
        let end = memchr::memchr(b'\n', &buf[..len]).unwrap_or(len);
        self.extras_of(&buf[..end])
    }

    /// [`Self::read_one`] for many rows. Results mostly follow submission order, so
    /// the input lines of one block's rows lie close together: they are read
    /// with one `pread` per window of up to 1 MiB instead of one per row. A line
    /// that does not end inside its window is read on its own.
    pub fn read_many(&self, idxs: &[u32]) -> Vec<RequestExtras> {
        const WINDOW: u64 = 1 << 20;
        const TAIL: u64 = 16 * 1024;
        if self.input_body {
            return idxs.iter().map(|&i| self.read_one(i)).collect();
        }
        let mut out: Vec<RequestExtras> = idxs.iter().map(|_| RequestExtras::default()).collect();
        let mut order: Vec<(u64, usize)> = idxs
            .iter()
            .enumerate()
            .filter_map(|(k, &i)| Some((self.index.offset(i)?, k)))
            .collect();
        order.sort_unstable();
        let mut buf = Vec::new();
        let mut k = 0;
        while let Some(&(start, _)) = order.get(k) {
            let group = order[k..].iter().take_while(|(o, _)| *o < start + WINDOW).count();
            let last = order[k + group - 1].0;
            buf.resize((last - start + TAIL) as usize, 0);
            let mut len = 0;
            while len < buf.len() {
                match self.file.read_at(&mut buf[len..], start + len as u64) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => len += n,
                }
            }
            for &(offset, slot) in &order[k..k + group] {
                let rel = (offset - start) as usize;
                let line = buf
                    .get(rel..len)
                    .and_then(|rest| Some(&rest[..memchr::memchr(b'\n', rest)?]));
                let at_eof = len < buf.len();
                out[slot] = match (line, at_eof) {
                    (Some(line), _) => self.extras_of(line),
                    // The file's last line, with no newline after it.
                    (None, true) => self.extras_of(buf.get(rel..len).unwrap_or_default()),
                    (None, false) => self.read_one(idxs[slot]),
                };
            }
            k += group;
        }
        out
    }

    fn extras_of(&self, line: &[u8]) -> RequestExtras {
        RequestExtras {
            messages: if self.needs_prompt {
                self.provider.parse_input_messages(line).unwrap_or_default()
            } else {
                Vec::new()
            },
            metadata: if self.needs_metadata {
                self.provider.parse_input_metadata(line)
            } else {
                Vec::new()
            },
        }
    }
}

/// Decompresses `input` into an unnamed temporary file (`O_TMPFILE` in
/// TMPDIR: nothing is left behind however the process ends), refusing to
/// write more than `cap` bytes.
fn unpack(input: &Path, cap: u64) -> Result<File, UnpackError> {
    let read_err = |source| UnpackError::Read {
        path: input.to_owned(),
        source,
    };
    let temp_err = |source| UnpackError::Temp {
        path: input.to_owned(),
        source,
    };
    let mut tmp = tempfile::tempfile().map_err(temp_err)?;
    let gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(File::open(input).map_err(read_err)?));
    // One byte past the cap tells "exactly at the cap" from "over it".
    let mut limited = gz.take(cap.saturating_add(1));
    let mut buf = vec![0u8; 1 << 20];
    let mut written = 0u64;
    loop {
        let n = limited.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        written += n as u64;
        if written > cap {
            return Err(UnpackError::TooLarge {
                path: input.to_owned(),
                cap,
            });
        }
        std::io::Write::write_all(&mut tmp, &buf[..n]).map_err(temp_err)?;
    }
    Ok(tmp)
}

#[cfg(test)]
mod tests;
