//! `assay judges`, `assay judge build` and `assay judge stage`.

use std::fmt::Write as _;

use std::path::PathBuf;

use anyhow::{Result, bail};
use assay::judge::build::{build_and_stage, build_with_command, stage_file};
use assay::judge::registry::SearchPath;
use serde_json::json;

use super::args::{BuildArgs, Format, JudgesArgs, StageArgs};
use super::exit;

/// The source tree this binary was built from (for `judge build --all`).
fn source_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

pub fn list(args: JudgesArgs) -> Result<i32> {
    let path = SearchPath::standard(&args.plugin_dirs);
    let (found, errors, conflicts) = path.list();
    match args.format {
        Format::Json => {
            let judges: Vec<_> = found
                .iter()
                .map(|e| {
                    json!({
                        "name": e.manifest.name, "version": e.manifest.version, "description": e.manifest.description,
                        "wit": e.manifest.wit, "origin": e.origin, "manifest": e.path.display().to_string(),
                        "sha256": e.manifest.sha256,
                        "config": e.manifest.config, "capabilities": {"llm": e.manifest.capabilities.llm},
                    })
                })
                .collect();
            let errors: Vec<String> = errors
                .iter()
                .map(ToString::to_string)
                .chain(conflicts.iter().map(ToString::to_string))
                .collect();
            super::out::say!(
                "{}",
                serde_json::to_string_pretty(&json!({ "judges": judges, "errors": errors }))?
            )?;
        }
        Format::Text => {
            let mut o = String::new();
            if found.is_empty() {
                let _ = writeln!(
                    o,
                    "no judges found; build the built-in ones with `assay judge build --all`"
                );
            }
            for e in &found {
                let (m, origin) = (&e.manifest, e.origin);
                let grant = if m.capabilities.llm {
                    "  [calls models: needs an llm grant]"
                } else {
                    ""
                };
                let _ = writeln!(
                    o,
                    "{:<18} {:<8} {:<10} {}{grant}",
                    m.name, m.version, origin, m.description
                );
                // Host-set keys (`assay.*`) are documented in the manifest but not `--set` by users.
                for (k, help) in m
                    .config
                    .iter()
                    .filter(|(k, _)| !k.starts_with(assay::eval::HOST_KEY_PREFIX))
                {
                    let _ = writeln!(o, "{:<18}   --set {}.{}=…  {}", "", m.name, k, help);
                }
                let _ = writeln!(
                    o,
                    "{:<18}   from {}  sha256 {}",
                    "",
                    e.path.display(),
                    m.sha256.as_deref().unwrap_or("none (not built)")
                );
            }
            for e in &errors {
                assay::note!("warning: {e}");
            }
            for e in &conflicts {
                assay::note!("warning: {e}");
            }
            let _ = writeln!(
                o,
                "searched: {}",
                path.dirs
                    .iter()
                    .map(|(d, _)| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            super::out::emit(&o)?;
        }
    }
    Ok(exit::OK)
}

pub fn build(args: BuildArgs) -> Result<i32> {
    let root = source_root();
    let mut dirs = args.dirs.clone();
    if args.all {
        dirs.push(root.join("plugins"));
    }
    if dirs.is_empty() {
        bail!("name judge workspaces to build, or --all for the built-in judges");
    }
    let out = args.out.clone().unwrap_or_else(|| root.join("target").join("judges"));
    let builtin = root.join("plugins");
    for (i, d) in dirs.iter().enumerate() {
        // The built-in judges build into the source tree's target/wasm; a judge
        // crate of one's own (e.g. from `assay judge new`) into its own target/,
        // as cargo would, so it builds wherever assay was installed from.
        let target_dir = match &args.target_dir {
            Some(t) => t.clone(),
            None if args.all && i == dirs.len() - 1 && *d == builtin => root.join("target").join("wasm"),
            None => d.join("target"),
        };
        // cargo runs inside `d`: a relative target directory must not be read from there.
        let target_dir = std::path::absolute(&target_dir)?;
        // A manifest that names a build command (Python, JavaScript, ...) is built by it.
        let by_command = assay::judge::Manifest::read(&d.join("judge.toml")).is_ok_and(|e| e.manifest.build.is_some());
        let staged = if by_command {
            vec![build_with_command(d, &out)?]
        } else {
            build_and_stage(d, &target_dir, &out)?
        };
        for s in staged {
            super::out::say!(
                "{:<18} {:>9} bytes  sha256 {}  → {}",
                s.name,
                s.bytes,
                s.sha256,
                s.dir.display()
            )?;
        }
    }
    Ok(exit::OK)
}

pub fn stage(args: StageArgs) -> Result<i32> {
    let s = stage_file(&args.dir, &args.wasm, &args.out)?;
    super::out::say!(
        "{:<18} {:>9} bytes  sha256 {}  → {}",
        s.name,
        s.bytes,
        s.sha256,
        s.dir.display()
    )?;
    Ok(exit::OK)
}
