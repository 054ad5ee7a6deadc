//! The one way assay writes a file it produces (`--rows-out`, and any report
//! written to a path).
//!
//! - A regular file (or a path that does not exist yet) is written to an
//!   unnamed temporary file in the target's own directory (`O_TMPFILE`) and
//!   put in place with a rename only when the output is whole: a failed or
//!   killed run leaves neither a partial file that looks whole nor a hidden
//!   temporary behind. A created file gets mode 0666 less the umask.
//! - A symlink is followed: its target is replaced, in the target's
//!   directory, and the link stays a link.
//! - A character device, a FIFO, `-` (stdout) or a path under `/dev/` or
//!   `/proc/` is written through as a stream: such outputs cannot be made
//!   whole atomically, and replacing them would turn a device into a file.
//! - An output that is one of the run's own input files is refused before
//!   anything is written.
//!
//! Invariant: assay never replaces something that is not a regular file,
//! never writes over one of its inputs, and a regular file it names is
//! either the complete output or untouched.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: refusing to write the output over {what}")]
    Refused { path: PathBuf, what: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Where the bytes go until `commit`.
enum Target {
    /// Streamed straight to the named thing.
    Through(File),
    /// Standard output.
    Stdout,
    /// An unnamed file in `dir`, renamed to `final_path` on commit.
    Atomic { file: File, final_path: PathBuf },
    /// The fallback where `O_TMPFILE` is not supported: a named temporary.
    Named(tempfile::NamedTempFile, PathBuf),
}

/// An output being written; nothing replaces the named file before [`OutputFile::commit`].
pub struct OutputFile {
    shown: PathBuf,
    target: Target,
}

impl OutputFile {
    /// Opens `path` for writing an output; `inputs` are the run's input
    /// files, which the output may not be.
    pub fn create(path: &Path, inputs: &[&Path]) -> Result<OutputFile, OutputError> {
        let shown = path.to_owned();
        let io_err = |source| OutputError::Io {
            path: shown.clone(),
            source,
        };
        if path.as_os_str() == "-" {
            return Ok(OutputFile {
                shown,
                target: Target::Stdout,
            });
        }
        let resolved = resolve(path).map_err(io_err)?;
        if let Ok(meta) = std::fs::metadata(&resolved) {
            for input in inputs {
                if let Ok(m) = std::fs::metadata(input)
                    && m.dev() == meta.dev()
                    && m.ino() == meta.ino()
                {
                    return Err(OutputError::Refused {
                        path: shown,
                        what: format!("the run's input file {}", input.display()),
                    });
                }
            }
            let ft = meta.file_type();
            let special = ft.is_char_device() || ft.is_fifo() || ft.is_block_device() || ft.is_socket();
            if special || under_system_dir(path) {
                let file = OpenOptions::new().write(true).open(path).map_err(io_err)?;
                return Ok(OutputFile {
                    shown,
                    target: Target::Through(file),
                });
            }
            if ft.is_dir() {
                return Err(OutputError::Refused {
                    path: shown,
                    what: "a directory".into(),
                });
            }
        }
        let dir = resolved
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned();
        let target = match OpenOptions::new()
            .write(true)
            .custom_flags(rustix::fs::OFlags::TMPFILE.bits() as i32)
            .mode(0o666)
            .open(&dir)
        {
            Ok(file) => Target::Atomic {
                file,
                final_path: resolved,
            },
            Err(_) => {
                let tmp = tempfile::Builder::new()
                    .prefix(".assay-")
                    .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
                    .tempfile_in(&dir)
                    .map_err(io_err)?;
                Target::Named(tmp, resolved)
            }
        };
        Ok(OutputFile { shown, target })
    }

    /// The path as the user named it, for messages.
    pub fn shown(&self) -> &Path {
        &self.shown
    }

    /// Makes the output whole: flushes it and, for a regular file, puts it in place.
    pub fn commit(self) -> Result<(), OutputError> {
        let OutputFile { shown, target } = self;
        let io_err = |source| OutputError::Io {
            path: shown.clone(),
            source,
        };
        match target {
            Target::Through(mut f) => f.flush().map_err(io_err),
            Target::Stdout => io::stdout().flush().map_err(io_err),
            Target::Atomic { file, final_path } => {
                file.sync_data().map_err(io_err)?;
                place(&file, &final_path).map_err(io_err)
            }
            Target::Named(tmp, final_path) => {
                tmp.as_file().sync_data().map_err(io_err)?;
                tmp.persist(&final_path).map(drop).map_err(|e| io_err(e.error))
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Through(f) | Target::Atomic { file: f, .. } => f.write(buf),
            Target::Stdout => io::stdout().write(buf),
            Target::Named(t, _) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Through(f) | Target::Atomic { file: f, .. } => f.flush(),
            Target::Stdout => io::stdout().flush(),
            Target::Named(t, _) => t.flush(),
        }
    }
}

/// `/dev/stdout`, `/proc/self/fd/1` and the like are streams whatever they
/// resolve to: replacing what they point at would break the caller's redirect.
fn under_system_dir(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

/// Follows symlinks to the file that would be written, even when it does not exist yet.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_owned();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Gives the unnamed file `file` the name `path`: linked under a temporary
/// name in the same directory, then renamed over `path` in one step.
fn place(file: &File, path: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.assay-{}", std::process::id()));
    let proc = format!("/proc/self/fd/{}", file.as_raw_fd());
    let _ = std::fs::remove_file(&tmp);
    rustix::fs::linkat(
        rustix::fs::CWD,
        proc.as_str(),
        rustix::fs::CWD,
        &tmp,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    )?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
