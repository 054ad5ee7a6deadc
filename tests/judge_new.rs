//! `assay judge new` and `assay judge stage` end to end: the scaffold for each
//! language, the refusals (exit 2, nothing written), and a Rust scaffold that
//! builds to wasm32-wasip2 and passes its own golden rows.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use support::{json, root, stderr, stdout, write_lines};

/// Runs `assay` in `cwd` with a private compile cache, the test state database
/// and no policy.
fn assay_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(args)
        .current_dir(cwd)
        .env("ASSAY_CACHE_DIR", root().join("target").join("test-cache"))
        .env("ASSAY_STATE", support::test_state())
        .env_remove("ASSAY_POLICY")
        .env_remove("ASSAY_PLUGIN_PATH")
        .output()
        .expect("run assay")
}

const COMMON: [&str; 5] = [
    "judge.toml",
    "README.md",
    "golden/rows.jsonl",
    "golden/expect.jsonl",
    "wit/judge.wit",
];

fn lang_files(lang: &str) -> &'static [&'static str] {
    match lang {
        "rust" => &["Cargo.toml", "src/lib.rs", ".gitignore"],
        "python" => &["src/app.py", "build.sh", ".gitignore"],
        _ => &["src/judge.js", "package.json", "build.sh", ".gitignore"],
    }
}

#[test]
fn each_language_gets_a_self_contained_project() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let wit = std::fs::read_to_string(root().join("wit/v0.1/judge.wit")).expect("repo wit");
    for lang in ["rust", "python", "js"] {
        let dir = tmp.path().join(lang);
        let dir_s = dir.to_string_lossy().into_owned();
        let out = assay_in(
            tmp.path(),
            &["judge", "new", "my-judge", "--lang", lang, "--dir", &dir_s],
        );
        assert_eq!(out.status.code(), Some(0), "{lang}: {}", stderr(&out));
        assert!(stdout(&out).contains("assay judge test my-judge"), "{}", stdout(&out));
        for f in COMMON.iter().chain(lang_files(lang)) {
            assert!(dir.join(f).is_file(), "{lang}: {f} missing");
        }
        let files = walk(&dir);
        for f in &files {
            let text = std::fs::read_to_string(dir.join(f)).expect("utf-8 file");
            assert!(!text.contains("{{"), "{lang}: unrendered placeholder in {f}");
            assert!(!text.contains("plugins/sdk"), "{lang}: {f} depends on the repository");
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("wit/judge.wit")).ok().as_deref(),
            Some(wit.as_str())
        );
        let entry = assay::judge::Manifest::read(&dir.join("judge.toml")).expect("manifest parses");
        assert_eq!(entry.manifest.name, "my-judge");
        assert_eq!(entry.manifest.component, "my_judge.wasm");
        let rows = std::fs::read_to_string(dir.join("golden/rows.jsonl")).unwrap_or_default();
        let expect = std::fs::read_to_string(dir.join("golden/expect.jsonl")).unwrap_or_default();
        assert_eq!(
            rows.lines().count(),
            expect.lines().count(),
            "{lang}: one expectation per row"
        );
        if lang != "rust" {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("build.sh"))
                .map(|m| m.permissions().mode())
                .ok();
            assert_eq!(mode.map(|m| m & 0o111), Some(0o111), "{lang}: build.sh is executable");
        }
    }
    let cargo = std::fs::read_to_string(tmp.path().join("rust/Cargo.toml")).unwrap_or_default();
    assert!(cargo.contains("crate-type = [\"cdylib\"]") && cargo.contains("wit-bindgen = { version = \"0.63\""));
    assert!(cargo.contains("[workspace]"), "standalone crate");
}

/// Files under `dir`, relative to it.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[test]
fn default_dir_is_the_name_in_the_current_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = assay_in(tmp.path(), &["judge", "new", "judge-2", "--lang", "python"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join("judge-2/src/app.py").is_file());
}

#[test]
fn refusals_exit_2_and_write_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for bad in ["My-Judge", "my_judge", "1judge", "judge-", "a b", "test"] {
        let out = assay_in(tmp.path(), &["judge", "new", bad, "--lang", "rust"]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains(bad), "{bad}: {}", stderr(&out));
    }
    let out = assay_in(tmp.path(), &["judge", "new", "ok", "--lang", "go"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("possible values: rust, python, js"),
        "{}",
        stderr(&out)
    );
    assert_eq!(walk(tmp.path()), Vec::<String>::new(), "a refusal writes nothing");

    let busy = tmp.path().join("busy");
    std::fs::create_dir(&busy).expect("mkdir");
    std::fs::write(busy.join("keep.txt"), "mine").expect("write");
    let out = assay_in(tmp.path(), &["judge", "new", "busy", "--lang", "js"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not an empty directory"), "{}", stderr(&out));
    assert_eq!(walk(&busy), vec!["keep.txt".to_owned()]);

    // An existing empty directory is fine.
    std::fs::create_dir(tmp.path().join("empty")).expect("mkdir");
    let out = assay_in(tmp.path(), &["judge", "new", "empty", "--lang", "js"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn stage_copies_any_built_component_with_its_sha256() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = assay_in(tmp.path(), &["judge", "new", "staged-one", "--lang", "js"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(tmp.path().join("built.wasm"), b"\0asm not really").expect("write");
    let out = assay_in(
        tmp.path(),
        &["judge", "stage", "staged-one", "--wasm", "built.wasm", "--out", "out"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let staged = tmp.path().join("out/staged-one");
    assert_eq!(
        std::fs::read(staged.join("staged_one.wasm")).ok().as_deref(),
        Some(&b"\0asm not really"[..])
    );
    let m = assay::judge::Manifest::read(&staged.join("judge.toml")).expect("staged manifest");
    assert_eq!(m.manifest.sha256.map(|s| s.len()), Some(64));
}

/// The whole path a Rust judge author takes: new, build, test. Builds the
/// scaffold (wit-bindgen from crates.io) in its own cargo target directory.
#[test]
fn rust_scaffold_builds_and_passes_its_golden_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = assay_in(tmp.path(), &["judge", "new", "golden-rust", "--lang", "rust"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let target = root().join("target").join("scaffold-wasm");
    let out = assay_in(
        tmp.path(),
        &[
            "judge",
            "build",
            "golden-rust",
            "--out",
            "staged",
            "--target-dir",
            &target.to_string_lossy(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let out = assay_in(
        tmp.path(),
        &[
            "judge",
            "test",
            "golden-rust",
            "--plugin-dir",
            "staged",
            "--rows",
            "golden-rust/golden/rows.jsonl",
            "--expect",
            "golden-rust/golden/expect.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("4 passed, 0 failed"), "{}", stdout(&out));
    // `judge test` compiled through the compile cache `eval` uses.
    let staged = assay::judge::Manifest::read(&tmp.path().join("staged/golden-rust/judge.toml")).expect("staged");
    let sha = staged.manifest.sha256.unwrap_or_default();
    let cached = std::fs::read_dir(root().join("target").join("test-cache").join("components"))
        .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().starts_with(&sha)))
        .unwrap_or(false);
    assert!(cached, "no compile-cache entry for {sha}");

    // Through `assay eval`: a judge without an aggregator still gets its summary.
    let texts = ["Fine.", "", &"x".repeat(150)];
    let input: Vec<String> = (0..texts.len())
        .map(|i| {
            json!({"custom_id": format!("r{i}"), "method": "POST", "url": "/v1/chat/completions",
                   "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]}})
            .to_string()
        })
        .collect();
    let output: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let body = json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
                              "choices": [{"index": 0, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}});
            json!({"id": format!("b{i}"), "custom_id": format!("r{i}"),
                   "response": {"status_code": 200, "request_id": "x", "body": body}, "error": null})
            .to_string()
        })
        .collect();
    write_lines(tmp.path(), "in.jsonl", &input);
    write_lines(tmp.path(), "out.jsonl", &output);
    let out = assay_in(
        tmp.path(),
        &[
            "eval",
            "--input",
            "in.jsonl",
            "--results",
            "out.jsonl",
            "--plugin-dir",
            "staged",
            "--judge",
            "golden-rust",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let s = json(&out);
    let j = &s["judges"]["golden-rust"];
    assert_eq!((j["scored"].as_u64(), j["passed"].as_u64()), (Some(3), Some(1)), "{s}");
}
