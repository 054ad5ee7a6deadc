//! `assay judge new` and `assay judge stage` end to end: the scaffold for each
//! language, the refusals (exit 2, nothing written), and a Rust scaffold that
//! builds to wasm32-wasip2 and passes its own golden rows.

use crate::support;

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
    "golden/report.json",
];

/// Where each scaffold keeps the judge WIT: the Rust one inside the vendored SDK.
fn wit_file(lang: &str) -> &'static str {
    if lang == "rust" {
        "assay-judge-sdk/wit/judge/judge.wit"
    } else {
        "wit/judge.wit"
    }
}

fn lang_files(lang: &str) -> &'static [&'static str] {
    match lang {
        "rust" => &["Cargo.toml", "src/lib.rs", ".gitignore", "assay-judge-sdk/Cargo.toml"],
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
            std::fs::read_to_string(dir.join(wit_file(lang))).ok().as_deref(),
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
    assert!(cargo.contains("crate-type = [\"cdylib\"]"));
    assert!(
        cargo.contains("assay-judge-sdk = { path = \"assay-judge-sdk\" }"),
        "{cargo}"
    );
    assert!(cargo.contains("[workspace]"), "standalone crate");
    // On the SDK, the judge with an aggregator is shorter than the raw wit-bindgen
    // scaffold without one was (113 lines).
    let lib = std::fs::read_to_string(tmp.path().join("rust/src/lib.rs")).unwrap_or_default();
    let code = lib.split("#[cfg(test)]").next().unwrap_or_default();
    assert!(
        code.lines().count() <= 80,
        "{} lines before the tests",
        code.lines().count()
    );
    assert!(
        code.contains("config_from_manifest(include_str!(\"../judge.toml\"))") && !code.contains("config_key("),
        "config keys come from judge.toml, not a second list"
    );
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
    // The aggregator (the SDK's SegmentPassRate, no segment code in the judge)
    // against the scaffold's expected report, as its README says.
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
            "--segment-size",
            "2",
            "--set",
            "min-segment-rows=1",
            "--aggregate",
            "golden-rust/golden/report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("report matches: 7 metrics, 1 alarms"),
        "{}",
        stdout(&out)
    );
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

/// A judge directory whose manifest names a build command, for `assay judge build`.
fn command_judge(dir: &Path, tools: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let manifest = format!(
        "name = \"by-command\"\nversion = \"0.1.0\"\nwit = \"assay:judge@0.1.0\"\ncomponent = \"by_command.wasm\"\n\n\
         [build]\ncommand = 'mkdir -p build && printf \"\\0asm built\" > build/out.wasm && \"$ASSAY\" judge stage . --wasm build/out.wasm --out \"$ASSAY_OUT\"'\n\
         tools = {{ {tools} }}\n"
    );
    std::fs::write(dir.join("judge.toml"), manifest).expect("write manifest");
}

/// `assay judge build` runs the manifest's build command (any language) with
/// `$ASSAY` and `$ASSAY_OUT` set, and checks what it staged.
#[test]
fn judge_build_runs_the_manifest_build_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    command_judge(&tmp.path().join("j"), "sh = \"a POSIX shell\"");
    let out = assay_in(tmp.path(), &["judge", "build", "j", "--out", "staged"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("by-command"), "{}", stdout(&out));
    let m = assay::judge::Manifest::read(&tmp.path().join("staged/by-command/judge.toml")).expect("staged manifest");
    assert_eq!(m.manifest.sha256.map(|s| s.len()), Some(64));
    assert_eq!(
        std::fs::read(tmp.path().join("staged/by-command/by_command.wasm"))
            .ok()
            .as_deref(),
        Some(&b"\0asm built"[..])
    );
}

/// A tool the build needs and PATH lacks is named, with how to install it,
/// before anything runs.
#[test]
fn judge_build_names_a_missing_tool_and_how_to_install_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    command_judge(
        &tmp.path().join("j"),
        "no-such-tool-h5 = \"python3 -m pip install no-such-tool-h5==1.0\"",
    );
    let out = assay_in(tmp.path(), &["judge", "build", "j", "--out", "staged"]);
    assert_ne!(out.status.code(), Some(0), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("judge 'by-command' needs no-such-tool-h5 to build")
            && err.contains("python3 -m pip install no-such-tool-h5==1.0"),
        "{err}"
    );
    assert!(!tmp.path().join("j/build").exists(), "nothing ran");

    // Named by its variable (the name upper-cased, '-' as '_'), the tool counts as found.
    let out = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["judge", "build", "j", "--out", "staged"])
        .current_dir(tmp.path())
        .env("NO_SUCH_TOOL_H5", "/bin/true")
        .output()
        .expect("run assay");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The Python and JavaScript scaffolds name their build command and tools.
#[test]
fn scaffolds_name_their_build_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (lang, tool) in [("python", "componentize-py"), ("js", "node"), ("rust", "")] {
        let dir = tmp.path().join(lang);
        let out = assay_in(
            tmp.path(),
            &["judge", "new", "j", "--lang", lang, "--dir", &dir.to_string_lossy()],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let m = assay::judge::Manifest::read(&dir.join("judge.toml")).expect("manifest");
        match m.manifest.build {
            Some(b) if lang != "rust" => {
                assert_eq!(b.command, "./build.sh \"$ASSAY_OUT\"");
                assert!(b.tools.contains_key(tool), "{lang}: {:?}", b.tools);
                assert!(
                    stdout(&out).contains(&format!("assay judge build {}", dir.display())),
                    "{}",
                    stdout(&out)
                );
            }
            None if lang == "rust" => {}
            other => panic!("{lang}: {other:?}"),
        }
    }
}
