//! Sign-in with Microsoft Entra ID v2: authorization code + PKCE (S256), for a browser app
//! with no backend and no secret.
//!
//! The `oauth2` crate builds the authorize URL, makes the PKCE pair and performs the code and
//! refresh exchanges (over our [`Transport`]); this module adds what Entra and a SPA need on
//! top: `nonce` checked in the id_token, `state` accepted once, tenant-bound tokens, the 24-hour
//! limit of SPA refresh tokens, and messages that say what to do about each Entra error.

use std::future::Future;

use base64::Engine;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use crate::config::AppConfig;
use crate::transport::{Request, Response, Transport, TransportError};

/// Renew this long before the access token expires.
pub const RENEW_BEFORE_MS: u64 = 5 * 60 * 1000;
/// Entra ID refresh tokens issued to a SPA die 24 hours after the interactive sign-in.
pub const SPA_REFRESH_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;
/// A pending sign-in older than this is refused (Entra's codes live about 10 minutes).
pub const PENDING_LIFETIME_MS: u64 = 15 * 60 * 1000;

/// The id_token, which the token response carries next to the standard fields.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct IdTokenField {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type EntraTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type EntraClient = oauth2::Client<
    BasicErrorResponse,
    EntraTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What the app remembers between sending the user to Entra and their return.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// The authority tenant the user signs in to (`organizations` or a tenant id).
    pub tenant: String,
    /// Where in the app to go back to afterwards (path and query).
    pub return_to: String,
    pub started_ms: u64,
}

/// The signed-in user, from the id_token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub name: String,
    pub username: String,
    pub object_id: String,
    pub tenant_id: String,
    /// The id_token's `login_hint` optional claim (opaque; present when the app registration
    /// asks for it): Entra's documented value for `logout_hint`, which must not be a UPN.
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// Tokens for one tenant.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_at_ms: u64,
    /// When the interactive sign-in happened: refresh tokens die 24 h later, whatever renews.
    pub signed_in_at_ms: u64,
    pub tenant_id: String,
    pub account: Account,
}

/// Without the secrets: a `{:?}` in a log, a panic message or a test failure must not print a
/// token, the PKCE verifier, the state or the nonce.
impl std::fmt::Debug for PendingSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingSignIn")
            .field("state", &"[redacted]")
            .field("nonce", &"[redacted]")
            .field("pkce_verifier", &"[redacted]")
            .field("tenant", &self.tenant)
            .field("return_to", &self.return_to)
            .field("started_ms", &self.started_ms)
            .finish()
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .field("expires_at_ms", &self.expires_at_ms)
            .field("signed_in_at_ms", &self.signed_in_at_ms)
            .field("tenant_id", &self.tenant_id)
            .field("account", &self.account)
            .finish()
    }
}

impl Tokens {
    /// Time to renew (about five minutes before expiry).
    pub fn needs_renewal(&self, now_ms: u64) -> bool {
        now_ms + RENEW_BEFORE_MS >= self.expires_at_ms
    }

    /// Whether a refresh can still work, or only a new interactive sign-in will do.
    pub fn can_refresh(&self, now_ms: u64) -> bool {
        self.refresh_token.is_some() && now_ms < self.signed_in_at_ms + SPA_REFRESH_LIFETIME_MS
    }
}

/// Why sign-in or renewal failed, with what the user should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    /// A short code: Entra's `error` (`access_denied`, `invalid_grant`, ...) or ours
    /// (`state_mismatch`, `nonce_mismatch`, `network`, ...).
    pub code: String,
    pub message: String,
    /// Whether signing in again interactively is the way out.
    pub sign_in_again: bool,
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for AuthError {}

fn auth_error(code: &str, message: impl Into<String>) -> AuthError {
    AuthError { code: code.into(), message: message.into(), sign_in_again: true }
}

fn client(config: &AppConfig, tenant: &str) -> Result<EntraClient, AuthError> {
    let client_id = config
        .client_id
        .clone()
        .ok_or_else(|| auth_error("no_client_id", "config.json has no clientId: this site can only run the demo."))?;
    let bad = |e: url::ParseError| auth_error("bad_config", format!("An endpoint URL is invalid: {e}"));
    Ok(oauth2::Client::new(ClientId::new(client_id))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(AuthUrl::new(config.cloud.authority_endpoint(tenant, "authorize")).map_err(bad)?)
        .set_token_uri(TokenUrl::new(config.cloud.authority_endpoint(tenant, "token")).map_err(bad)?)
        .set_redirect_uri(RedirectUrl::new(config.redirect_uri.clone()).map_err(bad)?))
}

fn scopes(config: &AppConfig) -> Vec<Scope> {
    [config.cloud.arm_scope(), "openid".into(), "profile".into(), "offline_access".into()]
        .into_iter()
        .map(Scope::new)
        .collect()
}

/// Builds the authorize URL to send the browser to, and what to remember until it returns.
pub fn begin(
    config: &AppConfig,
    tenant: &str,
    return_to: &str,
    login_hint: Option<&str>,
    now_ms: u64,
) -> Result<(String, PendingSignIn), AuthError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random();
    let client = client(config, tenant)?;
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(scopes(config))
        .set_pkce_challenge(challenge)
        .add_extra_param("nonce", nonce.secret())
        .add_extra_param("response_mode", "query");
    if let Some(hint) = login_hint {
        request = request.add_extra_param("login_hint", hint);
    }
    let (url, state) = request.url();
    let pending = PendingSignIn {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        tenant: tenant.to_string(),
        return_to: return_to.to_string(),
        started_ms: now_ms,
    };
    Ok((url.to_string(), pending))
}

/// What Entra put on the redirect back to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// Not a sign-in return at all.
    None,
    Code {
        code: String,
        state: String,
    },
    Error {
        error: String,
        description: String,
        state: Option<String>,
    },
}

/// Reads the query string of the page's URL (with or without the leading `?`).
pub fn read_callback(query: &str) -> Callback {
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()).into_owned().collect();
    let get = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    match (get("code"), get("error"), get("state")) {
        (_, Some(error), state) => {
            Callback::Error { error, description: get("error_description").unwrap_or_default(), state }
        }
        (Some(code), None, Some(state)) => Callback::Code { code, state },
        _ => Callback::None,
    }
}

/// The query string with the sign-in parameters removed, for `history.replaceState`.
pub fn strip_callback(query: &str) -> String {
    const SIGN_IN: [&str; 6] = ["code", "state", "session_state", "error", "error_description", "error_uri"];
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .into_owned()
        .filter(|(k, _)| !SIGN_IN.contains(&k.as_str()))
        .collect();
    if kept.is_empty() {
        return String::new();
    }
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    out.extend_pairs(kept);
    format!("?{}", out.finish())
}

/// Checks the returned `state` against the one pending sign-in (which the caller has already
/// removed from storage, so it is accepted once), and its age.
pub fn check_state(
    pending: Option<PendingSignIn>,
    returned_state: &str,
    now_ms: u64,
) -> Result<PendingSignIn, AuthError> {
    let pending = pending.ok_or_else(|| {
        auth_error(
            "no_pending_sign_in",
            "This sign-in answer was not expected: it was already used, or it started in another tab. Sign in again.",
        )
    })?;
    if !constant_time_eq(pending.state.as_bytes(), returned_state.as_bytes()) {
        return Err(auth_error("state_mismatch", "The sign-in answer does not match the sign-in this page started (state mismatch), so it was refused. Sign in again."));
    }
    if now_ms > pending.started_ms + PENDING_LIFETIME_MS {
        return Err(auth_error("sign_in_expired", "The sign-in took too long and has expired. Sign in again."));
    }
    Ok(pending)
}

/// What to say about an error on the redirect back. Entra's own words are shown only when
/// `state` matches the pending sign-in: anyone can send a link to `/?error=...&error_description=...`
/// with words of their choosing.
pub fn callback_error(
    pending: Option<PendingSignIn>,
    state: Option<&str>,
    error: &str,
    description: &str,
    now_ms: u64,
) -> AuthError {
    match state.map(|state| check_state(pending, state, now_ms)) {
        Some(Ok(_)) => explain(error, description),
        _ => auth_error("sign_in_not_completed", "The sign-in was not completed. Sign in again."),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Redeems the authorization code for tokens and checks the id_token's nonce and audience.
pub async fn redeem<T: Transport>(
    transport: &T,
    config: &AppConfig,
    pending: &PendingSignIn,
    code: &str,
    now_ms: u64,
) -> Result<Tokens, AuthError> {
    let client = client(config, &pending.tenant)?;
    let http = |request: Request| send(transport, request);
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&http)
        .await
        .map_err(token_error)?;
    let claims = id_token_claims(&response)?;
    if claims.nonce.as_deref() != Some(pending.nonce.as_str()) {
        return Err(auth_error(
            "nonce_mismatch",
            "The id_token's nonce does not match this sign-in, so it was refused. Sign in again.",
        ));
    }
    check_audience(config, &claims)?;
    let account = claims.account();
    check_tenant(&pending.tenant, &account.tenant_id)?;
    Ok(tokens(response, account, now_ms, now_ms))
}

/// Tokens asked of a tenant named by its id are that tenant's: the id_token's `tid` must be
/// the one asked for (an authority such as `organizations` or a domain name says nothing).
fn check_tenant(asked: &str, tid: &str) -> Result<(), AuthError> {
    if crate::config::is_guid(asked) && !asked.eq_ignore_ascii_case(tid) {
        return Err(auth_error(
            "tenant_mismatch",
            format!(
                "Entra ID answered for tenant {tid} when tenant {asked} was asked for, so the tokens were refused."
            ),
        ));
    }
    Ok(())
}

/// Renews tokens with the refresh token, for `tenant` (switching tenant is a renewal too:
/// the same refresh token buys an access token from another tenant's authority).
pub async fn refresh<T: Transport>(
    transport: &T,
    config: &AppConfig,
    current: &Tokens,
    tenant: &str,
    now_ms: u64,
) -> Result<Tokens, AuthError> {
    if !current.can_refresh(now_ms) {
        return Err(auth_error(
            "refresh_expired",
            "Your sign-in is more than 24 hours old (the limit for browser apps): sign in again.",
        ));
    }
    let client = client(config, tenant)?;
    let http = |request: Request| send(transport, request);
    let refresh_token = RefreshToken::new(current.refresh_token.clone().unwrap_or_default());
    let response = client
        .exchange_refresh_token(&refresh_token)
        .add_scopes(scopes(config))
        .request_async(&http)
        .await
        .map_err(token_error)?;
    // An id_token that comes is checked as on redemption, and one that cannot be read is
    // refused; without one (Entra may leave it out of a renewal), the tenant is the one asked
    // for, which must then be named by its id.
    let account = match id_token_claims(&response) {
        Ok(claims) => {
            check_audience(config, &claims)?;
            claims.account()
        }
        Err(e) if e.code == "no_id_token" && crate::config::is_guid(tenant) => {
            Account { tenant_id: tenant.to_ascii_lowercase(), ..current.account.clone() }
        }
        Err(e) => return Err(e),
    };
    check_tenant(tenant, &account.tenant_id)?;
    let mut renewed = tokens(response, account, current.signed_in_at_ms, now_ms);
    if renewed.refresh_token.is_none() {
        renewed.refresh_token = current.refresh_token.clone();
    }
    Ok(renewed)
}

fn send<'a, T: Transport>(
    transport: &'a T,
    request: Request,
) -> impl Future<Output = Result<Response, TransportError>> + 'a {
    transport.send(request)
}

fn tokens(response: EntraTokenResponse, account: Account, signed_in_at_ms: u64, now_ms: u64) -> Tokens {
    let lifetime_ms = response.expires_in().map_or(3600 * 1000, |d| d.as_millis() as u64);
    Tokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response.refresh_token().map(|r| r.secret().clone()),
        expires_at_ms: now_ms + lifetime_ms,
        signed_in_at_ms,
        tenant_id: account.tenant_id.clone(),
        account,
    }
}

/// The id_token is for this app (`aud`) and from this cloud's Entra for its own tenant (`iss`).
fn check_audience(config: &AppConfig, claims: &IdClaims) -> Result<(), AuthError> {
    if config.client_id.as_deref().map(str::to_ascii_lowercase) != Some(claims.aud.to_ascii_lowercase()) {
        return Err(auth_error(
            "audience_mismatch",
            "The id_token was issued to another application, so it was refused.",
        ));
    }
    if claims.iss != config.cloud.issuer(&claims.tid) {
        return Err(auth_error(
            "issuer_mismatch",
            format!(
                "The id_token was issued by '{}', not by {}'s sign-in for its tenant, so it was refused.",
                claims.iss, config.cloud.name
            ),
        ));
    }
    Ok(())
}

/// The id_token claims the app uses. The token comes straight from the token endpoint over
/// TLS, so (as OpenID Connect allows for the code flow) its signature is not checked here;
/// ARM checks the access token on every call.
#[derive(Debug, Deserialize)]
struct IdClaims {
    aud: String,
    iss: String,
    tid: String,
    #[serde(default)]
    oid: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    preferred_username: String,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    login_hint: Option<String>,
}

impl IdClaims {
    fn account(self) -> Account {
        Account {
            name: self.name,
            username: self.preferred_username,
            object_id: self.oid,
            tenant_id: self.tid,
            login_hint: self.login_hint,
        }
    }
}

fn id_token_claims(response: &EntraTokenResponse) -> Result<IdClaims, AuthError> {
    let jwt = response
        .extra_fields()
        .id_token
        .as_deref()
        .ok_or_else(|| auth_error("no_id_token", "Entra ID sent no id_token: the openid scope was not granted."))?;
    let payload = jwt.split('.').nth(1).ok_or_else(|| auth_error("bad_id_token", "The id_token is not a JWT."))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| auth_error("bad_id_token", format!("The id_token cannot be decoded: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| auth_error("bad_id_token", format!("The id_token lacks a claim the app needs: {e}")))
}

fn token_error(e: RequestTokenError<TransportError, BasicErrorResponse>) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(answer) => {
            let description = answer.error_description().cloned().unwrap_or_default();
            explain(answer.error().as_ref(), &description)
        }
        RequestTokenError::Request(e) => AuthError {
            code: "network".into(),
            message: format!("Microsoft Entra ID could not be reached: {e}. Check the network and try again."),
            sign_in_again: false,
        },
        RequestTokenError::Parse(e, _) => {
            auth_error("bad_token_response", format!("The token answer could not be read: {e}"))
        }
        RequestTokenError::Other(e) => auth_error("token_request_failed", e),
    }
}

/// What to tell the user about an Entra error (from the redirect or the token endpoint).
pub fn explain(error: &str, description: &str) -> AuthError {
    let aadsts = description.split(':').next().unwrap_or("").trim();
    let advice = match (error, aadsts) {
        (_, "AADSTS9002326") | (_, "AADSTS9002327") => "The redirect URI is not registered as a Single-page application. In the app registration, under Authentication, add it under the \"Single-page application\" platform (not \"Web\").",
        (_, "AADSTS50011") => "The redirect URI is not registered for this app. Add this page's address under Authentication > Single-page application in the app registration, or set redirectUri in config.json.",
        (_, "AADSTS700016") => "The clientId in config.json is not an app registration in this tenant. Check the Application (client) ID.",
        (_, "AADSTS65001") | ("consent_required", _) => "The app needs consent to use Azure Service Management on your behalf. Ask an administrator to grant consent, or sign in again and accept.",
        ("access_denied", _) => "Sign-in was cancelled or refused. Sign in again if you meant to.",
        ("interaction_required", _) | ("login_required", _) => "Microsoft Entra ID needs you to sign in interactively (for example for multi-factor authentication or a policy). Sign in again.",
        ("invalid_grant", _) => "The sign-in has expired or was revoked. Sign in again.",
        _ => "Microsoft Entra ID refused the sign-in. Sign in again; if it keeps failing, show this message to your administrator.",
    };
    let message =
        if description.is_empty() { advice.to_string() } else { format!("{advice} Entra ID said: {description}") };
    AuthError { code: error.to_string(), message, sign_in_again: true }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn config() -> AppConfig {
        config::parse(r#"{"clientId":"11111111-2222-3333-4444-555555555555"}"#, "https://mde.contoso.example/app/")
            .unwrap()
    }

    fn query_of(url: &str) -> Vec<(String, String)> {
        url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
    }

    #[test]
    fn authorize_url_carries_pkce_state_nonce_and_scopes() {
        let (url, pending) =
            begin(&config(), "organizations", "/tenants/x", Some("avery@contoso.example"), 1000).unwrap();
        assert!(url.starts_with("https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?"));
        let q = query_of(&url);
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str()).unwrap_or("");
        assert_eq!(get("client_id"), "11111111-2222-3333-4444-555555555555");
        assert_eq!(get("response_type"), "code");
        assert_eq!(get("redirect_uri"), "https://mde.contoso.example/app/");
        assert_eq!(get("code_challenge_method"), "S256");
        assert_eq!(get("response_mode"), "query");
        assert_eq!(get("state"), pending.state);
        assert_eq!(get("nonce"), pending.nonce);
        assert_eq!(get("login_hint"), "avery@contoso.example");
        assert_eq!(
            get("scope"),
            "https://management.core.windows.net//user_impersonation openid profile offline_access"
        );
        // The challenge is the S256 of the verifier we keep, and never the verifier itself.
        let expected =
            PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(pending.pkce_verifier.clone()));
        assert_eq!(get("code_challenge"), expected.as_str());
        assert!(!url.contains(&pending.pkce_verifier));
        // Fresh randomness every time.
        let (_, again) = begin(&config(), "organizations", "/", None, 1000).unwrap();
        assert_ne!(again.state, pending.state);
        assert_ne!(again.nonce, pending.nonce);
    }

    #[test]
    fn debug_prints_no_secret() {
        let (_, pending) = begin(&config(), "organizations", "/tenants/x", None, 1000).unwrap();
        let printed = format!("{pending:?}");
        for secret in [&pending.state, &pending.nonce, &pending.pkce_verifier] {
            assert!(!printed.contains(secret.as_str()), "{printed}");
        }
        assert!(printed.contains("/tenants/x"));
        let account = Account {
            name: "Avery".into(),
            username: "avery@contoso.example".into(),
            object_id: "oid".into(),
            tenant_id: "tid".into(),
            login_hint: None,
        };
        let tokens = Tokens {
            access_token: "eyJ-access-secret".into(),
            refresh_token: Some("0.refresh-secret".into()),
            expires_at_ms: 1,
            signed_in_at_ms: 0,
            tenant_id: "tid".into(),
            account,
        };
        let printed = format!("{tokens:?}");
        assert!(!printed.contains("access-secret") && !printed.contains("refresh-secret"), "{printed}");
        assert!(printed.contains("avery@contoso.example"));
    }

    #[test]
    fn callback_reading_and_stripping() {
        assert_eq!(read_callback("?code=abc&state=s1"), Callback::Code { code: "abc".into(), state: "s1".into() });
        assert_eq!(
            read_callback("?error=access_denied&error_description=AADSTS65004%3A+declined&state=s1"),
            Callback::Error {
                error: "access_denied".into(),
                description: "AADSTS65004: declined".into(),
                state: Some("s1".into())
            }
        );
        assert_eq!(read_callback("?tab=machines"), Callback::None);
        assert_eq!(read_callback("?code=abc"), Callback::None);
        assert_eq!(strip_callback("?code=abc&state=s1&session_state=z"), "");
        assert_eq!(strip_callback("?tab=machines&code=abc&state=s1"), "?tab=machines");
    }

    #[test]
    fn state_is_checked_once_and_expires() {
        let (_, pending) = begin(&config(), "organizations", "/", None, 1000).unwrap();
        assert_eq!(check_state(Some(pending.clone()), &pending.state, 2000).unwrap(), pending);
        assert_eq!(check_state(Some(pending.clone()), "forged", 2000).unwrap_err().code, "state_mismatch");
        assert_eq!(check_state(None, &pending.state, 2000).unwrap_err().code, "no_pending_sign_in");
        assert_eq!(
            check_state(Some(pending.clone()), &pending.state, 1000 + PENDING_LIFETIME_MS + 1).unwrap_err().code,
            "sign_in_expired"
        );
    }

    #[test]
    fn entra_errors_say_what_to_do() {
        assert!(explain("invalid_request", "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.")
            .message
            .contains("Single-page application"));
        assert!(explain("consent_required", "").message.contains("consent"));
        assert!(explain("interaction_required", "AADSTS50076: MFA").message.contains("interactively"));
        assert!(explain("access_denied", "").message.contains("cancelled"));
    }

    #[test]
    fn renewal_policy() {
        let account = Account {
            name: "A".into(),
            username: "a@x".into(),
            object_id: "o".into(),
            tenant_id: "t".into(),
            login_hint: None,
        };
        let tokens = Tokens {
            access_token: "at".into(),
            refresh_token: Some("rt".into()),
            expires_at_ms: 3_600_000,
            signed_in_at_ms: 0,
            tenant_id: "t".into(),
            account,
        };
        assert!(!tokens.needs_renewal(3_600_000 - RENEW_BEFORE_MS - 1));
        assert!(tokens.needs_renewal(3_600_000 - RENEW_BEFORE_MS));
        assert!(tokens.can_refresh(SPA_REFRESH_LIFETIME_MS - 1));
        assert!(!tokens.can_refresh(SPA_REFRESH_LIFETIME_MS));
    }

    #[test]
    fn the_login_hint_claim_is_kept_for_sign_out() {
        let claims: IdClaims = serde_json::from_str(
            r#"{"aud":"a","iss":"i","tid":"t","oid":"o","preferred_username":"avery@contoso.example","login_hint":"O.CiQ5Zj"}"#,
        )
        .unwrap();
        assert_eq!(claims.account().login_hint.as_deref(), Some("O.CiQ5Zj"));
        let without: IdClaims = serde_json::from_str(r#"{"aud":"a","iss":"i","tid":"t"}"#).unwrap();
        assert_eq!(without.account().login_hint, None);
        // Tokens stored before the claim was read still load.
        let stored: Account =
            serde_json::from_str(r#"{"name":"A","username":"a@x","object_id":"o","tenant_id":"t"}"#).unwrap();
        assert_eq!(stored.login_hint, None);
    }

    /// Entra's token endpoint, answering every request with `body`.
    struct TokenEndpoint(serde_json::Value);

    impl Transport for TokenEndpoint {
        async fn send(&self, _: Request) -> Result<Response, TransportError> {
            Ok(http::Response::builder().status(200).body(self.0.to_string().into_bytes()).unwrap())
        }
        async fn sleep(&self, _: u64) {}
        fn now_ms(&self) -> u64 {
            0
        }
    }

    /// An id_token with these claims (unsigned: the app reads it straight from Entra over TLS).
    fn id_token(claims: serde_json::Value) -> String {
        let part = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.sig", part(&serde_json::json!({"alg": "RS256", "typ": "JWT"})), part(&claims))
    }

    /// Redeems a code against an endpoint that answers with an id_token of `claims` (or none).
    fn redeem_with(claims: Option<serde_json::Value>) -> Result<Tokens, AuthError> {
        let (_, pending) = begin(&config(), "organizations", "/", None, 1000).unwrap();
        let mut body = serde_json::json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt" });
        if let Some(mut claims) = claims {
            if claims["nonce"] == "PENDING" {
                claims["nonce"] = serde_json::json!(pending.nonce);
            }
            body["id_token"] = serde_json::json!(id_token(claims));
        }
        futures::executor::block_on(redeem(&TokenEndpoint(body), &config(), &pending, "code", 1000))
    }

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    fn good_claims() -> serde_json::Value {
        serde_json::json!({
            "aud": "11111111-2222-3333-4444-555555555555",
            "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
            "tid": TENANT, "oid": "o", "preferred_username": "avery@contoso.example", "nonce": "PENDING",
        })
    }

    #[test]
    fn a_good_id_token_is_taken() {
        let tokens = redeem_with(Some(good_claims())).unwrap();
        assert_eq!((tokens.tenant_id.as_str(), tokens.account.username.as_str()), (TENANT, "avery@contoso.example"));
    }

    #[test]
    fn id_tokens_that_do_not_fit_are_refused() {
        let with = |key: &str, value: serde_json::Value| {
            let mut claims = good_claims();
            claims[key] = value;
            redeem_with(Some(claims)).unwrap_err().code
        };
        assert_eq!(with("nonce", "replayed-from-another-sign-in".into()), "nonce_mismatch");
        assert_eq!(with("aud", "99999999-0000-0000-0000-000000000000".into()), "audience_mismatch");
        // Another tenant's issuer, another cloud's, and a look-alike host.
        assert_eq!(with("iss", "https://login.microsoftonline.com/other-tenant/v2.0".into()), "issuer_mismatch");
        assert_eq!(with("iss", format!("https://login.microsoftonline.us/{TENANT}/v2.0").into()), "issuer_mismatch");
        assert_eq!(with("iss", format!("https://sts.windows.net/{TENANT}/").into()), "issuer_mismatch");
        assert_eq!(redeem_with(None).unwrap_err().code, "no_id_token");
    }

    /// Renews `tenant`'s tokens against an endpoint that answers with `id_token` (or none).
    fn refresh_with(tenant: &str, id_token: Option<String>) -> Result<Tokens, AuthError> {
        let mut body = serde_json::json!({ "access_token": "at2", "token_type": "Bearer", "expires_in": 3600 });
        if let Some(token) = id_token {
            body["id_token"] = serde_json::json!(token);
        }
        let current = redeem_with(Some(good_claims())).unwrap();
        futures::executor::block_on(refresh(&TokenEndpoint(body), &config(), &current, tenant, 2000))
    }

    #[test]
    fn a_renewal_takes_only_a_readable_id_token_of_the_tenant_asked_for() {
        const OTHER: &str = "0d3f7f0e-5c1a-4a3b-9e2d-8f6a7b5c4d3e";
        let of = |tid: &str| {
            let mut claims = good_claims();
            claims["tid"] = tid.into();
            claims["iss"] = format!("https://login.microsoftonline.com/{tid}/v2.0").into();
            Some(id_token(claims))
        };
        assert_eq!(refresh_with(TENANT, of(TENANT)).unwrap().tenant_id, TENANT);
        assert_eq!(refresh_with(OTHER, of(OTHER)).unwrap().tenant_id, OTHER);
        // Present but unreadable: refused, as on redemption.
        assert_eq!(refresh_with(TENANT, Some("not-a-jwt".into())).unwrap_err().code, "bad_id_token");
        assert_eq!(refresh_with(TENANT, Some("a.%%%.c".into())).unwrap_err().code, "bad_id_token");
        // Asked for one tenant, answered for another.
        let wrong = refresh_with(OTHER, of(TENANT)).unwrap_err();
        assert_eq!(wrong.code, "tenant_mismatch");
        assert!(wrong.message.contains(OTHER) && wrong.message.contains(TENANT), "{}", wrong.message);
        // None at all: the tenant asked for, when it is an id; an authority name is no tenant.
        assert_eq!(refresh_with(&OTHER.to_uppercase(), None).unwrap().tenant_id, OTHER);
        assert_eq!(refresh_with("common", None).unwrap_err().code, "no_id_token");
        assert_eq!(refresh_with("contoso.onmicrosoft.com", of(TENANT)).unwrap().tenant_id, TENANT);
    }

    #[test]
    fn a_sign_in_to_a_tenant_by_id_takes_that_tenants_tokens_only() {
        const OTHER: &str = "0d3f7f0e-5c1a-4a3b-9e2d-8f6a7b5c4d3e";
        let (_, mut pending) = begin(&config(), OTHER, "/", None, 1000).unwrap();
        let mut claims = good_claims();
        claims["nonce"] = serde_json::json!(pending.nonce);
        let body = serde_json::json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 3600,
            "refresh_token": "rt", "id_token": id_token(claims) });
        let redeem_for = |pending: &PendingSignIn| {
            futures::executor::block_on(redeem(&TokenEndpoint(body.clone()), &config(), pending, "code", 1000))
        };
        assert_eq!(redeem_for(&pending).unwrap_err().code, "tenant_mismatch");
        pending.tenant = TENANT.into();
        assert_eq!(redeem_for(&pending).unwrap().tenant_id, TENANT);
        pending.tenant = "organizations".into();
        assert_eq!(redeem_for(&pending).unwrap().tenant_id, TENANT);
    }

    #[test]
    fn a_crafted_error_link_gets_a_neutral_sentence() {
        let (_, pending) = begin(&config(), "organizations", "/", None, 1000).unwrap();
        let words = "AADSTS50011: Your account is locked, call +1-555-0100 now";
        // Anyone can send a link with an error and words of their choosing: not shown.
        for (pending, state) in [
            (Some(pending.clone()), Some("forged")),
            (Some(pending.clone()), None),
            (None, Some(pending.state.as_str())),
        ] {
            let why = callback_error(pending, state, "access_denied", words, 2000);
            assert_eq!(
                (why.code.as_str(), why.message.as_str()),
                ("sign_in_not_completed", "The sign-in was not completed. Sign in again.")
            );
        }
        // The answer to this page's own sign-in is explained.
        let why =
            callback_error(Some(pending.clone()), Some(&pending.state), "access_denied", "AADSTS65004: declined", 2000);
        assert!(why.message.contains("cancelled"), "{}", why.message);
    }
}
