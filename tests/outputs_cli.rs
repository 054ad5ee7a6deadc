//! What `assay eval` writes: `--rows-out` never replaces a device, a FIFO, a
//! symlink or one of the run's inputs; a created file honours the umask;
//! a killed or failed run leaves nothing behind; output errors have their
//! own exit code.

use crate::support;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{assay, data, stderr};

const OUTPUT_ERROR: i32 = 5;

fn example(rows_out: &Path) -> Vec<String> {
    [
        "eval",
        "--input",
        data("openai_input.jsonl").to_str().unwrap_or_default(),
        "--results",
        &format!(
            "{},{}",
            data("openai_output.jsonl").display(),
            data("openai_errors.jsonl").display()
        ),
        "--judge",
        "json-valid",
        "--format",
        "json",
        "--rows-out",
        rows_out.to_str().unwrap_or_default(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run(args: &[String]) -> std::process::Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assay(&refs)
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).expect("read rows-out").lines().count()
}

#[test]
fn rows_out_to_a_character_device_streams_and_leaves_the_device_a_device() {
    let o = run(&example(Path::new("/dev/null")));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let meta = std::fs::metadata("/dev/null").expect("stat");
    assert!(meta.file_type().is_char_device(), "/dev/null is still a device");
}

#[test]
fn rows_out_on_a_full_device_is_an_output_error_and_the_device_stays() {
    let o = run(&example(Path::new("/dev/full")));
    assert_eq!(o.status.code(), Some(OUTPUT_ERROR), "{}", stderr(&o));
    assert!(stderr(&o).contains("/dev/full"), "{}", stderr(&o));
    assert!(
        std::fs::metadata("/dev/full")
            .expect("stat")
            .file_type()
            .is_char_device()
    );
}

#[test]
fn summary_on_a_full_stdout_is_an_output_error() {
    let mut args = example(Path::new("/dev/null"));
    args.truncate(args.len() - 2);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    support::builtin_judges();
    let o = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(&args)
        .env("ASSAY_PLUGIN_PATH", support::hostile_judges())
        .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
        .env("ASSAY_STATE", support::test_state())
        .stdout(Stdio::from(full))
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(OUTPUT_ERROR), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write the summary to stdout"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rows_out_to_a_fifo_is_streamed_to_its_reader() {
    let tmp = tempfile::tempdir().expect("tmp");
    let fifo = tmp.path().join("rows.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read fifo"))
    };
    let o = run(&example(&fifo));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = reader.join().expect("reader");
    assert_eq!(text.lines().count(), 2000);
    assert!(std::fs::metadata(&fifo).expect("stat").file_type().is_fifo());
}

#[test]
fn rows_out_through_a_symlink_replaces_the_target_and_keeps_the_link() {
    let tmp = tempfile::tempdir().expect("tmp");
    let target = tmp.path().join("real.jsonl");
    std::fs::write(&target, "old\n").expect("write");
    let link = tmp.path().join("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let o = run(&example(&link));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(lines(&target), 2000);
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 2, "nothing else left in the directory: {names:?}");
}

#[test]
fn rows_out_that_is_one_of_the_inputs_is_refused_and_the_input_is_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("in.jsonl");
    std::fs::copy(data("openai_input.jsonl"), &input).expect("copy");
    let before = std::fs::read(&input).expect("read");
    let mut args = example(&input);
    args[2] = input.display().to_string();
    let o = run(&args);
    assert_eq!(o.status.code(), Some(OUTPUT_ERROR), "{}", stderr(&o));
    assert!(stderr(&o).contains("the run's input file"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&input).expect("read"), before);
}

/// The umask of this process, which the child inherits.
fn umask() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    let line = status.lines().find(|l| l.starts_with("Umask:")).expect("Umask line");
    u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).expect("octal")
}

#[test]
fn a_created_rows_out_file_honours_the_umask() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("rows.jsonl");
    let o = run(&example(&out));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mode = std::fs::metadata(&out).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o666 & !umask());
}

#[test]
fn a_killed_run_leaves_no_temporary_beside_the_rows_out_path() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("out");
    std::fs::create_dir(&dir).expect("mkdir");
    // Every response makes the hostile judge sleep until its deadline: the
    // run is still scoring when it is killed.
    let input = tmp.path().join("in.jsonl");
    let results = tmp.path().join("out.jsonl");
    let mut ins = String::new();
    let mut outs = String::new();
    for i in 0..50 {
        ins.push_str(&format!(
            "{{\"custom_id\":\"r{i}\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{{\"model\":\"m\",\"messages\":[]}}}}\n"
        ));
        outs.push_str(&format!(
            "{{\"id\":\"b{i}\",\"custom_id\":\"r{i}\",\"response\":{{\"status_code\":200,\"body\":{{\"model\":\"m\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"sleep\"}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}}}}},\"error\":null}}\n"
        ));
    }
    std::fs::write(&input, ins).expect("write");
    std::fs::write(&results, outs).expect("write");
    support::builtin_judges();
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(["eval", "--input"])
        .arg(&input)
        .arg("--results")
        .arg(&results)
        .args(["--judge", "hostile", "--rows-out"])
        .arg(dir.join("rows.jsonl"))
        .env("ASSAY_PLUGIN_PATH", support::hostile_judges())
        .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
        .env("ASSAY_STATE", support::test_state())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    let still_running = child.try_wait().expect("wait").is_none();
    child.kill().expect("kill -9");
    child.wait().expect("reap");
    assert!(still_running, "the run must still be scoring when it is killed");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn rows_out_dash_streams_to_stdout() {
    let mut args = example(Path::new("-"));
    // The summary as text goes to stdout too: the rows come first, then the summary.
    let at = args.iter().position(|a| a == "json").expect("format");
    args[at] = "text".to_owned();
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = support::stdout(&o);
    let rows = out.lines().filter(|l| l.starts_with("{\"attempt\"")).count();
    assert_eq!(rows, 2000, "{}", &out[..out.len().min(400)]);
}

#[test]
fn rows_out_that_is_a_directory_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = run(&example(tmp.path()));
    assert_eq!(o.status.code(), Some(OUTPUT_ERROR), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("refusing to write the output over a directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn stdin_given_for_two_files_is_a_usage_error() {
    let o = assay(&["eval", "--input", "-", "--results", "-", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("stdin is one stream"), "{}", stderr(&o));
}
