//! `assay judge build`: compile judge crates for `wasm32-wasip2` and stage
//! each next to its manifest with the sha256 the host will insist on.
//!
//! A judge whose manifest names a `[build] command` is built by that command
//! instead (`command`), so Python, JavaScript or any toolchain builds the same way.
//!
//! Invariant: a staged directory holds exactly one judge: `judge.toml` (the
//! source manifest plus `sha256`) and the component it names, byte for byte
//! the file that was hashed.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::manifest::Manifest;

mod command;
pub use command::{build_with_command, tool_env};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot run cargo in {dir}: {source}")]
    Spawn { dir: PathBuf, source: std::io::Error },
    #[error("cargo build failed in {dir} (is the target installed? `rustup target add wasm32-wasip2`)")]
    Cargo { dir: PathBuf },
    #[error(transparent)]
    Manifest(#[from] super::manifest::ManifestError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no judge.toml found under {0}")]
    NoJudges(PathBuf),
    #[error("judge '{judge}' needs {tool} to build, and it is not on PATH (nor named by ${env}); install it: {hint}")]
    MissingTool {
        judge: String,
        tool: String,
        env: String,
        hint: String,
    },
    #[error("build command `{command}` failed in {dir} ({status})")]
    Command {
        dir: PathBuf,
        command: String,
        status: String,
    },
    #[error(
        "build command `{command}` did not stage judge '{judge}' into {dir} (it must stage into $ASSAY_OUT, e.g. with `\"$ASSAY\" judge stage`): {why}"
    )]
    NotStaged {
        judge: String,
        dir: PathBuf,
        command: String,
        why: String,
    },
}

#[derive(Debug, Clone)]
pub struct Staged {
    pub name: String,
    pub dir: PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Directories under `workspace` (itself and one level down) with a judge.toml.
fn judge_dirs(workspace: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if workspace.join("judge.toml").is_file() {
        out.push(workspace.to_owned());
    }
    if let Ok(rd) = std::fs::read_dir(workspace) {
        for e in rd.flatten() {
            if e.path().join("judge.toml").is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// Builds the cargo workspace at `workspace` for wasm32-wasip2 into
/// `target_dir`, then stages every judge found into `out/<name>/`.
pub fn build_and_stage(workspace: &Path, target_dir: &Path, out: &Path) -> Result<Vec<Staged>, BuildError> {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--target", "wasm32-wasip2", "--target-dir"])
        .arg(target_dir)
        .current_dir(workspace)
        // The host build's own settings (e.g. RUSTFLAGS for x86) must not leak into guests.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .map_err(|source| BuildError::Spawn {
            dir: workspace.to_owned(),
            source,
        })?;
    if !status.success() {
        return Err(BuildError::Cargo {
            dir: workspace.to_owned(),
        });
    }
    let dirs = judge_dirs(workspace);
    if dirs.is_empty() {
        return Err(BuildError::NoJudges(workspace.to_owned()));
    }
    let artifacts = target_dir.join("wasm32-wasip2").join("release");
    dirs.iter().map(|d| stage(d, &artifacts, out)).collect()
}

/// Copies one built judge into `out/<name>/` with its hash in the manifest.
pub fn stage(judge_dir: &Path, artifacts: &Path, out: &Path) -> Result<Staged, BuildError> {
    stage_component(judge_dir, None, artifacts, out)
}

/// `stage` for a component built by any toolchain (componentize-py,
/// ComponentizeJS, cargo by hand): `wasm` is the built file, whatever its
/// name; the staged copy takes the name the manifest gives it.
pub fn stage_file(judge_dir: &Path, wasm: &Path, out: &Path) -> Result<Staged, BuildError> {
    stage_component(judge_dir, Some(wasm), Path::new("."), out)
}

fn stage_component(judge_dir: &Path, wasm: Option<&Path>, artifacts: &Path, out: &Path) -> Result<Staged, BuildError> {
    let manifest_path = judge_dir.join("judge.toml");
    let text = std::fs::read_to_string(&manifest_path).map_err(io(&manifest_path))?;
    let m = Manifest::parse(&text, &manifest_path)?;
    let wasm_path = wasm.map_or_else(|| artifacts.join(&m.component), Path::to_owned);
    let wasm = std::fs::read(&wasm_path).map_err(io(&wasm_path))?;
    let sha256 = hex::encode(Sha256::digest(&wasm));
    let dest = out.join(&m.name);
    std::fs::create_dir_all(&dest).map_err(io(&dest))?;
    let dest_wasm = dest.join(&m.component);
    write_atomic(&dest_wasm, &wasm)?;
    let dest_manifest = dest.join("judge.toml");
    write_atomic(&dest_manifest, with_sha256(&text, &sha256).as_bytes())?;
    Ok(Staged {
        name: m.name,
        dir: dest,
        sha256,
        bytes: wasm.len() as u64,
    })
}

/// Write-then-rename, so a concurrent reader sees the old file or the new
/// one, never half of one (tests stage judges from several processes).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(path))?;
    std::fs::write(tmp.path(), bytes).map_err(io(path))?;
    tmp.persist(path).map_err(|e| BuildError::Io {
        path: path.to_owned(),
        source: e.error,
    })?;
    Ok(())
}

/// The manifest text with `sha256 = "…"` as the last top-level key (before
/// the first table), replacing any earlier value.
pub fn with_sha256(text: &str, sha256: &str) -> String {
    let mut out = String::with_capacity(text.len() + 80);
    let mut inserted = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("sha256") && t[6..].trim_start().starts_with('=') && !inserted {
            continue;
        }
        if t.starts_with('[') && !inserted {
            out.push_str(&format!("sha256 = \"{sha256}\"\n"));
            inserted = true;
        }
        out.push_str(line);
        out.push('\n');
    }
    if !inserted {
        out.push_str(&format!("sha256 = \"{sha256}\"\n"));
    }
    out
}

#[cfg(test)]
mod tests;
