//! Number formats shared by every human-facing view (terminal and HTML).
//!
//! Invariant: one format per kind of number: shares as percentages with two
//! decimals, money with `$` and a fixed precision, counts as integers.

/// A fraction as a percentage: `0.5` → `50.00%`.
pub fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// Money in US dollars, always to the millionth (per-row costs of cheap models
/// stay visible, totals line up).
pub fn usd(v: f64) -> String {
    // -0.0 (an empty float sum) prints as $0.000000, not $-0.000000.
    format!("${:.6}", v + 0.0)
}

/// A judge metric by its name's suffix: `_usd` is money, `_rate` a share.
pub fn metric(name: &str, v: f64) -> String {
    if name.ends_with("_usd") {
        usd(v)
    } else if name.ends_with("_rate") {
        pct(v)
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.4}")
    }
}

#[cfg(test)]
mod tests;
