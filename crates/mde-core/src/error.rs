//! Failures of an ARM or Entra call, typed by what the user can do about them.

use crate::arm::ArmErrorBody;
use crate::transport::TransportError;

/// Why a call failed, with ARM's own `code` and `message` where it sent them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArmFailure {
    /// No answer came back (network, dropped connection, CORS).
    Network(String),
    /// ARM answered with an error status.
    Http { status: u16, code: String, message: String },
    /// ARM answered 2xx with a body the app cannot read.
    Unreadable(String),
}

/// What the user can do, in the order of the cases that tell them something different.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Sign in again (expired or invalid token).
    SignIn,
    /// The token is for another tenant: switch tenant.
    SwitchTenant,
    /// A role is missing (403).
    AskForRole,
    /// The resource is not there (404).
    NotFound,
    /// Another update is in progress (409): retry shortly, one writer per subscription.
    RetryShortly,
    /// Throttled (429): wait for the quota to refill.
    Wait,
    /// Azure or the network failed: retry.
    Retry,
    /// The request itself was refused (400 and the rest).
    Report,
}

impl ArmFailure {
    /// Reads a failed response: ARM's `{"error":{code,message}}` when present, else the status.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        let (code, message) = match serde_json::from_slice::<ArmErrorBody>(body) {
            Ok(parsed) => (parsed.error.code, parsed.error.message),
            Err(_) => (String::new(), String::from_utf8_lossy(body).chars().take(300).collect()),
        };
        ArmFailure::Http { status, code, message }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ArmFailure::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ArmFailure::Http { code, .. } => code,
            _ => "",
        }
    }

    pub fn remedy(&self) -> Remedy {
        match self {
            ArmFailure::Network(_) => Remedy::Retry,
            ArmFailure::Unreadable(_) => Remedy::Report,
            ArmFailure::Http { status, code, .. } => match (*status, code.as_str()) {
                (401, "InvalidAuthenticationTokenTenant") => Remedy::SwitchTenant,
                (401, _) => Remedy::SignIn,
                (403, _) => Remedy::AskForRole,
                (404, _) => Remedy::NotFound,
                (409, _) => Remedy::RetryShortly,
                (429, _) => Remedy::Wait,
                (500..=599, _) => Remedy::Retry,
                _ => Remedy::Report,
            },
        }
    }

    /// One sentence on what to do next.
    pub fn advice(&self) -> &'static str {
        match self.remedy() {
            Remedy::SignIn => "Your sign-in has expired or was refused: sign in again.",
            Remedy::SwitchTenant => "This subscription belongs to another tenant: switch to that tenant and try again.",
            Remedy::AskForRole => "You lack a role here. Turning the integration on or off takes Security Admin or Owner on the subscription; Security Reader and Reader can only view it.",
            Remedy::NotFound => "Azure does not know this resource: it may have been deleted or moved. Refresh the view.",
            Remedy::RetryShortly => "Another update to this subscription is in progress: retry in a few seconds.",
            Remedy::Wait => "Azure is throttling requests: wait a minute and retry.",
            Remedy::Retry => "Azure or the network failed: retry; if it persists, check Azure status.",
            Remedy::Report => "Azure refused the request: check the message below.",
        }
    }
}

impl std::fmt::Display for ArmFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArmFailure::Network(why) => write!(f, "No answer from Azure: {why}"),
            ArmFailure::Http { status, code, message } if code.is_empty() => write!(f, "HTTP {status}: {message}"),
            ArmFailure::Http { status, code, message } => write!(f, "HTTP {status} {code}: {message}"),
            ArmFailure::Unreadable(why) => write!(f, "Azure's answer could not be read: {why}"),
        }
    }
}

impl std::error::Error for ArmFailure {}

impl From<TransportError> for ArmFailure {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Network(why) => ArmFailure::Network(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arm_error_and_advises() {
        let body =
            br#"{"error":{"code":"AuthorizationFailed","message":"The client 'a' does not have authorization"}}"#;
        let f = ArmFailure::from_response(403, body);
        assert_eq!(f.code(), "AuthorizationFailed");
        assert_eq!(f.remedy(), Remedy::AskForRole);
        assert!(f.to_string().contains("403 AuthorizationFailed: The client 'a'"));
        assert_eq!(
            ArmFailure::from_response(401, br#"{"error":{"code":"InvalidAuthenticationTokenTenant","message":"x"}}"#)
                .remedy(),
            Remedy::SwitchTenant
        );
        assert_eq!(
            ArmFailure::from_response(502, b"<html>bad gateway</html>").to_string(),
            "HTTP 502: <html>bad gateway</html>"
        );
    }
}
