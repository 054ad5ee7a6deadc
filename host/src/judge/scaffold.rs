//! `assay judge new`: writes a self-contained judge project (manifest, source,
//! the judge WIT, golden rows, build instructions) for Rust, Python or JavaScript.
//!
//! Invariant: nothing is written unless the name is valid and the target
//! directory is absent or empty; every file comes from a template compiled
//! into the binary (`host/templates/judge/`), so a scaffold made anywhere
//! builds without this repository, and its golden rows pass `assay judge test`.

use std::path::{Path, PathBuf};

/// The judge WIT 0.1, copied into Python and JavaScript scaffolds as
/// `wit/judge.wit` (their toolchains bind the 0.1 world).
pub const JUDGE_WIT: &str = include_str!("../../../wit/v0.1/judge.wit");

/// The judge WIT 0.2 (0.1 plus `packed-scorer`), which the Rust SDK binds.
pub const JUDGE_WIT_0_2: &str = include_str!("../../../wit/v0.2/judge.wit");

/// The Python helper package (`plugins/sdk-python`), one module, copied into a
/// Python scaffold's `src/` where componentize-py bundles it.
pub const PYTHON_SDK: &str = include_str!("../../../plugins/sdk-python/assay_judge.py");

/// The JavaScript helper package (`plugins/sdk-js`), one ES module, copied
/// into a JS scaffold's `src/` where ComponentizeJS bundles it.
pub const JS_SDK: &str = include_str!("../../../plugins/sdk-js/assay_judge.js");

/// A judge's implementation language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

impl Lang {
    /// The judge WIT the language's toolchain binds: the Rust SDK binds 0.2;
    /// componentize-py and ComponentizeJS bind the scaffold's copy of 0.1.
    fn wit(self) -> &'static str {
        match self {
            Lang::Rust => "assay:judge@0.2.0",
            Lang::Python | Lang::Js => "assay:judge@0.1.0",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Lang::Rust => "Rust",
            Lang::Python => "Python, componentize-py",
            Lang::Js => "JavaScript, ComponentizeJS",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error(
        "judge name {0:?} is not valid: use 1-64 characters of a-z, 0-9 and '-', starting with a letter and not ending with '-'"
    )]
    BadName(String),
    #[error("judge name {0:?} is reserved (it clashes with a Rust standard crate)")]
    Reserved(String),
    #[error("{0} already exists and is not an empty directory; choose another --dir")]
    NotEmpty(PathBuf),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// One file of a scaffold: its path inside the project and its template text.
struct File {
    path: &'static str,
    text: &'static str,
    executable: bool,
}

const fn file(path: &'static str, text: &'static str) -> File {
    File {
        path,
        text,
        executable: false,
    }
}

macro_rules! template {
    ($p:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/judge/", $p))
    };
}

const COMMON: [File; 4] = [
    file("judge.toml", template!("common/judge.toml")),
    file("golden/rows.jsonl", template!("common/rows.jsonl")),
    file("golden/expect.jsonl", template!("common/expect.jsonl")),
    file("golden/report.json", template!("common/report.json")),
];

macro_rules! sdk {
    ($p:literal) => {
        file(
            concat!("assay-judge-sdk/", $p),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/sdk/", $p)),
        )
    };
}

/// The Rust SDK (`plugins/sdk`, crate `assay-judge-sdk`), vendored into every
/// Rust scaffold so it builds before the crate is on crates.io and offline.
/// Its WIT copy is kept identical to `wit/` by a test, and this list to the
/// crate's files by another.
pub const RUST_SDK: [(&str, &str); 20] = {
    const F: [File; 20] = [
        sdk!("Cargo.toml"),
        sdk!("README.md"),
        sdk!("src/lib.rs"),
        sdk!("src/adapter.rs"),
        sdk!("src/agg.rs"),
        sdk!("src/agg/scores.rs"),
        sdk!("src/agg/tests.rs"),
        sdk!("src/config.rs"),
        sdk!("src/helpers.rs"),
        sdk!("src/log.rs"),
        sdk!("src/manifest.rs"),
        sdk!("src/packed.rs"),
        sdk!("src/packed/observations.rs"),
        sdk!("src/packed/tests.rs"),
        sdk!("src/rng.rs"),
        sdk!("src/view.rs"),
        sdk!("wit/judge/judge.wit"),
        sdk!("wit/judge-0.2/judge.wit"),
        sdk!("wit/llm/llm.wit"),
        sdk!("wit/llm_error_names.rs"),
    ];
    let mut out = [("", ""); 20];
    let mut i = 0;
    while i < F.len() {
        out[i] = (F[i].path, F[i].text);
        i += 1;
    }
    out
};

fn lang_files(lang: Lang) -> Vec<File> {
    let build = |text| File {
        path: "build.sh",
        text,
        executable: true,
    };
    let wit = file("wit/judge.wit", JUDGE_WIT);
    match lang {
        Lang::Rust => RUST_SDK
            .iter()
            .map(|&(path, text)| file(path, text))
            .chain([
                file("Cargo.toml", template!("rust/Cargo.toml")),
                file("src/lib.rs", template!("rust/src/lib.rs")),
                file("README.md", template!("rust/README.md")),
                file(".gitignore", template!("rust/gitignore")),
            ])
            .collect(),
        Lang::Python => vec![
            wit,
            file("src/app.py", template!("python/src/app.py")),
            file("src/assay_judge.py", PYTHON_SDK),
            build(template!("python/build.sh")),
            file("README.md", template!("python/README.md")),
            file(".gitignore", template!("python/gitignore")),
        ],
        Lang::Js => vec![
            wit,
            file("src/judge.js", template!("js/src/judge.js")),
            file("src/assay_judge.js", JS_SDK),
            file("package.json", template!("js/package.json")),
            build(template!("js/build.sh")),
            file("README.md", template!("js/README.md")),
            file(".gitignore", template!("js/gitignore")),
        ],
    }
}

/// Names a judge may have: what the manifest accepts, minus `_` (so the
/// crate, the manifest and the CLI all spell it the same way), starting with
/// a letter (cargo refuses a leading digit).
pub fn check_name(name: &str) -> Result<(), ScaffoldError> {
    let ok = (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(ScaffoldError::BadName(name.to_owned()));
    }
    if ["std", "core", "alloc", "test", "proc-macro"].contains(&name) {
        return Err(ScaffoldError::Reserved(name.to_owned()));
    }
    Ok(())
}

/// The component's file name without `.wasm` (the Rust library name).
pub fn crate_name(name: &str) -> String {
    name.replace('-', "_")
}

/// The manifest's `[build]` table: how `assay judge build` builds a judge
/// cargo does not (empty for Rust, which cargo builds).
fn build_table(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "",
        Lang::Python => concat!(
            "\n[build]             # what `assay judge build` runs here; it stages into $ASSAY_OUT\n",
            "command = './build.sh \"$ASSAY_OUT\"'\n",
            "tools = { componentize-py = \"python3 -m pip install componentize-py==0.25.1\" }\n",
        ),
        Lang::Js => concat!(
            "\n[build]             # what `assay judge build` runs here; it stages into $ASSAY_OUT\n",
            "command = './build.sh \"$ASSAY_OUT\"'\n",
            "tools = { node = \"install Node.js 18 or later: https://nodejs.org/\", ",
            "npm = \"npm comes with Node.js: https://nodejs.org/\" }\n",
        ),
    }
}

fn render(text: &str, name: &str, lang: Lang) -> String {
    text.replace("{{build}}", build_table(lang))
        .replace("{{name}}", name)
        .replace("{{crate}}", &crate_name(name))
        .replace("{{lang_label}}", lang.label())
        .replace("{{wit}}", lang.wit())
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ScaffoldError + '_ {
    move |source| ScaffoldError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes the project for judge `name` in `lang` into `dir` (created when
/// absent; refused when it exists and is not an empty directory). Returns the
/// files written, relative to `dir`.
pub fn scaffold(name: &str, lang: Lang, dir: &Path) -> Result<Vec<&'static str>, ScaffoldError> {
    check_name(name)?;
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(ScaffoldError::NotEmpty(dir.to_owned()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return Err(ScaffoldError::NotEmpty(dir.to_owned())),
    }
    let mut written = Vec::new();
    for f in COMMON.iter().chain(lang_files(lang).iter()) {
        let path = dir.join(f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // The vendored SDK is written as it is in the repository.
        let text = if f.path.starts_with("assay-judge-sdk/") || f.path.starts_with("src/assay_judge.") {
            f.text.to_owned()
        } else {
            render(f.text, name, lang)
        };
        std::fs::write(&path, text).map_err(io(&path))?;
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(io(&path))?;
        }
        written.push(f.path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests;
