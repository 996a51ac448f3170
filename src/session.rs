//! Who the app is talking to: the built-in demo tenant, or Azure as a signed-in user.
//!
//! Start-up reads `config.json`, finishes a sign-in that is coming back from Entra ID, and
//! finds stored tokens. Everything here is orchestration; the protocol is `mde_core::auth`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use mde_core::auth::{self, AuthError, Callback, PendingSignIn, Tokens};
use mde_core::client::ArmClient;
use mde_core::cloud::Cloud;
use mde_core::config::{self, AppConfig, ConfigError, TokenStore};
use mde_core::signed_in::{SignedIn, TokenEvents};
use send_wrapper::SendWrapper;

use crate::browser::fetch::FetchTransport;
use crate::browser::storage::{self, Store};
use crate::browser::{self, fetch_text, AppTransport};

/// The ARM base the demo's requests are addressed to: the real one, so that every URL the
/// demo shows is the one the real tool would call (the demo never sends them anywhere).
pub const DEMO_ARM_URL: &str = "https://management.azure.com";

/// The client, shareable with Leptos's views (which ask for `Send`; the browser has one
/// thread, so the wrapper's check never fires).
pub type Client = SendWrapper<Rc<ArmClient<AppTransport>>>;

/// Everything a page needs to call ARM on the user's behalf.
#[derive(Clone)]
pub struct Session {
    pub client: Client,
    /// What the header shows: the demo scenario's name, or the user's name.
    pub label: String,
    pub demo: bool,
    pub cloud: Cloud,
    /// The tenant the session works in.
    pub tenant_id: String,
    /// Who makes changes, for the audit log.
    pub user: String,
    /// The route prefix of this session's pages: `/try` or `/tenants/{id}`.
    pub base: String,
    /// ARM requests in flight at once when loading many subscriptions.
    pub concurrency: usize,
    /// The overview's rows, kept while the user works in this tenant.
    pub overview: crate::tenant::overview::OverviewStore,
    /// The runs of the session's writes, which go on while the user looks at other pages.
    pub runs: crate::tenant::Runs,
    /// The machines and their deployment status, kept while the user works in this tenant.
    pub machines: crate::tenant::machines::MachinesStore,
}

impl Session {
    /// The address of one of this session's pages on the host, for a link; `query` is added
    /// as name-value pairs.
    pub fn href(&self, page: crate::router::Page, query: &[(&str, &str)]) -> String {
        let mut url = crate::browser::site_path(&format!("{}{}", self.base, page.path()));
        if !query.is_empty() {
            let mut pairs = url::form_urlencoded::Serializer::new(String::new());
            pairs.extend_pairs(query);
            url = format!("{url}?{}", pairs.finish());
        }
        url
    }
}

thread_local! {
    /// A sign-in answer read from the address bar before the app rendered anything.
    static CALLBACK: RefCell<Option<Callback>> = const { RefCell::new(None) };
}

/// Runs before mounting: takes `code`/`state` (or `error`) out of the address bar at once, so
/// that nothing rendered, logged or bookmarked ever holds them.
pub fn take_callback_from_url() {
    let (path, query, _) = browser::location();
    let callback = auth::read_callback(&query);
    if callback != Callback::None {
        browser::replace_url(&format!("{path}{}", auth::strip_callback(&query)));
        CALLBACK.with(|c| *c.borrow_mut() = Some(callback));
    }
}

/// How the app starts, once `config.json` is read.
#[derive(Clone)]
pub enum Start {
    /// `config.json` is wrong: say which key and how to fix it.
    BadConfig(ConfigError),
    /// No client id: the site offers the demo only.
    DemoOnly,
    /// Ready to sign in (or signed in already): `error` is why the last sign-in failed.
    SignIn { config: AppConfig, error: Option<AuthError>, return_to: Option<String> },
}

/// Where the pending sign-in waits for the redirect back (always sessionStorage: it must
/// survive the round trip to Entra ID, and it is no token).
const PENDING: &str = "pending";

/// The key of the stored tokens of a tenant.
fn tokens_key(tenant_id: &str) -> String {
    format!("tokens.{}", tenant_id.to_ascii_lowercase())
}
const HOME: &str = "home";

pub fn store_of(config: &AppConfig) -> Store {
    match config.token_store {
        TokenStore::Session => Store::Session,
        TokenStore::Memory => Store::Memory,
    }
}

/// Reads the config and completes a returning sign-in.
pub async fn start() -> Start {
    let (_, _, origin) = browser::location();
    let json = match fetch_text("/config.json").await {
        Ok(json) => json,
        Err(why) => {
            return Start::BadConfig(ConfigError {
                key: String::new(),
                problem: why,
                fix: "Put a config.json next to index.html (see the README).".into(),
            })
        }
    };
    // Entra sends the user back to the site's own root (registered in the app registration).
    let config = match config::parse(&json, &format!("{origin}{}", browser::site_base())) {
        Ok(config) => config,
        Err(e) => return Start::BadConfig(e),
    };
    if config.client_id.is_none() {
        return Start::DemoOnly;
    }
    // Another tab's sign-out signs this one out too (its tokens are this tab's own).
    storage::on_sign_out_elsewhere(|| browser::go_to(&browser::site_path("/")));
    let callback = CALLBACK.with(|c| c.borrow_mut().take());
    match callback {
        None | Some(Callback::None) => Start::SignIn { config, error: None, return_to: None },
        Some(Callback::Error { error, description, state }) => {
            let pending: Option<PendingSignIn> = Store::Session.take(PENDING);
            let why = auth::callback_error(pending, state.as_deref(), &error, &description, browser::now_ms());
            Start::SignIn { error: Some(why), config, return_to: None }
        }
        Some(Callback::Code { code, state }) => {
            let now = browser::now_ms();
            let pending: Option<PendingSignIn> = Store::Session.take(PENDING);
            let result = match auth::check_state(pending, &state, now) {
                Ok(pending) => auth::redeem(&fetch(&config), &config, &pending, &code, now).await.map(|t| (t, pending)),
                Err(e) => Err(e),
            };
            match result {
                Ok((tokens, pending)) => {
                    let store = store_of(&config);
                    // A new sign-in, perhaps as another account: no token of the previous one
                    // may stay for the tenant picker to use under this one's name.
                    store.remove_all("tokens.");
                    store.set(HOME, &tokens.tenant_id);
                    store.set(&tokens_key(&tokens.tenant_id), &tokens);
                    let return_to = if pending.return_to.starts_with("/tenants/") {
                        pending.return_to
                    } else {
                        format!("/tenants/{}", tokens.tenant_id)
                    };
                    Start::SignIn { config, error: None, return_to: Some(return_to) }
                }
                Err(e) => Start::SignIn { config, error: Some(e), return_to: None },
            }
        }
    }
}

/// The path and query of the page now: where "sign in again" brings the user back to.
pub fn current_view() -> String {
    let (path, query, _) = browser::location();
    format!("{path}{query}")
}

/// Sends the browser to Entra ID; comes back to `return_to`.
pub fn sign_in(config: &AppConfig, tenant: &str, return_to: &str) -> Result<(), AuthError> {
    let hint = signed_in_account(config).map(|t| t.account.username);
    let (url, pending) = auth::begin(config, tenant, return_to, hint.as_deref(), browser::now_ms())?;
    Store::Session.set(PENDING, &pending);
    browser::go_to(&url);
    Ok(())
}

/// Forgets every token, pending state and audit log, then signs out at Entra ID.
pub fn sign_out(config: &AppConfig) {
    let login_hint = signed_in_account(config).and_then(|tokens| tokens.account.login_hint);
    storage::clear_all();
    storage::broadcast_sign_out();
    browser::go_to(&logout_url(config, login_hint.as_deref()));
}

/// Entra's logout for this app: back to the configured redirect URI afterwards (Entra redirects
/// only to a registered one, which the site's origin need not be), and the account's
/// `login_hint` claim as `logout_hint`, so that Entra signs that account out without asking
/// which. Entra documents that claim as the only value for it (never the UPN): without it,
/// Entra asks.
pub fn logout_url(config: &AppConfig, login_hint: Option<&str>) -> String {
    let logout = config.cloud.authority_endpoint(&config.tenant, "logout");
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("post_logout_redirect_uri", &config.redirect_uri);
    if let Some(hint) = login_hint {
        query.append_pair("logout_hint", hint);
    }
    format!("{logout}?{}", query.finish())
}

/// The transport to Entra ID and ARM, with the configured timeout.
fn fetch(config: &AppConfig) -> FetchTransport {
    FetchTransport::new(config.request_timeout_ms, &config.cloud)
}

/// The tokens of the home tenant (the one signed in to), if any.
pub fn signed_in_account(config: &AppConfig) -> Option<Tokens> {
    let store = store_of(config);
    let home: String = store.get(HOME)?;
    store.get(&tokens_key(&home))
}

/// A session in `tenant_id`: its stored tokens, or new ones renewed from the home tenant's
/// refresh token (that is how switching tenant works without a new sign-in).
pub async fn tenant_session(
    config: &AppConfig,
    tenant_id: &str,
    sign_in_needed: RwSignal<Option<AuthError>>,
) -> Result<Session, AuthError> {
    let store = store_of(config);
    let tokens = match store.get::<Tokens>(&tokens_key(tenant_id)) {
        Some(tokens) => tokens,
        None => {
            let home = signed_in_account(config).ok_or_else(|| AuthError {
                code: "not_signed_in".into(),
                message: "You are not signed in.".into(),
                sign_in_again: true,
            })?;
            check_address_tenant(config, &home, tenant_id, sign_in_needed).await?;
            let tokens = auth::refresh(&fetch(config), config, &home, tenant_id, browser::now_ms()).await?;
            store.set(&tokens_key(&tokens.tenant_id), &tokens);
            tokens
        }
    };
    let label =
        if tokens.account.name.is_empty() { tokens.account.username.clone() } else { tokens.account.name.clone() };
    let events = Rc::new(StoredTokens { store, sign_in_needed });
    let user = tokens.account.username.clone();
    let token_tenant = tokens.tenant_id.clone();
    let transport = SignedIn::new(fetch(config), config.clone(), tokens, events);
    Ok(Session {
        client: SendWrapper::new(Rc::new(ArmClient::new(
            AppTransport::SignedIn(Rc::new(transport)),
            &config.cloud.arm_url,
        ))),
        label,
        demo: false,
        cloud: config.cloud.clone(),
        // The tenant the tokens are for (the id_token's tid), not the address's words for it:
        // the audit log records this one.
        tenant_id: token_tenant,
        user,
        base: format!("/tenants/{tenant_id}"),
        concurrency: config.concurrency,
        overview: Default::default(),
        runs: crate::tenant::Runs::new(&config.cloud),
        machines: Default::default(),
    })
}

thread_local! {
    /// The tenants of addresses the user was asked about in this tab, and chose to open.
    static ASKED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The tenant an address names is opened with the home tenant's refresh token only when it is
/// one of the user's (`mde_core::tenancy::address_tenant`); any other is refused once with the
/// question naming it, and opens when the user retries.
async fn check_address_tenant(
    config: &AppConfig,
    home: &Tokens,
    tenant_id: &str,
    sign_in_needed: RwSignal<Option<AuthError>>,
) -> Result<(), AuthError> {
    let asked_before = ASKED.with(|a| a.borrow().iter().any(|t| t.eq_ignore_ascii_case(tenant_id)));
    if asked_before || home.tenant_id.eq_ignore_ascii_case(tenant_id) {
        return Ok(());
    }
    let events = Rc::new(StoredTokens { store: store_of(config), sign_in_needed });
    let transport = SignedIn::new(fetch(config), config.clone(), home.clone(), events);
    let client = ArmClient::new(AppTransport::SignedIn(Rc::new(transport)), &config.cloud.arm_url);
    let listed: Vec<String> = client
        .list::<mde_core::arm::tenants::Tenant>(&mde_core::api::tenants())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|t| t.tenant_id)
        .collect();
    match mde_core::tenancy::address_tenant(tenant_id, &config.tenant, &home.tenant_id, &listed) {
        mde_core::tenancy::AddressTenant::Known => Ok(()),
        mde_core::tenancy::AddressTenant::Ask(question) => {
            ASKED.with(|a| a.borrow_mut().push(tenant_id.to_string()));
            Err(AuthError { code: "tenant_not_listed".into(), message: question, sign_in_again: false })
        }
    }
}

/// Keeps renewed tokens in the configured store, and raises "sign in again" in the view.
struct StoredTokens {
    store: Store,
    sign_in_needed: RwSignal<Option<AuthError>>,
}

impl TokenEvents for StoredTokens {
    fn renewed(&self, tokens: &Tokens) {
        self.store.set(&tokens_key(&tokens.tenant_id), tokens);
    }

    fn sign_in_needed(&self, why: &AuthError) {
        self.sign_in_needed.set(Some(why.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_out_returns_to_the_redirect_uri_with_the_login_hint() {
        let config = config::parse(
            r#"{"clientId":"11111111-2222-3333-4444-555555555555","tenant":"contoso.onmicrosoft.com","redirectUri":"https://mde.contoso.example/console/"}"#,
            "https://mde.contoso.example/console/tenants/x",
        )
        .unwrap();
        assert_eq!(
            logout_url(&config, Some("O.CiQ5ZjA+/=")),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/logout\
             ?post_logout_redirect_uri=https%3A%2F%2Fmde.contoso.example%2Fconsole%2F&logout_hint=O.CiQ5ZjA%2B%2F%3D"
        );
        assert_eq!(
            logout_url(&config, None),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/logout\
             ?post_logout_redirect_uri=https%3A%2F%2Fmde.contoso.example%2Fconsole%2F"
        );
    }
}
