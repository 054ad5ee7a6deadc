//! Walking a request body: the top-level object to its `"requests"` key,
//! then each element of the array in order.
//!
//! Invariant: every element is handed to the callback exactly once, in
//! order, with its index and file offset; the walk stops at the first
//! structural problem or callback error and says where.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::scan::{Problem, Scan, show};
use super::{BodyError, RequestSpan};
use crate::error::json_kind;

/// Keys shown in "no requests key" messages.
const SHOWN_KEYS: usize = 8;

pub(super) fn scan_body<R: Read, E>(
    src: R,
    path: Arc<Path>,
    mut on_request: impl FnMut(RequestSpan<'_>) -> Result<(), E>,
) -> Result<u64, BodyError<E>> {
    let mut s = Scan::new(src, 0);
    let top = |p: Problem| p.placed(&path, None);
    let shape = |what: String| BodyError::Shape {
        path: Arc::clone(&path),
        what,
    };
    s.skip_bom().map_err(|e| top(e.into()))?;
    match s.peek_nonws().map_err(|e| top(e.into()))? {
        None => return Err(shape("the file is empty".into())),
        Some(b'{') => s.pos += 1,
        Some(b) => {
            return Err(shape(format!(
                "expected a JSON object with a \"requests\" array, found {}",
                json_kind(b)
            )));
        }
    }
    let mut stack = Vec::new();
    let mut key = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut count = None;
    let mut first = true;
    loop {
        let b = s.peek_nonws().map_err(|e| top(e.into()))?;
        match b {
            Some(b'}') if first => {
                s.pos += 1;
                break;
            }
            Some(b'"') => {}
            Some(b) => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    format!("expected a key string in the top-level object, found {}", show(b)),
                )));
            }
            None => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    "unexpected end of file inside the top-level object",
                )));
            }
        }
        first = false;
        let key_at = s.offset();
        key.clear();
        s.value(Some(&mut key), &mut stack).map_err(top)?;
        let name: String =
            serde_json::from_slice(&key).map_err(|e| top(Problem::syntax(key_at, format!("bad key string: {e}"))))?;
        s.expect(b':', "after a key").map_err(top)?;
        let vb = s.peek_nonws().map_err(|e| top(e.into()))?;
        if name == "requests" {
            if count.is_some() {
                return Err(shape(format!("duplicate \"requests\" key at byte {key_at}")));
            }
            match vb {
                Some(b'[') => s.pos += 1,
                Some(b) => return Err(shape(format!("\"requests\" is {}, expected an array", json_kind(b)))),
                None => {
                    return Err(top(Problem::syntax(
                        s.offset(),
                        "unexpected end of file after \"requests\":",
                    )));
                }
            }
            count = Some(scan_requests(&mut s, &path, &mut stack, &mut on_request)?);
        } else {
            if keys.len() < SHOWN_KEYS {
                keys.push(name);
            }
            if vb.is_none() {
                return Err(top(Problem::syntax(
                    s.offset(),
                    "unexpected end of file: expected a value",
                )));
            }
            s.value(None, &mut stack).map_err(top)?;
        }
        match s.peek_nonws().map_err(|e| top(e.into()))? {
            Some(b',') => s.pos += 1,
            Some(b'}') => {
                s.pos += 1;
                break;
            }
            Some(b) => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    format!("expected `,` or `}}` in the top-level object, found {}", show(b)),
                )));
            }
            None => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    "unexpected end of file inside the top-level object",
                )));
            }
        }
    }
    let Some(n) = count else {
        let listed = if keys.is_empty() {
            "it is empty".to_owned()
        } else {
            format!("keys: {}", keys.join(", "))
        };
        return Err(shape(format!(
            "the top-level object has no \"requests\" key ({listed})"
        )));
    };
    if let Some(b) = s.peek_nonws().map_err(|e| top(e.into()))? {
        return Err(top(Problem::syntax(
            s.offset(),
            format!("trailing data after the top-level object: {}", show(b)),
        )));
    }
    Ok(n)
}

/// Scans the `requests` array after its `[`; returns the element count.
fn scan_requests<R: Read, E>(
    s: &mut Scan<R>,
    path: &Arc<Path>,
    stack: &mut Vec<u8>,
    on_request: &mut impl FnMut(RequestSpan<'_>) -> Result<(), E>,
) -> Result<u64, BodyError<E>> {
    let mut elem = Vec::new();
    let mut index = 0u64;
    let at_elem = |p: Problem, index: u64, offset: u64| p.placed(path, Some((index, offset)));
    let eof_in_array = |index: u64, offset: u64| {
        Problem::syntax(offset, "unexpected end of file inside the \"requests\" array")
            .placed(path, Some((index, offset)))
    };
    let first = s.peek_nonws().map_err(|e| Problem::Io(e).placed(path, None))?;
    if first == Some(b']') {
        s.pos += 1;
        return Ok(0);
    }
    loop {
        let offset = s.offset();
        match s.peek_nonws().map_err(|e| Problem::Io(e).placed(path, None))? {
            None => return Err(eof_in_array(index, offset)),
            Some(b']') => {
                return Err(at_elem(
                    Problem::syntax(s.offset(), "trailing comma before `]`"),
                    index,
                    s.offset(),
                ));
            }
            Some(_) => {}
        }
        let offset = s.offset();
        elem.clear();
        s.value(Some(&mut elem), stack).map_err(|p| at_elem(p, index, offset))?;
        on_request(RequestSpan {
            index,
            offset,
            bytes: &elem,
        })
        .map_err(|error| BodyError::Stopped {
            path: Arc::clone(path),
            error,
        })?;
        match s.peek_nonws().map_err(|e| Problem::Io(e).placed(path, None))? {
            Some(b',') => s.pos += 1,
            Some(b']') => {
                s.pos += 1;
                return Ok(index + 1);
            }
            Some(b) => {
                return Err(at_elem(
                    Problem::syntax(
                        s.offset(),
                        format!("expected `,` or `]` after the element, found {}", show(b)),
                    ),
                    index,
                    offset,
                ));
            }
            None => return Err(eof_in_array(index, offset)),
        }
        index += 1;
    }
}
