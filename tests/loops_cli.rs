//! The batch loop end to end against `assay emulate` on 127.0.0.1.

mod support;

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
