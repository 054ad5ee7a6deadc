//! Indexing the submitted rows: JSONL input files on every core, or an
//! Anthropic `{"requests": [...]}` body streamed element by element.
//!
//! Invariant: row indexes follow submission order; every line or element
//! that is not a row comes back as a bad line, never skipped silently.

use std::path::Path;
use std::sync::Arc;

use assay_batch::anthropic::{self, BodyError, ElementError};
use assay_batch::{BadLine, FileId, InputIndex, InsertError, LineError, ReadError, ReadOptions, read_input_parallel};

use super::detect::Settled;

pub fn index_input(
    path: &Path,
    settled: &Settled,
    opts: &ReadOptions,
    provider_opts: &assay_batch::ProviderOptions,
    threads: usize,
) -> Result<(InputIndex, Vec<BadLine>), ReadError> {
    if !settled.input_body {
        let parse = settled.provider.input_parser();
        return read_input_parallel(path, FileId(0), opts, threads, parse, provider_opts);
    }
    let shared: Arc<Path> = Arc::from(path);
    let mut index = InputIndex::new();
    let mut bad = Vec::new();
    let element_bad = |e: ElementError| BadLine {
        path: Arc::clone(&shared),
        line: e.index + 1,
        offset: e.offset,
        reason: LineError::WrongShape(e.to_string()),
    };
    let scanned = anthropic::read_requests_body(path, |span| -> Result<(), ReadError> {
        let (n, offset) = (span.index + 1, span.offset);
        match span.parse(provider_opts) {
            Ok(line) => match index.try_insert(&line.custom_id, offset, n) {
                Ok(_) => {}
                Err(InsertError::Duplicate(first)) => bad.push(BadLine {
                    path: Arc::clone(&shared),
                    line: n,
                    offset,
                    reason: LineError::DuplicateId {
                        id: line.custom_id.into_owned(),
                        first_line: index.line(first),
                    },
                }),
                Err(InsertError::Full) => {
                    return Err(ReadError::TooLarge {
                        path: Arc::clone(&shared),
                        reason: format!("index full at request {n}"),
                    });
                }
            },
            Err(e) => bad.push(element_bad(e)),
        }
        Ok(())
    });
    match scanned {
        Ok(_) => {}
        Err(BodyError::Stopped { error, .. }) => return Err(error),
        Err(BodyError::Io { path, source }) => return Err(ReadError::Io { path, source }),
        Err(e) => {
            return Err(ReadError::Invalid {
                path: Arc::clone(&shared),
                reason: e.to_string(),
            });
        }
    }
    if index.is_empty() && bad.is_empty() {
        return Err(ReadError::Empty { path: shared });
    }
    index.shrink_to_fit();
    Ok((index, bad))
}
