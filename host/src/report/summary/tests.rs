//! Unit tests for `summary`.

use super::*;

#[test]
fn status_counts_follow_the_classifier_order() {
    let names = StatusCounts::default().iter().map(|(n, _)| n);
    for (i, name) in names.into_iter().enumerate() {
        assert_eq!(assay_batch::Status::ALL[i].as_str(), name);
        assert_eq!(assay_batch::Status::ALL[i].index(), i);
    }
}
