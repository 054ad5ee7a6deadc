//! Unit tests for `files`.

use super::*;

#[test]
fn devices_are_refused_and_reads_are_capped() {
    assert!(matches!(
        read_regular(Path::new("/dev/zero"), 10),
        Err(ReadError::NotAFile)
    ));
    let f = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(f.path(), b"0123456789").expect("write");
    assert_eq!(read_regular(f.path(), 10).expect("fits"), b"0123456789");
    assert!(matches!(
        read_regular(f.path(), 9),
        Err(ReadError::TooLarge { size: 10, limit: 9 })
    ));
}
