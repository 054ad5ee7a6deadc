use super::*;

#[test]
fn intern_and_overflow() {
    let mut i = Interner::new();
    assert!(i.is_empty());
    assert_eq!(i.intern(""), Interner::NONE);
    assert_eq!(i.intern_opt(None), Interner::NONE);
    let a = i.intern("gpt-4o-mini");
    assert_eq!(a, 2);
    assert_eq!(i.intern("gpt-4o-mini"), a);
    assert_eq!(i.get(a), "gpt-4o-mini");
    assert_eq!(i.get(Interner::OTHER), "(other)");
    assert_eq!(i.get(60_000), "");
    for n in 0..70_000 {
        i.intern(&format!("m{n}"));
    }
    assert_eq!(i.len(), 65_536);
    assert_eq!(i.intern("one too many"), Interner::OTHER);
    assert_eq!(i.intern("m5"), 8);
}
