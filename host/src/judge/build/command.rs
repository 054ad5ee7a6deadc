//! `assay judge build` for a judge whose manifest names a build command
//! (`[build] command`, like `spin build`): any language, any toolchain.
//!
//! Invariant: nothing runs unless every tool the manifest lists is found (on
//! PATH, or named by its environment variable); a missing one is reported
//! with the manifest's install hint. After the command, the judge must be
//! staged in `out/<name>/` with a sha256 that matches its component.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use super::{BuildError, Staged};
use crate::judge::manifest::{BuildSpec, Manifest};

/// Whether `tool` is on PATH as an executable file.
fn on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(dir.join(tool)).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// `componentize-py` → `COMPONENTIZE_PY`: the variable a build script reads
/// to use a tool that is not on PATH.
pub fn tool_env(tool: &str) -> String {
    tool.to_ascii_uppercase().replace(['-', '.'], "_")
}

fn check_tools(name: &str, spec: &BuildSpec) -> Result<(), BuildError> {
    for (tool, hint) in &spec.tools {
        let by_env = std::env::var_os(tool_env(tool)).is_some_and(|v| !v.is_empty());
        if !by_env && !on_path(tool) {
            return Err(BuildError::MissingTool {
                judge: name.to_owned(),
                tool: tool.clone(),
                env: tool_env(tool),
                hint: hint.clone(),
            });
        }
    }
    Ok(())
}

/// Runs the build command of the judge in `dir` (whose manifest has a
/// `[build]` table) and returns what it staged into `out/<name>/`.
pub fn build_with_command(dir: &Path, out: &Path) -> Result<Staged, BuildError> {
    let entry = Manifest::read(&dir.join("judge.toml"))?;
    let m = entry.manifest;
    let Some(spec) = &m.build else {
        return Err(BuildError::NoJudges(dir.to_owned()));
    };
    check_tools(&m.name, spec)?;
    std::fs::create_dir_all(out).map_err(super::io(out))?;
    let out = std::path::absolute(out).map_err(super::io(out))?;
    let assay = std::env::current_exe().map_err(super::io(Path::new("assay")))?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(&spec.command)
        .current_dir(dir)
        .env("ASSAY", &assay)
        .env("ASSAY_OUT", &out)
        .status()
        .map_err(|source| BuildError::Spawn {
            dir: dir.to_owned(),
            source,
        })?;
    if !status.success() {
        return Err(BuildError::Command {
            dir: dir.to_owned(),
            command: spec.command.clone(),
            status: status.to_string(),
        });
    }
    staged(&m.name, &out.join(&m.name), &spec.command)
}

/// The judge the command staged in `dest`, checked against its hash.
fn staged(name: &str, dest: &Path, command: &str) -> Result<Staged, BuildError> {
    let not_staged = |why: String| BuildError::NotStaged {
        judge: name.to_owned(),
        dir: dest.to_owned(),
        command: command.to_owned(),
        why,
    };
    let path = dest.join("judge.toml");
    let m = Manifest::read(&path).map_err(|e| not_staged(e.to_string()))?.manifest;
    let sha = m
        .sha256
        .ok_or_else(|| not_staged("its judge.toml has no sha256".into()))?;
    let wasm: PathBuf = dest.join(&m.component);
    let bytes = std::fs::read(&wasm).map_err(|e| not_staged(format!("{}: {e}", wasm.display())))?;
    if hex::encode(Sha256::digest(&bytes)) != sha {
        return Err(not_staged(format!(
            "{} does not match the sha256 in judge.toml",
            wasm.display()
        )));
    }
    Ok(Staged {
        name: m.name,
        dir: dest.to_owned(),
        sha256: sha,
        bytes: bytes.len() as u64,
    })
}
