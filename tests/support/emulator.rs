//! `assay emulate` as a child process on 127.0.0.1, killed when dropped.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Emulator {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
}

impl Emulator {
    /// Starts `assay emulate --port 0 --seed SEED [--profile FILE]` and waits
    /// for its `listening on` line.
    pub fn start(seed: u64, profile: Option<&Path>) -> Emulator {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
        cmd.args(["emulate", "--port", "0", "--seed", &seed.to_string()]);
        if let Some(p) = profile {
            cmd.arg("--profile").arg(p);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn assay emulate");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .split("listening on http://")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or_else(|| panic!("no listening line: {line:?}"))
            .to_owned();
        Emulator { child, addr }
    }

    /// The OpenAI base URL (`http://127.0.0.1:PORT/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// A raw HTTP/1.1 GET with a bearer key; returns the whole response text.
    pub fn get(&self, path: &str, key: &str) -> String {
        let mut s = std::net::TcpStream::connect(&self.addr).expect("connect");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .expect("write");
        let mut out = String::new();
        std::io::Read::read_to_string(&mut s, &mut out).expect("read");
        out
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
