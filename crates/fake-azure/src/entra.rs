//! Entra ID v2 for a single-page app: `/{tenant}/oauth2/v2.0/authorize`, `/token` (auth code with
//! PKCE S256, refresh token) and `/logout`, with Entra's redirects, error codes and JSON shapes.

use http::Response;
use serde_json::json;

use crate::clock::entra_timestamp;
use crate::faults::Rng;
use crate::scenario::World;
use crate::tokens::{self, AccessToken, Code, Issued, RefreshToken};
use crate::wire::{self, html_escape, Incoming};
use crate::Options;

/// Authorization codes live ten minutes, as Entra's do.
const CODE_LIFETIME_MS: u64 = 10 * 60 * 1000;
/// SPA refresh tokens expire 24 hours after the sign-in, not sliding.
const SPA_REFRESH_LIFETIME_MS: u64 = 24 * 60 * 60 * 1000;

/// `/{tenant}/oauth2/v2.0/{authorize|token|logout}`.
pub(crate) fn is_entra_path(segments: &[String]) -> bool {
    segments.len() == 4 && segments[1].eq_ignore_ascii_case("oauth2") && segments[2].eq_ignore_ascii_case("v2.0")
}

/// One call to the Entra endpoints, with what it may read and change.
pub(crate) struct Entra<'a> {
    pub world: &'a World,
    pub issued: &'a mut Issued,
    pub ids: &'a mut Rng,
    pub options: &'a Options,
    pub now_ms: u64,
}

impl Entra<'_> {
    pub fn handle(&mut self, req: &Incoming) -> Response<Vec<u8>> {
        match (req.segments[3].to_ascii_lowercase().as_str(), req.method.as_str()) {
            ("authorize", "GET") => self.authorize(req),
            ("token", "POST") => self.token(req),
            ("token", other) => self.token_error(
                "invalid_request",
                900561,
                &format!("The endpoint only accepts POST, OPTIONS requests. Received a {other} request."),
            ),
            ("logout", "GET") => self.logout(req),
            _ => self.error_page(404, 90027, "We are unable to issue tokens from this API version on the MSA tenant."),
        }
    }

    /// `organizations`, `common` and `consumers` sign in to the user's home tenant; otherwise
    /// the path must name a directory of the scenario (by id or domain).
    fn tenant(&self, segment: &str) -> Option<String> {
        match segment.to_ascii_lowercase().as_str() {
            "organizations" | "common" | "consumers" => Some(self.world.home_tenant.clone()),
            _ => self.world.resolve_tenant(segment),
        }
    }

    fn authorize(&mut self, req: &Incoming) -> Response<Vec<u8>> {
        let Some(tenant) = self.tenant(&req.segments[0]) else {
            return self.error_page(400, 90002, &format!("Tenant '{}' not found.", req.segments[0]));
        };
        let q = |k: &str| req.query(k).filter(|v| !v.is_empty());
        let Some(client_id) = q("client_id") else {
            return self.error_page(400, 900144, "The request body must contain the following parameter: 'client_id'.");
        };
        let Some(redirect_uri) = q("redirect_uri") else {
            return self.error_page(400, 500113, "No reply address is registered for the application.");
        };
        // Entra never redirects to an unregistered address: it shows the error itself.
        if !self.under_app_origin(redirect_uri) {
            return self.error_page(400, 50011, &format!(
                "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal."
            ));
        }
        let back = Back { redirect_uri, state: q("state"), fragment: q("response_mode") == Some("fragment") };
        if let Some((error, code, description)) = self.authorize_problem(req) {
            return self.redirect_error(&back, error, code, &description);
        }
        if q("fake_cancel") == Some("1") {
            return self.redirect_error(&back, "access_denied", 65004, "User declined to consent to access the app.");
        }
        if !(self.options.auto_approve || q("fake_approve") == Some("1")) {
            return self.sign_in_page(req);
        }
        let code = self.mint_code(req, &tenant, client_id, redirect_uri);
        let mut pairs = vec![("code", code.as_str())];
        pairs.extend(back.state.map(|s| ("state", s)));
        wire::redirect(&back.url(&pairs))
    }

    /// The checks Entra reports back on the redirect (the redirect URI is known to be good).
    fn authorize_problem(&self, req: &Incoming) -> Option<(&'static str, u32, String)> {
        let q = |k: &str| req.query(k).filter(|v| !v.is_empty());
        let response_type = q("response_type").unwrap_or_default();
        if response_type != "code" {
            let text = format!("response_type '{response_type}' is not enabled for the application.");
            return Some(("unsupported_response_type", 700054, text));
        }
        if q("scope").is_none() {
            return Some((
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'scope'.".into(),
            ));
        }
        if q("code_challenge").is_none() {
            let text = "Proof Key for Code Exchange is required for cross-origin authorization code redemption.";
            return Some(("invalid_request", 9002325, text.into()));
        }
        if q("code_challenge_method") != Some("S256") {
            let text =
                "The provided value for the input parameter 'code_challenge_method' is not valid. Expected: S256.";
            return Some(("invalid_request", 70011, text.into()));
        }
        if q("prompt") == Some("none") && !self.options.auto_approve {
            let text = "A silent sign-in request was sent but no user is signed in.";
            return Some(("login_required", 50058, text.into()));
        }
        None
    }

    fn mint_code(&mut self, req: &Incoming, tenant: &str, client_id: &str, redirect_uri: &str) -> String {
        let code = tokens::random_token("fakecode.", self.ids.bytes(32));
        let q = |k: &str| req.query(k).unwrap_or_default().to_string();
        self.issued.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                code_challenge: q("code_challenge"),
                scope: q("scope"),
                nonce: req.query("nonce").map(str::to_string),
                tenant: tenant.to_string(),
                issued_ms: self.now_ms,
            },
        );
        code
    }

    /// The sign-in page: plain HTML, no script, no style; every scenario string escaped.
    fn sign_in_page(&self, req: &Incoming) -> Response<Vec<u8>> {
        let link = |extra: &str| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in req.query.iter().filter(|(k, _)| !k.starts_with("fake_")) {
                query.append_pair(k, v);
            }
            query.append_pair(extra, "1");
            html_escape(&format!("{}?{}", req.path, query.finish()))
        };
        let user = &self.world.user;
        let page = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\n<body>\n<h1>Sign in</h1>\n<p>Fake Azure sign-in for the application <code>{client}</code>. Nothing here is a real Microsoft account.</p>\n<p><a id=\"sign-in\" href=\"{approve}\">Sign in as {name}</a> ({username})</p>\n<p><a id=\"cancel\" href=\"{cancel}\">Cancel</a></p>\n</body></html>\n",
            client = html_escape(req.query("client_id").unwrap_or_default()),
            approve = link("fake_approve"),
            cancel = link("fake_cancel"),
            name = html_escape(&user.name),
            username = html_escape(&user.username),
        );
        wire::html(200, page)
    }

    fn token(&mut self, req: &Incoming) -> Response<Vec<u8>> {
        self.issued.token_requests += 1;
        // Entra redeems SPA codes only from a browser's cross-origin request (AADSTS9002327).
        if self.options.app_origin.is_some() && req.header("origin").is_none() {
            let text = "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.";
            return self.token_error("invalid_request", 9002327, text);
        }
        let Some(tenant) = self.tenant(&req.segments[0]) else {
            return self.token_error("invalid_request", 90002, &format!("Tenant '{}' not found.", req.segments[0]));
        };
        let form = Form(req.form());
        let answer = match form.get("grant_type") {
            Some("authorization_code") => self.redeem_code(req, &form, &tenant),
            Some("refresh_token") => self.redeem_refresh(req, &form, &tenant),
            Some(other) => {
                let text = format!("The app requested an unsupported grant type '{other}'.");
                Err(self.token_error("unsupported_grant_type", 70003, &text))
            }
            None => Err(self.missing("grant_type")),
        };
        answer.unwrap_or_else(|error| error)
    }

    fn redeem_code(
        &mut self,
        req: &Incoming,
        form: &Form,
        tenant: &str,
    ) -> Result<Response<Vec<u8>>, Response<Vec<u8>>> {
        let client_id = form.get("client_id").ok_or_else(|| self.missing("client_id"))?;
        let code_value = form.get("code").ok_or_else(|| self.missing("code"))?;
        if self.issued.redeemed.contains(code_value) {
            let text = "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.";
            return Err(self.token_error("invalid_grant", 54005, text));
        }
        let Some(code) = self.issued.codes.get(code_value).cloned() else {
            return Err(self.unknown_grant());
        };
        if self.now_ms >= code.issued_ms + CODE_LIFETIME_MS {
            self.issued.codes.remove(code_value);
            let text = "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.";
            return Err(self.token_error("invalid_grant", 70008, text));
        }
        let specific_tenant = !is_shared_authority(&req.segments[0]);
        if code.client_id != client_id || (specific_tenant && code.tenant != tenant) {
            let text =
                "Provided Authorization Code is intended to use against other tenant or application, thus rejected.";
            return Err(self.token_error("invalid_grant", 700005, text));
        }
        if form.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
            let text = format!(
                "The reply URL specified in the request does not match the reply URL used to obtain the authorization code: '{}'.",
                code.redirect_uri
            );
            return Err(self.token_error("invalid_grant", 500112, &text));
        }
        let Some(verifier) = form.get("code_verifier") else {
            let text = "Proof Key for Code Exchange is required for cross-origin authorization code redemption.";
            return Err(self.token_error("invalid_request", 9002325, text));
        };
        if tokens::pkce_challenge(verifier) != code.code_challenge {
            let text = "The Code_Verifier does not match the code_challenge supplied in the authorization request.";
            return Err(self.token_error("invalid_grant", 501481, text));
        }
        self.issued.codes.remove(code_value);
        self.issued.redeemed.insert(code_value.to_string());
        let scope = form.get("scope").unwrap_or(&code.scope).to_string();
        let grant = Grant {
            client_id,
            tenant: &code.tenant,
            scope: &scope,
            nonce: code.nonce.as_deref(),
            family_issued_ms: self.now_ms,
        };
        self.issue(req, &grant)
    }

    fn redeem_refresh(
        &mut self,
        req: &Incoming,
        form: &Form,
        tenant: &str,
    ) -> Result<Response<Vec<u8>>, Response<Vec<u8>>> {
        let client_id = form.get("client_id").ok_or_else(|| self.missing("client_id"))?;
        let value = form.get("refresh_token").ok_or_else(|| self.missing("refresh_token"))?;
        let Some(refresh) = self.issued.refresh.get(value).cloned() else {
            return Err(self.unknown_grant());
        };
        if self.issued.revoked.contains(value) {
            let text = "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on a previous date and it was revoked.";
            return Err(self.token_error("invalid_grant", 50173, text));
        }
        if self.now_ms >= refresh.family_issued_ms + SPA_REFRESH_LIFETIME_MS {
            let text = format!(
                "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be sent by the SPA to the sign in page. The token was issued on {}.",
                crate::clock::iso8601(refresh.family_issued_ms)
            );
            return Err(self.token_error("invalid_grant", 700084, &text));
        }
        if refresh.client_id != client_id {
            return Err(self.token_error("invalid_grant", 70000, "Provided grant is invalid or malformed."));
        }
        // A refresh token works at any tenant the user belongs to: that is how an app moves to
        // another directory without a new sign-in.
        let tenant = if is_shared_authority(&req.segments[0]) { refresh.tenant.clone() } else { tenant.to_string() };
        let scope = form.get("scope").unwrap_or(&refresh.scope).to_string();
        let grant = Grant {
            client_id,
            tenant: &tenant,
            scope: &scope,
            nonce: None,
            family_issued_ms: refresh.family_issued_ms,
        };
        self.issue(req, &grant)
    }

    /// The token response: one resource per access token, a refresh token with
    /// `offline_access`, an id_token with `openid`.
    fn issue(&mut self, req: &Incoming, grant: &Grant) -> Result<Response<Vec<u8>>, Response<Vec<u8>>> {
        let resources = tokens::resources(grant.scope);
        if resources.len() > 1 {
            let text =
                "Provided value for the input parameter scope is not valid because it contains more than one resource.";
            return Err(self.token_error("invalid_scope", 28000, text));
        }
        let audience = resources.into_iter().next().unwrap_or_else(|| "https://graph.microsoft.com".to_string());
        let lifetime_s = self.options.token_lifetime_s;
        let access_token = tokens::random_token("fakeat.", self.ids.bytes(32));
        self.issued.access.insert(
            access_token.clone(),
            AccessToken {
                tenant: grant.tenant.to_string(),
                audience: audience.clone(),
                issued_ms: self.now_ms,
                expires_ms: self.now_ms + lifetime_s * 1000,
            },
        );
        let mut body = json!({
            "token_type": "Bearer",
            "scope": granted_scope(grant.scope, &audience),
            "expires_in": lifetime_s,
            "ext_expires_in": lifetime_s,
            "access_token": access_token,
        });
        if tokens::has_scope(grant.scope, "offline_access") {
            let refresh_token = tokens::random_token("fakert.", self.ids.bytes(32));
            self.issued.refresh.insert(
                refresh_token.clone(),
                RefreshToken {
                    client_id: grant.client_id.to_string(),
                    tenant: grant.tenant.to_string(),
                    scope: grant.scope.to_string(),
                    family_issued_ms: grant.family_issued_ms,
                },
            );
            body["refresh_token"] = json!(refresh_token);
            let left_ms = (grant.family_issued_ms + SPA_REFRESH_LIFETIME_MS).saturating_sub(self.now_ms);
            body["refresh_token_expires_in"] = json!(left_ms / 1000);
        }
        if tokens::has_scope(grant.scope, "openid") {
            body["id_token"] = json!(self.id_token(req, grant));
        }
        let mut response = wire::json(200, &body);
        wire::set(&mut response, "cache-control", "no-store, no-cache");
        Ok(response)
    }

    fn id_token(&self, req: &Incoming, grant: &Grant) -> String {
        let user = &self.world.user;
        let now_s = self.now_ms / 1000;
        let mut claims = json!({
            "aud": grant.client_id,
            "iss": format!("{}/{}/v2.0", req.base, grant.tenant),
            "iat": now_s,
            "nbf": now_s,
            "exp": now_s + self.options.token_lifetime_s,
            "name": user.name,
            "oid": user.object_id,
            "preferred_username": user.username,
            "sub": user.object_id,
            "tid": grant.tenant,
            "ver": "2.0",
            // The `login_hint` optional claim, which the app sends back as `logout_hint`.
            "login_hint": login_hint(&user.object_id, grant.tenant),
        });
        if let Some(nonce) = grant.nonce {
            claims["nonce"] = json!(nonce);
        }
        tokens::sign_jwt(&claims)
    }

    /// Entra checks `post_logout_redirect_uri` against the app's registered addresses; the
    /// server's request log keeps the query, `logout_hint` included, for tests to read.
    fn logout(&self, req: &Incoming) -> Response<Vec<u8>> {
        if let Some(target) = req.query("post_logout_redirect_uri").filter(|uri| self.under_app_origin(uri)) {
            let back = Back { redirect_uri: target, state: req.query("state"), fragment: false };
            return wire::redirect(&back.url(&back.state.map(|s| vec![("state", s)]).unwrap_or_default()));
        }
        let page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out</title></head>\n<body><h1>You signed out of your account</h1><p>It's a good idea to close all browser windows.</p></body></html>\n";
        wire::html(200, page.to_string())
    }

    /// Whether `uri` is an http(s) address on the app's origin (any origin when none is set,
    /// as in demo mode, where no browser redirect ever happens).
    fn under_app_origin(&self, uri: &str) -> bool {
        let Ok(target) = url::Url::parse(uri) else {
            return false;
        };
        if !matches!(target.scheme(), "http" | "https") {
            return false;
        }
        match self.options.app_origin.as_deref().map(url::Url::parse) {
            None => true,
            Some(Ok(origin)) => origin.origin() == target.origin(),
            Some(Err(_)) => false,
        }
    }

    fn redirect_error(&mut self, back: &Back, error: &str, code: u32, text: &str) -> Response<Vec<u8>> {
        let description = self.described(code, text);
        let mut pairs = vec![("error", error), ("error_description", description.as_str())];
        pairs.extend(back.state.map(|s| ("state", s)));
        wire::redirect(&back.url(&pairs))
    }

    /// Entra's token error body (HTTP 400).
    fn token_error(&mut self, error: &str, code: u32, text: &str) -> Response<Vec<u8>> {
        let (trace_id, correlation_id) = (self.ids.uuid(), self.ids.uuid());
        let description = format!(
            "AADSTS{code}: {text} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {}",
            entra_timestamp(self.now_ms)
        );
        wire::json(
            400,
            &json!({
                "error": error,
                "error_description": description,
                "error_codes": [code],
                "timestamp": entra_timestamp(self.now_ms),
                "trace_id": trace_id,
                "correlation_id": correlation_id,
                "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
            }),
        )
    }

    /// A code or refresh token this tenant never issued.
    fn unknown_grant(&mut self) -> Response<Vec<u8>> {
        self.token_error("invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    }

    fn missing(&mut self, field: &str) -> Response<Vec<u8>> {
        let text = format!("The request body must contain the following parameter: '{field}'.");
        self.token_error("invalid_request", 900144, &text)
    }

    fn described(&mut self, code: u32, text: &str) -> String {
        let (trace_id, correlation_id) = (self.ids.uuid(), self.ids.uuid());
        format!(
            "AADSTS{code}: {text} Trace ID: {trace_id} Correlation ID: {correlation_id} Timestamp: {}",
            entra_timestamp(self.now_ms)
        )
    }

    /// The page Entra shows when it cannot send the user back to the app.
    fn error_page(&mut self, status: u16, code: u32, text: &str) -> Response<Vec<u8>> {
        let description = self.described(code, text);
        let page = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\n<body><h1>Sorry, but we're having trouble signing you in.</h1>\n<p id=\"error\">{}</p></body></html>\n",
            html_escape(&description)
        );
        wire::html(status, page)
    }
}

/// `organizations` and `common` let Entra pick the tenant; anything else names one.
fn is_shared_authority(segment: &str) -> bool {
    matches!(segment.to_ascii_lowercase().as_str(), "organizations" | "common" | "consumers")
}

/// The `scope` of a token response: the resource scopes, with `.default` spelled out as ARM's
/// delegated permission.
fn granted_scope(requested: &str, audience: &str) -> String {
    let granted: Vec<String> = requested
        .split_whitespace()
        .filter(|s| !tokens::OPENID_SCOPES.contains(&s.to_ascii_lowercase().as_str()))
        .map(|s| if s.ends_with("/.default") { format!("{audience}/user_impersonation") } else { s.to_string() })
        .collect();
    granted.join(" ")
}

/// What a redeemed grant turns into.
struct Grant<'a> {
    client_id: &'a str,
    tenant: &'a str,
    scope: &'a str,
    nonce: Option<&'a str>,
    family_issued_ms: u64,
}

/// Where the answer of `/authorize` goes: the redirect URI, in its query or fragment.
struct Back<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
    fragment: bool,
}

impl Back<'_> {
    fn url(&self, pairs: &[(&str, &str)]) -> String {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            params.append_pair(k, v);
        }
        let params = params.finish();
        if params.is_empty() {
            return self.redirect_uri.to_string();
        }
        if self.fragment {
            return format!("{}#{params}", self.redirect_uri.split('#').next().unwrap_or_default());
        }
        let joiner = if self.redirect_uri.contains('?') { '&' } else { '?' };
        format!("{}{joiner}{params}", self.redirect_uri)
    }
}

/// The fields of a form-encoded body.
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

/// The id_token's `login_hint` claim: opaque and base64 encoded, as Entra documents it, and
/// stable for one user in one tenant (never the UPN, which Entra says not to send as a hint).
pub(crate) fn login_hint(object_id: &str, tenant: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("fake-login-hint.{object_id}.{tenant}"))
}
