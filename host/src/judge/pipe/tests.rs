//! Unit tests for `pipe`.

use super::*;

#[test]
fn a_capped_pipe_accepts_everything_and_keeps_the_cap() {
    let mut p = CappedPipe::new(8);
    for _ in 0..4 {
        p.write(bytes::Bytes::from_static(b"hello")).expect("never fails");
    }
    assert_eq!(p.check_write().expect("open"), WRITE_PERMIT);
    let (kept, dropped) = p.take();
    assert_eq!(kept, b"hellohel");
    assert_eq!(dropped, 12);
}
