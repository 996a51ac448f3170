//! A [`Transport`] that calls ARM as the signed-in user: adds the bearer token, renews it
//! silently before it expires and once on a 401 `invalid_token`, and says when only a new
//! interactive sign-in will do.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::HeaderValue;

use crate::arm::ArmErrorBody;
use crate::auth::{self, AuthError, Tokens};
use crate::config::AppConfig;
use crate::transport::{Request, Response, Transport, TransportError};

/// Called when tokens change (to store them) or when the user must sign in again.
pub trait TokenEvents {
    fn renewed(&self, tokens: &Tokens);
    fn sign_in_needed(&self, why: &AuthError);
}

/// Wraps the network transport with the user's tokens for one tenant.
pub struct SignedIn<T> {
    inner: T,
    config: AppConfig,
    tokens: RefCell<Tokens>,
    renewing: Cell<bool>,
    events: Rc<dyn TokenEvents>,
}

impl<T: Transport> SignedIn<T> {
    pub fn new(inner: T, config: AppConfig, tokens: Tokens, events: Rc<dyn TokenEvents>) -> Self {
        SignedIn { inner, config, tokens: RefCell::new(tokens), renewing: Cell::new(false), events }
    }

    pub fn tokens(&self) -> Tokens {
        self.tokens.borrow().clone()
    }

    /// Renews the access token with the refresh token; concurrent callers wait for one renewal.
    pub async fn renew(&self) -> Result<(), AuthError> {
        if self.renewing.get() {
            while self.renewing.get() {
                self.inner.sleep(25).await;
            }
            return Ok(());
        }
        self.renewing.set(true);
        let current = self.tokens();
        let result = auth::refresh(&self.inner, &self.config, &current, &current.tenant_id, self.inner.now_ms()).await;
        self.renewing.set(false);
        match result {
            Ok(tokens) => {
                self.events.renewed(&tokens);
                *self.tokens.borrow_mut() = tokens;
                Ok(())
            }
            Err(e) => {
                if e.sign_in_again {
                    self.events.sign_in_needed(&e);
                }
                Err(e)
            }
        }
    }

    fn authorize(&self, mut request: Request) -> Request {
        let bearer = format!("Bearer {}", self.tokens.borrow().access_token);
        if let Ok(value) = HeaderValue::from_str(&bearer) {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        request
    }
}

/// What a 401 asks for.
#[derive(Debug, PartialEq, Eq)]
enum Challenge {
    /// Expired or invalid token: a renewal may fix it.
    Renew,
    /// Continuous access evaluation wants new claims: only an interactive sign-in.
    Claims,
    /// Anything else (a token for another tenant): renewing will not help.
    Other,
}

fn challenge(response: &Response) -> Challenge {
    // The header may be hidden by CORS; ARM's error code says the same.
    let header = response.headers().get(WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let code = serde_json::from_slice::<ArmErrorBody>(response.body()).map(|b| b.error.code).unwrap_or_default();
    if header.contains("insufficient_claims") {
        Challenge::Claims
    } else if header.contains("invalid_token") && code != "InvalidAuthenticationTokenTenant"
        || code == "ExpiredAuthenticationToken"
        || code == "InvalidAuthenticationToken"
    {
        Challenge::Renew
    } else {
        Challenge::Other
    }
}

impl<T: Transport> Transport for SignedIn<T> {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        if self.tokens.borrow().needs_renewal(self.inner.now_ms()) {
            // On failure, send anyway: ARM's 401 then reaches the view with its own words.
            let _ = self.renew().await;
        }
        let response = self.inner.send(self.authorize(request.clone())).await?;
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        match challenge(&response) {
            Challenge::Renew if self.renew().await.is_ok() => self.inner.send(self.authorize(request)).await,
            Challenge::Claims => {
                self.events.sign_in_needed(&AuthError {
                    code: "insufficient_claims".into(),
                    message: "Your organisation's policy asks you to sign in again (continuous access evaluation)."
                        .into(),
                    sign_in_again: true,
                });
                Ok(response)
            }
            _ => Ok(response),
        }
    }

    async fn sleep(&self, ms: u64) {
        self.inner.sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        self.inner.now_ms()
    }
}
