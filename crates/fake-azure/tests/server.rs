//! The real `fake-azure` binary on a free loopback port, driven by a raw HTTP/1.1 client: the
//! issue's done-when script (sign in with PKCE, page subscriptions, PUT and read back, 403 on a
//! read-only subscription, CORS refused for another origin), plus dropped connections, the
//! loopback-only rule and the generator command.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{READER_SUB, SUB};
use fake_azure::pkce_challenge;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_fake-azure");
const APP: &str = "http://127.0.0.1:8080";
const VERIFIER: &str = "server-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    address: String,
    scenario: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.scenario);
    }
}

fn scenario_file() -> std::path::PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "fake-azure-test-{}-{}.json",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, common::tenant().to_string()).unwrap();
    path
}

/// Starts the binary on port 0 and waits for its "listening" line.
fn start(extra: &[&str]) -> Server {
    let scenario = scenario_file();
    let mut child = Command::new(BIN)
        .args(["--scenario", scenario.to_str().unwrap(), "--listen", "127.0.0.1:0", "--app-origin", APP, "--quiet"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the fake-azure binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line
        .trim()
        .strip_prefix("fake-azure listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    assert!(!address.ends_with(":0"), "the real port is printed");
    Server { child, address, scenario }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// One request on a fresh connection; `None` when the server closed it without answering.
fn raw(server: &Server, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<Answer> {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        server.address,
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    if bytes.is_empty() {
        return None;
    }
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers =
        lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect();
    Some(Answer { status, headers, body: bytes[split + 4..].to_vec() })
}

fn call(server: &Server, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    raw(server, method, target, headers, body).expect("an answer")
}

/// The path and query of an absolute link the server wrote.
fn target_of(server: &Server, link: &str) -> String {
    link.strip_prefix(&format!("http://{}", server.address))
        .unwrap_or_else(|| panic!("{link} is not on the server"))
        .to_string()
}

fn sign_in(server: &Server) -> String {
    let challenge = pkce_challenge(VERIFIER);
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", "app-client"),
            ("response_type", "code"),
            ("redirect_uri", "http://127.0.0.1:8080/"),
            ("scope", "https://management.azure.com/user_impersonation openid profile offline_access"),
            ("state", "s1"),
            ("nonce", "n1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    let authorize = call(server, "GET", &format!("/organizations/oauth2/v2.0/authorize?{query}"), &[], b"");
    assert_eq!(authorize.status, 302);
    let location = url::Url::parse(authorize.header("location").unwrap()).unwrap();
    let code = location.query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", "app-client"),
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", "http://127.0.0.1:8080/"),
            ("code_verifier", VERIFIER),
            ("scope", "https://management.azure.com/user_impersonation openid profile offline_access"),
        ])
        .finish();
    let headers = [("Origin", APP), ("Content-Type", "application/x-www-form-urlencoded")];
    let token = call(server, "POST", "/organizations/oauth2/v2.0/token", &headers, form.as_bytes());
    assert_eq!(token.status, 200, "{}", String::from_utf8_lossy(&token.body));
    assert_eq!(token.header("access-control-allow-origin"), Some(APP));
    token.json()["access_token"].as_str().unwrap().to_string()
}

#[test]
fn done_when_script_against_the_real_binary() {
    let server = start(&["--auto-approve", "--page-size", "1"]);
    let token = sign_in(&server);
    let bearer = format!("Bearer {token}");
    let auth = [("Authorization", bearer.as_str()), ("Origin", APP)];

    // Subscriptions across pages, following absolute nextLinks.
    let (mut names, mut next, mut pages) = (Vec::new(), Some("/subscriptions?api-version=2022-12-01".to_string()), 0);
    while let Some(target) = next {
        let page = call(&server, "GET", &target, &auth, b"");
        assert_eq!(page.status, 200);
        let exposed = page.header("access-control-expose-headers").unwrap();
        assert!(exposed.contains("Retry-After") && exposed.contains("x-ms-correlation-request-id"), "{exposed}");
        let page = page.json();
        names.extend(page["value"].as_array().unwrap().iter().map(|s| s["displayName"].as_str().unwrap().to_string()));
        next = page["nextLink"].as_str().map(|link| target_of(&server, link));
        pages += 1;
    }
    assert_eq!((names, pages), (vec!["Prod".to_string(), "Read only".to_string()], 2));

    // PUT a setting and read it back changed.
    let setting = format!("/subscriptions/{SUB}/providers/Microsoft.Security/settings/WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW?api-version=2022-05-01");
    let put_body = json!({"kind": "DataExportSettings", "properties": {"enabled": false}}).to_string();
    let put_headers = [("Authorization", bearer.as_str()), ("Origin", APP), ("Content-Type", "application/json")];
    assert_eq!(call(&server, "PUT", &setting, &put_headers, put_body.as_bytes()).status, 200);
    assert_eq!(call(&server, "GET", &setting, &auth, b"").json()["properties"]["enabled"], false);

    // 403 on the read-only subscription.
    let readonly =
        format!("/subscriptions/{READER_SUB}/providers/Microsoft.Security/settings/WDATP?api-version=2022-05-01");
    let refused = call(&server, "PUT", &readonly, &put_headers, put_body.as_bytes());
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["error"]["code"], "AuthorizationFailed");

    // CORS: the app's preflight is allowed, another origin's is not.
    let preflight = |origin: &str| {
        call(
            &server,
            "OPTIONS",
            &setting,
            &[
                ("Origin", origin),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "authorization,content-type"),
            ],
            b"",
        )
    };
    let allowed = preflight(APP);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(APP));
    assert!(allowed.header("access-control-allow-headers").unwrap().contains("Authorization"));
    let refused = preflight("http://evil.example");
    assert!(refused.header("access-control-allow-origin").is_none(), "another origin gets no ACAO");
    let other_origin_get =
        call(&server, "GET", &setting, &[("Authorization", bearer.as_str()), ("Origin", "http://evil.example")], b"");
    assert!(other_origin_get.header("access-control-allow-origin").is_none());

    // Without a token ARM says 401 with its challenge.
    let anonymous = call(&server, "GET", "/subscriptions?api-version=2022-12-01", &[], b"");
    assert_eq!(anonymous.status, 401);
    assert!(anonymous
        .header("www-authenticate")
        .unwrap()
        .contains(&format!("authorization_uri=\"http://{}/", server.address)));
}

#[test]
fn dropped_requests_close_the_connection_and_latency_is_applied() {
    let server = start(&["--drop-rate", "1"]);
    assert!(raw(&server, "GET", "/subscriptions?api-version=2022-12-01", &[], b"").is_none());
    let slow = start(&["--latency-ms", "150"]);
    let started = std::time::Instant::now();
    let answer = call(&slow, "GET", "/tenants?api-version=2022-12-01", &[], b"");
    assert_eq!(answer.status, 401);
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
}

#[test]
fn refuses_to_listen_beyond_loopback() {
    let output = Command::new(BIN)
        .args(["--scenario", "unused.json", "--app-origin", APP, "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to listen on 0.0.0.0:0"));
}

#[test]
fn bad_scenarios_are_reported_with_the_key() {
    let path = std::env::temp_dir().join(format!("fake-azure-bad-{}.json", std::process::id()));
    std::fs::write(&path, r#"{"subscriptions":[{"subscription":{"displayName":"no id"}}]}"#).unwrap();
    let output = Command::new(BIN).args(["--scenario", path.to_str().unwrap(), "--app-origin", APP]).output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("subscriptions[0].subscription.subscriptionId: required"));
}

#[test]
fn generate_writes_a_loadable_scenario() {
    let output = Command::new(BIN)
        .args(["generate", "--subscriptions", "12", "--machines", "200", "--seed", "5"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let json = String::from_utf8(output.stdout).unwrap();
    let scenario: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(scenario["subscriptions"].as_array().unwrap().len(), 12);
    assert!(json.contains("<img src=x onerror=alert(1)>") || json.contains("ExcludeMdeAutoUpdate"));
    fake_azure::FakeAzure::from_scenario_json(&json, fake_azure::Options::default()).unwrap();
}

/// The server's `MAX_CONNECTION_THREADS` (src/bin/fake-azure/pool.rs).
const CONNECTION_THREADS: usize = 64;

/// The server's threads now (Linux: `/proc/PID/status`).
#[cfg(target_os = "linux")]
fn threads_of(server: &Server) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let line = status.lines().find(|l| l.starts_with("Threads:")).unwrap();
    line["Threads:".len()..].trim().parse().unwrap()
}

/// Sends a GET on `stream` and reads its answer's status, leaving the connection open unless
/// `close`; `None` when the server closed it without an answer.
fn get_on(stream: &TcpStream, target: &str, close: bool) -> Option<u16> {
    let connection = if close { "close" } else { "keep-alive" };
    (&*stream)
        .write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: {connection}\r\n\r\n").as_bytes())
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    if reader.read_line(&mut status_line).ok()? == 0 {
        return None;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        match line.trim_end().split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => length = value.trim().parse().ok()?,
            Some(_) => {}
            None => break,
        }
    }
    // The BufReader reads no further than the body: the answer is the only one in flight.
    reader.read_exact(&mut vec![0; length]).ok()?;
    status_line.split_whitespace().nth(1)?.parse().ok()
}

/// 200 clients at once, each answer held 300 ms: every one is answered, by at most
/// `CONNECTION_THREADS` threads (plus the accepting one) where a thread per connection would
/// have started 200.
#[cfg(target_os = "linux")]
#[test]
fn two_hundred_simultaneous_connections_are_served_by_capped_threads() {
    use std::sync::atomic::AtomicBool;
    use std::sync::{Arc, Barrier};
    use std::time::{Duration, Instant};

    const CLIENTS: usize = 200;
    let server = start(&["--latency-ms", "300"]);
    assert_eq!(threads_of(&server), 1, "no thread before the first connection");
    let (done, peak) = (AtomicBool::new(false), AtomicUsize::new(0));
    let start_line = Arc::new(Barrier::new(CLIENTS));
    let started = Instant::now();
    let statuses = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(threads_of(&server), Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (start_line, address) = (Arc::clone(&start_line), server.address.clone());
                scope.spawn(move || {
                    let stream = TcpStream::connect(address).unwrap();
                    start_line.wait();
                    get_on(&stream, "/tenants?api-version=2022-12-01", true)
                })
            })
            .collect();
        let statuses: Vec<_> = clients.into_iter().map(|c| c.join().unwrap()).collect();
        done.store(true, Ordering::SeqCst);
        statuses
    });
    let elapsed = started.elapsed();
    assert_eq!(statuses, vec![Some(401); CLIENTS], "every client is answered (no token: 401)");
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak <= CONNECTION_THREADS + 1, "{peak} threads for {CLIENTS} connections");
    assert!(peak > CONNECTION_THREADS / 2, "only {peak} threads: the connections were not served side by side");
    // ceil(200 / 64) = 4 rounds of 300 ms; one at a time would take 60 s.
    assert!(elapsed < Duration::from_secs(15), "{elapsed:?}");
}

/// With every thread on an idle kept-alive connection, a new connection is not left waiting for
/// their 120 s idle timeout: an idle one is closed to serve it.
#[test]
fn idle_kept_alive_connections_give_way_to_a_waiting_one() {
    use std::time::{Duration, Instant};

    let server = start(&[]);
    let idle: Vec<TcpStream> = (0..CONNECTION_THREADS)
        .map(|_| {
            let stream = TcpStream::connect(&server.address).unwrap();
            assert_eq!(get_on(&stream, "/tenants?api-version=2022-12-01", false), Some(401));
            stream
        })
        .collect();
    let started = Instant::now();
    let late = TcpStream::connect(&server.address).unwrap();
    late.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    assert_eq!(get_on(&late, "/tenants?api-version=2022-12-01", true), Some(401));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let closed = idle
        .iter()
        .filter(|stream| {
            stream.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            matches!((&**stream).read(&mut [0; 1]), Ok(0))
        })
        .count();
    assert!(closed >= 1, "an idle connection made room");
}

/// A client that gives up on a held answer frees its thread at once: with every thread holding
/// a 60 s answer whose client has left, the next request is answered without waiting for them.
#[test]
fn a_held_answer_frees_its_thread_when_the_client_leaves() {
    use std::time::{Duration, Instant};

    let held = CONNECTION_THREADS.to_string();
    let server = start(&["--hang-first", &held, "--hang-ms", "60000"]);
    let leaving: Vec<TcpStream> = (0..CONNECTION_THREADS)
        .map(|_| {
            let mut stream = TcpStream::connect(&server.address).unwrap();
            stream.write_all(b"GET /tenants?api-version=2022-12-01 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            stream
        })
        .collect();
    // Every request reaches the fake (and uses up the held ones) before its client leaves.
    std::thread::sleep(Duration::from_millis(500));
    drop(leaving);
    let started = Instant::now();
    let next = TcpStream::connect(&server.address).unwrap();
    next.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    assert_eq!(get_on(&next, "/tenants?api-version=2022-12-01", true), Some(401));
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}
