//! A rehearsal: `assay emulate` with a profile, a private job store, inputs
//! written into a temporary directory, and the environment that points assay
//! at them (OpenAI or Azure OpenAI style).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use super::emulator::Emulator;

/// The key every rehearsal uses; tests assert it is never printed or stored.
pub const KEY: &str = "sk-rehearsal-key-5e0d81c3aa";

pub struct Rehearsal {
    pub emu: Emulator,
    pub dir: tempfile::TempDir,
    /// Azure OpenAI environment (`AZURE_OPENAI_*`, `OPENAI_API_VERSION`)
    /// instead of OpenAI's.
    pub azure: bool,
}

impl Rehearsal {
    pub fn new(profile: &str) -> Rehearsal {
        Rehearsal::start(profile, false)
    }

    pub fn azure(profile: &str) -> Rehearsal {
        Rehearsal::start(profile, true)
    }

    fn start(profile: &str, azure: bool) -> Rehearsal {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("profile.toml");
        std::fs::write(&p, profile).unwrap();
        let emu = Emulator::start(11, Some(&p));
        Rehearsal { emu, dir, azure }
    }

    /// Writes `n` request lines for `url` (bodies carry `metadata.reference`
    /// = `answer i`, which the emulator answers with); returns the path.
    pub fn input(&self, name: &str, n: usize, url: &str, model: &str) -> PathBuf {
        let mut text = String::new();
        for i in 0..n {
            let body = if url.ends_with("responses") {
                serde_json::json!({"model": model, "input": format!("q{i}"), "metadata": {"reference": format!("answer {i}")}})
            } else if url.ends_with("embeddings") {
                serde_json::json!({"model": model, "input": format!("q{i}")})
            } else {
                serde_json::json!({"model": model, "messages": [{"role": "user", "content": format!("q{i}")}],
                    "metadata": {"reference": format!("answer {i}")}})
            };
            let line = serde_json::json!({"custom_id": format!("r{i}"), "method": "POST", "url": url, "body": body});
            text.push_str(&line.to_string());
            text.push('\n');
        }
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn job_dir(&self, job: &str) -> PathBuf {
        self.state_dir().join("jobs").join(job)
    }

    pub fn env(&self) -> Vec<(String, String)> {
        let state = self.state_dir().join("state.db").display().to_string();
        if self.azure {
            vec![
                ("AZURE_OPENAI_API_KEY".into(), KEY.into()),
                ("AZURE_OPENAI_ENDPOINT".into(), format!("http://{}", self.emu.addr)),
                ("OPENAI_API_VERSION".into(), "2024-10-21".into()),
                ("ASSAY_STATE".into(), state),
            ]
        } else {
            vec![
                ("OPENAI_API_KEY".into(), KEY.into()),
                ("OPENAI_BASE_URL".into(), self.emu.base_url()),
                ("ASSAY_STATE".into(), state),
            ]
        }
    }

    /// `assay ARGS` in the rehearsal's directory and environment, with the
    /// built-in judges on the search path.
    pub fn command(&self, args: &[&str]) -> Command {
        super::builtin_judges();
        let mut c = Command::new(env!("CARGO_BIN_EXE_assay"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("ASSAY_CACHE_DIR", super::root().join("target").join("test-cache"))
            .env_remove("ASSAY_POLICY")
            .env_remove("OPENAI_API_KEY")
            .env_remove("OPENAI_BASE_URL")
            .env_remove("AZURE_OPENAI_API_KEY")
            .env_remove("AZURE_OPENAI_ENDPOINT")
            .env_remove("OPENAI_API_VERSION")
            .envs(self.env());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Starts `assay ARGS` without waiting, output discarded.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Runs `assay ARGS`, asserts exit 0, and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(0), "assay {args:?}: {}", super::stderr(&o));
        no_key(&o);
        super::stdout(&o)
    }

    /// Submits `input` and returns the job id (the last stdout line).
    pub fn submit(&self, provider: &str, input: &Path) -> String {
        let out = self.ok(&["submit", "--provider", provider, "--input", input.to_str().unwrap()]);
        out.lines().last().unwrap().to_owned()
    }

    /// Every file under the state directory, the database included.
    pub fn state_bytes(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(d: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            let Ok(rd) = std::fs::read_dir(d) else { return };
            for e in rd {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.state_dir(), &mut out);
        out
    }

    /// Asserts the key is in no file under the state directory.
    pub fn key_stored_nowhere(&self) {
        for (p, bytes) in self.state_bytes() {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(KEY),
                "the key is in {}",
                p.display()
            );
        }
    }
}

/// Asserts the key is in neither stdout nor stderr.
pub fn no_key(o: &Output) {
    let all = format!("{}{}", super::stdout(o), super::stderr(o));
    assert!(!all.contains(KEY), "the key leaked: {all}");
}
