//! The batch loop end to end against `assay emulate` on 127.0.0.1.

use crate::support;

use support::emulator::Emulator;

#[test]
fn emulate_prints_its_listening_line_once_it_accepts_and_serves_the_batch_api() {
    let e = Emulator::start(7, None);
    let r = e.get("/v1/batches", "sk-test");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.contains("\"object\":\"list\""), "{r}");
    let r = e.get("/v1/batches", "");
    assert!(r.starts_with("HTTP/1.1 401"), "{r}");
}

#[test]
fn emulate_refuses_a_profile_with_an_unknown_fault_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("faults.toml");
    std::fs::write(&p, "server_eror_rows = [1]\n").unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["emulate", "--profile", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = support::stderr(&o);
    assert!(err.contains("faults.toml") && err.contains("server_eror_rows"), "{err}");
}

const KEY: &str = "sk-loops-test-4f1c9a7e2b";

/// An emulator, a private job store and a 20-row input whose rows carry references.
struct Rehearsal {
    emu: Emulator,
    dir: tempfile::TempDir,
}

impl Rehearsal {
    fn new(profile: &str) -> Rehearsal {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("profile.toml");
        std::fs::write(&p, profile).unwrap();
        let emu = Emulator::start(11, Some(&p));
        let mut input = String::new();
        for i in 0..20 {
            input.push_str(&serde_json::json!({"custom_id": format!("r{i}"), "method": "POST", "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": format!("q{i}")}], "metadata": {"reference": format!("answer {i}")}}}).to_string());
            input.push('\n');
        }
        std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
        Rehearsal { emu, dir }
    }

    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("OPENAI_API_KEY".into(), KEY.into()),
            ("OPENAI_BASE_URL".into(), self.emu.base_url()),
            (
                "ASSAY_STATE".into(),
                self.dir.path().join("state").join("state.db").display().to_string(),
            ),
        ]
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
            .args(args)
            .current_dir(self.dir.path())
            .envs(self.env())
            .output()
            .unwrap()
    }

    fn submit(&self) -> String {
        let o = self.run(&["submit", "--provider", "openai", "--input", "in.jsonl"]);
        assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
        support::stdout(&o).lines().last().unwrap().to_owned()
    }

    /// Every file under the state directory, the database included, as bytes.
    fn state_bytes(&self) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        fn walk(d: &std::path::Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join("state"), &mut out);
        out
    }
}

fn no_key(o: &std::process::Output) {
    let all = format!("{}{}", support::stdout(o), support::stderr(o));
    assert!(!all.contains(KEY), "the key leaked: {all}");
}

#[test]
fn submit_watch_fetch_eval_give_counts_that_add_up_and_the_key_appears_nowhere() {
    let r = Rehearsal::new(
        "server_error_rows = [3]\nmissing_rows = [5]\ncontent_filter_rows = [7]\nexpire_from = 18\nduplicate_rows = [0]\nshuffle = true\nprocess_ms = 200\n",
    );
    let job = r.submit();
    let w = r.run(&["watch", &job, "--interval-ms", "50"]);
    assert_eq!(w.status.code(), Some(0), "{}", support::stderr(&w));
    assert!(
        support::stdout(&w).contains("expired: 20 of 20 done (17 completed, 3 failed)"),
        "{}",
        support::stdout(&w)
    );
    let f = r.run(&["fetch", &job, "--format", "json"]);
    assert_eq!(f.status.code(), Some(0), "{}", support::stderr(&f));
    let fj: serde_json::Value = serde_json::from_slice(&f.stdout).unwrap();
    // 17 completed (the filtered row included) minus the missing row, plus a
    // duplicate, plus 3 error lines (a server error, 2 expired).
    assert_eq!((fj["lines"].as_u64(), fj["answered"].as_u64()), (Some(20), Some(20)));
    let env = r.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let e = support::assay_with_env(
        &["eval", "--job", &job, "--judge", "exact-match", "--format", "json"],
        &env,
    );
    assert_eq!(e.status.code(), Some(0), "{}", support::stderr(&e));
    let s = support::json(&e);
    let c = &s["status_counts"];
    assert_eq!(s["rows_submitted"], 20);
    assert_eq!(
        (
            c["completed"].as_u64(),
            c["provider_error"].as_u64(),
            c["content_filter"].as_u64(),
            c["expired"].as_u64(),
            c["missing"].as_u64()
        ),
        (Some(15), Some(1), Some(1), Some(2), Some(1)),
    );
    let sum: u64 = c
        .as_object()
        .unwrap()
        .values()
        .filter_map(serde_json::Value::as_u64)
        .sum();
    assert_eq!(sum, 20);
    assert_eq!(s["judges"]["exact-match"]["pass_rate"], 1.0, "{s}");
    let rec = s["reconciliation"][0]["checks"].to_string();
    assert!(
        rec.contains("1 row lost"),
        "the batch object counts the missing row: {rec}"
    );
    // The run is in the history of the job's own state database, with the job's id.
    let h = support::json(&r.run(&["history", "--format", "json"]));
    assert_eq!(h["runs"][0]["job_id"].as_i64(), job.parse::<i64>().ok(), "{h}");
    for o in [&w, &f, &e] {
        no_key(o);
    }
    for (p, bytes) in r.state_bytes() {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "the key is in {}",
            p.display()
        );
    }
}

/// Stopping `watch` with Ctrl-C mid-poll loses nothing: the job and its batch
/// id stay in the state database, and the next `watch` follows the same batch
/// to its end.
#[test]
fn a_watch_stopped_with_ctrl_c_is_followed_to_the_end_by_the_next_watch() {
    use std::os::unix::process::CommandExt;
    let r = Rehearsal::new("process_ms = 3000\n");
    let job = r.submit();
    let mut watch = std::process::Command::new(env!("CARGO_BIN_EXE_assay"));
    watch
        .args(["watch", &job, "--interval-ms", "50"])
        .current_dir(r.dir.path())
        .envs(r.env())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    // `watch` keeps SIGINT's default action, as Ctrl-C at a terminal finds it. In two
    // full `.ci/run`s started from a background shell, the first `watch` here ran
    // through the signal to the batch's end (never when this test ran alone); an
    // ignored SIGINT, inherited across exec, is the one way known for that, so the
    // child gets the default action back before it starts.
    // SAFETY: `signal` is async-signal-safe and touches no memory of this process.
    unsafe {
        watch.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            Ok(())
        });
    }
    let w = watch.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let sent = std::process::Command::new("kill")
        .args(["-INT", &w.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let stopped = w.wait_with_output().unwrap();
    assert!(!stopped.status.success(), "watch ended before the batch did");
    assert!(stopped.stdout.is_empty(), "no final line from a stopped watch");
    let again = r.run(&["watch", &job, "--interval-ms", "50"]);
    assert_eq!(again.status.code(), Some(0), "{}", support::stderr(&again));
    assert!(
        support::stdout(&again).contains("completed: 20 of 20 done"),
        "{}",
        support::stdout(&again)
    );
    no_key(&again);
}

#[test]
fn rerunning_submit_returns_the_same_job_and_never_submits_twice() {
    let r = Rehearsal::new("");
    let first = r.submit();
    let second = r.submit();
    assert_eq!(first, second);
    let list = r.emu.get("/v1/batches", "k");
    assert_eq!(list.matches("\"object\":\"batch\"").count(), 1, "{list}");
    let jobs = r.run(&["jobs", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn a_download_cut_mid_stream_is_fetched_again_and_lands_whole() {
    let r = Rehearsal::new("process_ms = 50\n[[http]]\nroute = \"GET /v1/files/*/content\"\nreset_after_bytes = 100\n");
    let job = r.submit();
    assert_eq!(r.run(&["watch", &job, "--interval-ms", "20"]).status.code(), Some(0));
    let f = r.run(&["fetch", &job]);
    assert_eq!(f.status.code(), Some(0), "{}", support::stderr(&f));
    let out = std::fs::read_to_string(r.dir.path().join("state/jobs").join(&job).join("output.jsonl")).unwrap();
    assert_eq!(out.lines().count(), 20);
    assert!(
        out.lines()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
    );
}

#[test]
fn fetch_refuses_a_running_job_and_eval_refuses_an_unfetched_one() {
    let r = Rehearsal::new("process_ms = 60000\n");
    let job = r.submit();
    let f = r.run(&["fetch", &job]);
    assert_eq!(f.status.code(), Some(2));
    assert!(support::stderr(&f).contains("still"), "{}", support::stderr(&f));
    let e = r.run(&["eval", "--job", &job]);
    assert_eq!(e.status.code(), Some(2));
    assert!(support::stderr(&e).contains("not fetched"), "{}", support::stderr(&e));
}

#[test]
fn a_missing_key_is_a_usage_error_and_a_refused_key_exits_7_without_showing_it() {
    let r = Rehearsal::new("api_key = \"sk-the-only-valid-key\"\n");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["submit", "--provider", "openai", "--input", "in.jsonl"])
        .current_dir(r.dir.path())
        .envs(r.env())
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        support::stderr(&o).contains("OPENAI_API_KEY"),
        "{}",
        support::stderr(&o)
    );
    let o = r.run(&["submit", "--provider", "openai", "--input", "in.jsonl"]);
    assert_eq!(o.status.code(), Some(7), "{}", support::stderr(&o));
    assert!(support::stderr(&o).contains("API key"), "{}", support::stderr(&o));
    no_key(&o);
}

/// 40 rows: the emulator answers each with `reference`; `expected` agrees on
/// the even rows only, so a judge reading `expected` passes half the sample.
fn canary_input(dir: &std::path::Path) {
    let mut input = String::new();
    for i in 0..40 {
        let expected = if i % 2 == 0 {
            format!("answer {i}")
        } else {
            "something else".into()
        };
        input.push_str(
            &serde_json::json!({"custom_id": format!("r{i}"), "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": format!("q{i}")}],
                     "metadata": {"reference": format!("answer {i}"), "expected": expected}}})
            .to_string(),
        );
        input.push('\n');
    }
    std::fs::write(dir.join("canary_in.jsonl"), input).unwrap();
}

#[test]
fn the_canary_gate_passes_on_good_sync_answers_and_fails_below_the_gate() {
    let r = Rehearsal::new("");
    canary_input(r.dir.path());
    let env = r.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let args = |key: &str, out: &str| {
        vec![
            "canary".to_owned(),
            "--provider".into(),
            "openai".into(),
            "--input".into(),
            r.dir.path().join("canary_in.jsonl").display().to_string(),
            "--sample".into(),
            "25%".into(),
            "--segment-size".into(),
            "20".into(),
            "--seed".into(),
            "3".into(),
            "--out".into(),
            r.dir.path().join(out).display().to_string(),
            "--judge".into(),
            "exact-match".into(),
            "--set".into(),
            format!("exact-match.reference-key={key}"),
            "--gate".into(),
            "0.9".into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let pass_args = args("reference", "c1");
    let pass = support::assay_with_env(&pass_args.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    assert_eq!(pass.status.code(), Some(0), "{}", support::stderr(&pass));
    let s = support::json(&pass);
    assert_eq!(s["rows_submitted"], 10, "25% of each 20-row segment");
    assert_eq!(s["status_counts"]["completed"], 10);
    assert_eq!(
        std::fs::read_to_string(r.dir.path().join("c1/canary_output.jsonl"))
            .unwrap()
            .lines()
            .count(),
        10
    );
    let fail_args = args("expected", "c2");
    let fail = support::assay_with_env(&fail_args.iter().map(String::as_str).collect::<Vec<_>>(), &env);
    assert_eq!(fail.status.code(), Some(1), "{}", support::stderr(&fail));
    let s = support::json(&fail);
    let rate = s["judges"]["exact-match"]["pass_rate"].as_f64().unwrap();
    assert!(rate < 0.9, "{rate}");
    // The same seed samples the same rows.
    assert_eq!(
        std::fs::read_to_string(r.dir.path().join("c1/canary_input.jsonl")).unwrap(),
        std::fs::read_to_string(r.dir.path().join("c2/canary_input.jsonl")).unwrap()
    );
    no_key(&pass);
    no_key(&fail);
    // Both canaries are in the run history, as canaries, with their gate result.
    let h = support::json(&r.run(&["history", "--format", "json"]));
    let kinds: Vec<(&str, i64)> = h["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["kind"].as_str().unwrap(), x["exit_code"].as_i64().unwrap()))
        .collect();
    assert_eq!(kinds, vec![("canary", 1), ("canary", 0)], "{h}");
}

#[test]
fn recover_halts_with_the_failed_rows_drops_them_or_retries_the_retryable_ones_once_through_sync() {
    let r = Rehearsal::new(
        "server_error_rows = [3]\nrate_limit_rows = [4]\ninvalid_rows = [6]\nmissing_rows = [5]\nexpire_from = 18\nprocess_ms = 100\n",
    );
    let job = r.submit();
    assert_eq!(r.run(&["watch", &job, "--interval-ms", "20"]).status.code(), Some(0));
    assert_eq!(r.run(&["fetch", &job]).status.code(), Some(0));
    let env = r.env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let halt = r.run(&["recover", &job, "--strategy", "halt"]);
    assert_eq!(halt.status.code(), Some(1));
    assert_eq!(
        support::stdout(&halt),
        "r3\tprovider_error\nr4\tprovider_error\nr5\tmissing\nr6\tprovider_error\nr18\texpired\nr19\texpired\n"
    );

    let drop = support::assay_with_env(&["recover", &job, "--strategy", "drop", "--format", "json"], &env);
    assert_eq!(drop.status.code(), Some(0), "{}", support::stderr(&drop));
    assert_eq!(support::json(&drop)["status_counts"]["completed"], 14);
    assert!(
        support::stderr(&drop).contains("before recovery 14/20 (0.700), after 14/20"),
        "{}",
        support::stderr(&drop)
    );
    let rec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(r.dir.path().join("state/jobs").join(&job).join("recovery.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(rec["dropped"].as_array().unwrap().len(), 6);

    let retry = support::assay_with_env(&["recover", &job, "--strategy", "retry-sync", "--format", "json"], &env);
    assert_eq!(retry.status.code(), Some(0), "{}", support::stderr(&retry));
    let s = support::json(&retry);
    // The invalid request (r6) is not retryable; the other five come back through sync.
    assert_eq!(s["status_counts"]["completed"], 19);
    assert_eq!(s["status_counts"]["provider_error"], 1);
    assert_eq!(s["sync"]["recovered_by_sync"], 5);
    assert!(
        support::stderr(&retry).contains("5 sent, 5 answered now"),
        "{}",
        support::stderr(&retry)
    );
    assert!(
        support::stderr(&retry).contains("after 19/20 (0.950)"),
        "{}",
        support::stderr(&retry)
    );

    let again = support::assay_with_env(&["recover", &job, "--strategy", "retry-sync", "--format", "json"], &env);
    assert!(
        support::stderr(&again).contains("0 sent"),
        "rows already answered are not resent: {}",
        support::stderr(&again)
    );
    assert_eq!(support::json(&again)["status_counts"]["completed"], 19);
    let sync = std::fs::read_to_string(r.dir.path().join("state/jobs").join(&job).join("sync_results.jsonl")).unwrap();
    assert_eq!(sync.lines().count(), 5);
    for o in [&halt, &drop, &retry, &again] {
        no_key(o);
    }
}

#[test]
fn a_create_answer_lost_after_the_provider_acted_is_found_again_not_submitted_twice() {
    // The emulator creates the batch, then the connection drops before the
    // answer arrives: submit must find that batch by its metadata.
    let r = Rehearsal::new("[[http]]\nroute = \"POST /v1/batches\"\nreset_after_bytes = 0\n");
    let job = r.submit();
    let list = r.emu.get("/v1/batches", "k");
    assert_eq!(list.matches("\"object\":\"batch\"").count(), 1, "{list}");
    let st = r.run(&["status", &job, "--format", "json"]);
    assert_eq!(st.status.code(), Some(0), "{}", support::stderr(&st));
    let v: serde_json::Value = serde_json::from_slice(&st.stdout).unwrap();
    assert_eq!(v["batch"], "batch_emu000001");
}
