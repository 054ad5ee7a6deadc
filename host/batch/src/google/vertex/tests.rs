//! Unit tests for the Vertex line reader: the id at the id path, the echoed
//! request and the response, read wherever they stand in the line, with
//! every result and error of the earlier reader (which parsed each line up
//! to three times) kept.

use std::borrow::Cow;

use super::*;
use crate::google::request_hash_id;
use crate::json::scan::mutate::mutated;
use crate::status::Status;
use line::{IdAt, Line, Read};

const REQ: &str = r#"{"contents":[{"role":"user","parts":[{"text":"hi \"there\""}]}],"model":"gemini-x","labels":{"other":"x","custom_id":"row-7"}}"#;
const RESP: &str = r#"{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2},"modelVersion":"gemini-2.0-flash-001"}"#;
const PATH: &str = "request.labels.custom_id";

fn at(path: &str) -> ProviderOptions {
    ProviderOptions {
        id_path: Some(path.into()),
    }
}

fn result_id(line: &str, path: &str) -> Result<String, LineError> {
    parse_result_line(line.as_bytes(), &at(path)).map(|r| r.custom_id.into_owned())
}

fn input_id(line: &str, opts: &ProviderOptions) -> Result<(String, Option<String>), LineError> {
    parse_input_line(line.as_bytes(), opts).map(|i| (i.custom_id.into_owned(), i.model.map(Cow::into_owned)))
}

fn with_id(id: &str) -> String {
    REQ.replace(r#""row-7""#, id)
}

#[test]
fn id_path_found_before_or_after_the_response_borrowed_when_unescaped() {
    for line in [
        format!(r#"{{"status":"","request":{REQ},"response":{RESP}}}"#),
        format!(r#"{{"response":{RESP},"processed_time":"t","request":{REQ},"status":""}}"#),
        format!(r#"{{"request":{REQ},"response":{RESP}}}"#),
    ] {
        let r = parse_result_line(line.as_bytes(), &at(PATH));
        let Ok(r) = r else { panic!("{r:?}: {line}") };
        assert!(matches!(r.custom_id, Cow::Borrowed("row-7")), "{line}");
        let o = r.outcome;
        assert_eq!(o.status, Status::Completed);
        assert_eq!(o.response_text.as_deref(), Some("ok"));
        assert_eq!(o.model.as_deref(), Some("gemini-2.0-flash-001"));
        assert_eq!((o.usage.input, o.usage.output), (5, 2));
    }
    for (id, want) in [(r#""row\u002d7""#, "row-7"), ("42", "42"), ("-3", "-3"), ("1.5", "1.5")] {
        let line = format!(r#"{{"response":{RESP},"request":{}}}"#, with_id(id));
        assert_eq!(result_id(&line, PATH), Ok(want.to_string()), "{line}");
    }
}

#[test]
fn id_path_absent_null_or_not_a_scalar_is_the_missing_field() {
    let missing = Err(LineError::MissingField(PATH));
    let no_label = REQ.replace(r#""custom_id""#, r#""id""#);
    let labels_array = REQ.replace(r#"{"other":"x","custom_id":"row-7"}"#, r#"["row-7"]"#);
    for req in [
        no_label,
        labels_array,
        with_id("null"),
        with_id("true"),
        with_id(r#"{"a":"row-7"}"#),
        with_id(r#"["row-7"]"#),
        "null".to_string(),
        r#""row-7""#.to_string(),
        "[1]".to_string(),
    ] {
        let line = format!(r#"{{"status":"","request":{req},"response":{RESP}}}"#);
        assert_eq!(result_id(&line, PATH), missing, "{line}");
    }
    let no_request = format!(r#"{{"status":"","response":{RESP}}}"#);
    assert_eq!(result_id(&no_request, PATH), missing);
    // Repeated keys: the first that holds an id wins.
    let twice = REQ.replace(
        r#""custom_id":"row-7""#,
        r#""custom_id":null,"custom_id":"b","custom_id":"c""#,
    );
    let line = format!(r#"{{"request":{twice},"response":{RESP}}}"#);
    assert_eq!(result_id(&line, PATH), Ok("b".to_string()));
    let labels_twice = REQ.replace(r#""labels""#, r#""labels":{},"labels""#);
    let line = format!(r#"{{"request":{labels_twice},"response":{RESP}}}"#);
    assert_eq!(result_id(&line, PATH), Ok("row-7".to_string()));
    // No id and no response: the id is reported first.
    let bare = r#"{"status":"","request":{}}"#;
    assert_eq!(result_id(bare, PATH), missing);
}

#[test]
fn id_paths_outside_the_request_walk_the_whole_line() {
    for line in [
        format!(r#"{{"row_id":"b-1","status":"","request":{REQ},"response":{RESP}}}"#),
        format!(r#"{{"status":"","request":{REQ},"response":{RESP},"row_id":"b-1"}}"#),
        format!(r#"{{"row_id":null,"response":{RESP},"row_id":"b-1"}}"#),
    ] {
        assert_eq!(result_id(&line, "row_id"), Ok("b-1".to_string()), "{line}");
    }
    let line = format!(r#"{{"status":"","processed_time":"t0","request":{REQ},"response":{RESP}}}"#);
    assert_eq!(result_id(&line, "processed_time"), Ok("t0".to_string()));
    assert_eq!(result_id(&line, "row_id"), Err(LineError::MissingField("row_id")));
    assert_eq!(
        result_id(&line, "processed_time.x"),
        Err(LineError::MissingField("processed_time.x"))
    );
    // The request itself is not an id; the status and the response are
    // walked like any other member.
    assert_eq!(result_id(&line, "request"), Err(LineError::MissingField("request")));
    assert_eq!(result_id(&line, "status"), Ok(String::new()));
    assert_eq!(result_id(&line, "status.x"), Err(LineError::MissingField("status.x")));
    let r = parse_result_line(line.as_bytes(), &at("response.modelVersion"));
    let Ok(r) = r else { panic!("{r:?}") };
    assert_eq!(r.custom_id, "gemini-2.0-flash-001");
    assert_eq!(r.outcome.response_text.as_deref(), Some("ok"));
    assert_eq!(
        result_id(&line, "response.usageMetadata.promptTokenCount"),
        Ok("5".to_string())
    );
    let err = r#"{"status":"Bad Request","request":"r-9","response":{}}"#;
    assert_eq!(result_id(err, "request"), Ok("r-9".to_string()));
    assert_eq!(result_id(err, "status"), Ok("Bad Request".to_string()));
}

#[test]
fn errors_are_those_of_the_whole_line_first() {
    let dup = format!(r#"{{"request":{REQ},"status":"","request":{REQ},"response":{RESP}}}"#);
    let dup_status = format!(r#"{{"status":"","request":{REQ},"status":"","response":{RESP}}}"#);
    let dup_response = format!(r#"{{"response":{RESP},"request":{REQ},"response":{RESP}}}"#);
    let bad_request =
        format!(r#"{{"status":"","request":{{"labels":{{"custom_id":"row-7"}},"contents":[1,]}},"response":{RESP}}}"#);
    let bad_usage = format!(
        r#"{{"status":"","request":{REQ},"response":{}}}"#,
        RESP.replace(r#""promptTokenCount":5"#, r#""promptTokenCount":null"#)
    );
    let bad_status = format!(r#"{{"status":7,"request":{REQ},"response":{RESP}}}"#);
    let no_id_bad_usage = bad_usage.replace("custom_id", "id");
    let cut = format!(r#"{{"status":"","request":{REQ},"response":{{"candidates":["#);
    for opts in [at(PATH), ProviderOptions::default(), at("row_id")] {
        let id = |l: &str| parse_result_line(l.as_bytes(), &opts).map(|r| r.custom_id.into_owned());
        let shape = |m: &str| Err(LineError::WrongShape(m.to_string()));
        assert_eq!(id(&dup), shape("duplicate field `request` at column 159"));
        assert_eq!(id(&dup_status), shape("duplicate field `status` at column 158"));
        assert_eq!(id(&dup_response), shape("duplicate field `response` at column 353"));
        assert_eq!(
            id(&bad_request),
            Err(LineError::Malformed("expected value at column 70".into()))
        );
        assert_eq!(
            id(&bad_usage),
            shape("invalid type: null, expected a non-negative integer or a decimal string at column 292")
        );
        assert_eq!(
            id(&no_id_bad_usage),
            shape("invalid type: null, expected a non-negative integer or a decimal string at column 285")
        );
        assert_eq!(
            id(&bad_status),
            shape("invalid type: integer `7`, expected a string at column 11")
        );
        assert_eq!(
            id(&cut),
            Err(LineError::Malformed("EOF while parsing a list at column 176".into()))
        );
        assert_eq!(id("[]"), shape("expected a JSON object, found an array"));
    }
    let no_resp = format!(r#"{{"status":"","request":{REQ}}}"#);
    assert_eq!(
        result_id(&no_resp, PATH),
        Err(LineError::WrongShape("empty `status` and no `response`".into()))
    );
    let hash = ProviderOptions::default();
    for line in [
        format!(r#"{{"status":"","response":{RESP}}}"#),
        format!(r#"{{"status":"","request":null,"response":{RESP}}}"#),
    ] {
        assert_eq!(
            parse_result_line(line.as_bytes(), &hash).err(),
            Some(LineError::MissingField("request"))
        );
    }
}

#[test]
fn hash_ids_match_between_input_and_result_wherever_the_request_stands() {
    let (id, model) = input_id(&format!(r#"{{"request":{REQ}}}"#), &ProviderOptions::default()).unwrap_or_default();
    assert_eq!(Some(id.clone()), request_hash_id(REQ).ok());
    assert_eq!(model.as_deref(), Some("gemini-x"));
    let hash = ProviderOptions::default();
    for line in [
        format!(r#"{{"status":"","request":{REQ},"response":{RESP}}}"#),
        format!(r#"{{"response":{RESP},"status":"","request":{REQ}}}"#),
    ] {
        let r = parse_result_line(line.as_bytes(), &hash).map(|r| r.custom_id.into_owned());
        assert_eq!(r, Ok(id.clone()), "{line}");
    }
    let odd = input_id(r#"{"request":[1,"a"]}"#, &hash);
    assert_eq!(odd, Ok((request_hash_id(r#"[1,"a"]"#).unwrap_or_default(), None)));
}

#[test]
fn input_lines_give_the_id_and_the_request_model() {
    let path = at(PATH);
    let line = format!(r#"{{"request":{REQ}}}"#);
    assert_eq!(
        input_id(&line, &path),
        Ok(("row-7".to_string(), Some("gemini-x".to_string())))
    );
    let borrowed = parse_input_line(line.as_bytes(), &path);
    assert!(matches!(
        borrowed,
        Ok(InputLine {
            custom_id: Cow::Borrowed(_),
            model: Some(Cow::Borrowed(_)),
            ..
        })
    ));
    // A model that is not a string, or named twice, is no model; the id stands.
    for (model, want) in [
        (r#""model":5"#, None),
        (r#""model":null"#, None),
        (r#""model":"a","model":"b""#, None),
        (r#""model":"g\u002d1""#, Some("g-1".to_string())),
    ] {
        let req = REQ.replace(r#""model":"gemini-x""#, model);
        let line = format!(r#"{{"request":{req}}}"#);
        assert_eq!(
            input_id(&line, &path),
            Ok(("row-7".to_string(), want.clone())),
            "{line}"
        );
        let hashed = input_id(&line, &ProviderOptions::default()).map(|(_, m)| m);
        assert_eq!(hashed, Ok(want), "{line}");
    }
    let no_model = REQ.replace(r#""model":"gemini-x","#, "");
    assert_eq!(
        input_id(&format!(r#"{{"request":{no_model}}}"#), &path),
        Ok(("row-7".to_string(), None))
    );
    for line in [r#"{"request":null}"#, r#"{"row_id":"b-1"}"#] {
        for opts in [at(PATH), at("row_id"), ProviderOptions::default()] {
            assert_eq!(input_id(line, &opts), Err(LineError::MissingField("request")), "{line}");
        }
    }
    let top = format!(r#"{{"request":{REQ},"row_id":7}}"#);
    assert_eq!(
        input_id(&top, &at("row_id")),
        Ok(("7".to_string(), Some("gemini-x".to_string())))
    );
    assert_eq!(
        input_id(&format!(r#"{{"request":{}}}"#, with_id("false")), &path),
        Err(LineError::MissingField(PATH))
    );
    let dup = format!(r#"{{"request":{REQ},"request":{REQ}}}"#);
    assert_eq!(
        input_id(&dup, &path),
        Err(LineError::WrongShape("duplicate field `request` at column 147".into()))
    );
}

/// Lines in many shapes, good and bad.
fn corpus() -> Vec<String> {
    let no_model = REQ.replace(r#""model":"gemini-x","#, "");
    let requests = [
        REQ.to_string(),
        no_model,
        with_id("42"),
        with_id(r#""row\u002d7""#),
        with_id("null"),
        with_id(r#"{"a":1}"#),
        REQ.replace(r#""model":"gemini-x""#, r#""model":5"#),
        REQ.replace(r#""model":"gemini-x""#, r#""model":"a","model":"b""#),
        REQ.replace(r#""model":"gemini-x""#, r#""model":1e400"#),
        REQ.replace(r#""labels""#, r#""labels":{},"labels""#),
        REQ.replace("row-7", r#"row-7","custom_id":"row-8"#),
        with_id("1e400"),
        r#"{"labels":{"custom_id":"a",}}"#.to_string(),
        r#"{"labels":{"custom_id":"a"},}"#.to_string(),
        r#"{"contents":[1,],"labels":{"custom_id":"a"}}"#.to_string(),
        r#"{"model":{"x":[1,{"y":null}]},"labels":{"custom_id":true}}"#.to_string(),
        "{}".to_string(),
        "null".to_string(),
        r#""r-1""#.to_string(),
        "[1,{\"a\":2}]".to_string(),
        "7".to_string(),
        "-7".to_string(),
        "2.5".to_string(),
        "true".to_string(),
    ];
    let statuses = [
        r#""""#,
        r#""  ""#,
        "null",
        r#""Too Many Requests: {\"error\": {\"code\": 429, \"message\": \"Quota\", \"status\": \"RESOURCE_EXHAUSTED\"}}""#,
        r#""odd""#,
        "3",
    ];
    let bad_resp = RESP.replace(r#""promptTokenCount":5"#, r#""promptTokenCount":null"#);
    let mut lines = Vec::new();
    for req in &requests {
        lines.push(format!(r#"{{"request":{req}}}"#));
        lines.push(format!(r#"{{"row_id":"b-1","request":{req},"metadata":{{"k":"v"}}}}"#));
        lines.push(format!(r#"{{"request":{req},"request":{req}}}"#));
        for st in statuses {
            lines.push(format!(
                r#"{{"status":{st},"processed_time":"t","request":{req},"response":{RESP}}}"#
            ));
            lines.push(format!(
                r#"{{"response":{{}},"request":{req},"status":{st},"row_id":7}}"#
            ));
            lines.push(format!(r#"{{"status":{st},"request":{req}}}"#));
            lines.push(format!(r#"{{"status":{st},"request":{req},"response":{bad_resp}}}"#));
        }
    }
    lines.push(format!(r#"{{"status":"","response":{RESP}}}"#));
    lines.push(format!(
        r#"{{"status":"","request":{REQ},"response":{RESP},"status":""}}"#
    ));
    lines.push(format!(r#"{{"status":"","request":{REQ},"response":{RESP}}} x"#));
    lines.push("[]".to_string());
    lines.push(String::new());
    // For the quick scan: spacing, escapes in names, odd numbers, literals
    // and strings in skipped values, deep nesting, bad ids at the path.
    let odd_requests = [
        REQ.replace(r#""labels""#, r#""lab\u0065ls""#),
        REQ.replace(r#""row-7""#, r#""\ud800""#),
        REQ.replace(r#""custom_id""#, r#""custom\ud800""#),
        REQ.replace(r#""row-7""#, r#"{"\ud800":1}"#),
        REQ.replace(r#"{"other":"x","custom_id":"row-7"}"#, r#""x""#),
        REQ.replace(r#""model":"gemini-x""#, r#""model":"g\ud800""#),
        format!(
            r#"{{"contents":{}1{},"labels":{{"custom_id":"d"}}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        ),
        format!(
            r#"{{"contents":{}1{},"labels":{{"custom_id":"d"}}}}"#,
            "[".repeat(127),
            "]".repeat(127)
        ),
    ];
    for bad in [
        "01",
        "1.",
        "-",
        "1e",
        ".5",
        "1e+",
        "tru",
        "nul",
        "[1 2]",
        r#"{"a" 1}"#,
        r#"{1:2}"#,
    ] {
        lines.push(format!(r#"{{"request":{{"x":{bad},"labels":{{"custom_id":"b"}}}}}}"#));
    }
    for good in [
        "-0",
        "1.5e+3",
        "0.25E-2",
        "[ ]",
        "{ }",
        r#"[true,false,null,"\u00e9\n"]"#,
    ] {
        lines.push(format!(
            r#"{{"request":{{"x":{good},"labels":{{"custom_id":"g"}}}},"response":{RESP}}}"#
        ));
    }
    for text in [r#""a\x""#, r#""a\u12G4""#, "\"a\u{1}b\"", "\"unterminated"] {
        lines.push(format!(r#"{{"request":{{"x":{text},"labels":{{"custom_id":"s"}}}}}}"#));
    }
    for req in &odd_requests {
        lines.push(format!(r#"{{"status":"","request":{req},"response":{RESP}}}"#));
        lines.push(format!(r#"{{"request":{req}}}"#));
    }
    lines.push(format!(
        r#"  {{ "status" : "" , "request" : {REQ} , "response" : {RESP} }}  "#
    ));
    lines.push(format!("{{\"status\":\"\",\t\"request\":{REQ},\"response\":{RESP}}}"));
    lines.push(format!(r#"{{"stat\u0075s":"x","request":{REQ},"response":{RESP}}}"#));
    lines.push("{}".to_string());
    lines.push("{ }".to_string());
    lines.push(r#"{"request":{}}"#.to_string());
    lines
}

/// Id paths of every kind.
fn paths() -> Vec<Option<&'static str>> {
    vec![
        None,
        Some(PATH),
        Some("request"),
        Some("request.model"),
        Some("request.labels"),
        Some("request.labels.custom_id.x"),
        Some("row_id"),
        Some("status"),
        Some("response.modelVersion"),
        Some("processed_time"),
        Some("metadata.k"),
        Some(""),
        Some("request."),
    ]
}

/// Lines in many shapes, good and bad, under many id paths: wherever the
/// one-pass reader gives a result, the field-by-field reader gives the same
/// one, and on good lines the one-pass reader does give it.
#[test]
fn the_one_pass_reader_agrees_with_the_field_by_field_one() {
    let lines = corpus();
    let (mut inputs, mut results) = (0, 0);
    for path in paths() {
        let opts = ProviderOptions {
            id_path: path.map(str::to_string),
        };
        for line in &lines {
            let b = line.as_bytes();
            if let Ok(one) = one_pass_input(b.into(), &opts) {
                assert_eq!(Ok(one), fields::input_line(b, &opts), "{path:?} {line}");
                inputs += 1;
            }
            if let Ok(one) = one_pass_result(b.into(), &opts) {
                assert_eq!(Ok(one), fields::result_line(b, &opts), "{path:?} {line}");
                results += 1;
            }
        }
        let good = format!(
            r#"{{"status":"","row_id":"b","processed_time":"t","metadata":{{"k":"v"}},"request":{REQ},"response":{RESP}}}"#
        );
        let finds = !matches!(
            path,
            Some("request" | "request.labels" | "request.labels.custom_id.x" | "" | "request.")
        );
        assert_eq!(
            one_pass_result(good.as_bytes().into(), &opts).is_ok(),
            finds,
            "{path:?}"
        );
        let good_input = format!(r#"{{"row_id":"b","metadata":{{"k":"v"}},"request":{REQ}}}"#);
        let input_finds = finds && !matches!(path, Some("status" | "response.modelVersion" | "processed_time"));
        assert_eq!(
            one_pass_input(good_input.as_bytes().into(), &opts).is_ok(),
            input_finds,
            "{path:?}"
        );
    }
    assert!(inputs > 200 && results > 500, "{inputs} {results}");
}

/// Wherever the quick scan reads a line, serde reads it too, to the same
/// id, outcome and model.
#[test]
fn the_quick_scan_reads_what_serde_reads() {
    let lines = corpus();
    let mut scanned = 0;
    for path in paths() {
        let opts = ProviderOptions {
            id_path: path.map(str::to_string),
        };
        let id = IdAt::of(path);
        for line in &lines {
            let b = line.as_bytes();
            for result in [false, true] {
                let mut quick = Line::default();
                if scan::scan(line, id, result, &mut quick).is_none() {
                    continue;
                }
                scanned += 1;
                let mut full = Line::default();
                let read = crate::json::parse_object_seed(
                    b,
                    Read {
                        id,
                        result,
                        out: &mut full,
                    },
                );
                assert!(read.is_ok(), "{path:?} {line}");
                if result {
                    assert_eq!(
                        result_of(b, &mut quick, id, &opts),
                        result_of(b, &mut full, id, &opts),
                        "{path:?} {line}"
                    );
                } else {
                    assert_eq!(
                        input_of(b, &mut quick, id, &opts),
                        input_of(b, &mut full, id, &opts),
                        "{path:?} {line}"
                    );
                }
            }
        }
    }
    assert!(scanned > 300, "{scanned}");
    for line in [
        format!(r#"{{"status":"","processed_time":"t","request":{REQ},"response":{RESP}}}"#),
        format!(r#"{{"request":{REQ}}}"#),
    ] {
        let mut quick = Line::default();
        assert!(
            scan::scan(&line, IdAt::of(Some(PATH)), true, &mut quick).is_some(),
            "{line}"
        );
        assert_eq!(quick.id.as_deref(), Some("row-7"));
    }
}

/// The corpus with bytes changed, dropped and added at random (a fixed
/// seed): wherever the quick scan reads a mutated line, serde reads it too,
/// to the same result.
#[test]
fn the_quick_scan_accepts_no_line_serde_refuses() {
    let lines = corpus();
    let opts = at(PATH);
    let id = IdAt::of(Some(PATH));
    let (mut scanned, mut tried) = (0, 0);
    for b in mutated(&lines, 0x9e37_79b9_7f4a_7c15_u64, 30_000) {
        let Ok(text) = std::str::from_utf8(&b) else { continue };
        tried += 1;
        for result in [false, true] {
            let mut quick = Line::default();
            if scan::scan(text, id, result, &mut quick).is_none() {
                continue;
            }
            scanned += 1;
            let mut full = Line::default();
            let read = crate::json::parse_object_seed(
                &b,
                Read {
                    id,
                    result,
                    out: &mut full,
                },
            );
            assert!(read.is_ok(), "{read:?}: {text}");
            if result {
                assert_eq!(
                    result_of(&b, &mut quick, id, &opts),
                    result_of(&b, &mut full, id, &opts),
                    "{text}"
                );
            } else {
                assert_eq!(
                    input_of(&b, &mut quick, id, &opts),
                    input_of(&b, &mut full, id, &opts),
                    "{text}"
                );
            }
        }
    }
    assert!(tried > 20_000 && scanned > 5_000, "{tried} {scanned}");
}
