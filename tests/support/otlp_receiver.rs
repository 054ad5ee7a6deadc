//! A loopback OTLP/HTTP receiver for the trace tests: it keeps the raw body
//! of every request (to check that redacted values never arrive) and answers
//! 200 with an empty protobuf response, as a collector does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

/// (path, body) of every request received, in arrival order.
pub type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

pub struct Receiver {
    /// The base URL to give `--otlp-endpoint`.
    pub url: String,
    /// (path, body) of every request, in arrival order.
    pub requests: Seen,
}

impl Receiver {
    pub fn start() -> Receiver {
        Receiver::start_with_delay(std::time::Duration::ZERO)
    }

    /// A receiver that answers each request only after `delay`.
    pub fn start_with_delay(delay: std::time::Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || serve(conn, seen, delay));
            }
        });
        Receiver { url, requests }
    }

    /// Every raw body received, concatenated.
    pub fn raw(&self) -> Vec<u8> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .flat_map(|(_, b)| b.clone())
            .collect()
    }

    /// Every request decoded, with the resource attributes of each span's batch.
    pub fn spans(&self) -> Vec<(Vec<(String, String)>, Span)> {
        let mut out = Vec::new();
        for (path, body) in self.requests.lock().unwrap().iter() {
            assert_eq!(path, "/v1/traces");
            let req = ExportTraceServiceRequest::decode(&body[..]).expect("an OTLP protobuf request");
            for rs in req.resource_spans {
                let resource: Vec<(String, String)> = rs
                    .resource
                    .map(|r| {
                        r.attributes
                            .iter()
                            .map(|kv| (kv.key.clone(), value_text(kv.value.as_ref())))
                            .collect()
                    })
                    .unwrap_or_default();
                for ss in rs.scope_spans {
                    for s in ss.spans {
                        out.push((resource.clone(), s));
                    }
                }
            }
        }
        out
    }
}

/// An attribute value as text (strings bare, numbers and booleans printed).
pub fn value_text(v: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> String {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    match v.and_then(|v| v.value.as_ref()) {
        Some(Value::StringValue(s)) => s.clone(),
        Some(Value::IntValue(i)) => i.to_string(),
        Some(Value::DoubleValue(d)) => d.to_string(),
        Some(Value::BoolValue(b)) => b.to_string(),
        other => format!("{other:?}"),
    }
}

/// The value of attribute `key` in `attrs`, as text.
pub fn attr(attrs: &[opentelemetry_proto::tonic::common::v1::KeyValue], key: &str) -> Option<String> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .map(|kv| value_text(kv.value.as_ref()))
}

fn serve(conn: TcpStream, seen: Seen, delay: std::time::Duration) {
    let mut out = conn.try_clone().expect("clone");
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut len = 0usize;
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        std::thread::sleep(delay);
        seen.lock().unwrap().push((path, body));
        let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}
