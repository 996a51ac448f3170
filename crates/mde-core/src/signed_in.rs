//! A [`Transport`] that calls ARM as the signed-in user: adds the bearer token, renews it
//! silently before it expires and once on a 401 `invalid_token`, and says when only a new
//! interactive sign-in will do.
//!
//! Renewal cannot storm: however many requests find the token expired at once, one `/token`
//! call is made and every waiter gets its result. Once Entra says only a new sign-in will do,
//! the session is dead: no more `/token` calls, and every request fails at once.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;

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

/// Where renewal stands.
enum Renewal {
    Idle,
    /// One `/token` call is out; these callers wait for its result.
    Running(Vec<oneshot::Sender<Result<(), AuthError>>>),
    /// Only an interactive sign-in will do: nothing more is sent.
    Dead(AuthError),
}

/// Wraps the network transport with the user's tokens for one tenant.
pub struct SignedIn<T> {
    inner: T,
    config: AppConfig,
    tokens: RefCell<Tokens>,
    renewal: RefCell<Renewal>,
    events: Rc<dyn TokenEvents>,
}

impl<T: Transport> SignedIn<T> {
    pub fn new(inner: T, config: AppConfig, tokens: Tokens, events: Rc<dyn TokenEvents>) -> Self {
        SignedIn { inner, config, tokens: RefCell::new(tokens), renewal: RefCell::new(Renewal::Idle), events }
    }

    pub fn tokens(&self) -> Tokens {
        self.tokens.borrow().clone()
    }

    /// Why the session is dead, once only a new sign-in will do.
    pub fn dead(&self) -> Option<AuthError> {
        match &*self.renewal.borrow() {
            Renewal::Dead(why) => Some(why.clone()),
            _ => None,
        }
    }

    /// Renews the access token with the refresh token. Concurrent callers share one renewal
    /// and its result, failure included.
    pub async fn renew(&self) -> Result<(), AuthError> {
        let waiting = match &mut *self.renewal.borrow_mut() {
            Renewal::Dead(why) => return Err(why.clone()),
            Renewal::Running(waiters) => {
                let (sender, receiver) = oneshot::channel();
                waiters.push(sender);
                Some(receiver)
            }
            state @ Renewal::Idle => {
                *state = Renewal::Running(Vec::new());
                None
            }
        };
        if let Some(receiver) = waiting {
            return receiver.await.unwrap_or_else(|_| Err(renewal_abandoned()));
        }
        // If this future is dropped mid-way (its page closed), the waiters learn it and the
        // next caller renews afresh.
        scopeguard::defer! {
            if let Ok(mut state) = self.renewal.try_borrow_mut() {
                if matches!(*state, Renewal::Running(_)) {
                    *state = Renewal::Idle;
                }
            }
        }
        let current = self.tokens();
        let result = auth::refresh(&self.inner, &self.config, &current, &current.tenant_id, self.inner.now_ms()).await;
        let result = match result {
            Ok(tokens) => {
                self.events.renewed(&tokens);
                *self.tokens.borrow_mut() = tokens;
                Ok(())
            }
            Err(e) => Err(e),
        };
        let next = match &result {
            Err(e) if e.sign_in_again => Renewal::Dead(e.clone()),
            _ => Renewal::Idle,
        };
        let Renewal::Running(waiters) = std::mem::replace(&mut *self.renewal.borrow_mut(), next) else {
            unreachable!("only the renewing caller leaves the Running state")
        };
        if let Err(e) = &result {
            if e.sign_in_again {
                // Once: later callers find the session dead and send nothing.
                self.events.sign_in_needed(e);
            }
        }
        for waiter in waiters {
            let _ = waiter.send(result.clone());
        }
        result
    }

    /// The request with the current access token; returns the token used.
    fn authorize(&self, mut request: Request) -> (Request, String) {
        let token = self.tokens.borrow().access_token.clone();
        if let Ok(value) = HeaderValue::from_str(&format!("Bearer {token}")) {
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        (request, token)
    }

    /// Fails at once when the session is dead.
    fn check_alive(&self) -> Result<(), TransportError> {
        match self.dead() {
            Some(why) => Err(TransportError::SignInAgain(why.message)),
            None => Ok(()),
        }
    }
}

/// The renewing caller's future was dropped (its page closed) before it finished.
fn renewal_abandoned() -> AuthError {
    AuthError {
        code: "renewal_abandoned".into(),
        message: "The token renewal was cancelled.".into(),
        sign_in_again: false,
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
        self.check_alive()?;
        if self.tokens.borrow().needs_renewal(self.inner.now_ms()) {
            // A network failure: send anyway, ARM's 401 then reaches the view with its own words.
            self.renew().await.or_else(|e| {
                if e.sign_in_again {
                    Err(TransportError::SignInAgain(e.message))
                } else {
                    Ok(())
                }
            })?;
        }
        let (authorized, sent_with) = self.authorize(request.clone());
        let response = self.inner.send(authorized).await?;
        if response.status() != http::StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        match challenge(&response) {
            // Renewed by another request meanwhile: retry with the new token, no second renewal.
            Challenge::Renew if self.tokens.borrow().access_token != sent_with => {
                self.inner.send(self.authorize(request).0).await
            }
            Challenge::Renew if self.renew().await.is_ok() => self.inner.send(self.authorize(request).0).await,
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
