//! The host-owned cache of compiled judges, so a second run starts in
//! milliseconds instead of recompiling.
//!
//! Invariant: only bytes this host wrote are ever deserialized. Each entry
//! carries a MAC (keyed BLAKE3, [`tag`]) under a per-user key (created 0600 beside the
//! entries, in a 0700 directory assay made itself); an entry whose tag does not
//! verify (edited, truncated, copied from another judge or another user) is
//! recompiled, never loaded. Entries are keyed by the wasm's sha256 and the
//! engine's compatibility hash. Precompiled code from anyone else (a judge
//! author's `.cwasm`) is never loaded. Only components that passed every load
//! check are stored. The entries together stay under a size cap
//! (`ASSAY_CACHE_MAX_MIB`, default 512 MiB): after each store the least
//! recently used entries (by modification time, which a load refreshes) are
//! removed until the rest fit.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use wasmtime::Engine;
use wasmtime::component::Component;

/// Largest cache entry read back: a compiled 20 MiB component is far below.
const MAX_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
const TAG_BYTES: usize = 32;

/// Default cap on the cache's entries together. Compiled, the built-in
/// judges are 0.3-13.6 MiB each (the three with a JSON Schema validator are
/// the largest) and about 50 MiB together with the test guests (measured in
/// the test cache), so 512 MiB keeps them all ten times over, room for
/// language judges and previous builds, while bounding the disk a stream of
/// distinct components can take.
pub const DEFAULT_MAX_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
    key: [u8; 32],
    max_bytes: u64,
}

impl CompileCache {
    /// `$ASSAY_CACHE_DIR/components`, else `$XDG_CACHE_HOME/assay/components`,
    /// else `~/.cache/assay/components`. The parent is whatever the user
    /// named; only the `components` directory is assay's own.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("ASSAY_CACHE_DIR") {
            return Some(PathBuf::from(d).join("components"));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("assay").join("components"))
    }

    /// Opens (creating) the cache directory; `None` when it is not private to
    /// this user, in which case judges are compiled every run. Only a
    /// directory assay creates is given mode 0700; an existing one that is
    /// not private is left alone and not used.
    pub fn open(dir: PathBuf) -> Option<CompileCache> {
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent).ok()?;
        }
        match fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(_) => return None,
        }
        let meta = fs::symlink_metadata(&dir).ok()?;
        let mine = meta.is_dir() && meta.uid() == own_uid(&dir)?;
        if !mine || meta.permissions().mode() & 0o077 != 0 {
            return None;
        }
        let key = read_or_make_key(&dir.join("key"))?;
        let cache = CompileCache {
            dir,
            key,
            max_bytes: max_bytes_from_env(),
        };
        cache.clean_leftovers();
        Some(cache)
    }

    /// The same cache with its entries capped at `max_bytes` together.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> CompileCache {
        self.max_bytes = max_bytes;
        self
    }

    fn entry(&self, sha256: &str, engine_key: &str) -> PathBuf {
        self.dir.join(format!("{sha256}-{engine_key}.cwasm"))
    }

    /// The cached component for `sha256`, when an entry exists and its tag
    /// verifies under this user's key.
    pub fn load(&self, engine: &Engine, engine_key: &str, sha256: &str) -> Option<Component> {
        let path = self.entry(sha256, engine_key);
        let bytes = super::files::read_regular(&path, MAX_ENTRY_BYTES).ok()?;
        if bytes.len() < TAG_BYTES {
            return None;
        }
        let (tag, body) = bytes.split_at(TAG_BYTES);
        if !constant_time_eq(tag, &self::tag(&self.key, &path_label(&path), body)) {
            return None;
        }
        // SAFETY: `body` is what `store` wrote for exactly this entry name:
        // its MAC under this user's private key verified above.
        let component = unsafe { Component::deserialize(engine, body) }.ok()?;
        // Used now: the last to be evicted.
        let _ = fs::File::open(&path).and_then(|f| f.set_modified(SystemTime::now()));
        Some(component)
    }

    /// Compiles `wasm`, returning the component and the bytes to `store`.
    pub fn compile(engine: &Engine, wasm: &[u8]) -> wasmtime::Result<(Component, Vec<u8>)> {
        let bytes = engine.precompile_component(wasm)?;
        // SAFETY: `bytes` was produced by this engine a moment ago.
        let component = unsafe { Component::deserialize(engine, &bytes) }?;
        Ok((component, bytes))
    }

    /// Best effort: a cache that cannot be written only costs compile time.
    /// Called only for components that passed every load check.
    pub fn store(&self, engine_key: &str, sha256: &str, bytes: &[u8]) {
        let path = self.entry(sha256, engine_key);
        let tag = tag(&self.key, &path_label(&path), bytes);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .and_then(|mut f| {
                f.write_all(&tag)?;
                f.write_all(bytes)?;
                f.sync_all()
            });
        if written.is_err() || fs::rename(&tmp, &path).is_err() {
            let _ = fs::remove_file(&tmp);
            return;
        }
        self.evict(&path);
    }

    /// Removes the least recently used entries until all fit in the cap,
    /// `newest` last of all.
    fn evict(&self, newest: &Path) {
        let Ok(rd) = fs::read_dir(&self.dir) else { return };
        let mut entries: Vec<(bool, SystemTime, PathBuf, u64)> = rd
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
            .filter_map(|e| {
                let meta = e.metadata().ok().filter(fs::Metadata::is_file)?;
                let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                Some((e.path() == newest, used, e.path(), meta.len()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|e| e.3).sum();
        entries.sort();
        for (_, _, path, len) in entries {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total = total.saturating_sub(len);
            }
        }
    }

    /// Removes `*.tmp<PID>` files left by writers that were killed.
    fn clean_leftovers(&self) {
        let Ok(rd) = fs::read_dir(&self.dir) else { return };
        for e in rd.flatten() {
            let name = e.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.rsplit_once(".tmp"))
                .and_then(|(_, pid)| pid.parse::<u32>().ok())
            else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

/// `ASSAY_CACHE_MAX_MIB` in bytes, else the default. A value that is not a
/// whole number of MiB is reported once and the default used.
fn max_bytes_from_env() -> u64 {
    let Some(v) = std::env::var_os("ASSAY_CACHE_MAX_MIB") else {
        return DEFAULT_MAX_BYTES;
    };
    match v.to_str().and_then(|s| s.trim().parse::<u64>().ok()) {
        Some(mib) => mib.saturating_mul(1024 * 1024),
        None => {
            crate::note!(
                "assay: ASSAY_CACHE_MAX_MIB={} is not a whole number of MiB; the compile cache keeps its default cap of 512 MiB",
                v.to_string_lossy()
            );
            DEFAULT_MAX_BYTES
        }
    }
}

/// The entry's file name, bound into its tag so an entry copied over another
/// judge's does not verify.
fn path_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The per-user key: 32 random bytes in a 0600 file, created once.
fn read_or_make_key(path: &Path) -> Option<[u8; 32]> {
    if let Ok(meta) = fs::symlink_metadata(path) {
        if !meta.is_file() || meta.permissions().mode() & 0o077 != 0 {
            return None;
        }
        let bytes = super::files::read_regular(path, 32).ok()?;
        return bytes.try_into().ok();
    }
    let mut key = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut key))
        .ok()?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .ok()?;
    f.write_all(&key).and_then(|()| f.sync_all()).ok()?;
    // Another process may have made the key meanwhile: theirs wins.
    if fs::hard_link(&tmp, path).is_err() {
        let _ = fs::remove_file(&tmp);
        let bytes = super::files::read_regular(path, 32).ok()?;
        return bytes.try_into().ok();
    }
    let _ = fs::remove_file(&tmp);
    Some(key)
}

/// An entry's MAC: BLAKE3 in keyed mode under the user's key, over the
/// entry's file name (its length first, so no bytes can move between name
/// and body) and its bytes. Why BLAKE3: the tag is checked at every load,
/// over the whole compiled judge (13 MiB for `schema-drift`); with
/// HMAC-SHA256 that was 20 ms of a 1M-row bench run's CPU, 1.5 ms per MiB,
/// against about 0.2 ms per MiB here.
fn tag(key: &[u8; 32], label: &str, body: &[u8]) -> [u8; TAG_BYTES] {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(&(label.len() as u64).to_le_bytes());
    h.update(label.as_bytes());
    h.update(body);
    *h.finalize().as_bytes()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The effective uid, read as the owner of a file this process creates.
fn own_uid(dir: &Path) -> Option<u32> {
    let probe = dir.join(format!(".owner-probe-{}", std::process::id()));
    fs::write(&probe, b"").ok()?;
    let uid = fs::metadata(&probe).ok()?.uid();
    let _ = fs::remove_file(&probe);
    Some(uid)
}

#[cfg(test)]
mod tests;
