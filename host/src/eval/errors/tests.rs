//! Unit tests for the per-row error codes and messages.

use super::*;

#[test]
fn a_message_shared_by_many_rows_is_kept_once_and_read_back_per_row() {
    let mut e = ErrorCodes::default();
    let server = ErrorText::new(Some("server_error"), Some("The server had an error")).expect("text");
    let filter = ErrorText::new(Some("content_filter"), Some("Filtered")).expect("text");
    let bare = ErrorText::new(Some("server_error"), None).expect("text");
    for idx in 0..10_000u32 {
        let t = match idx % 3 {
            0 => &server,
            1 => &filter,
            _ => &bare,
        };
        e.put(idx, t);
    }
    assert_eq!(e.distinct_messages(), 2);
    assert_eq!(e.get(0), (Some("server_error"), Some("The server had an error")));
    assert_eq!(e.get(1), (Some("content_filter"), Some("Filtered")));
    assert_eq!(e.get(2), (Some("server_error"), None));
    assert_eq!(e.get(10_000), (None, None));
    e.clear(1);
    assert_eq!(e.get(1), (None, None));
    let only_message = ErrorText::new(None, Some("Filtered")).expect("text");
    e.put(1, &only_message);
    assert_eq!(e.get(1), (None, Some("Filtered")));
    assert_eq!(e.distinct_messages(), 2);
}
