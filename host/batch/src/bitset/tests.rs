use super::*;

#[test]
fn set_get_across_threads() {
    let s = AtomicBitSet::new(1000);
    std::thread::scope(|sc| {
        for t in 0..4 {
            let s = &s;
            sc.spawn(move || {
                for i in (t..1000).step_by(4) {
                    if i % 3 == 0 {
                        s.set(i);
                    }
                }
            });
        }
    });
    assert_eq!(s.count(), 334);
    assert!(s.get(999) && !s.get(998));
    assert!(!s.set(1000) && !s.get(1000));
    assert!(s.set(999));
}
