//! A run's fingerprint: what decides its rows, part by part, so that a resume
//! with other inputs, judges or settings is refused naming what changed.
//!
//! Invariant: fingerprinting a file costs the same whatever its size: its
//! size, its modification time (ns) and the BLAKE3 hash of a bounded sample — the
//! first and last MiB and [`BLOCKS`] evenly spaced 64 KiB blocks between
//! them, or the whole file when it is no larger than that sample. A pipe,
//! FIFO or `-` is refused unread (it could not be read again, and reading it
//! here would take it from the run).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::CheckpointError;
use crate::eval::judges::PreparedJudge;
use crate::eval::plan::EvalConfig;

/// The bytes read at each end of a file.
pub const EDGE: u64 = 1 << 20;
/// How many blocks are read between the two ends.
pub const BLOCKS: u64 = 64;
/// The size of each of those blocks.
pub const BLOCK: u64 = 64 << 10;
/// Files up to this size (6 MiB) are hashed whole.
pub const WHOLE: u64 = 2 * EDGE + BLOCKS * BLOCK;

/// How a sample's hash is written: its name, then its hex. Why BLAKE3: the
/// sample is up to 6 MiB a file, read on every resumable run (the default);
/// sha256 took 1.5 ms of CPU per MiB, BLAKE3 about 0.2. A mark written by an
/// earlier assay (a bare sha256) differs in form, and a refusal says so.
const SAMPLE_FORM: &str = "blake3:";

/// One file's mark: size, modification time and the sampled bytes' hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMark {
    pub size: u64,
    pub mtime_ns: i128,
    pub sample: String,
}

impl FileMark {
    /// Marks the regular file at `path`.
    pub fn of(path: &Path) -> Result<FileMark, CheckpointError> {
        if path == Path::new("-") || std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(CheckpointError::NotAFile(path.display().to_string()));
        }
        let err = |source| CheckpointError::Read {
            path: path.display().to_string(),
            source,
        };
        let f = File::open(path).map_err(err)?;
        let meta = f.metadata().map_err(err)?;
        let mtime_ns = match meta.modified().map_err(err)?.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(before) => -(before.duration().as_nanos() as i128),
        };
        let size = meta.len();
        let mut h = blake3::Hasher::new();
        let mut buf = Vec::new();
        for (at, len) in ranges(size) {
            buf.resize(len as usize, 0);
            f.read_exact_at(&mut buf, at).map_err(err)?;
            h.update(&buf);
        }
        Ok(FileMark {
            size,
            mtime_ns,
            sample: format!("{SAMPLE_FORM}{}", h.finalize().to_hex()),
        })
    }

    fn stored(&self) -> String {
        format!("{} {} {}", self.size, self.mtime_ns, self.sample)
    }

    fn parse(s: &str) -> Option<FileMark> {
        let mut it = s.split(' ');
        let mark = FileMark {
            size: it.next()?.parse().ok()?,
            mtime_ns: it.next()?.parse().ok()?,
            sample: it.next()?.to_owned(),
        };
        it.next().is_none().then_some(mark)
    }

    /// What differs from `old`, in words.
    fn changes(&self, old: &FileMark) -> Vec<&'static str> {
        let mut what = Vec::new();
        if self.size != old.size {
            what.push("size");
        }
        if self.mtime_ns != old.mtime_ns {
            what.push("modification time");
        }
        if self.sample != old.sample {
            what.push(match old.sample.starts_with(SAMPLE_FORM) {
                true => "sampled bytes",
                // The words inside EARLIER_ONLY's parentheses.
                false => &EARLIER_ONLY[2..EARLIER_ONLY.len() - 1],
            });
        }
        what
    }
}

/// How [`Fingerprint::differs`] ends a file's entry when all that differs
/// is a sample an earlier assay took in another form, which this one cannot
/// compare with its own (`--input PATH (sampled by an earlier assay)`).
pub(super) const EARLIER_ONLY: &str = " (sampled by an earlier assay)";

/// The (offset, length) ranges sampled from a file of `size` bytes, in order.
pub fn ranges(size: u64) -> Vec<(u64, u64)> {
    if size <= WHOLE {
        return vec![(0, size)];
    }
    let mut out = vec![(0, EDGE)];
    // Evenly spaced between the two ends: the first block right after the
    // head, the last right before the tail.
    let span = size - 2 * EDGE - BLOCK;
    for k in 0..BLOCKS {
        out.push((EDGE + span * k / (BLOCKS - 1), BLOCK));
    }
    out.push((size - EDGE, EDGE));
    out
}

/// One part of a fingerprint.
#[derive(Debug, Clone)]
enum Part {
    /// A file: its role and path as given, and its mark.
    File { role: String, path: String, mark: FileMark },
    /// The sha256 of what decides the part (judges, settings).
    Digest { name: &'static str, sha: String },
}

/// What decides a run's rows, part by part, so a refusal can say which changed.
pub struct Fingerprint(Vec<Part>);

impl Fingerprint {
    /// Every input file, the judges and the settings that decide which lines
    /// form a block and what each row gets.
    pub fn of(cfg: &EvalConfig, judges: &[PreparedJudge]) -> Result<Fingerprint, CheckpointError> {
        let mut parts = Vec::new();
        let mut file = |role: String, path: &Path| -> Result<(), CheckpointError> {
            let mark = FileMark::of(path)?;
            parts.push(Part::File {
                role,
                path: path.display().to_string(),
                mark,
            });
            Ok(())
        };
        file("--input".into(), &cfg.input)?;
        for (a, attempt) in cfg.attempts.iter().enumerate() {
            for (f, p) in attempt.iter().enumerate() {
                file(format!("--results {}.{}", a + 1, f + 1), p)?;
            }
        }
        for (k, p) in cfg.batch_objects.iter().enumerate() {
            file(format!("--batch-object {}", k + 1), p)?;
        }
        for (k, p) in cfg.sync_results.iter().enumerate() {
            file(format!("--sync-results {}", k + 1), p)?;
        }
        let judges: Vec<String> = judges
            .iter()
            .map(|j| format!("{}@{}:{:?}", j.info.name, j.loaded.sha256, j.config))
            .collect();
        let settings = format!(
            "provider {:?} {:?}; segment {}; block {}; line {}; seed {}; retry {:?}",
            cfg.provider,
            cfg.provider_opts,
            cfg.segment_size,
            cfg.block_bytes,
            cfg.max_line_bytes,
            cfg.run.seed,
            cfg.retry
        );
        parts.push(Part::digest("judges", &judges.join(";")));
        parts.push(Part::digest("settings", &settings));
        Ok(Fingerprint(parts))
    }

    #[cfg(test)]
    pub(super) fn of_parts(files: &[(&str, &Path)], judges: &str) -> Result<Fingerprint, CheckpointError> {
        let mut parts = Vec::new();
        for (role, path) in files {
            parts.push(Part::File {
                role: (*role).to_owned(),
                path: path.display().to_string(),
                mark: FileMark::of(path)?,
            });
        }
        parts.push(Part::digest("judges", judges));
        parts.push(Part::digest("settings", "s"));
        Ok(Fingerprint(parts))
    }

    /// The stored form: one `key=value` line per part.
    pub fn stored(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                Part::File { role, mark, .. } => format!("{role}={}", mark.stored()),
                Part::Digest { name, sha } => format!("{name}={sha}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The parts that differ from a stored fingerprint, in words: a file by
    /// its role, path and what of it changed; other parts by name.
    pub(super) fn differs(&self, stored: &str) -> Vec<String> {
        let old: Vec<(&str, &str)> = stored.lines().filter_map(|l| l.split_once('=')).collect();
        let find = |key: &str| old.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let mut out = Vec::new();
        for p in &self.0 {
            match p {
                Part::File { role, path, mark } => match find(role).and_then(FileMark::parse) {
                    Some(was) if was == *mark => {}
                    Some(was) => out.push(format!("{role} {path} ({})", mark.changes(&was).join(", "))),
                    None => out.push(format!("{role} {path} (not given when the run started)")),
                },
                Part::Digest { name, sha } => {
                    if find(name) != Some(sha.as_str()) {
                        out.push((*name).to_owned());
                    }
                }
            }
        }
        let now: Vec<String> = self
            .0
            .iter()
            .map(|p| match p {
                Part::File { role, .. } => role.clone(),
                Part::Digest { name, .. } => (*name).to_owned(),
            })
            .collect();
        for (k, _) in &old {
            if !now.iter().any(|n| n == k) {
                out.push(format!("{k} (given when the run started, not now)"));
            }
        }
        out
    }
}

impl Part {
    fn digest(name: &'static str, what: &str) -> Part {
        Part::Digest {
            name,
            sha: hex::encode(Sha256::digest(what.as_bytes())),
        }
    }
}
