//! The host-owned cache of compiled judges, so a second run starts in
//! milliseconds instead of recompiling.
//!
//! Invariant: only files this host wrote are ever deserialized. Entries live
//! in a directory the current user owns with mode 0700, keyed by the wasm's
//! sha256 and the engine's compatibility hash; precompiled code from anyone
//! else (a judge author's `.cwasm`) is never loaded.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    /// `$ASSAY_CACHE_DIR`, else `$XDG_CACHE_HOME/assay/components`, else
    /// `~/.cache/assay/components`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("ASSAY_CACHE_DIR") {
            return Some(PathBuf::from(d));
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(base.join("assay").join("components"))
    }

    /// Opens (creating) the cache directory; `None` when it cannot be made
    /// private to this user, in which case judges are compiled every run.
    pub fn open(dir: PathBuf) -> Option<CompileCache> {
        fs::create_dir_all(&dir).ok()?;
        let meta = fs::metadata(&dir).ok()?;
        if meta.permissions().mode() & 0o777 != 0o700 {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).ok()?;
        }
        let meta = fs::metadata(&dir).ok()?;
        let mine = meta.uid() == own_uid(&dir)?;
        (mine && meta.permissions().mode() & 0o077 == 0).then_some(CompileCache { dir })
    }

    fn entry(&self, sha256: &str, engine_key: &str) -> PathBuf {
        self.dir.join(format!("{sha256}-{engine_key}.cwasm"))
    }

    /// The compiled component for `wasm`, from the cache or freshly compiled
    /// (and then stored). A corrupt or stale entry is recompiled.
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        engine_key: &str,
        sha256: &str,
        wasm: &[u8],
    ) -> wasmtime::Result<Component> {
        let path = self.entry(sha256, engine_key);
        if let Ok(meta) = fs::symlink_metadata(&path)
            && meta.is_file()
            && meta.permissions().mode() & 0o022 == 0
        {
            // SAFETY: the file sits in our private directory, named by the
            // hash of the wasm we compiled it from and by this engine's
            // compatibility hash; only `store` below writes such files.
            if let Ok(c) = unsafe { Component::deserialize_file(engine, &path) } {
                return Ok(c);
            }
        }
        let bytes = engine.precompile_component(wasm)?;
        self.store(&path, &bytes);
        // SAFETY: `bytes` was produced by this engine a moment ago.
        unsafe { Component::deserialize(engine, &bytes) }
    }

    /// Best effort: a cache that cannot be written only costs compile time.
    fn store(&self, path: &Path, bytes: &[u8]) {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let written = fs::File::create(&tmp).and_then(|mut f| {
            f.set_permissions(fs::Permissions::from_mode(0o600))?;
            f.write_all(bytes)?;
            f.sync_all()
        });
        if written.is_err() || fs::rename(&tmp, path).is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

/// The effective uid, read as the owner of a file this process creates.
fn own_uid(dir: &Path) -> Option<u32> {
    let probe = dir.join(format!(".owner-probe-{}", std::process::id()));
    fs::write(&probe, b"").ok()?;
    let uid = fs::metadata(&probe).ok()?.uid();
    let _ = fs::remove_file(&probe);
    Some(uid)
}
