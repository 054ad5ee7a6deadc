//! A regular file mapped read-only into memory, cut into blocks without
//! copying its bytes, and unmapped page by page behind the readers.
//!
//! Why: read into buffers, every byte of the input and result files was
//! copied once by the kernel before any line was looked at: at 1M rows
//! (1.6 GB) `perf` put that copy at 7.4% of the run's CPU. Mapped, the
//! blocks are ranges of the page cache itself.
//!
//! Invariant: a block's range stays mapped while any block holds the
//! [`MappedFile`]; a range is dropped from the process's page tables (its
//! resident set) only once every block before and within it was dropped,
//! so peak memory stays the blocks in flight, not the file. Dropping pages
//! of a shared read-only file mapping never changes what a later read sees:
//! the page comes back from the page cache.
//!
//! A mapped file that another process truncates while it is read raises
//! `SIGBUS` on the next read past its new end (as does a page the storage
//! fails to deliver): [`report_truncation`] turns that into a one-line
//! message and exit code instead of a bare "Bus error".

use std::collections::BTreeMap;
use std::fs::File;
use std::sync::Mutex;

use memmap2::{Mmap, UncheckedAdvice};

/// Pages are released in runs aligned to 2 MiB: the page cache keeps large
/// files in 2 MiB folios that the kernel maps whole, and releasing part of
/// one would split that mapping.
const RELEASE_ALIGN: usize = 2 << 20;

/// A whole file, mapped once and shared by every block cut from it.
pub struct MappedFile {
    map: Mmap,
    released: Mutex<Frontier>,
}

/// What readers are done with: every byte before `done`, plus finished
/// ranges beyond it (blocks finish out of order on several workers).
#[derive(Default)]
struct Frontier {
    done: usize,
    ahead: BTreeMap<usize, usize>,
    released: usize,
}

impl MappedFile {
    /// Maps `file` when it is a regular, non-empty file that can be mapped;
    /// `None` otherwise (pipes, character devices, empty files, and file
    /// systems that refuse), for the caller to read it instead.
    pub fn open(file: &File) -> Option<MappedFile> {
        let meta = file.metadata().ok()?;
        if !meta.file_type().is_file() || meta.len() == 0 {
            return None;
        }
        // SAFETY: the map is read-only and shared; the bytes may change only
        // if another process writes the file while assay reads it, which the
        // README rules out (a truncation is caught: `report_truncation`).
        let map = unsafe { Mmap::map(file) }.ok()?;
        Some(MappedFile {
            map,
            released: Mutex::new(Frontier::default()),
        })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// Notes that readers are done with `start..end` and drops from the
    /// resident set every whole 2 MiB run that nothing before it still
    /// needs. Ranges may come in any order, and more than once.
    pub fn release(&self, start: usize, end: usize) {
        let mut f = self.released.lock().unwrap_or_else(|p| p.into_inner());
        if end <= f.done {
            return;
        }
        if start > f.done {
            let e = f.ahead.entry(start).or_insert(end);
            *e = (*e).max(end);
            return;
        }
        f.done = end;
        while let Some(e) = f
            .ahead
            .first_key_value()
            .filter(|(s, _)| **s <= f.done)
            .map(|(_, e)| *e)
        {
            f.ahead.pop_first();
            f.done = f.done.max(e);
        }
        let base = self.map.as_ptr() as usize;
        let upto = ((base + f.done) & !(RELEASE_ALIGN - 1)).saturating_sub(base);
        if upto > f.released {
            // SAFETY: the map is a shared read-only file mapping, never
            // written: dropped pages read back from the page cache as the
            // same bytes, so no reference into them sees a change.
            // Failure only leaves the pages resident.
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(UncheckedAdvice::DontNeed, f.released, upto - f.released)
            };
            f.released = upto;
        }
    }

    /// How far the resident set was released (tests).
    #[cfg(test)]
    fn released(&self) -> usize {
        self.released.lock().map_or(0, |f| f.released)
    }
}

/// The message [`report_truncation`] prints.
pub const TRUNCATED: &str = "assay: an input or result file could not be read where it was mapped (SIGBUS: \
it shrank while assay read it, or its storage failed); the run stopped and printed no summary. \
Keep files unchanged while assay reads them.\n";

/// Exit status after a truncated mapped file: assay's input error.
pub const TRUNCATED_EXIT: i32 = 3;

/// Makes a `SIGBUS` (a read past the end of a mapped file that shrank)
/// print [`TRUNCATED`] and exit with [`TRUNCATED_EXIT`].
///
/// Call it first thing in `main`, before any WebAssembly engine exists. On
/// Linux wasmtime leaves `SIGBUS` alone (a test holds this); where it does
/// take `SIGBUS` (macOS, FreeBSD) it hands faults outside guest code to the
/// handler it found, this one.
pub fn report_truncation() {
    #[cfg(unix)]
    install_sigbus_report();
}

#[cfg(unix)]
fn install_sigbus_report() {
    extern "C" fn on_sigbus(_: libc::c_int) {
        // Only async-signal-safe calls: `write` and `_exit`.
        // SAFETY: the message is a static buffer of the given length.
        unsafe {
            libc::write(2, TRUNCATED.as_ptr().cast(), TRUNCATED.len());
            libc::_exit(TRUNCATED_EXIT);
        }
    }
    // SAFETY: installs a handler that calls only async-signal-safe functions.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut act.sa_mask);
        libc::sigaction(libc::SIGBUS, &act, std::ptr::null_mut());
    }
}

#[cfg(test)]
mod tests;
