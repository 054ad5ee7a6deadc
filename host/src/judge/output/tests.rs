//! Unit tests for `output`.

use super::*;

#[test]
fn a_full_log_drops_and_counts() {
    let mut log = CapturedLog::new(100, 10);
    log.push("info", "0123456789abcdef");
    assert_eq!(log.lines[0].message, "0123456789…");
    assert_eq!(log.cut, 1);
    for _ in 0..10 {
        log.push("info", "");
    }
    assert!(log.is_full());
    assert!(log.dropped > 0);
    let lines = log.into_lines();
    assert!(
        lines
            .last()
            .is_some_and(|l| l.level == "host" && l.message.contains("dropped"))
    );
}
