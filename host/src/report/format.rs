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

/// A Unix time in milliseconds as a UTC date and time: `2026-12-01 09:47:12Z`.
pub fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests;
