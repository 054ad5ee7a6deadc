//! `assay judge new`: scaffold a judge project and say what to do next.
//!
//! Invariant: a refusal (bad name, non-empty directory) writes nothing and
//! exits with the usage code (2); unknown languages are refused by clap.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use assay::judge::scaffold::{Lang, scaffold};

use super::args::{self, NewArgs};
use super::eval::Exit;
use super::exit;

pub fn run(args: NewArgs) -> Result<i32> {
    let lang = match args.lang {
        args::Lang::Rust => Lang::Rust,
        args::Lang::Python => Lang::Python,
        args::Lang::Js => Lang::Js,
    };
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(&args.name));
    let files = scaffold(&args.name, lang, &dir).map_err(|e| {
        anyhow!(Exit {
            code: exit::USAGE,
            message: e.to_string()
        })
    })?;
    super::out::say!("wrote judge '{}' in {}:", args.name, dir.display())?;
    for f in &files {
        super::out::say!("  {f}")?;
    }
    let d = dir.display();
    let build = format!("assay judge build {d} --out {d}/staged");
    super::out::say!("next (see {d}/README.md):")?;
    super::out::say!("  {build}")?;
    super::out::say!(
        "  assay judge test {} --plugin-dir {d}/staged --rows {d}/golden/rows.jsonl --expect {d}/golden/expect.jsonl",
        args.name
    )?;
    Ok(exit::OK)
}
