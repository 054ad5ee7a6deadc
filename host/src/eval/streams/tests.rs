use std::path::PathBuf;

use super::show_names;

#[test]
fn errors_name_the_file_as_given_not_the_copy() {
    let names = vec![
        (PathBuf::from("/proc/self/fd/7"), PathBuf::from("s3://b/in.jsonl")),
        (PathBuf::from("/proc/self/fd/71"), PathBuf::from("-")),
    ];
    let text = "/proc/self/fd/7 line 3: bad JSON; /proc/self/fd/71: empty; /proc/self/fd/7";
    assert_eq!(
        show_names(text, &names),
        "s3://b/in.jsonl line 3: bad JSON; -: empty; s3://b/in.jsonl"
    );
}
