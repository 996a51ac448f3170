//! `config.json`: what a team sets after the build (client id, cloud, tenant, redirect URI).
//!
//! Every mistake is reported with the key, what is wrong, and how to fix it, because the
//! person reading it is deploying a static site, not debugging Rust.

use serde_json::{Map, Value};

use crate::cloud::Cloud;

/// Where tokens are kept between page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStore {
    /// sessionStorage: survives reloads in this tab, gone when the tab closes.
    Session,
    /// Memory only: a reload means signing in again.
    Memory,
}

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The app registration's client id; `None` means the site offers the demo only.
    pub client_id: Option<String>,
    pub cloud: Cloud,
    /// `organizations`, `common`, a tenant id or a verified domain.
    pub tenant: String,
    /// Where Entra ID sends the user back: registered as a Single-page application.
    pub redirect_uri: String,
    pub token_store: TokenStore,
    /// ARM requests in flight at once when loading many subscriptions.
    pub concurrency: usize,
    /// How long one request may go unanswered before it is given up (and retried).
    pub request_timeout_ms: u64,
}

/// Requests in flight at once unless `config.json` says otherwise: ARM allows far more, but a
/// browser keeps about six connections per host anyway.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How long a request may go unanswered unless `config.json` says otherwise.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// The range `requestTimeoutMs` accepts: below a second a slow but healthy ARM answer would be
/// cut off; above ten minutes the page would look hung.
const REQUEST_TIMEOUT_RANGE_MS: std::ops::RangeInclusive<u64> = 1_000..=600_000;

/// One thing wrong with `config.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The key at fault (empty when the file as a whole is unreadable).
    pub key: String,
    pub problem: String,
    pub fix: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.key.is_empty() {
            write!(f, "config.json: {} {}", self.problem, self.fix)
        } else {
            write!(f, "config.json, key \"{}\": {} {}", self.key, self.problem, self.fix)
        }
    }
}

const KEYS: [&str; 7] = ["clientId", "cloud", "tenant", "redirectUri", "tokenStore", "concurrency", "requestTimeoutMs"];

fn bad(key: &str, problem: impl Into<String>, fix: impl Into<String>) -> ConfigError {
    ConfigError { key: key.into(), problem: problem.into(), fix: fix.into() }
}

/// Parses and validates `config.json`. `app_url` is the page's own URL (for the default
/// redirect URI: the app's origin and path, without query or fragment).
pub fn parse(json: &str, app_url: &str) -> Result<AppConfig, ConfigError> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        bad(
            "",
            format!("is not valid JSON ({e})."),
            "Fix the syntax, e.g. with a JSON validator; the keys are documented in the README.",
        )
    })?;
    let Value::Object(map) = value else {
        return Err(bad(
            "",
            "must be a JSON object.",
            "Start from the README's example: { \"clientId\": \"...\", \"cloud\": \"AzureCloud\" }.",
        ));
    };
    if let Some(unknown) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        // An empty key would read as a fault of the whole file: say which key it is.
        let problem = if unknown.is_empty() {
            "(an empty key) is not a setting this app knows."
        } else {
            "is not a setting this app knows."
        };
        return Err(bad(
            unknown,
            problem,
            format!("The keys are {}; check the spelling (they are case-sensitive).", KEYS.join(", ")),
        ));
    }
    Ok(AppConfig {
        client_id: client_id(&map)?,
        cloud: cloud(&map)?,
        tenant: tenant(&map)?,
        redirect_uri: redirect_uri(&map, app_url)?,
        token_store: token_store(&map)?,
        concurrency: concurrency(&map)?,
        request_timeout_ms: request_timeout_ms(&map)?,
    })
}

fn string<'a>(map: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ConfigError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(other) => Err(bad(key, format!("must be a string, not {other}."), "Put the value in double quotes.")),
    }
}

fn client_id(map: &Map<String, Value>) -> Result<Option<String>, ConfigError> {
    match string(map, "clientId")? {
        None => Ok(None),
        Some(id) if is_guid(id) => Ok(Some(id.to_ascii_lowercase())),
        Some(id) => Err(bad(
            "clientId",
            format!("\"{id}\" is not an application (client) id."),
            "Copy the Application (client) ID from the app registration's Overview in Microsoft Entra ID: it looks like 00000000-0000-0000-0000-000000000000.",
        )),
    }
}

fn cloud(map: &Map<String, Value>) -> Result<Cloud, ConfigError> {
    let known = || crate::cloud::KNOWN.iter().map(|k| k.0).collect::<Vec<_>>().join(", ");
    match map.get("cloud") {
        None | Some(Value::Null) => Ok(Cloud::public()),
        Some(Value::String(name)) => Cloud::known(name).ok_or_else(|| {
            bad("cloud", format!("\"{name}\" is not a cloud this app knows."), format!("Use one of {}, or an object {{ \"name\", \"loginUrl\", \"armUrl\", \"armAudience\" }} for custom endpoints.", known()))
        }),
        Some(Value::Object(custom)) => {
            let field = |name: &str| -> Result<String, ConfigError> {
                match custom.get(name) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().trim_end_matches('/').to_string()),
                    _ => Err(bad(&format!("cloud.{name}"), "is missing.", "A custom cloud needs name, loginUrl, armUrl and armAudience, all strings.")),
                }
            };
            let cloud = Cloud {
                name: field("name")?,
                login_url: field("loginUrl")?,
                arm_url: field("armUrl")?,
                arm_audience: field("armAudience")?,
            };
            secure_url("cloud.loginUrl", &cloud.login_url)?;
            secure_url("cloud.armUrl", &cloud.arm_url)?;
            Ok(cloud)
        }
        Some(other) => Err(bad("cloud", format!("must be a cloud name or an object, not {other}."), format!("Use one of {}.", known()))),
    }
}

fn tenant(map: &Map<String, Value>) -> Result<String, ConfigError> {
    match string(map, "tenant")? {
        None => Ok("organizations".into()),
        Some(t) if is_guid(t) || ["organizations", "common"].contains(&t) || is_domain(t) => Ok(t.to_string()),
        Some(t) => Err(bad(
            "tenant",
            format!("\"{t}\" is not a tenant."),
            "Use \"organizations\" (any work account), a tenant id (a GUID), or a verified domain such as contoso.onmicrosoft.com.",
        )),
    }
}

fn redirect_uri(map: &Map<String, Value>, app_url: &str) -> Result<String, ConfigError> {
    match string(map, "redirectUri")? {
        Some(uri) => {
            secure_url("redirectUri", uri)?;
            Ok(uri.to_string())
        }
        None => {
            let end = app_url.find(['?', '#']).unwrap_or(app_url.len());
            Ok(app_url[..end].to_string())
        }
    }
}

fn token_store(map: &Map<String, Value>) -> Result<TokenStore, ConfigError> {
    match string(map, "tokenStore")? {
        None | Some("session") => Ok(TokenStore::Session),
        Some("memory") => Ok(TokenStore::Memory),
        Some(other) => Err(bad(
            "tokenStore",
            format!("\"{other}\" is not a token store."),
            "Use \"session\" (sessionStorage, the default) or \"memory\".",
        )),
    }
}

fn concurrency(map: &Map<String, Value>) -> Result<usize, ConfigError> {
    match map.get("concurrency") {
        None | Some(Value::Null) => Ok(DEFAULT_CONCURRENCY),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| (1..=32).contains(&n)) => {
            Ok(n.as_u64().unwrap_or(8) as usize)
        }
        Some(other) => Err(bad(
            "concurrency",
            format!("{other} is not a number of requests from 1 to 32."),
            "Leave it out for the default of 8.",
        )),
    }
}

fn request_timeout_ms(map: &Map<String, Value>) -> Result<u64, ConfigError> {
    match map.get("requestTimeoutMs") {
        None | Some(Value::Null) => Ok(DEFAULT_REQUEST_TIMEOUT_MS),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|ms| REQUEST_TIMEOUT_RANGE_MS.contains(&ms)) => {
            Ok(n.as_u64().unwrap_or(DEFAULT_REQUEST_TIMEOUT_MS))
        }
        Some(other) => Err(bad(
            "requestTimeoutMs",
            format!("{other} is not a number of milliseconds from 1000 to 600000."),
            "Leave it out for the default of 30000 (30 seconds).",
        )),
    }
}

/// An https URL, or http on a loopback host (the local fake Azure).
fn secure_url(key: &str, value: &str) -> Result<(), ConfigError> {
    let url = url::Url::parse(value).map_err(|e| {
        bad(
            key,
            format!("\"{value}\" is not a URL ({e})."),
            "Write a full URL such as https://login.microsoftonline.com.",
        )
    })?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1") | Some("localhost") | Some("[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad(
            key,
            format!("\"{value}\" is not https."),
            "Tokens must only travel over https; plain http is allowed for 127.0.0.1 and localhost only.",
        )),
    }
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_domain(s: &str) -> bool {
    s.contains('.')
        && s.split('.').all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "https://mde.contoso.example/console/?code=x#y";
    const ID: &str = "11111111-2222-3333-4444-555555555555";

    fn err(json: &str) -> ConfigError {
        parse(json, APP).unwrap_err()
    }

    #[test]
    fn defaults() {
        let c = parse(&format!(r#"{{"clientId":"{ID}"}}"#), APP).unwrap();
        assert_eq!(c.client_id.as_deref(), Some(ID));
        assert_eq!(c.cloud, Cloud::public());
        assert_eq!(c.tenant, "organizations");
        assert_eq!(c.redirect_uri, "https://mde.contoso.example/console/");
        assert_eq!(c.token_store, TokenStore::Session);
        assert_eq!(c.concurrency, 8);
        assert_eq!(c.request_timeout_ms, 30_000);
        assert_eq!(parse(r#"{"requestTimeoutMs":1000}"#, APP).unwrap().request_timeout_ms, 1000);
        assert_eq!(parse(r#"{"requestTimeoutMs":600000}"#, APP).unwrap().request_timeout_ms, 600_000);
        assert_eq!(parse(r#"{"concurrency":16}"#, APP).unwrap().concurrency, 16);
        assert_eq!(parse("{}", APP).unwrap().client_id, None);
        assert_eq!(parse(r#"{"clientId":""}"#, APP).unwrap().client_id, None);
    }

    #[test]
    fn custom_cloud_on_loopback() {
        let c = parse(
            r#"{"cloud":{"name":"fake","loginUrl":"http://127.0.0.1:9000/","armUrl":"http://127.0.0.1:9000","armAudience":"http://127.0.0.1:9000/"}}"#,
            APP,
        )
        .unwrap();
        assert_eq!(c.cloud.login_url, "http://127.0.0.1:9000");
        assert!(c.cloud.supports_integration());
    }

    #[test]
    fn each_mistake_names_its_key() {
        assert_eq!(err("{nope").key, "");
        assert!(err("{nope").problem.contains("not valid JSON"));
        assert_eq!(err(r#"{"clientID":"x"}"#).key, "clientID");
        // An empty key is named as one, not mistaken for a fault of the whole file.
        assert!(err(r#"{"":null}"#).to_string().starts_with("config.json: (an empty key) is not a setting"));
        assert_eq!(err(r#"{"clientId":"my-app"}"#).key, "clientId");
        assert_eq!(err(r#"{"cloud":"AzureGermanCloud"}"#).key, "cloud");
        assert_eq!(
            err(r#"{"cloud":{"name":"x","loginUrl":"http://login.example","armUrl":"https://a","armAudience":"a"}}"#)
                .key,
            "cloud.loginUrl"
        );
        assert_eq!(err(r#"{"cloud":{"name":"x"}}"#).key, "cloud.loginUrl");
        assert_eq!(err(r#"{"redirectUri":"http://mde.contoso.example/"}"#).key, "redirectUri");
        assert_eq!(err(r#"{"tenant":"not a tenant"}"#).key, "tenant");
        assert_eq!(err(r#"{"tokenStore":"local"}"#).key, "tokenStore");
        assert_eq!(err(r#"{"clientId":42}"#).key, "clientId");
        assert_eq!(err(r#"{"concurrency":0}"#).key, "concurrency");
        assert_eq!(err(r#"{"concurrency":"8"}"#).key, "concurrency");
        assert!(err(r#"{"tokenStore":"local"}"#).to_string().contains("sessionStorage"));
        for wrong in ["999", "600001", "-1", "1.5", "\"30000\"", "true"] {
            let e = err(&format!(r#"{{"requestTimeoutMs":{wrong}}}"#));
            assert_eq!(e.key, "requestTimeoutMs", "{wrong}");
            assert!(e.problem.contains("from 1000 to 600000"), "{wrong}: {}", e.problem);
        }
    }
}
