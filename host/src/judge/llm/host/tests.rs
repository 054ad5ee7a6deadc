//! Unit tests for `host`.

use super::*;

#[test]
fn wait_clock_counts_running_and_finished_waits() {
    let c = WaitClock::default();
    assert_eq!(c.waited(), Duration::ZERO);
    c.start();
    std::thread::sleep(Duration::from_millis(5));
    assert!(c.waited() >= Duration::from_millis(5));
    c.stop();
    let w = c.waited();
    std::thread::sleep(Duration::from_millis(2));
    assert_eq!(c.waited(), w, "idle time is not waiting");
    c.reset();
    assert_eq!(c.waited(), Duration::ZERO);
}

#[test]
fn calls_outside_a_chunk_or_past_the_row_cap_are_refused() {
    let mut slot = LlmSlot::default();
    assert!(matches!(slot.charge_row(0, 1), Err(LlmError::RowLimit(m)) if m.contains("only allowed")));
    slot.begin_chunk(2);
    slot.charge_row(1, 1).expect("first call");
    assert!(matches!(slot.charge_row(1, 1), Err(LlmError::RowLimit(m)) if m.contains("already made 1")));
    assert!(matches!(slot.charge_row(2, 1), Err(LlmError::RowLimit(m)) if m.contains("not in this batch")));
    slot.charge_row(0, 1).expect("other row");
    slot.end_chunk();
    assert!(slot.charge_row(0, 1).is_err());
}
