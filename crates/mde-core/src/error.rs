//! Failures of an ARM or Entra call, typed by what the user can do about them.
//!
//! Each refusal ARM documents gets its own [`Remedy`] and its own advice, naming what the
//! answer names (the lock's scope, the missing action and the roles that grant it, the policy
//! assignment), so that the user knows who to ask and for what.

use serde_json::Value;

use crate::arm::{ArmError, ArmErrorBody};
pub use crate::roles::roles_for;
use crate::transport::{Response, TransportError, CORRELATION_ID, REQUEST_ID};

/// Why a call failed, with ARM's own `code` and `message` where it sent them.
#[derive(Debug, Clone, PartialEq)]
pub enum ArmFailure {
    /// No answer came back (network, dropped connection, CORS, timeout).
    Network(String),
    /// ARM answered with an error status.
    Http {
        status: u16,
        code: String,
        message: String,
        /// ARM's `details[]` (Resource Graph puts the real reason there).
        details: Vec<ArmError>,
        /// ARM's `additionalInfo[]` (a policy denial names its assignment there).
        additional_info: Vec<Value>,
        /// `x-ms-request-id` / `x-ms-correlation-request-id`, when the browser may read them.
        request_id: Option<String>,
        correlation_id: Option<String>,
    },
    /// ARM answered 2xx with a body the app cannot read.
    Unreadable(String),
    /// Not sent: the sign-in has ended (revoked, expired, or a claims challenge).
    SignInAgain(String),
    /// A request with side effects (Run Command) was sent, then no answer came back (a dropped
    /// connection, a timeout) or ARM answered 5xx: Azure may have carried it out. Holds that
    /// failure. The client never repeats such a request (see [`crate::client::Effect`]).
    MayHaveRun(Box<ArmFailure>),
}

/// What the user can do, in the order of the cases that tell them something different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Sign in again (expired or invalid token).
    SignIn,
    /// The token is for another tenant: switch tenant.
    SwitchTenant,
    /// A role is missing (403 `AuthorizationFailed`).
    AskForRole,
    /// A role is missing on a linked resource (403 `LinkedAuthorizationFailed`).
    AskForLinkedRole,
    /// An Azure Policy assignment denies the write (403 `RequestDisallowedByPolicy`).
    PolicyDenies,
    /// A resource lock forbids the write (409 `ScopeLocked`).
    RemoveLock,
    /// The subscription is disabled, expired or deleted (409 `ReadOnlyDisabledSubscription`).
    SubscriptionReadOnly,
    /// Microsoft.Security is not registered on the subscription: register it.
    RegisterProvider,
    /// The resource is not there (404).
    NotFound,
    /// Another update is in progress (a transient 409): retry shortly, one writer per subscription.
    RetryShortly,
    /// A command may have run though its answer was lost: read the machine's run state before
    /// running it again.
    ReadRunState,
    /// Throttled (429): wait for the quota to refill.
    Wait,
    /// Azure or the network failed: retry.
    Retry,
    /// The request itself was refused (400 and the rest).
    Report,
}

/// The resource provider the integration needs registered on each subscription.
pub const SECURITY_PROVIDER: &str = "Microsoft.Security";

/// [`ArmFailure::code`] of a request that may have run ([`ArmFailure::MayHaveRun`]).
pub const MAY_HAVE_RUN: &str = "MayHaveRun";

/// The 409 codes that mean "another operation is in progress" whatever their message: the
/// Network and Compute providers' `AnotherOperationInProgress`.
const TRANSIENT_CONFLICT_CODES: [&str; 1] = ["AnotherOperationInProgress"];

/// ARM's generic code `Conflict` means many things (a VM that is busy running a command, a
/// resource being deleted); these messages (lowercase) are the ones that clear by themselves.
/// `Microsoft.Security` says the first when two writes to a subscription overlap.
const TRANSIENT_CONFLICT_MESSAGES: [&str; 2] =
    ["another update operation is in progress", "another operation is in progress"];

/// Whether a 409 with this code and message clears by itself.
fn is_transient_conflict(code: &str, message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    TRANSIENT_CONFLICT_CODES.iter().any(|known| code.eq_ignore_ascii_case(known))
        || (code.eq_ignore_ascii_case("Conflict") && TRANSIENT_CONFLICT_MESSAGES.iter().any(|m| message.contains(m)))
}

impl ArmFailure {
    /// Reads a failed answer: ARM's `{"error":{...}}` when present, else the status and body.
    pub fn from_response(response: &Response) -> Self {
        let header =
            |name: &http::HeaderName| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let mut failure = ArmFailure::from_body(response.status().as_u16(), response.body());
        if let ArmFailure::Http { request_id, correlation_id, .. } = &mut failure {
            *request_id = header(&REQUEST_ID);
            *correlation_id = header(&CORRELATION_ID);
        }
        failure
    }

    /// Reads an error body with its status.
    pub fn from_body(status: u16, body: &[u8]) -> Self {
        let error = serde_json::from_slice::<ArmErrorBody>(body).map(|parsed| parsed.error).unwrap_or_else(|_| {
            ArmError { message: String::from_utf8_lossy(body).chars().take(300).collect(), ..ArmError::default() }
        });
        ArmFailure::Http {
            status,
            code: error.code,
            message: error.message,
            details: error.details,
            additional_info: error.additional_info,
            request_id: None,
            correlation_id: None,
        }
    }

    /// Marks a failure of a request with side effects as one after which it may have run.
    pub fn may_have_run_after(self) -> Self {
        match self {
            already @ ArmFailure::MayHaveRun(_) => already,
            failure => ArmFailure::MayHaveRun(Box::new(failure)),
        }
    }

    /// Whether a command may have run though the app does not know (see [`ArmFailure::MayHaveRun`]).
    pub fn may_have_run(&self) -> bool {
        matches!(self, ArmFailure::MayHaveRun(_))
    }

    /// ARM's status; for [`ArmFailure::MayHaveRun`], the 5xx it followed, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            ArmFailure::Http { status, .. } => Some(*status),
            ArmFailure::MayHaveRun(cause) => cause.status(),
            _ => None,
        }
    }

    /// ARM's code; [`MAY_HAVE_RUN`] for a request that may have run.
    pub fn code(&self) -> &str {
        match self {
            ArmFailure::Http { code, .. } => code,
            ArmFailure::MayHaveRun(_) => MAY_HAVE_RUN,
            _ => "",
        }
    }

    /// ARM's request id, then its correlation id: what Azure support asks for.
    pub fn request_ids(&self) -> (Option<&str>, Option<&str>) {
        match self {
            ArmFailure::Http { request_id, correlation_id, .. } => (request_id.as_deref(), correlation_id.as_deref()),
            ArmFailure::MayHaveRun(cause) => cause.request_ids(),
            _ => (None, None),
        }
    }

    /// A 409 that clears by itself ("another operation is in progress"), worth retrying;
    /// the other 409s (a lock, a read-only subscription, a missing registration, a code the
    /// app does not know) are not.
    pub fn is_transient_conflict(&self) -> bool {
        self.status() == Some(409) && self.remedy() == Remedy::RetryShortly
    }

    pub fn remedy(&self) -> Remedy {
        let ArmFailure::Http { status, code, message, .. } = self else {
            return match self {
                ArmFailure::Network(_) => Remedy::Retry,
                ArmFailure::SignInAgain(_) => Remedy::SignIn,
                ArmFailure::MayHaveRun(_) => Remedy::ReadRunState,
                _ => Remedy::Report,
            };
        };
        match (*status, code.as_str()) {
            (401, "InvalidAuthenticationTokenTenant") => Remedy::SwitchTenant,
            (401, _) => Remedy::SignIn,
            (_, "LinkedAuthorizationFailed") => Remedy::AskForLinkedRole,
            (_, "RequestDisallowedByPolicy") => Remedy::PolicyDenies,
            (403, _) => Remedy::AskForRole,
            (_, "ScopeLocked") => Remedy::RemoveLock,
            (_, "ReadOnlyDisabledSubscription") => Remedy::SubscriptionReadOnly,
            (_, "MissingSubscriptionRegistration" | "SubscriptionNotRegistered") => Remedy::RegisterProvider,
            (404, _) => Remedy::NotFound,
            (409, code) if is_transient_conflict(code, message) => Remedy::RetryShortly,
            (429, _) => Remedy::Wait,
            (500..=599, _) => Remedy::Retry,
            _ => Remedy::Report,
        }
    }

    /// What to do next, naming what ARM's answer names.
    pub fn advice(&self) -> String {
        let message = match self {
            ArmFailure::Http { message, .. } => message.as_str(),
            _ => "",
        };
        match self.remedy() {
            Remedy::SignIn => "Your sign-in has expired or was refused: sign in again.".into(),
            Remedy::SwitchTenant => {
                "This subscription belongs to another tenant: switch to that tenant and try again.".into()
            }
            Remedy::AskForRole => match quoted_after(message, "perform action '") {
                // The seed's own requirement follows the role table's answer, where it applies.
                Some(action) => format!(
                    "You lack the permission '{action}' here. Roles that grant it: {}. Ask an Owner or User Access Administrator of the subscription for one.{}",
                    roles_for(action),
                    crate::roles::roles_for_refused(action).map(|r| format!(" {r}")).unwrap_or_default()
                ),
                None => format!("You lack a role here. {}", crate::roles::roles()),
            },
            Remedy::AskForLinkedRole => format!(
                "You may change this resource, but the change also needs a permission on a linked resource{}: ask for a role there, or ask its owner to make the change.",
                quoted_after(message, "linked scope(s) '").map(|s| format!(" ({s})")).unwrap_or_default()
            ),
            Remedy::PolicyDenies => match self.policy_assignment() {
                Some(name) => format!(
                    "The Azure Policy assignment '{name}' denies this change. Ask your policy owner for an exemption, or change the assignment; retrying will not help."
                ),
                None => "An Azure Policy assignment denies this change (see the message). Ask your policy owner for an exemption; retrying will not help.".into(),
            },
            Remedy::RemoveLock => format!(
                "A resource lock forbids changes{}. Someone with Owner or User Access Administrator (Microsoft.Authorization/locks/delete) must remove the lock first, then retry.",
                quoted_after(message, "following scope(s) are locked: '").map(|s| format!(" at '{s}'")).unwrap_or_default()
            ),
            Remedy::SubscriptionReadOnly => "The subscription is disabled, expired or deleted, so Azure keeps it read-only: re-enable it (billing) before changing anything.".into(),
            Remedy::RegisterProvider => format!(
                "The {SECURITY_PROVIDER} resource provider is not registered on this subscription. Register it (the portal does so silently), then retry."
            ),
            Remedy::NotFound => {
                "Azure does not know this resource: it may have been deleted or moved. Refresh the view.".into()
            }
            Remedy::RetryShortly => "Another update to this subscription is in progress: retry in a few seconds.".into(),
            Remedy::ReadRunState => "The command may have run: it was sent, but its answer was lost. The machine's run state will be read before it can be run again.".into(),
            Remedy::Wait => "Azure is throttling requests: wait a minute and retry.".into(),
            Remedy::Retry => "Azure or the network failed: retry; if it persists, check Azure status.".into(),
            Remedy::Report if self.status() == Some(409) => format!(
                "Azure refused the request with a conflict the app does not know ({}): see Azure's message below. It was not retried.",
                self.code()
            ),
            Remedy::Report => "Azure refused the request: check the message below.".into(),
        }
    }

    /// The denying policy assignment's display name (or name), from `additionalInfo`.
    fn policy_assignment(&self) -> Option<String> {
        let ArmFailure::Http { additional_info, .. } = self else { return None };
        additional_info.iter().find_map(|item| {
            let info = item.get("info")?;
            ["policyAssignmentDisplayName", "policyAssignmentName", "policyAssignmentId"]
                .iter()
                .find_map(|k| info.get(*k).and_then(Value::as_str).filter(|s| !s.is_empty()))
                .map(str::to_string)
        })
    }
}

/// The text between `prefix` and the next `'` in ARM's message.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let start = message.find(prefix)? + prefix.len();
    let len = message[start..].find('\'')?;
    Some(&message[start..start + len]).filter(|s| !s.is_empty())
}

impl std::fmt::Display for ArmFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArmFailure::Network(why) => write!(f, "No answer from Azure: {why}"),
            ArmFailure::Http { status, code, message, details, .. } => {
                match code.is_empty() {
                    true => write!(f, "HTTP {status}: {message}")?,
                    false => write!(f, "HTTP {status} {code}: {message}")?,
                }
                // Resource Graph's message is generic; its details say what was wrong.
                for detail in details.iter().filter(|d| !d.message.is_empty() && d.message != *message) {
                    write!(f, " [{}: {}]", detail.code, detail.message)?;
                }
                Ok(())
            }
            ArmFailure::Unreadable(why) => write!(f, "Azure's answer could not be read: {why}"),
            ArmFailure::SignInAgain(why) => write!(f, "Not sent, sign in again: {why}"),
            ArmFailure::MayHaveRun(cause) => write!(f, "Sent, and it may have run: {cause}"),
        }
    }
}

impl std::error::Error for ArmFailure {}

impl From<TransportError> for ArmFailure {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Network(why) => ArmFailure::Network(why),
            TransportError::SignInAgain(why) => ArmFailure::SignInAgain(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: u16, body: &str) -> ArmFailure {
        ArmFailure::from_body(status, body.as_bytes())
    }

    #[test]
    fn reads_arm_error_and_advises() {
        let f = failure(
            403,
            r#"{"error":{"code":"AuthorizationFailed","message":"The client 'a' with object id 'b' does not have authorization to perform action 'Microsoft.Security/settings/write' over scope '/subscriptions/s/providers/Microsoft.Security/settings/WDATP' or the scope is invalid."}}"#,
        );
        assert_eq!(f.code(), "AuthorizationFailed");
        assert_eq!(f.remedy(), Remedy::AskForRole);
        assert!(f.to_string().contains("403 AuthorizationFailed: The client 'a'"));
        assert_eq!(
            f.advice(),
            "You lack the permission 'Microsoft.Security/settings/write' here. Roles that grant it: Security Admin, Contributor or Owner. Ask an Owner or User Access Administrator of the subscription for one. Turning the integration on or off takes Security Admin or Owner; seeing Defender for Endpoint alerts takes Security Reader, Reader, Resource Group Contributor, Resource Group Owner, Security Admin, Subscription Owner or Subscription Contributor."
        );
        assert_eq!(
            failure(401, r#"{"error":{"code":"InvalidAuthenticationTokenTenant","message":"x"}}"#).remedy(),
            Remedy::SwitchTenant
        );
        assert_eq!(failure(502, "<html>bad gateway</html>").to_string(), "HTTP 502: <html>bad gateway</html>");
    }

    #[test]
    fn each_conflict_has_its_own_meaning_and_only_one_is_transient() {
        let cases = [
            (
                r#"{"error":{"code":"Conflict","message":"Another update operation is in progress."}}"#,
                Remedy::RetryShortly,
                true,
            ),
            (
                r#"{"error":{"code":"AnotherOperationInProgress","message":"Another operation is in progress."}}"#,
                Remedy::RetryShortly,
                true,
            ),
            (
                r#"{"error":{"code":"ScopeLocked","message":"The scope '/subscriptions/s/providers/Microsoft.Security/settings/WDATP' cannot perform write operation because following scope(s) are locked: '/subscriptions/s'. Please remove the lock and try again."}}"#,
                Remedy::RemoveLock,
                false,
            ),
            (
                r#"{"error":{"code":"ReadOnlyDisabledSubscription","message":"The subscription 's' is disabled and therefore marked as read only."}}"#,
                Remedy::SubscriptionReadOnly,
                false,
            ),
            (
                r#"{"error":{"code":"MissingSubscriptionRegistration","message":"The subscription is not registered to use namespace 'Microsoft.Security'."}}"#,
                Remedy::RegisterProvider,
                false,
            ),
            (
                r#"{"error":{"code":"SubscriptionNotRegistered","message":"The subscription is not registered."}}"#,
                Remedy::RegisterProvider,
                false,
            ),
            // Codes the app does not know, and ARM's generic `Conflict` about something else.
            (
                r#"{"error":{"code":"PropertyChangeNotAllowed","message":"Changing property 'kind' is not allowed."}}"#,
                Remedy::Report,
                false,
            ),
            (
                r#"{"error":{"code":"Conflict","message":"Run command extension execution is in progress. Please wait for completion before invoking a run command."}}"#,
                Remedy::Report,
                false,
            ),
        ];
        for (body, remedy, transient) in cases {
            let f = failure(409, body);
            assert_eq!((f.remedy(), f.is_transient_conflict()), (remedy, transient), "{body}");
        }
        let locked = failure(409, cases[2].0);
        assert!(
            locked.advice().starts_with("A resource lock forbids changes at '/subscriptions/s'."),
            "{}",
            locked.advice()
        );
        assert!(locked.advice().contains("Owner or User Access Administrator"));
        assert!(failure(409, cases[4].0).advice().contains("Microsoft.Security resource provider is not registered"));
        let unknown = failure(409, cases[6].0);
        assert_eq!(
            unknown.advice(),
            "Azure refused the request with a conflict the app does not know (PropertyChangeNotAllowed): see Azure's message below. It was not retried."
        );
        assert_eq!(unknown.to_string(), "HTTP 409 PropertyChangeNotAllowed: Changing property 'kind' is not allowed.");
    }

    #[test]
    fn a_command_that_may_have_run_says_so() {
        let lost = ArmFailure::Network("nothing came back within 60 s".into()).may_have_run_after();
        assert!(lost.may_have_run() && !ArmFailure::Network("x".into()).may_have_run());
        assert_eq!((lost.code(), lost.status(), lost.remedy()), (MAY_HAVE_RUN, None, Remedy::ReadRunState));
        assert_eq!(lost.to_string(), "Sent, and it may have run: No answer from Azure: nothing came back within 60 s");
        assert_eq!(lost.clone().may_have_run_after(), lost, "marked once");
        assert!(lost.advice().contains("The machine's run state will be read before it can be run again."));
    }

    #[test]
    fn policy_denial_names_the_assignment() {
        let f = failure(
            403,
            r#"{"error":{"code":"RequestDisallowedByPolicy","target":"WDATP","message":"Resource 'WDATP' was disallowed by policy.","additionalInfo":[{"type":"PolicyViolation","info":{"policyDefinitionDisplayName":"Deny security changes","policyAssignmentName":"a1b2","policyAssignmentDisplayName":"Freeze Defender settings","policyAssignmentId":"/subscriptions/s/providers/Microsoft.Authorization/policyAssignments/a1b2"}}]}}"#,
        );
        assert_eq!(f.remedy(), Remedy::PolicyDenies);
        assert!(f.advice().starts_with("The Azure Policy assignment 'Freeze Defender settings' denies this change."));
    }

    #[test]
    fn linked_authorization_names_the_linked_scope() {
        let f = failure(
            403,
            r#"{"error":{"code":"LinkedAuthorizationFailed","message":"The client 'a' has permission to perform action 'Microsoft.Security/pricings/write' on scope '/subscriptions/s'; however, it does not have permission to perform action 'Microsoft.OperationalInsights/workspaces/read' on the linked scope(s) '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws' or the linked scope(s) are invalid."}}"#,
        );
        assert_eq!(f.remedy(), Remedy::AskForLinkedRole);
        assert!(f
            .advice()
            .contains("(/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws)"));
    }

    #[test]
    fn graph_details_reach_the_user() {
        let f = failure(
            400,
            r#"{"error":{"code":"BadRequest","message":"Please provide below info when asking for support: timestamp = 2026-01-01T00:00:00Z, correlationId = c.","details":[{"code":"InvalidQuery","message":"Query is invalid."},{"code":"ParserFailure","message":"ParserFailure: line 1, column 7: unexpected token"}]}}"#,
        );
        let text = f.to_string();
        assert!(text.contains("[InvalidQuery: Query is invalid.]"), "{text}");
        assert!(text.contains("[ParserFailure: ParserFailure: line 1, column 7: unexpected token]"), "{text}");
    }

    #[test]
    fn request_ids_are_kept() {
        let response = http::Response::builder()
            .status(409)
            .header(REQUEST_ID, "req-1")
            .header(CORRELATION_ID, "corr-1")
            .body(br#"{"error":{"code":"Conflict","message":"m"}}"#.to_vec())
            .unwrap();
        assert_eq!(ArmFailure::from_response(&response).request_ids(), (Some("req-1"), Some("corr-1")));
    }
}
