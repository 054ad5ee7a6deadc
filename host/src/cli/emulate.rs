//! `assay emulate`: run the local provider emulator until killed.
//!
//! Invariant: the `listening on http://127.0.0.1:PORT` line is printed only
//! once the socket is bound and accepting, so a script may connect as soon as
//! it reads it.

use anyhow::{Context, Result};
use assay_emulate::Profile;

use super::args::EmulateArgs;
use super::eval::Exit;
use super::exit;

pub fn run(args: EmulateArgs) -> Result<i32> {
    let profile = match &args.profile {
        Some(p) => Profile::load(p).map_err(|e| Exit {
            code: exit::USAGE,
            message: e.to_string(),
        })?,
        None => Profile::default(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let running = assay_emulate::start(args.port, args.seed, profile)
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
        super::out::emit(&format!(
            "listening on http://{} (OpenAI base URL {}, Anthropic base URL http://{})\n",
            running.addr,
            running.base_url(),
            running.addr
        ))?;
        running.wait().await;
        Ok(exit::OK)
    })
}
