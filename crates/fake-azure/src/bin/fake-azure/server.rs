//! A minimal HTTP/1.1 server over std (a thread per connection from a capped pool, keep-alive,
//! Content-Length bodies). Hand-written rather than a crate because a dropped request must close
//! the socket with no answer at all: `tiny_http` 0.12, the small threaded server, answers 500 to a
//! request dropped unanswered, and after `into_writer` keeps the socket open for the next
//! request, so the client would see a hang instead of a closed connection.
//!
//! The fake's time is the wall clock plus what a test moved it on by (`--witness`:
//! `POST /_witness/clock/advance?ms=N`), so a test that needs a token to expire or a revocation to
//! pass moves the fake's clock instead of sleeping.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_azure::{FakeAzure, Faults};
use http::{Method, Request, Response, StatusCode};
use serde_json::json;

use crate::cors::{self, Cors};
use crate::pool::Pool;
use crate::witness;

const MAX_HEADER_BYTES: usize = 64 * 1024;
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// A kept-alive connection with no request for this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// How often an idle connection looks whether others wait for its thread.
const IDLE_POLL: Duration = Duration::from_millis(250);
/// A failed `accept` (out of file descriptors, say) is retried after this, not in a busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What every connection thread shares.
pub struct Shared {
    pub azure: Mutex<FakeAzure>,
    pub cors: Cors,
    pub quiet: bool,
    /// `--witness`: the test-only routes are served, and these faults (the command line's) are
    /// what `/_witness/storm` restores. `None`: those paths are ARM's like any other.
    pub witness: Option<Faults>,
}

pub fn run(listener: TcpListener, shared: Arc<Shared>) {
    let pool = Pool::new(move |stream, pool| connection(stream, &shared, pool));
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => pool.admit(stream),
            Err(e) => {
                eprintln!("fake-azure: accept failed: {e}");
                std::thread::sleep(ACCEPT_BACKOFF);
            }
        }
    }
}

/// The test-only route that moves the fake's clock on (served with `--witness` only).
pub const CLOCK_ADVANCE: &str = "/_witness/clock/advance";

/// How far tests moved the fake's clock on, in ms. One per process, as the process serves one
/// fake tenant; it only ever grows, as time does.
static ADVANCED_MS: AtomicU64 = AtomicU64::new(0);

/// The fake's time: the wall clock, plus what tests moved it on by.
fn now_ms() -> u64 {
    let wall = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    wall.saturating_add(ADVANCED_MS.load(Ordering::SeqCst))
}

/// `POST /_witness/clock/advance?ms=N`: moves the fake's clock on by N ms (tokens expire, a
/// revocation passes, an operation ends, a throttle lifts as if that time had passed) and answers
/// `{"advancedMs": total so far, "nowMs": the fake's time now}`.
fn advance_clock(request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if request.method() != Method::POST {
        return json_answer(StatusCode::METHOD_NOT_ALLOWED, &json!({ "error": "POST /_witness/clock/advance?ms=N" }));
    }
    let ms = request.uri().query().unwrap_or_default().split('&').find_map(|pair| pair.strip_prefix("ms="));
    let Some(ms) = ms.and_then(|ms| ms.parse::<u64>().ok()) else {
        return json_answer(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "give how far to move the clock on as ?ms=N (a whole number of milliseconds)" }),
        );
    };
    let total = ADVANCED_MS.fetch_add(ms, Ordering::SeqCst).saturating_add(ms);
    json_answer(StatusCode::OK, &json!({ "advancedMs": total, "nowMs": now_ms() }))
}

fn json_answer(status: StatusCode, value: &serde_json::Value) -> Response<Vec<u8>> {
    let mut response = Response::new(value.to_string().into_bytes());
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", http::HeaderValue::from_static("application/json"));
    response
}

/// Serves one connection until the client closes it, asks to, a request is dropped, or it
/// idles while other connections wait for a thread.
fn connection(stream: TcpStream, shared: &Shared, pool: &Pool) {
    let _ = stream.set_nodelay(true);
    let local = stream.local_addr().ok();
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    let mut answered = 0;
    while next_request_arrives(&reader, pool, answered > 0) {
        answered += 1;
        let _ = writer.set_read_timeout(Some(IDLE_TIMEOUT));
        let request = match read_request(&mut reader, &mut writer, local) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e) => {
                let _ = write_response(&mut writer, &plain(400, &format!("bad request: {e}")), false);
                return;
            }
        };
        let keep_alive = !header_is(&request, "connection", "close");
        // The whole target: tests read the query of some requests (the logout's hint) in this log.
        let target = request.uri().path_and_query().map_or_else(|| request.uri().path(), |t| t.as_str());
        let line = format!("{} {target}", request.method());
        if let Some(preflight) = shared.cors.preflight(&request) {
            log(shared, &line, "preflight", 0);
            if write_response(&mut writer, &preflight, keep_alive).is_err() || !keep_alive {
                return;
            }
            continue;
        }
        let origin = cors::origin(&request).map(str::to_string);
        let (reply, answer_lost) = {
            // A panic in one request must not wedge every later one.
            let mut azure = shared.azure.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match &shared.witness {
                Some(_) if request.uri().path() == CLOCK_ADVANCE => {
                    (fake_azure::Reply { response: Some(advance_clock(&request)), delay_ms: 0 }, false)
                }
                Some(storm) if request.uri().path().starts_with(witness::PREFIX) => {
                    let response = witness::answer(&mut azure, storm, &request, now_ms());
                    (fake_azure::Reply { response: Some(response), delay_ms: 0 }, false)
                }
                _ => {
                    let lost_before = azure.injected().lost_answers;
                    let reply = azure.handle(request, now_ms());
                    (reply, azure.injected().lost_answers > lost_before)
                }
            }
        };
        let held_since = Instant::now();
        if !hold(&writer, Duration::from_millis(reply.delay_ms)) {
            // The client gave up (a timeout, a page left): nobody to answer. Logged, so that a
            // test sees the request reached the fake, was carried out and never answered.
            log(shared, &line, "abandoned", held_since.elapsed().as_millis() as u64);
            return;
        }
        let Some(mut response) = reply.response else {
            // A dropped request: no status line, no headers, just a closed connection. "lost":
            // carried out (a write applied), only its answer never sent.
            log(shared, &line, if answer_lost { "lost" } else { "dropped" }, reply.delay_ms);
            let _ = writer.shutdown(Shutdown::Both);
            return;
        };
        shared.cors.decorate(origin.as_deref(), &mut response);
        log(shared, &line, response.status().as_str(), reply.delay_ms);
        if write_response(&mut writer, &response, keep_alive).is_err() || !keep_alive {
            return;
        }
    }
}

fn timed_out(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Waits for the first bytes of the next request. False when the client closed the connection,
/// or it stayed idle `IDLE_TIMEOUT`, or it is a kept-alive connection idle while accepted
/// connections wait for a thread: either side may close an idle connection at any time (RFC 9112
/// section 9.5), and a client reopens it, while a waiting connection has no other way to be
/// served. A new connection is never closed so: its client is about to send its first request.
fn next_request_arrives(reader: &BufReader<TcpStream>, pool: &Pool, kept_alive: bool) -> bool {
    if !reader.buffer().is_empty() {
        return true;
    }
    let stream = reader.get_ref();
    let _ = stream.set_read_timeout(Some(IDLE_POLL));
    let idle_since = Instant::now();
    loop {
        match stream.peek(&mut [0; 1]) {
            Ok(n) => return n > 0,
            Err(e) if timed_out(&e) => {
                if idle_since.elapsed() >= IDLE_TIMEOUT || (kept_alive && pool.others_wait()) {
                    return false;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// Holds the answer for `delay` (latency, a hang). False when the client closed the connection
/// meanwhile, which frees this thread at once rather than after the whole delay.
fn hold(stream: &TcpStream, delay: Duration) -> bool {
    let deadline = Instant::now() + delay;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.peek(&mut [0; 1]) {
            Ok(0) => return false,
            // Bytes of a next request (pipelined): they wait for this answer.
            Ok(_) => {
                std::thread::sleep(left);
                return true;
            }
            Err(e) if timed_out(&e) || e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn log(shared: &Shared, line: &str, outcome: &str, delay_ms: u64) {
    if !shared.quiet {
        eprintln!("{line} -> {outcome} ({delay_ms} ms)");
    }
}

fn header_is(request: &Request<Vec<u8>>, name: &str, value: &str) -> bool {
    request.headers().get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case(value))
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

/// Reads one request; `Ok(None)` at a clean end of the connection. The URI is made absolute
/// (`http://{Host}{target}`) because the fake builds `nextLink`s from it.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
    local: Option<SocketAddr>,
) -> io::Result<Option<Request<Vec<u8>>>> {
    let mut head = Vec::new();
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let n = reader
            .by_ref()
            .take((MAX_HEADER_BYTES - head.len().min(MAX_HEADER_BYTES)) as u64 + 1)
            .read_line(&mut line)?;
        if n == 0 {
            return if lines.is_empty() { Ok(None) } else { Err(invalid("connection closed inside the headers")) };
        }
        head.extend_from_slice(line.as_bytes());
        if head.len() > MAX_HEADER_BYTES {
            return Err(invalid("headers too large"));
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            if lines.is_empty() {
                continue; // Tolerate blank lines between requests (RFC 9112 section 2.2).
            }
            break;
        }
        lines.push(line);
    }
    let mut parts = lines[0].split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(invalid(format!("malformed request line '{}'", lines[0])));
    };
    let mut builder = Request::builder().method(method);
    let mut host = local.map(|a| a.to_string()).unwrap_or_else(|| "127.0.0.1".into());
    let (mut length, mut expect_continue) = (0usize, false);
    for line in &lines[1..] {
        let (name, value) = line.split_once(':').ok_or_else(|| invalid(format!("malformed header '{line}'")))?;
        let (name, value) = (name.trim(), value.trim());
        match name.to_ascii_lowercase().as_str() {
            "host" => host = value.to_string(),
            "content-length" => length = value.parse().map_err(|_| invalid("bad Content-Length"))?,
            "transfer-encoding" => {
                return Err(invalid("chunked request bodies are not supported; send Content-Length"))
            }
            "expect" => expect_continue = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
        builder = builder.header(name, value);
    }
    if length > MAX_BODY_BYTES {
        return Err(invalid("body too large"));
    }
    if expect_continue {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let uri = if target.starts_with('/') { format!("http://{host}{target}") } else { target.to_string() };
    builder.uri(uri).body(body).map(Some).map_err(|e| invalid(e.to_string()))
}

fn write_response(writer: &mut TcpStream, response: &Response<Vec<u8>>, keep_alive: bool) -> io::Result<()> {
    let status = response.status();
    let mut out = format!("HTTP/1.1 {} {}\r\n", status.as_str(), status.canonical_reason().unwrap_or(""));
    for (name, value) in response.headers() {
        out.push_str(&format!("{}: {}\r\n", name, String::from_utf8_lossy(value.as_bytes())));
    }
    // 204 and 304 carry neither a body nor a length.
    let bodiless = status == 204 || status == 304;
    if !bodiless {
        out.push_str(&format!("content-length: {}\r\n", response.body().len()));
    }
    out.push_str(if keep_alive { "connection: keep-alive\r\n\r\n" } else { "connection: close\r\n\r\n" });
    writer.write_all(out.as_bytes())?;
    if !bodiless {
        writer.write_all(response.body())?;
    }
    writer.flush()
}

fn plain(status: u16, text: &str) -> Response<Vec<u8>> {
    let mut response = Response::new(text.as_bytes().to_vec());
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::BAD_REQUEST);
    response.headers_mut().insert("content-type", http::HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str =
        r#"{"subscriptions":[{"subscription":{"subscriptionId":"s1","displayName":"Prod","state":"Enabled"}}]}"#;

    fn clock(method: &str, target: &str) -> (u16, serde_json::Value) {
        let request = Request::builder().method(method).uri(format!("http://127.0.0.1:1{target}")).body(Vec::new());
        let response = advance_clock(&request.unwrap());
        (response.status().as_u16(), serde_json::from_slice(response.body()).unwrap())
    }

    fn arm_get(azure: &mut FakeAzure, token: &str) -> (u16, String) {
        let request = Request::get("http://127.0.0.1:1/subscriptions/s1?api-version=2022-12-01")
            .header("authorization", format!("Bearer {token}"));
        let response = azure.handle(request.body(Vec::new()).unwrap(), now_ms()).response.unwrap();
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        (response.status().as_u16(), body["error"]["code"].as_str().unwrap_or_default().to_string())
    }

    #[test]
    fn the_clock_moves_on_as_asked_and_an_hour_later_the_token_has_expired() {
        let mut azure = FakeAzure::from_scenario_json(SCENARIO, fake_azure::Options::default()).unwrap();
        let issued = now_ms();
        let token = azure.mint_access_token(None, issued);
        assert_eq!(arm_get(&mut azure, &token).0, 200);

        let (status, answer) = clock("POST", "/_witness/clock/advance?ms=3600000");
        assert_eq!(status, 200, "{answer}");
        assert!(answer["advancedMs"].as_u64().unwrap() >= 3_600_000, "{answer}");
        assert!(answer["nowMs"].as_u64().unwrap() >= issued + 3_600_000, "{answer}");
        assert_eq!(arm_get(&mut azure, &token), (401, "ExpiredAuthenticationToken".to_string()));

        // Only a POST with a whole number of milliseconds moves it.
        assert_eq!(clock("GET", "/_witness/clock/advance?ms=1").0, 405);
        assert_eq!(clock("POST", "/_witness/clock/advance").0, 400);
        assert_eq!(clock("POST", "/_witness/clock/advance?ms=-5").0, 400);
        assert_eq!(clock("POST", "/_witness/clock/advance?ms=1.5").0, 400);
    }
}
