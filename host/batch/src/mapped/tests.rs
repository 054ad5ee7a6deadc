use std::io::Write;

use super::*;

fn file_of(len: usize) -> (tempfile::NamedTempFile, MappedFile) {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    let line = b"{\"custom_id\":\"r\"}\n";
    let mut data = Vec::with_capacity(len);
    while data.len() < len {
        data.extend_from_slice(line);
    }
    data.truncate(len);
    f.write_all(&data).expect("write");
    f.flush().expect("flush");
    let m = MappedFile::open(f.as_file()).expect("a regular file maps");
    (f, m)
}

/// The first `MiB` boundary at or after `at` in the map's address space,
/// as an offset into the map.
fn aligned_after(m: &MappedFile, at: usize) -> usize {
    let base = m.bytes().as_ptr() as usize;
    (base + at).next_multiple_of(RELEASE_ALIGN) - base
}

#[test]
fn an_empty_file_and_a_pipe_are_not_mapped() {
    let f = tempfile::NamedTempFile::new().expect("temp file");
    assert!(MappedFile::open(f.as_file()).is_none());
    let (rx, _tx) = std::io::pipe().expect("pipe");
    let fd = std::os::fd::OwnedFd::from(rx);
    assert!(MappedFile::open(&File::from(fd)).is_none());
}

#[test]
fn pages_are_released_only_behind_every_unfinished_block() {
    let (_f, m) = file_of(12 << 20);
    let two = aligned_after(&m, 1);
    // A block past the first 2 MiB run finishes first: nothing before it is done.
    m.release(two + 10, two + (3 << 20));
    assert_eq!(m.released(), 0);
    // The block before it finishes: both are done, and the runs they cover go.
    m.release(0, two + 10);
    let done = two + (3 << 20);
    let want = ((m.bytes().as_ptr() as usize + done) & !(RELEASE_ALIGN - 1)) - m.bytes().as_ptr() as usize;
    assert_eq!(m.released(), want);
    assert!(want >= two, "at least the first whole run is released");
    // A range released twice changes nothing.
    m.release(0, two + 10);
    assert_eq!(m.released(), want);
}

#[test]
fn released_pages_read_back_unchanged() {
    let (f, m) = file_of(8 << 20);
    let want = std::fs::read(f.path()).expect("read");
    m.release(0, 8 << 20);
    assert!(m.released() > 0);
    assert_eq!(m.bytes(), &want[..]);
}

/// Run as a child process by `a_file_truncated_under_a_block_reader_ends_the_run_with_a_message`.
#[test]
#[ignore = "runs only as that test's child process"]
fn child_reads_a_truncated_mapped_file() {
    let Some(path) = std::env::var_os("ASSAY_TRUNCATE_CHILD") else {
        return;
    };
    report_truncation();
    // A block reader maps the file as it opens it; the file is cut under it.
    let path = std::path::PathBuf::from(path);
    let mut reader = crate::BlockReader::open(&path, crate::FileId(0), 1 << 20).expect("open");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .and_then(|w| w.set_len(0))
        .expect("truncate");
    let mut rows = 0;
    while let Ok(Some(block)) = reader.next_block() {
        rows += block.lines().count();
    }
    println!("read past the end without a fault: {rows} rows");
}

#[test]
fn a_file_truncated_under_a_block_reader_ends_the_run_with_a_message() {
    let (f, _m) = file_of(1 << 20);
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "mapped::tests::child_reads_a_truncated_mapped_file",
            "--nocapture",
        ])
        .env("ASSAY_TRUNCATE_CHILD", f.path())
        .output()
        .expect("run child");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(TRUNCATED_EXIT), "stderr: {stderr}");
    assert!(stderr.contains(TRUNCATED.trim_end()), "stderr: {stderr}");
}
