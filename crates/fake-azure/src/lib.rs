//! One in-memory Azure tenant that answers like Entra ID v2 and Azure Resource Manager.
//!
//! The same code runs inside the browser for demo mode (this library, built without the
//! `server` feature: no threads, no clock, no I/O, no OS randomness) and behind the loopback
//! `fake-azure` server for end-to-end tests. Time comes in as `now_ms`; randomness comes from a
//! PRNG seeded by [`Options::seed`], so every run can be replayed.
//!
//! ```
//! use fake_azure::{FakeAzure, Options};
//! let scenario = r#"{"subscriptions":[{"subscription":{"subscriptionId":"s1","displayName":"Prod","state":"Enabled"}}]}"#;
//! let mut azure = FakeAzure::from_scenario_json(scenario, Options { require_auth: false, ..Options::default() }).unwrap();
//! let request = http::Request::get("https://management.azure.com/subscriptions?api-version=2022-12-01").body(vec![]).unwrap();
//! let reply = azure.handle(request, 1_700_000_000_000);
//! assert_eq!(reply.response.unwrap().status(), 200);
//! ```

// Refusals are answers: handlers return `Err(response)` for ARM's and Entra's error replies,
// built once per request, so the size of `http::Response` in `Err` costs nothing that matters.
#![allow(clippy::result_large_err)]
// Without the `entra` feature (the demo worker), the helpers only Entra uses (codes, refresh
// tokens, the sign-in page) go unused; the linker drops them.
#![cfg_attr(not(feature = "entra"), allow(dead_code))]

mod arm;
mod clock;
#[cfg(feature = "entra")]
mod entra;
#[cfg(test)]
mod fault_tests;
mod faults;
pub mod generate;
mod graph;
mod limits;
pub mod rbac;
mod scenario;
mod tokens;
mod wire;
pub mod worker;

use http::Response;

use arm::routes::{self, Route, Spec};
use arm::{errors, Call, Principal};
use faults::{AfterRun, FaultState, Injected, Rng};
use limits::{Budget, Limits, Spent};
use scenario::World;
use tokens::Issued;
use wire::Incoming;

#[cfg(feature = "contract")]
pub use arm::contract;
pub use faults::{Faults, Injections};
pub use scenario::ScenarioError;
pub use tokens::{pkce_challenge, ID_TOKEN_TEST_KEY};

/// How the fake behaves, per run.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Items per ARM list page before a `nextLink` (ARG pages by the request's `$top`).
    pub page_size: usize,
    /// ARM calls need a bearer token issued by the fake's `/token`. Demo mode turns this off:
    /// calls without `Authorization` then act as the scenario's user in every tenant.
    pub require_auth: bool,
    pub faults: Faults,
    /// Seeds every random choice (faults, ids, codes, tokens): same seed + same requests =
    /// same answers.
    pub seed: u64,
    /// `expires_in` of access tokens; ARM refuses them afterwards (`ExpiredAuthenticationToken`).
    pub token_lifetime_s: u64,
    /// The one origin `redirect_uri`/`post_logout_redirect_uri` may point at (Entra refuses an
    /// unregistered redirect URI). `None`: any http(s) URI (demo mode).
    pub app_origin: Option<String>,
    /// `/authorize` redirects back at once instead of showing the sign-in page.
    pub auto_approve: bool,
    /// How long a long-running operation (extension delete) runs before it completes.
    pub lro_ms: u64,
    /// ARM refuses access tokens this long after they were issued, whatever their `expires_in`
    /// said (a revocation): the app must renew on the 401 and retry.
    pub revoke_access_after_ms: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            page_size: 100,
            require_auth: true,
            faults: Faults::default(),
            seed: 0,
            token_lifetime_s: 3600,
            app_origin: None,
            auto_approve: false,
            lro_ms: 3000,
            revoke_access_after_ms: None,
        }
    }
}

/// The fate of one request.
#[derive(Debug)]
pub struct Reply {
    /// `None`: the request is dropped (no answer at all; the server closes the connection).
    pub response: Option<Response<Vec<u8>>>,
    /// Latency to apply before answering (or before dropping).
    pub delay_ms: u64,
}

/// The tenant: scenario state, issued tokens, running operations, fault bookkeeping.
pub struct FakeAzure {
    world: World,
    options: Options,
    faults: FaultState,
    limits: Limits,
    /// Ids, codes and tokens: a stream apart from the faults', so that switching a fault on
    /// does not change every token of a replay.
    ids: Rng,
    issued: Issued,
    ops: arm::operations::Operations,
}

impl std::fmt::Debug for FakeAzure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAzure")
            .field("subscriptions", &self.world.subscriptions.len())
            .field("options", &self.options)
            .finish()
    }
}

impl FakeAzure {
    /// Loads a scenario file (see `SCENARIO.md`).
    pub fn from_scenario_json(json: &str, options: Options) -> Result<FakeAzure, ScenarioError> {
        let world = World::from_json(json)?;
        Ok(FakeAzure {
            world,
            faults: FaultState::new(options.seed),
            limits: Limits::default(),
            ids: Rng::new(options.seed ^ 0x1D5_5EED),
            issued: Issued::default(),
            ops: Default::default(),
            options,
        })
    }

    /// Answers one request (absolute URI: `https://management.azure.com/...` in demo mode,
    /// `http://127.0.0.1:PORT/...` behind the server) at time `now_ms` (Unix ms).
    pub fn handle(&mut self, request: http::Request<Vec<u8>>, now_ms: u64) -> Reply {
        let req = Incoming::parse(&request);
        self.ops.settle(&mut self.world, now_ms);
        #[cfg(feature = "entra")]
        if entra::is_entra_path(&req.segments) {
            let delay_ms = self.faults.latency(&self.options.faults);
            let mut entra = entra::Entra {
                world: &self.world,
                issued: &mut self.issued,
                ids: &mut self.ids,
                options: &self.options,
                now_ms,
            };
            let response = entra.handle(&req);
            return Reply { response: Some(self.stamp(response)), delay_ms };
        }
        self.handle_arm(&req, now_ms)
    }

    /// An access token for the scenario's user in `tenant` (home tenant when `None`), as if
    /// signed in through `/authorize` + `/token`: a shortcut for tests.
    pub fn mint_access_token(&mut self, tenant: Option<&str>, now_ms: u64) -> String {
        let tenant = tenant.map_or_else(|| self.world.home_tenant.clone(), str::to_string);
        let token = tokens::random_token("fakeat.", self.ids.bytes(32));
        let expires_ms = now_ms + self.options.token_lifetime_s * 1000;
        let access = tokens::AccessToken {
            tenant,
            audience: "https://management.azure.com".into(),
            issued_ms: now_ms,
            expires_ms,
        };
        self.issued.access.insert(token.clone(), access);
        token
    }

    /// Switches the injected faults for the rest of the run (a demo's "chaos" switch, a test's
    /// second act). The PRNG and counters carry on, so a replay stays a replay.
    pub fn set_faults(&mut self, faults: Faults) {
        self.options.faults = faults;
    }

    /// An administrator revokes the user's sessions: every refresh token issued so far is
    /// refused from now on (Entra's `invalid_grant`, AADSTS50173).
    pub fn revoke_refresh_tokens(&mut self) {
        let issued: Vec<String> = self.issued.refresh.keys().cloned().collect();
        self.issued.revoked.extend(issued);
    }

    /// Billing changes a subscription's state (`Enabled`, `Warned`, `PastDue`, `Disabled`,
    /// `Expired`, `Deleted`): from then on it is listed so, and a `Disabled`, `Expired` or
    /// `Deleted` one refuses writes. Returns false when no subscription has this id.
    pub fn set_subscription_state(&mut self, subscription_id: &str, state: &str) -> bool {
        let Some(index) = self.world.find(subscription_id) else { return false };
        self.world.subscriptions[index].object["state"] = serde_json::Value::String(state.to_string());
        true
    }

    /// The faults injected so far, by kind.
    pub fn injected(&self) -> Injections {
        self.faults.injected
    }

    /// How many Run Commands the machine `machine_id` (a VM or an Arc machine) ran so far,
    /// whatever became of their answers.
    pub fn commands_run(&self, machine_id: &str) -> u64 {
        self.world.subscriptions.iter().map(|s| s.run_commands.ran_on(machine_id)).sum()
    }

    /// How many requests reached `/token` so far.
    pub fn token_requests(&self) -> usize {
        self.issued.token_requests
    }

    /// The user's home tenant id (where `organizations` sign-ins land).
    pub fn home_tenant(&self) -> &str {
        &self.world.home_tenant
    }

    fn handle_arm(&mut self, req: &Incoming, now_ms: u64) -> Reply {
        let scope = scope_of(&req.segments);
        let faults = self.options.faults.clone();
        let delay_ms = self.faults.latency(&faults) + self.faults.hold(&faults, &scope);
        let response = match self.faults.decide(&faults, &scope, now_ms) {
            Some(Injected::Drop) => return Reply { response: None, delay_ms },
            Some(Injected::Throttle(wait)) => throttled(&scope, *req.method != http::Method::GET, wait),
            Some(Injected::ServerError(status)) => errors::server_error(status, faults.retry_after_s),
            None => {
                let (conflict, lose_answer) = self.faults.after_arrival(&faults);
                let response = self.arm(req, now_ms, (delay_ms, conflict), &scope);
                if lose_answer {
                    // Done, but the answer never reaches the client.
                    self.faults.injected.lost_answers += 1;
                    return Reply { response: None, delay_ms };
                }
                let ran = routes::parse(&req.segments)
                    .and_then(|target| arm::run_command::runs_a_command(&target.route, req.method))
                    .filter(|_| response.status().is_success());
                match ran.map(|provider| (provider, self.faults.after_run(&faults))) {
                    Some((_, Some(AfterRun::Lose))) => return Reply { response: None, delay_ms },
                    Some((provider, Some(AfterRun::GatewayTimeout))) => arm::run_command::gateway_timeout(provider),
                    _ => response,
                }
            }
        };
        Reply { response: Some(self.stamp(response)), delay_ms }
    }

    /// Authentication, routing, api-version, tenant, budget, permission and conflict checks, in
    /// ARM's order, then the handler. `conflict`: the fault layer drew a conflict for a write.
    fn arm(
        &mut self,
        req: &Incoming,
        now_ms: u64,
        (delay_ms, conflict): (u64, bool),
        scope: &str,
    ) -> Response<Vec<u8>> {
        let who = match self.authenticate(req, now_ms) {
            Ok(who) => who,
            Err(response) => return response,
        };
        let Some(api_version) = req.query("api-version") else {
            return errors::missing_api_version();
        };
        let Some(target) = routes::parse(&req.segments) else {
            return errors::no_route(req.path);
        };
        let Some(spec) = target.route.spec(req.method) else {
            return errors::method_not_allowed(req.method.as_str());
        };
        if !spec.versions.contains(&api_version) {
            return errors::bad_api_version(spec.native, spec.type_label, api_version, spec.versions);
        }
        let sub = match target.subscription.as_deref().map(|id| (id, self.world.find(id))) {
            None => None,
            Some((id, None)) => return errors::subscription_not_found(id),
            Some((_, Some(index))) => Some(index),
        };
        let budget = budget_of(&target.route, &spec);
        let spent = self.limits.spend(if budget == Budget::Graph { &who.object_id } else { scope }, budget, now_ms);
        if let (true, Some(wait)) = (self.options.faults.rate_limits, spent.retry_after_s) {
            let mut response = throttled(scope, spec.write, wait);
            budget_headers(&mut response, budget, scope, &spent);
            return response;
        }
        if let Err(response) = self.admit(req, &who, sub, &spec, (now_ms, delay_ms, conflict), scope) {
            return response;
        }
        // The resource provider reads the body once ARM has let the request through.
        #[cfg(feature = "contract")]
        if let Err(mut response) = arm::contract::check(req, api_version) {
            budget_headers(&mut response, budget, scope, &spent);
            return response;
        }
        let mut call = Call {
            req,
            now_ms,
            who: &who,
            page_size: self.options.page_size,
            lro_ms: self.options.lro_ms,
            api_version,
            ids: &mut self.ids,
        };
        let mut response = arm::dispatch(&mut self.world, &mut self.ops, &target.route, sub, &mut call);
        budget_headers(&mut response, budget, scope, &spent);
        response
    }

    /// The checks between routing and the handler (tenant, permission, subscription state,
    /// concurrent write); `Err` is ARM's refusal.
    fn admit(
        &mut self,
        req: &Incoming,
        who: &Principal,
        sub: Option<usize>,
        spec: &Spec,
        (now_ms, delay_ms, conflict): (u64, u64, bool),
        scope: &str,
    ) -> Result<(), Response<Vec<u8>>> {
        if let Some(s) = sub.map(|i| &self.world.subscriptions[i]) {
            if !who.sees_tenant(&s.tenant_id) {
                let token_tenant = who.tenant.as_deref().unwrap_or_default();
                return Err(errors::wrong_tenant(&login_authority(&req.base), token_tenant, &s.tenant_id));
            }
        }
        let Some(index) = sub else {
            return Ok(());
        };
        let s = &self.world.subscriptions[index];
        if let Some(namespace) = provider_namespace(&req.segments) {
            s.governance.check_registered(namespace, now_ms)?;
        }
        if let Some(action) = spec.action.as_deref().filter(|a| !rbac::allows(&s.rights, a)) {
            return Err(errors::authorization_failed(&who.username, &who.object_id, action, req.path));
        }
        if spec.write && ["Disabled", "Expired", "Deleted"].iter().any(|st| st.eq_ignore_ascii_case(s.state())) {
            return Err(errors::read_only_subscription(&s.id, s.state()));
        }
        if let (true, Some(action)) = (spec.write, spec.action.as_deref()) {
            s.governance.check_write(req.method, req.path, action, &s.rights, &who.username)?;
        }
        if !spec.write {
            return Ok(());
        }
        // Another writer busy on the subscription: the scenario's, the fault layer's, or the
        // app's own overlapping write.
        let s = &mut self.world.subscriptions[index];
        if s.conflicting_writes > 0 || conflict {
            s.conflicting_writes = s.conflicting_writes.saturating_sub(1);
            self.faults.injected.conflicts += 1;
            return Err(errors::conflict());
        }
        if self.faults.write_conflicts(scope, now_ms, delay_ms) {
            return Err(errors::conflict());
        }
        Ok(())
    }

    /// Checks the bearer token. Without one, demo mode (`require_auth: false`) acts as the
    /// scenario's user in every tenant.
    fn authenticate(&self, req: &Incoming, now_ms: u64) -> Result<Principal, Response<Vec<u8>>> {
        let user = &self.world.user;
        let principal =
            |tenant| Principal { tenant, username: user.username.clone(), object_id: user.object_id.clone() };
        let login = login_authority(&req.base);
        let refuse = |code: &str, message: String| errors::unauthorized(&login, &self.world.home_tenant, code, message);
        let Some(header) = req.header("authorization") else {
            if !self.options.require_auth {
                return Ok(principal(None));
            }
            return Err(refuse(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.".into(),
            ));
        };
        let Some(token) = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).map(str::trim)
        else {
            let message = "Authentication failed. The 'Authorization' header is provided in an invalid format.";
            return Err(refuse("InvalidAuthenticationToken", message.into()));
        };
        let Some(access) = self.issued.access.get(token) else {
            return Err(refuse("InvalidAuthenticationToken", "The access token is invalid.".into()));
        };
        if self.options.revoke_access_after_ms.is_some_and(|after| now_ms >= access.issued_ms + after) {
            // Revoked early (a password reset, a disabled account): ARM refuses it before its expiry.
            return Err(refuse("InvalidAuthenticationToken", "The access token is invalid.".into()));
        }
        if now_ms >= access.expires_ms {
            let message = format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                clock::iso8601(access.expires_ms),
                clock::iso8601(now_ms)
            );
            return Err(refuse("ExpiredAuthenticationToken", message));
        }
        if !audience_fits(&access.audience, &req.base) {
            let message = format!(
                "The access token has been obtained for wrong audience or resource '{}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'.",
                access.audience
            );
            return Err(refuse("InvalidAuthenticationToken", message));
        }
        Ok(principal(Some(access.tenant.clone())))
    }

    /// ARM's per-request ids, on every answer.
    fn stamp(&mut self, mut response: Response<Vec<u8>>) -> Response<Vec<u8>> {
        let (request_id, correlation_id) = (self.ids.uuid(), self.ids.uuid());
        wire::set(&mut response, "x-ms-request-id", &request_id);
        wire::set(&mut response, "x-ms-correlation-request-id", &correlation_id);
        response
    }
}

/// The resource provider a request under a subscription goes to (`Microsoft.Security`,
/// `Microsoft.Compute`, ...), checked for registration; `None` for ARM's own paths.
fn provider_namespace(segments: &[String]) -> Option<&str> {
    match segments {
        [_, _, providers, namespace, rest @ ..] if providers.eq_ignore_ascii_case("providers") => {
            let own = namespace.eq_ignore_ascii_case("Microsoft.Authorization")
                || rest.is_empty()
                || rest[0].eq_ignore_ascii_case("register");
            (!own).then_some(namespace.as_str())
        }
        [_, _, groups, _, providers, namespace, ..]
            if groups.eq_ignore_ascii_case("resourceGroups") && providers.eq_ignore_ascii_case("providers") =>
        {
            Some(namespace.as_str())
        }
        _ => None,
    }
}

/// The fault and budget scope of a request: its subscription id (lower-case), or "" for
/// tenant-level calls.
fn scope_of(segments: &[String]) -> String {
    match segments {
        [first, id, ..] if first.eq_ignore_ascii_case("subscriptions") => id.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn throttled(scope: &str, write: bool, wait_s: u64) -> Response<Vec<u8>> {
    let mut response = errors::throttled(scope, !scope.is_empty(), write, wait_s);
    let header = if scope.is_empty() {
        "x-ms-ratelimit-remaining-tenant-reads"
    } else if write {
        "x-ms-ratelimit-remaining-subscription-writes"
    } else {
        "x-ms-ratelimit-remaining-subscription-reads"
    };
    wire::set(&mut response, header, "0");
    response
}

fn budget_of(route: &Route, spec: &Spec) -> Budget {
    match (route, spec.write) {
        (Route::Graph, _) => Budget::Graph,
        (_, true) => Budget::Writes,
        (_, false) => Budget::Reads,
    }
}

fn budget_headers(response: &mut Response<Vec<u8>>, budget: Budget, scope: &str, spent: &Spent) {
    let remaining = spent.remaining.to_string();
    match budget {
        Budget::Graph => {
            wire::set(response, "x-ms-user-quota-remaining", &remaining);
            wire::set(response, "x-ms-user-quota-resets-after", &limits::hh_mm_ss(spent.resets_after_ms));
        }
        Budget::Reads if scope.is_empty() => wire::set(response, "x-ms-ratelimit-remaining-tenant-reads", &remaining),
        Budget::Reads => wire::set(response, "x-ms-ratelimit-remaining-subscription-reads", &remaining),
        Budget::Writes => wire::set(response, "x-ms-ratelimit-remaining-subscription-writes", &remaining),
    }
}

/// Where ARM's 401 challenge sends the client for a token: Entra for the real clouds, the fake
/// itself otherwise (the server serves both).
fn login_authority(base: &str) -> String {
    if base.ends_with("management.azure.com") {
        "https://login.windows.net".into()
    } else if base.ends_with("management.usgovcloudapi.net") {
        "https://login.microsoftonline.us".into()
    } else if base.ends_with("management.chinacloudapi.cn") {
        "https://login.chinacloudapi.cn".into()
    } else {
        base.to_string()
    }
}

/// ARM accepts tokens for its own audiences, and for the fake's address when the app's config
/// names the server as the resource.
fn audience_fits(audience: &str, base: &str) -> bool {
    let audience = audience.to_ascii_lowercase();
    audience.contains("://management.") || audience.trim_end_matches('/') == base.to_ascii_lowercase()
}
