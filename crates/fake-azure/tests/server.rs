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
