//! `--report FILE.html`: one self-contained page with the run's status breakdown,
//! completion against quality, per-segment metrics with their alarms, costs,
//! snapshot mix, the trend across recorded runs and a filterable table of failed rows.
//!
//! Invariant: the page loads nothing: its Content-Security-Policy is
//! `default-src 'none'`, its one `<style>` and one `<script>` are allowed by their
//! sha256 hashes (no `unsafe-inline`), charts are inline SVG, and every string
//! that came from the input, a model or a judge passes through `esc`.

mod canary;
mod sections;
pub mod svg;
mod trend;

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::ReportError;
use super::failed::FailedRows;
use super::summary::Summary;
use super::trend::Trend;

const STYLE: &str = "\
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}\
h3{font-size:14px;margin:14px 0 4px}\
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.chart text{font:11px system-ui,sans-serif;fill:#333}\
.alarm{color:#b3261e}.ok{color:#2e7d32}.bad{color:#b3261e;font-weight:600}\
.legend span{display:inline-block;margin-right:12px}.sw{display:inline-block;width:10px;height:10px;margin-right:4px}\
.filters{margin:8px 0}.filters input{width:280px}\
";

const SCRIPT: &str = "\
(function(){\
var q=document.getElementById('q'),st=document.getElementById('st'),n=document.getElementById('shown');\
var rows=document.querySelectorAll('#failed tbody tr');\
function apply(){var t=q.value.toLowerCase(),s=st.value,c=0;\
for(var i=0;i<rows.length;i++){var r=rows[i];\
var ok=(!s||r.getAttribute('data-status')===s)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);\
r.hidden=!ok;if(ok){c++;}}n.textContent=String(c);}\
if(q&&st&&n){q.addEventListener('input',apply);st.addEventListener('change',apply);apply();}\
document.body.setAttribute('data-script','ran');\
})();";

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The Content-Security-Policy of the page: nothing from anywhere, the page's own
/// style and script by hash.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
        sha256_source(STYLE),
        sha256_source(SCRIPT)
    )
}

/// The whole page; `trend` is the run history's trend, or why there is none.
pub fn render(s: &Summary, failed: &FailedRows, trend: Result<&Trend, &str>) -> String {
    let mut body = String::new();
    sections::header(&mut body, s);
    sections::statuses(&mut body, s);
    sections::quality(&mut body, s);
    if let Some(c) = &s.canary {
        canary::section(&mut body, c);
    }
    sections::judges(&mut body, s);
    sections::segments(&mut body, s);
    sections::costs(&mut body, s);
    sections::snapshots(&mut body, s);
    trend::section(&mut body, trend);
    if let Some(c) = &s.clusters {
        super::clusters::render_html(&mut body, c);
    }
    if let Some(j) = &s.fix_notes {
        super::notes::render_job_notes(&mut body, j);
    }
    sections::failed_rows(&mut body, failed);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>assay report: {}</title><style>{STYLE}</style></head>\n<body>{body}<script>{SCRIPT}</script></body></html>\n",
        content_security_policy(),
        esc(&s.input)
    )
}

/// Writes the page to `path`.
pub fn write(s: &Summary, failed: &FailedRows, trend: Result<&Trend, &str>, path: &Path) -> Result<(), ReportError> {
    std::fs::write(path, render(s, failed, trend)).map_err(|source| ReportError::Write {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests;
