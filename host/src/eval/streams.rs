//! Inputs that are streams (a pipe, a FIFO, `-` for stdin, a character
//! device) are read exactly once: each is copied into an unnamed temporary
//! file before the run starts, and every later stage (provider sniffing, the
//! parallel index, re-reads) reads that copy, never the stream again.
//!
//! Invariant: no stream is opened twice, so sniffing cannot consume rows the
//! main read then misses, and a FIFO cannot hang a second open; stdin is
//! taken by at most one file; the summary names each file as the user did
//! (a copy made before the run, `EvalConfig::copied`, too).

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use super::error::EvalError;
use super::plan::EvalConfig;

/// The copies of the run's streams; they live as long as the run.
#[derive(Default)]
pub struct Streams {
    copies: Vec<File>,
    /// (path the stages read, path as the user gave it)
    names: Vec<(PathBuf, PathBuf)>,
}

impl Streams {
    /// (path the stages read, path as the user gave it) of every copy.
    pub fn names(&self) -> &[(PathBuf, PathBuf)] {
        &self.names
    }

    /// The name the user gave for a path the stages read.
    pub fn shown<'a>(&'a self, path: &'a Path) -> &'a Path {
        self.names
            .iter()
            .find(|(read, _)| read == path)
            .map_or(path, |(_, given)| given.as_path())
    }
}

/// `text` with each copy's path in `names` replaced by the name given; a
/// path is matched only whole (`/proc/self/fd/7` is not the start of
/// `/proc/self/fd/71`).
pub fn show_names(text: &str, names: &[(PathBuf, PathBuf)]) -> String {
    let mut out = text.to_owned();
    for (read, given) in names {
        let (read, given) = (read.display().to_string(), given.display().to_string());
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&read) {
            let after = &rest[at + read.len()..];
            next.push_str(&rest[..at]);
            match after.starts_with(|c: char| c.is_ascii_digit()) {
                true => next.push_str(&read),
                false => next.push_str(&given),
            }
            rest = after;
        }
        next.push_str(rest);
        out = next;
    }
    out
}

/// Whether [`take`] would copy any of the run's files.
pub fn any(cfg: &EvalConfig) -> bool {
    std::iter::once(&cfg.input)
        .chain(cfg.attempts.iter().flatten())
        .chain(cfg.sync_results.iter())
        .any(|p| is_stream(p))
}

fn is_stream(path: &Path) -> bool {
    if path.as_os_str() == "-" {
        return true;
    }
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Copies every stream among the run's input, result and sync files into an
/// unnamed temporary file and points `cfg` at the copies.
pub fn take(cfg: &mut EvalConfig) -> Result<Streams, EvalError> {
    let mut streams = Streams {
        copies: Vec::new(),
        names: cfg.copied.clone(),
    };
    let mut stdin_taken = false;
    let paths = std::iter::once(&mut cfg.input)
        .chain(cfg.attempts.iter_mut().flatten())
        .chain(cfg.sync_results.iter_mut());
    for path in paths {
        if !is_stream(path) {
            continue;
        }
        let given = path.clone();
        let io = |source| EvalError::Stream {
            path: given.clone(),
            source,
        };
        let mut copy = tempfile::tempfile().map_err(io)?;
        if given.as_os_str() == "-" {
            if stdin_taken {
                return Err(EvalError::StdinTwice);
            }
            stdin_taken = true;
            std::io::copy(&mut std::io::stdin().lock(), &mut copy).map_err(io)?;
        } else {
            let mut f = File::open(&given).map_err(io)?;
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = f.read(&mut buf).map_err(io)?;
                if n == 0 {
                    break;
                }
                std::io::Write::write_all(&mut copy, &buf[..n]).map_err(io)?;
            }
        }
        let read = PathBuf::from(format!("/proc/self/fd/{}", copy.as_raw_fd()));
        *path = read.clone();
        streams.names.push((read, given));
        streams.copies.push(copy);
    }
    Ok(streams)
}

#[cfg(test)]
mod tests;
