//! `hostile-net`: a judge whose component imports `wasi:sockets/*` (through std's
//! `TcpStream`), an import the host never grants. Host tests use it to prove that
//! such a component is refused (or, if ever linked, cannot reach the network).

use assay_judge_sdk::prelude::*;

/// The judge instance.
pub struct HostileNet;

impl Judge for HostileNet {
    fn describe() -> Descriptor {
        Descriptor::new("hostile-net", "0.1.0", "Tries to open a TCP connection while scoring").quality()
    }

    fn init(_config: Config) -> Result<Self, JudgeError> {
        Ok(HostileNet)
    }

    fn score(&mut self, _row: &Row) -> Result<Verdict, JudgeError> {
        match std::net::TcpStream::connect("127.0.0.1:9") {
            Ok(_) => Ok(Verdict::fail("connected", Some("TCP connect succeeded".into()))),
            Err(e) => Ok(Verdict::pass(1.0).with_details(format!("connect failed: {e}"))),
        }
    }
}

assay_judge_sdk::export_judge!(HostileNet);
