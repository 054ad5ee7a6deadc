//! Structure-aware: plausible OpenAI, Anthropic and Gemini result lines
//! (see `assay_fuzz::render`) over three attempts through the pipeline.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|job: assay_fuzz::render::Job| {
    assay_fuzz::render::check_job(&job);
});
