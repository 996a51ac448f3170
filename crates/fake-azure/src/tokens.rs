//! What Entra ID hands out and ARM checks: authorization codes, opaque access tokens, refresh
//! tokens, PKCE S256, and the id_token JWT signed with a fixed, public test key.

use std::collections::{HashMap, HashSet};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
#[cfg(feature = "entra")]
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The HS256 key of every id_token the fake signs. It is a published test value, not a secret:
/// nothing may trust these tokens outside tests and demos.
pub const ID_TOKEN_TEST_KEY: &[u8] = b"fake-azure id_token test key - public, not a secret";

/// An authorization code waiting to be redeemed at `/token`.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub tenant: String,
    pub issued_ms: u64,
}

/// What an access token stands for; ARM looks it up by the token string.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub tenant: String,
    /// The resource the token is for, e.g. `https://management.azure.com`.
    pub audience: String,
    pub issued_ms: u64,
    pub expires_ms: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub client_id: String,
    pub tenant: String,
    /// The scopes of the sign-in, reused when a refresh names none.
    pub scope: String,
    /// When the first refresh token of this sign-in was issued: SPA refresh tokens die 24 h
    /// after that, however often they are redeemed.
    pub family_issued_ms: u64,
}

/// Everything issued so far in this run.
#[derive(Debug, Default)]
pub(crate) struct Issued {
    pub codes: HashMap<String, Code>,
    /// Redeemed codes, so that a second redemption gets Entra's "already redeemed" error.
    pub redeemed: HashSet<String>,
    pub access: HashMap<String, AccessToken>,
    pub refresh: HashMap<String, RefreshToken>,
    /// Refresh tokens an administrator revoked ("revoke sessions", a password reset).
    pub revoked: HashSet<String>,
    /// Requests to `/token`, of any grant: a test counts renewals with it.
    pub token_requests: usize,
}

/// `BASE64URL(SHA256(verifier))`, RFC 7636 S256.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A random token-ish string from the run's seeded PRNG.
pub(crate) fn random_token(prefix: &str, bytes: Vec<u8>) -> String {
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A compact JWS with `alg: HS256`, signed with [`ID_TOKEN_TEST_KEY`].
#[cfg(feature = "entra")]
pub(crate) fn sign_jwt(claims: &serde_json::Value) -> String {
    let header = serde_json::json!({ "typ": "JWT", "alg": "HS256", "kid": "fake-azure-test-key" });
    let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    let signing_input = format!("{}.{}", encode(&header), encode(claims));
    let mut mac = Hmac::<Sha256>::new_from_slice(ID_TOKEN_TEST_KEY).expect("HMAC takes a key of any length");
    mac.update(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The resource (audience) of a scope list: `https://management.azure.com/user_impersonation`
/// and `https://management.azure.com/.default` are both for `https://management.azure.com`.
/// OpenID scopes name no resource; with none left the token is for Microsoft Graph, as Entra does.
pub(crate) fn resources(scope: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for s in scope.split_whitespace().filter(|s| !OPENID_SCOPES.contains(&s.to_ascii_lowercase().as_str())) {
        let resource = match s.rfind('/') {
            Some(at) if s.contains("://") && at > s.find("://").unwrap_or(0) + 2 => s[..at].trim_end_matches('/'),
            _ => "https://graph.microsoft.com",
        };
        if !found.iter().any(|f| f.eq_ignore_ascii_case(resource)) {
            found.push(resource.to_string());
        }
    }
    found
}

/// Scopes that ask for OpenID Connect artefacts rather than for a resource.
pub(crate) const OPENID_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

pub(crate) fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split_whitespace().any(|s| s.eq_ignore_ascii_case(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    #[cfg(feature = "entra")]
    fn id_tokens_are_signed_with_the_published_test_key() {
        // Signed once with Python's hmac module (HS256, the key above, keys sorted as serde_json
        // writes them): a known answer, not a recomputation with the fake's own code.
        assert_eq!(
            sign_jwt(&serde_json::json!({ "aud": "app", "tid": "t1" })),
            "eyJhbGciOiJIUzI1NiIsImtpZCI6ImZha2UtYXp1cmUtdGVzdC1rZXkiLCJ0eXAiOiJKV1QifQ.eyJhdWQiOiJhcHAiLCJ0aWQiOiJ0MSJ9.GmKBhpRV7zRsN-qjVzniE2ulJQblCE_IiSlhWqMU61c"
        );
    }

    #[test]
    fn scopes_name_their_resource() {
        assert_eq!(
            resources("https://management.azure.com/user_impersonation openid profile offline_access"),
            vec!["https://management.azure.com"]
        );
        assert_eq!(
            resources("https://management.core.windows.net//.default"),
            vec!["https://management.core.windows.net"]
        );
        assert_eq!(resources("openid"), Vec::<String>::new());
        assert_eq!(resources("User.Read"), vec!["https://graph.microsoft.com"]);
    }
}
