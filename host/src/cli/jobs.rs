//! `assay jobs`: the jobs in the store, as last recorded (no provider call).

use anyhow::Result;

use super::args::Format;
use super::exit;
use super::job_args::JobsArgs;
use super::job_ctx::{fail, open_store};

pub fn run(a: JobsArgs) -> Result<i32> {
    let store = open_store(&a.state)?;
    let jobs = store.list().map_err(|e| fail(exit::INPUT, e))?;
    let text = match a.format {
        Format::Json => serde_json::to_string_pretty(&jobs)? + "\n",
        Format::Text => {
            let mut t = String::from("job  status       batch                          done/total  fetched  input\n");
            for j in &jobs {
                t.push_str(&format!(
                    "{:<4} {:<12} {:<30} {:>5}/{:<5} {:<8} {}\n",
                    j.id,
                    j.status,
                    j.batch_id.as_deref().unwrap_or("-"),
                    j.completed.unwrap_or(0) + j.failed.unwrap_or(0),
                    j.total.unwrap_or(0),
                    if j.fetched { "yes" } else { "no" },
                    j.input.display()
                ));
            }
            t
        }
    };
    super::out::emit(&text)?;
    Ok(exit::OK)
}
