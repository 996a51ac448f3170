//! Entra ID v2 of the fake: authorize (page and auto-approve), token with a real PKCE S256
//! check, single-use expiring codes, refresh tokens with the SPA 24 h limit, errors in Entra's
//! shapes, the id_token, logout.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use fake_azure::{pkce_challenge, FakeAzure, Options, ID_TOKEN_TEST_KEY};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

const APP: &str = "http://127.0.0.1:8080";
const LOGIN: &str = "http://127.0.0.1:9443";
const CLIENT: &str = "00000000-1111-2222-3333-444444444444";
const VERIFIER: &str = "dBjftJeZ4CVP-1mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const SCOPE: &str = "https://management.azure.com/user_impersonation openid profile offline_access";

fn options() -> Options {
    Options { app_origin: Some(APP.into()), auto_approve: true, ..Options::default() }
}

fn authorize_url(tenant: &str, overrides: &[(&str, &str)]) -> String {
    let challenge = pkce_challenge(VERIFIER);
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", "http://127.0.0.1:8080/auth/callback"),
        ("scope", SCOPE),
        ("response_mode", "query"),
        ("state", "st<ate>"),
        ("nonce", "n-0S6_WzA2Mj"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in overrides {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push((k, v));
        }
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    format!("{LOGIN}/{tenant}/oauth2/v2.0/authorize?{query}")
}

fn at(azure: &mut FakeAzure, link: &str, now: u64) -> http::Response<Vec<u8>> {
    azure.handle(request("GET", link, None, None), now).response.unwrap()
}

/// The query pairs of a redirect's `Location`.
fn redirect_params(response: &http::Response<Vec<u8>>) -> Vec<(String, String)> {
    assert_eq!(response.status(), 302, "{}", String::from_utf8_lossy(response.body()));
    let location = url::Url::parse(header(response, "location").unwrap()).unwrap();
    assert_eq!(location.origin().ascii_serialization(), APP);
    location.query_pairs().into_owned().collect()
}

fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn sign_in(azure: &mut FakeAzure, tenant: &str) -> String {
    let params = redirect_params(&at(azure, &authorize_url(tenant, &[]), NOW));
    assert_eq!(param(&params, "state"), Some("st<ate>"));
    param(&params, "code").unwrap().to_string()
}

fn token(azure: &mut FakeAzure, tenant: &str, form: &[(&str, &str)], now: u64) -> http::Response<Vec<u8>> {
    let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let request = http::Request::post(format!("{LOGIN}/{tenant}/oauth2/v2.0/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", APP)
        .body(body.into_bytes())
        .unwrap();
    azure.handle(request, now).response.unwrap()
}

fn redeem(azure: &mut FakeAzure, code: &str, verifier: &str, now: u64) -> http::Response<Vec<u8>> {
    let form = [
        ("client_id", CLIENT),
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", "http://127.0.0.1:8080/auth/callback"),
        ("code_verifier", verifier),
        ("scope", SCOPE),
    ];
    token(azure, "organizations", &form, now)
}

/// Checks Entra's error body and returns its `error` and first code.
fn entra_error(response: &http::Response<Vec<u8>>) -> (String, u64) {
    assert_eq!(response.status(), 400);
    let error = body(response);
    let code = error["error_codes"][0].as_u64().unwrap();
    assert!(error["error_description"].as_str().unwrap().starts_with(&format!("AADSTS{code}: ")), "{error}");
    for key in ["timestamp", "trace_id", "correlation_id"] {
        assert!(error[key].is_string(), "{key} in {error}");
    }
    (error["error"].as_str().unwrap().to_string(), code)
}

fn jwt_claims(jwt: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    // Verified with RustCrypto's HMAC, as a relying party would with the published key.
    let mut mac = Hmac::<Sha256>::new_from_slice(ID_TOKEN_TEST_KEY).unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).expect("signed with the documented test key");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

#[test]
fn right_verifier_gets_tokens_that_arm_accepts() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "organizations");
    let response = redeem(&mut azure, &code, VERIFIER, NOW + 1000);
    assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(response.body()));
    let tokens = body(&response);
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert_eq!(tokens["scope"], "https://management.azure.com/user_impersonation");
    assert!(tokens["refresh_token"].is_string());
    let claims = jwt_claims(tokens["id_token"].as_str().unwrap());
    assert_eq!(claims["aud"], CLIENT);
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["iss"], format!("{LOGIN}/{TENANT}/v2.0"));
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["name"], "Avery <b>Admin</b>");
    assert_eq!(claims["preferred_username"], "avery@contoso.example");
    assert_eq!(claims["oid"], "99999999-9999-9999-9999-999999999999");
    // The login_hint optional claim: opaque base64, never the UPN (the app's logout_hint).
    assert_eq!(claims["login_hint"], "ZmFrZS1sb2dpbi1oaW50Ljk5OTk5OTk5LTk5OTktOTk5OS05OTk5LTk5OTk5OTk5OTk5OS5hYWFhYWFhYS1hYWFhLWFhYWEtYWFhYS1hYWFhYWFhYWFhYWE");
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 3600);
    let access = tokens["access_token"].as_str().unwrap();
    let arm = send(&mut azure, "GET", &url("/subscriptions", "2022-12-01"), None, Some(access));
    assert_eq!(arm.status(), 200);
}

#[test]
fn wrong_verifier_is_refused() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "organizations");
    let wrong = redeem(&mut azure, &code, "a-different-verifier-of-sufficient-length-0123456789", NOW);
    assert_eq!(entra_error(&wrong), ("invalid_grant".into(), 501481));
    let missing = redeem(&mut azure, &code, "", NOW);
    assert_eq!(entra_error(&missing), ("invalid_request".into(), 9002325));
}

#[test]
fn codes_are_single_use() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "organizations");
    assert_eq!(redeem(&mut azure, &code, VERIFIER, NOW).status(), 200);
    assert_eq!(entra_error(&redeem(&mut azure, &code, VERIFIER, NOW)), ("invalid_grant".into(), 54005));
    assert_eq!(entra_error(&redeem(&mut azure, "made-up", VERIFIER, NOW)).0, "invalid_grant");
}

#[test]
fn codes_expire_after_ten_minutes() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "organizations");
    assert_eq!(
        entra_error(&redeem(&mut azure, &code, VERIFIER, NOW + 10 * 60 * 1000 + 1)),
        ("invalid_grant".into(), 70008)
    );
    let fresh = sign_in(&mut azure, "organizations");
    assert_eq!(redeem(&mut azure, &fresh, VERIFIER, NOW + 9 * 60 * 1000).status(), 200);
}

#[test]
fn redirect_uri_and_origin_must_match() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "organizations");
    let form = [
        ("client_id", CLIENT),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:8080/other"),
        ("code_verifier", VERIFIER),
    ];
    assert_eq!(entra_error(&token(&mut azure, "organizations", &form, NOW)), ("invalid_grant".into(), 500112));
    // A SPA's code is redeemed cross-origin only: no Origin header, no tokens.
    let no_origin = http::Request::post(format!("{LOGIN}/organizations/oauth2/v2.0/token"))
        .body(b"grant_type=authorization_code".to_vec())
        .unwrap();
    assert_eq!(entra_error(&azure.handle(no_origin, NOW).response.unwrap()).1, 9002327);
}

#[test]
fn refresh_grant_and_its_24_hour_limit() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "organizations");
    let first = body(&redeem(&mut azure, &code, VERIFIER, NOW));
    let refresh = first["refresh_token"].as_str().unwrap().to_string();
    fn form(rt: &str) -> Vec<(&str, &str)> {
        vec![("client_id", CLIENT), ("grant_type", "refresh_token"), ("refresh_token", rt), ("scope", SCOPE)]
    }
    let later = NOW + 23 * 3600 * 1000;
    let renewed = body(&token(&mut azure, "organizations", &form(&refresh), later));
    assert!(renewed["access_token"].is_string());
    assert_ne!(renewed["access_token"], first["access_token"]);
    assert!(renewed["refresh_token_expires_in"].as_u64().unwrap() <= 3600);
    // The same refresh token gets a token for another tenant of the user: how the app switches.
    let other = body(&token(&mut azure, OTHER_TENANT, &form(&refresh), later));
    let other_access = other["access_token"].as_str().unwrap();
    let sub = url(&format!("/subscriptions/{OTHER_TENANT_SUB}/providers/Microsoft.Security/settings"), "2022-05-01");
    assert_eq!(azure.handle(request("GET", &sub, None, Some(other_access)), later).response.unwrap().status(), 200);
    // 24 h after the sign-in every refresh token of it is dead, however recently issued.
    let next = renewed["refresh_token"].as_str().unwrap();
    let expired = token(&mut azure, "organizations", &form(next), NOW + 24 * 3600 * 1000);
    assert_eq!(entra_error(&expired), ("invalid_grant".into(), 700084));
    assert_eq!(entra_error(&token(&mut azure, "organizations", &form("nonsense"), NOW)).0, "invalid_grant");
}

#[test]
fn other_grant_and_missing_fields() {
    let mut azure = fake(options());
    let client =
        token(&mut azure, "organizations", &[("grant_type", "client_credentials"), ("client_id", CLIENT)], NOW);
    assert_eq!(entra_error(&client), ("unsupported_grant_type".into(), 70003));
    assert_eq!(
        entra_error(&token(&mut azure, "organizations", &[("client_id", CLIENT)], NOW)),
        ("invalid_request".into(), 900144)
    );
}

#[test]
fn redirect_outside_the_app_origin_is_shown_not_followed() {
    let mut azure = fake(options());
    let response =
        at(&mut azure, &authorize_url("organizations", &[("redirect_uri", "https://evil.example/callback")]), NOW);
    assert_eq!(response.status(), 400);
    assert!(header(&response, "location").is_none());
    assert!(String::from_utf8_lossy(response.body()).contains("AADSTS50011"));
}

#[test]
fn authorize_errors_go_back_on_the_redirect() {
    let mut azure = fake(options());
    for (overrides, error, code) in [
        (vec![("code_challenge", "")], "invalid_request", "AADSTS9002325"),
        (vec![("code_challenge_method", "plain")], "invalid_request", "AADSTS70011"),
        (vec![("response_type", "token")], "unsupported_response_type", "AADSTS700054"),
        (vec![("scope", "")], "invalid_request", "AADSTS900144"),
    ] {
        let params = redirect_params(&at(&mut azure, &authorize_url("organizations", &overrides), NOW));
        assert_eq!(param(&params, "error"), Some(error), "{overrides:?}");
        assert!(param(&params, "error_description").unwrap().starts_with(code));
        assert_eq!(param(&params, "state"), Some("st<ate>"));
        assert!(param(&params, "code").is_none());
    }
    let unknown = at(&mut azure, &authorize_url("not-a-tenant", &[]), NOW);
    assert_eq!(unknown.status(), 400);
    assert!(String::from_utf8_lossy(unknown.body()).contains("AADSTS90002"));
}

#[test]
fn sign_in_page_then_approve_or_cancel() {
    let mut azure = fake(Options { auto_approve: false, ..options() });
    let page = at(&mut azure, &authorize_url(TENANT, &[]), NOW);
    assert_eq!(page.status(), 200);
    let html = String::from_utf8(page.body().clone()).unwrap();
    assert!(html.contains("Sign in as Avery &lt;b&gt;Admin&lt;/b&gt;"), "{html}");
    assert!(!html.contains("<script") && !html.contains("style"), "no script, no inline style");
    let href = |id: &str| {
        let marker = format!("id=\"{id}\" href=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        html[start..start + html[start..].find('"').unwrap()].replace("&amp;", "&")
    };
    let approved = redirect_params(&at(&mut azure, &format!("{LOGIN}{}", href("sign-in")), NOW));
    let code = param(&approved, "code").unwrap().to_string();
    let tokens = body(&redeem(&mut azure, &code, VERIFIER, NOW));
    assert_eq!(jwt_claims(tokens["id_token"].as_str().unwrap())["tid"], TENANT);
    let cancelled = redirect_params(&at(&mut azure, &format!("{LOGIN}{}", href("cancel")), NOW));
    assert_eq!(param(&cancelled, "error"), Some("access_denied"));
    let silent = redirect_params(&at(&mut azure, &authorize_url(TENANT, &[("prompt", "none")]), NOW));
    assert_eq!(param(&silent, "error"), Some("login_required"));
}

#[test]
fn tenant_in_the_path_sets_the_token_tenant() {
    let mut azure = fake(options());
    let code = sign_in(&mut azure, "fabrikam.example");
    let form = [
        ("client_id", CLIENT),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:8080/auth/callback"),
        ("code_verifier", VERIFIER),
        ("scope", SCOPE),
    ];
    let tokens = body(&token(&mut azure, OTHER_TENANT, &form, NOW));
    assert_eq!(jwt_claims(tokens["id_token"].as_str().unwrap())["tid"], OTHER_TENANT);
    let access = tokens["access_token"].as_str().unwrap();
    let home_sub = url(&format!("/subscriptions/{SUB}/providers/Microsoft.Security/settings"), "2022-05-01");
    assert_eq!(error_code(&send(&mut azure, "GET", &home_sub, None, Some(access))), "InvalidAuthenticationTokenTenant");
}

#[test]
fn tokens_for_another_resource_are_refused_by_arm() {
    let mut azure = fake(options());
    let params =
        redirect_params(&at(&mut azure, &authorize_url("organizations", &[("scope", "User.Read openid")]), NOW));
    let code = param(&params, "code").unwrap().to_string();
    let form = [
        ("client_id", CLIENT),
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "http://127.0.0.1:8080/auth/callback"),
        ("code_verifier", VERIFIER),
    ];
    let graph_token = body(&token(&mut azure, "organizations", &form, NOW));
    let response =
        send(&mut azure, "GET", &url("/subscriptions", "2022-12-01"), None, graph_token["access_token"].as_str());
    assert_eq!(error_code(&response), "InvalidAuthenticationToken");
}

#[test]
fn logout_redirects_home_or_shows_a_page() {
    let mut azure = fake(options());
    let home = at(
        &mut azure,
        &format!("{LOGIN}/common/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2F"),
        NOW,
    );
    assert_eq!((home.status().as_u16(), header(&home, "location")), (302, Some("http://127.0.0.1:8080/")));
    let elsewhere = at(
        &mut azure,
        &format!("{LOGIN}/common/oauth2/v2.0/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F"),
        NOW,
    );
    assert_eq!(elsewhere.status(), 200);
    assert!(header(&elsewhere, "location").is_none());
}
