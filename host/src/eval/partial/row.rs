//! One owned row as a partial's line: a JSON array
//! `[index, id, status, error_kind, flags, attempt, model, snapshot, seen,
//! usage, retry_usage, error_code, error_message, cell...]`, usage as
//! `[input, output, cached_input, cache_write, reasoning]` (`0` when all
//! zero), a cell as `0` (unscored), `3` (judge error), `16 + k` (host
//! failure of kind k) or `[1 passed | 2 failed, score, label]`.
//!
//! Invariant: `decode(encode(row))` is the row, bit for bit (scores are
//! written in the shortest form that reads back as the same f64).

use assay_batch::{ErrorKind, Flags, SettledRow, Status, Usage};
use serde_json::{Value, json};

use crate::judge::FailureKind;
use crate::sink::CellView;

/// A decoded cell, owning its label.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Unscored,
    Verdict {
        passed: bool,
        score: Option<f64>,
        label: Option<String>,
    },
    JudgeError,
    Failed(FailureKind),
}

impl Cell {
    pub fn view(&self) -> CellView<'_> {
        match self {
            Cell::Unscored => CellView::Unscored,
            Cell::Verdict { passed, score, label } => CellView::Verdict {
                passed: *passed,
                score: *score,
                label: label.as_deref(),
            },
            Cell::JudgeError => CellView::JudgeError,
            Cell::Failed(k) => CellView::Failed(*k),
        }
    }
}

/// A decoded row line.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub idx: u32,
    pub id: String,
    pub settled: SettledRow,
    pub code: Option<String>,
    pub message: Option<String>,
    pub cells: Vec<Cell>,
}

fn usage(u: &Usage) -> Value {
    match *u == Usage::default() {
        true => json!(0),
        false => json!([u.input, u.output, u.cached_input, u.cache_write, u.reasoning]),
    }
}

fn cell(c: CellView<'_>) -> Value {
    match c {
        CellView::Unscored => json!(0),
        CellView::JudgeError => json!(3),
        CellView::Failed(k) => json!(16 + FailureKind::ALL.iter().position(|x| *x == k).unwrap_or(0)),
        CellView::Verdict { passed, score, label } => json!([if passed { 1 } else { 2 }, score, label]),
    }
}

/// Row `idx`'s line.
pub fn encode<'a>(
    idx: u32,
    id: &str,
    s: &SettledRow,
    error: (Option<&str>, Option<&str>),
    cells: impl Iterator<Item = CellView<'a>>,
) -> String {
    let seen = u8::from(s.other_attempt) | (u8::from(s.earlier_completed) << 1);
    let kind = s.kind.and_then(|k| ErrorKind::ALL.iter().position(|x| *x == k));
    let mut v = vec![
        json!(idx),
        json!(id),
        json!(s.status.index()),
        json!(kind),
        json!(s.flags.0),
        json!(s.attempt),
        json!(s.model),
        json!(s.snapshot),
        json!(seen),
        usage(&s.usage),
        usage(&s.retry_usage),
        json!(error.0),
        json!(error.1),
    ];
    v.extend(cells.map(cell));
    Value::Array(v).to_string()
}

fn int<T: TryFrom<u64>>(v: &Value, what: &str) -> Result<T, String> {
    v.as_u64()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("{what}: expected a small whole number, found {v}"))
}

fn text(v: &Value, what: &str) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(format!("{what}: expected a string or null, found {v}")),
    }
}

fn decode_usage(v: &Value, what: &str) -> Result<Usage, String> {
    if v.as_u64() == Some(0) {
        return Ok(Usage::default());
    }
    match v.as_array().map(Vec::as_slice) {
        Some([a, b, c, d, e]) => Ok(Usage {
            input: int(a, what)?,
            output: int(b, what)?,
            cached_input: int(c, what)?,
            cache_write: int(d, what)?,
            reasoning: int(e, what)?,
        }),
        _ => Err(format!("{what}: expected 0 or five counts, found {v}")),
    }
}

fn decode_cell(v: &Value) -> Result<Cell, String> {
    if let Some(k) = v.as_u64() {
        return match k {
            0 => Ok(Cell::Unscored),
            3 => Ok(Cell::JudgeError),
            k if k >= 16 => FailureKind::ALL
                .get((k - 16) as usize)
                .map(|f| Cell::Failed(*f))
                .ok_or_else(|| format!("cell: unknown failure kind {k}")),
            k => Err(format!("cell: unknown kind {k}")),
        };
    }
    match v.as_array().map(Vec::as_slice) {
        Some([kind, score, label]) => {
            let passed = match kind.as_u64() {
                Some(1) => true,
                Some(2) => false,
                _ => return Err(format!("cell: unknown verdict kind {kind}")),
            };
            let score = match score {
                Value::Null => None,
                s => Some(s.as_f64().ok_or_else(|| format!("cell: score {s} is not a number"))?),
            };
            Ok(Cell::Verdict {
                passed,
                score,
                label: text(label, "cell label")?,
            })
        }
        _ => Err(format!("cell: expected a kind or [kind, score, label], found {v}")),
    }
}

/// Fields before the cells.
const FIXED: usize = 13;

/// Decodes a row line with `scorers` cells.
pub fn decode(v: &Value, scorers: usize) -> Result<Row, String> {
    let Some(a) = v.as_array() else {
        return Err("a row line must be a JSON array".into());
    };
    if a.len() != FIXED + scorers {
        return Err(format!("a row has {} fields; expected {}", a.len(), FIXED + scorers));
    }
    let status: usize = int(&a[2], "status")?;
    let kind = match &a[3] {
        Value::Null => None,
        k => Some(
            *ErrorKind::ALL
                .get(int::<usize>(k, "error kind")?)
                .ok_or_else(|| format!("unknown error kind {k}"))?,
        ),
    };
    let seen: u8 = int(&a[8], "seen")?;
    let settled = SettledRow {
        status: Status::from_index(status).ok_or_else(|| format!("unknown status {status}"))?,
        kind,
        flags: Flags::from_bits(int(&a[4], "flags")?).ok_or_else(|| format!("unknown flags {}", a[4]))?,
        attempt: int(&a[5], "attempt")?,
        model: int(&a[6], "model")?,
        snapshot: int(&a[7], "snapshot")?,
        usage: decode_usage(&a[9], "usage")?,
        retry_usage: decode_usage(&a[10], "retry usage")?,
        other_attempt: seen & 1 != 0,
        earlier_completed: seen & 2 != 0,
    };
    Ok(Row {
        idx: int(&a[0], "row index")?,
        id: text(&a[1], "id")?.ok_or("id: missing")?,
        settled,
        code: text(&a[11], "error code")?,
        message: text(&a[12], "error message")?,
        cells: a[FIXED..].iter().map(decode_cell).collect::<Result<_, _>>()?,
    })
}
