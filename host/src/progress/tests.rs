//! Unit tests for `progress`.

use super::*;

#[test]
fn no_color_template_has_no_colour_spec() {
    assert!(!template(true).contains(".cyan"));
    assert!(template(false).contains(".cyan"));
    assert!(ProgressStyle::with_template(template(true)).is_ok());
    assert!(ProgressStyle::with_template(template(false)).is_ok());
}
