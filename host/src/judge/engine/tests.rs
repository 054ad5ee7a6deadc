use super::*;

/// The `SIGBUS` handler installed now.
fn sigbus_handler() -> usize {
    // SAFETY: only reads the current disposition.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old);
        old.sa_sigaction
    }
}

/// Run as a child process by
/// `a_truncated_input_is_reported_through_the_engines_signal_handler`.
#[test]
#[ignore = "runs only as that test's child process"]
fn child_reads_a_truncated_file_with_an_engine_running() {
    let Some(path) = std::env::var_os("ASSAY_TRUNCATE_CHILD") else {
        return;
    };
    // As `main` does: the report first, the engine after.
    assay_batch::mapped::report_truncation();
    let ours = sigbus_handler();
    let _engine = JudgeEngine::new().expect("engine");
    // On Linux wasmtime traps through SIGSEGV, SIGILL and SIGFPE only.
    assert_eq!(sigbus_handler(), ours, "the engine leaves the report in place");
    let f = std::fs::File::open(&path).expect("open");
    let m = assay_batch::mapped::MappedFile::open(&f).expect("map");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|w| w.set_len(0))
        .expect("truncate");
    let sum: u64 = m.bytes().iter().step_by(4096).map(|&b| u64::from(b)).sum();
    println!("read past the end without a fault: {sum}");
}

#[test]
fn a_truncated_input_is_reported_through_the_engines_signal_handler() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("results.jsonl");
    std::fs::write(&path, b"{\"custom_id\":\"r\"}\n".repeat(60_000)).expect("write");
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "judge::engine::tests::child_reads_a_truncated_file_with_an_engine_running",
            "--nocapture",
        ])
        .env("ASSAY_TRUNCATE_CHILD", &path)
        .output()
        .expect("run child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(assay_batch::mapped::TRUNCATED_EXIT),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains(assay_batch::mapped::TRUNCATED.trim_end()),
        "stderr: {stderr}"
    );
}
