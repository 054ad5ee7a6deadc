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

#[test]
fn the_tail_keeps_the_last_bytes_since_the_mark_past_the_cap() {
    let mut p = CappedPipe::new(4);
    p.write(bytes::Bytes::from_static(b"before")).expect("never fails");
    p.mark();
    assert!(p.tail().is_empty());
    let flood = vec![b'x'; 3 * TAIL_BYTES];
    p.write(bytes::Bytes::from(flood)).expect("never fails");
    p.write(bytes::Bytes::from_static(b"KeyError: 'k'\n"))
        .expect("never fails");
    let tail = p.tail();
    assert_eq!(tail.len(), TAIL_BYTES);
    assert!(tail.ends_with(b"KeyError: 'k'\n"));
    let (kept, _) = p.take();
    assert_eq!(kept, b"befo", "the cap is unchanged");
}
