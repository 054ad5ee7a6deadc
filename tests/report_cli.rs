//! The report files of `assay eval`: JUnit XML (`--junit`) checked against the
//! common JUnit schema with xmllint, and the HTML report (`--report`) loaded in
//! headless Chromium (Debian's `chromium`, which CI installs).

use crate::support;

use std::path::Path;
use std::process::Command;

use support::{assay, data, fixture, root, stderr, write_lines};

fn example_args(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "eval",
        "--provider",
        "openai",
        "--input",
        data("openai_input.jsonl").to_str().unwrap_or_default(),
        "--results",
        &format!(
            "{},{}",
            data("openai_output.jsonl").display(),
            data("openai_errors.jsonl").display()
        ),
        "--judge",
        "schema-drift",
        "--set",
        &format!("schema-drift.schema=@{}", data("schema.json").display()),
        "--judge",
        "cost-per-row",
        "--set",
        &format!("cost-per-row.prices=@{}", data("prices.json").display()),
        "--segment-size",
        "250",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run(extra: &[&str]) -> std::process::Output {
    let args = example_args(extra);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assay(&refs)
}

/// Validates `xml` against the JUnit schema in tests/fixtures/junit with xmllint
/// (Debian's libxml2-utils, which CI installs). `None` when xmllint is absent.
fn xmllint_verdict(xml: &Path) -> Option<std::process::Output> {
    let schema = fixture("junit/junit.xsd");
    Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(xml)
        .output()
        .ok()
}

/// The `<testcase name="NAME" ...>...</testcase>` element (or its empty form).
fn testcase<'a>(xml: &'a str, name: &str) -> &'a str {
    let start = xml
        .find(&format!("<testcase name=\"{name}\""))
        .unwrap_or_else(|| panic!("no test case {name:?} in {xml}"));
    let rest = &xml[start..];
    let empty = rest.find("/>").unwrap_or(usize::MAX);
    let open_end = rest.find('>').unwrap_or(0);
    if empty == open_end.saturating_sub(1) {
        &rest[..empty + 2]
    } else {
        let end = rest.find("</testcase>").unwrap_or(rest.len());
        &rest[..end]
    }
}

#[test]
fn junit_has_a_failure_per_failed_gate_and_an_error_per_judge_or_provider_problem() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("junit.xml");
    let o = run(&[
        "--judge",
        "hostile",
        "--set",
        "hostile.agg-trap=true",
        "--min-completion",
        "0.99",
        "--min-pass-rate",
        "schema-drift=0.5",
        "--junit",
        path.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(1), "the completion gate fails: {}", stderr(&o));
    let xml = std::fs::read_to_string(&path).expect("the JUnit file is written");

    let completion = testcase(&xml, "completion");
    assert!(completion.contains("<failure"), "{completion}");
    assert!(
        completion.contains("0.9525"),
        "the message has the actual value: {completion}"
    );
    let pass = testcase(&xml, "pass rate schema-drift");
    assert!(!pass.contains("<failure") && !pass.contains("<error"), "{pass}");
    let hostile = testcase(&xml, "hostile");
    assert!(
        hostile.contains("<error") && hostile.contains("aggregator error"),
        "{hostile}"
    );
    let schema = testcase(&xml, "schema-drift");
    assert!(!schema.contains("<error"), "a healthy judge passes: {schema}");
    let provider = testcase(&xml, "provider errors");
    assert!(
        provider.contains("<error") && provider.contains("75 of 2000 rows"),
        "{provider}"
    );
    assert!(
        xml.contains(r#"<testsuites name="assay eval" tests="6" skipped="0" failures="1" errors="2""#),
        "{xml}"
    );

    match xmllint_verdict(&path) {
        Some(v) => assert!(
            v.status.success(),
            "xmllint rejects the JUnit file: {}\n{xml}",
            String::from_utf8_lossy(&v.stderr)
        ),
        None => eprintln!("SKIPPED schema validation: xmllint is not installed (apt-get install libxml2-utils)"),
    }
}

#[test]
fn junit_schema_rejects_a_malformed_report() {
    // The validator must be able to fail: a testcase without a name is not JUnit.
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("bad.xml");
    std::fs::write(
        &path,
        r#"<testsuites><testsuite name="s" tests="1"><testcase/></testsuite></testsuites>"#,
    )
    .expect("write");
    match xmllint_verdict(&path) {
        Some(v) => assert!(!v.status.success(), "xmllint accepted a nameless testcase"),
        None => eprintln!("SKIPPED schema validation: xmllint is not installed (apt-get install libxml2-utils)"),
    }
}

/// A tool the test needs: absent locally, the test says it skipped; on CI
/// (which installs it), its absence fails the test.
fn tool(path: &str, package: &str) -> Option<std::path::PathBuf> {
    let p = std::path::PathBuf::from(path);
    if p.exists() {
        return Some(p);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{path} is missing on CI: .ci/run must apt-get install {package}"
    );
    eprintln!("SKIPPED: {path} is not installed (apt-get install {package})");
    None
}

/// Runs headless Chromium on a local file with a fresh profile; returns
/// (stdout, stderr). `extra` adds e.g. `--dump-dom` or `--screenshot=...`.
fn chromium(bin: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().expect("profile dir");
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The console messages Chromium logged (errors, CSP refusals, uncaught exceptions).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Content Security Policy") || l.contains("Uncaught"))
        .collect()
}

#[test]
fn html_report_loads_in_chromium_with_no_console_errors_and_renders_its_charts() {
    let artifacts = root().join("target").join("report-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifact dir");
    let page = artifacts.join("report.html");
    // Two runs in a fresh history: the report's trend section has a line to draw.
    let history = tempfile::tempdir().expect("history dir");
    let db = history.path().join("state.db");
    let db = db.to_str().unwrap_or_default();
    let o = run(&[
        "--history",
        db,
        "--tag",
        "report-test",
        "--report",
        page.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let first = std::fs::read_to_string(&page).expect("the report is written");
    assert!(
        first.contains("The history holds this run only"),
        "one run: no trend yet"
    );
    let o = run(&[
        "--history",
        db,
        "--tag",
        "report-test",
        "--report",
        page.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let html = std::fs::read_to_string(&page).expect("the report is written");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page names no URL"
    );
    assert!(
        html.contains(r#"<h2 id="trend">"#) && html.contains(r#"<polyline class="trend-series""#),
        "two runs in the history: the trend section draws them"
    );

    let Some(bin) = tool("/usr/bin/chromium", "chromium") else {
        return;
    };
    let (dom, log) = chromium(&bin, &page, &["--dump-dom"]);
    assert!(console_lines(&log).is_empty(), "console: {:?}", console_lines(&log));
    assert!(
        dom.contains(r#"data-script="ran""#),
        "the page's script ran under its CSP: {dom}"
    );
    for (what, marker) in [
        ("status bars", r#"<rect class="bar""#),
        ("segment series", r#"<polyline class="series""#),
        ("alarm band", r#"<rect class="alarm-band""#),
        ("batch-wide reference line", r#"<line class="reference""#),
        ("snapshot mix", r#"<rect class="mix""#),
        ("failed rows table", r#"<table id="failed""#),
        ("trend section", r#"<h2 id="trend">"#),
        ("trend across runs", r#"<polyline class="trend-series""#),
        ("unit cost across runs", "cost per validated row by run"),
    ] {
        assert!(dom.contains(marker), "{what} missing from the rendered DOM");
    }

    let shot = artifacts.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let arg = format!("--screenshot={}", shot.display());
    let (_, log) = chromium(&bin, &page, &[&arg, "--window-size=1200,2600", "--hide-scrollbars"]);
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 10_000,
        "no screenshot at {} ({size} bytes): {log}",
        shot.display()
    );
}

#[test]
fn console_check_catches_a_script_the_policy_refuses() {
    // The check above must be able to fail: an inline script without a hash is refused.
    let Some(bin) = tool("/usr/bin/chromium", "chromium") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let page = tmp.path().join("refused.html");
    let csp = assay::report::html::content_security_policy();
    std::fs::write(
        &page,
        format!(r#"<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="{csp}"></head><body><script>document.body.setAttribute('data-script','ran')</script></body></html>"#),
    )
    .expect("write");
    let (dom, log) = chromium(&bin, &page, &["--dump-dom"]);
    assert!(!dom.contains(r#"data-script="ran""#), "an unhashed script must not run");
    assert!(
        !console_lines(&log).is_empty(),
        "the refusal must show in the console log: {log}"
    );
}

/// A one-row job whose only row is a provider error, under the id `id`.
fn one_failed_row(dir: &Path, id: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let id = serde_json::to_string(id).expect("json");
    let input = write_lines(
        dir,
        "in.jsonl",
        &[format!(
            r#"{{"custom_id":{id},"method":"POST","url":"/v1/chat/completions","body":{{"model":"m","messages":[{{"role":"user","content":"hi"}}]}}}}"#
        )],
    );
    let out = write_lines(
        dir,
        "out.jsonl",
        &[format!(
            r#"{{"id":"b1","custom_id":{id},"response":{{"status_code":500,"request_id":"r","body":{{"error":{{"message":"boom","type":"server_error"}}}}}},"error":null}}"#
        )],
    );
    (input, out)
}

#[test]
fn html_report_escapes_ids_from_the_input() {
    let tmp = tempfile::tempdir().expect("tmp");
    let evil = r#"<img src=x onerror=alert(1)>"#;
    let (input, out) = one_failed_row(tmp.path(), evil);
    let page = tmp.path().join("r.html");
    let o = assay(&[
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        out.to_str().unwrap_or_default(),
        "--report",
        page.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let html = std::fs::read_to_string(&page).expect("report");
    assert!(!html.contains(evil), "raw markup from the input reached the page");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "the id is shown, escaped"
    );
    assert!(html.contains("Failed rows (1)"), "the failed row is listed");
}

#[test]
fn text_view_shows_segment_sparklines_pointing_at_alarms() {
    let o = run(&["--format", "text"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let text = support::stdout(&o);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("segment_pass_rate"))
        .unwrap_or_else(|| panic!("no per-segment line: {text}"));
    assert!(line.contains('█') && line.contains("(segment 7)"), "{line}");
    assert!(text.contains("^  ALARM: segment 7"), "{text}");
    assert!(
        text.contains("batch_cost_usd               $0.088488"),
        "money with $ and six decimals: {text}"
    );
}

#[test]
fn text_view_says_n_a_for_a_pass_rate_when_nothing_was_scored() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (input, out) = one_failed_row(tmp.path(), "r0");
    let o = assay(&[
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        out.to_str().unwrap_or_default(),
        "--judge",
        "json-valid",
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let text = support::stdout(&o);
    assert!(text.contains("scored 0  passed 0  pass rate n/a"), "{text}");
}

/// Runs `assay` with stderr on a pseudo-terminal (util-linux `script`); returns
/// what the terminal showed, or `None` when `script` is absent.
fn on_a_terminal(extra: &[&str], env: &[(&str, &str)]) -> Option<String> {
    let script = tool("/usr/bin/script", "bsdutils")?;
    support::builtin_judges();
    let mut args = example_args(&["--format", "json"]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let cmd = format!("{} {}", env!("CARGO_BIN_EXE_assay"), args.join(" "));
    let out = Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .env("ASSAY_CACHE_DIR", root().join("target").join("test-cache"))
        .env("ASSAY_STATE", support::test_state())
        .envs(env.iter().copied())
        .output()
        .expect("run script");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn progress_is_drawn_on_a_terminal_only_and_not_with_quiet() {
    let piped = run(&["--format", "json"]);
    assert!(
        !stderr(&piped).contains("scoring"),
        "no progress into a pipe: {}",
        stderr(&piped)
    );
    let Some(shown) = on_a_terminal(&[], &[]) else { return };
    assert!(shown.contains("scoring") && shown.contains("/2000"), "{shown}");
    assert!(shown.contains("\u{1b}[36m"), "coloured by default: {shown}");
    let Some(quiet) = on_a_terminal(&["--quiet"], &[]) else {
        return;
    };
    assert!(!quiet.contains("scoring"), "{quiet}");
    let Some(plain) = on_a_terminal(&[], &[("NO_COLOR", "1")]) else {
        return;
    };
    assert!(
        plain.contains("scoring") && !plain.contains("\u{1b}[36m"),
        "NO_COLOR: {plain}"
    );
}
