//! The per-run lock: `runs/ID.lock` beside the state database, held with an
//! OS file lock for as long as a process has the run open.
//!
//! Invariant: one process at a time holds a run's lock, and the OS releases
//! it when the process ends however it ends (even `kill -9`); a lock file is
//! removed only by a process that holds it.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// `runs/ID.lock` beside the database at `db`.
pub fn path(db: &Path, id: &str) -> PathBuf {
    db.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("runs")
        .join(format!("{id}.lock"))
}

/// What trying the lock found.
pub enum Taken {
    Held(File),
    /// Another process holds it; the pid it wrote, when it did.
    Busy(Option<String>),
}

/// Tries run `id`'s lock (creating its file); `mark` writes our pid in it.
pub fn take(db: &Path, id: &str, mark: bool) -> std::io::Result<Taken> {
    let path = path(db, id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)?;
    match f.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            let pid = pid.trim();
            return Ok(Taken::Busy((!pid.is_empty()).then(|| pid.to_owned())));
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    if mark {
        f.set_len(0)?;
        write!(f, "{}", std::process::id())?;
    }
    Ok(Taken::Held(f))
}

/// Removes run `id`'s lock file; call only while holding it. A process that
/// opened the file before it went and takes the lock after finds the run
/// ended or gone in the database, which it reads under the lock.
pub fn remove(db: &Path, id: &str) {
    let _ = std::fs::remove_file(path(db, id));
}
