//! ARM's error answers, with the codes and message wording ARM uses, in its
//! `{"error":{"code","message"}}` envelope.

use http::Response;
use serde_json::json;

use crate::wire;

/// `{"error":{"code","message"}}` with `status`.
pub(crate) fn arm(status: u16, code: &str, message: impl Into<String>) -> Response<Vec<u8>> {
    wire::json(status, &json!({ "error": { "code": code, "message": message.into() } }))
}

/// `{"error": error}` with `status`, for errors with `details`, `target` or `additionalInfo`.
pub(crate) fn arm_with(status: u16, error: serde_json::Value) -> Response<Vec<u8>> {
    wire::json(status, &json!({ "error": error }))
}

/// 401 with ARM's `WWW-Authenticate` challenge, pointing at the authority that would issue a
/// token this request could use.
pub(crate) fn unauthorized(login: &str, tenant: &str, code: &str, message: impl Into<String>) -> Response<Vec<u8>> {
    let message = message.into();
    let mut response = arm(401, code, message.clone());
    let challenge = format!(
        "Bearer authorization_uri=\"{login}/{tenant}\", error=\"invalid_token\", error_description=\"{}\"",
        message.replace('"', "'")
    );
    wire::set(&mut response, "www-authenticate", &challenge);
    response
}

pub(crate) fn wrong_tenant(login: &str, token_tenant: &str, subscription_tenant: &str) -> Response<Vec<u8>> {
    unauthorized(
        login,
        subscription_tenant,
        "InvalidAuthenticationTokenTenant",
        format!(
            "The access token is from the wrong issuer 'https://sts.windows.net/{token_tenant}/'. It must match the tenant 'https://sts.windows.net/{subscription_tenant}/' associated with this subscription. Please use the authority (URL) '{login}/{subscription_tenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later."
        ),
    )
}

pub(crate) fn missing_api_version() -> Response<Vec<u8>> {
    arm(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
    )
}

/// ARM's own resources (subscriptions, tenants, tags) say `InvalidApiVersionParameter`;
/// resource providers say `NoRegisteredProviderFound`.
pub(crate) fn bad_api_version(native: bool, type_label: &str, given: &str, supported: &[&str]) -> Response<Vec<u8>> {
    if native {
        return arm(
            400,
            "InvalidApiVersionParameter",
            format!("The api-version '{given}' is invalid. The supported versions are '{}'.", supported.join(",")),
        );
    }
    arm(
        400,
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for location 'global' and API version '{given}' for type '{type_label}'. The supported api-versions are '{}'. The supported locations are ', global'.",
            supported.join(", ")
        ),
    )
}

pub(crate) fn authorization_failed(username: &str, object_id: &str, action: &str, scope: &str) -> Response<Vec<u8>> {
    arm(
        403,
        "AuthorizationFailed",
        format!(
            "The client '{username}' with object id '{object_id}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
        ),
    )
}

pub(crate) fn subscription_not_found(subscription_id: &str) -> Response<Vec<u8>> {
    arm(404, "SubscriptionNotFound", format!("The subscription '{subscription_id}' could not be found."))
}

pub(crate) fn resource_group_not_found(resource_group: &str) -> Response<Vec<u8>> {
    arm(404, "ResourceGroupNotFound", format!("Resource group '{resource_group}' could not be found."))
}

/// A missing resource under a known provider (`ResourceNotFound`).
pub(crate) fn resource_not_found(type_path: &str, name: &str, resource_group: &str) -> Response<Vec<u8>> {
    arm(
        404,
        "ResourceNotFound",
        format!(
            "The Resource '{type_path}/{name}' under resource group '{resource_group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
        ),
    )
}

/// A missing item that a resource provider reports itself (`NotFound`).
pub(crate) fn not_found(message: impl Into<String>) -> Response<Vec<u8>> {
    arm(404, "NotFound", message)
}

pub(crate) fn no_route(path: &str) -> Response<Vec<u8>> {
    arm(404, "NotFound", format!("No HTTP resource was found that matches the request URI '{path}'."))
}

pub(crate) fn method_not_allowed(method: &str) -> Response<Vec<u8>> {
    arm(405, "MethodNotAllowed", format!("The requested resource does not support http method '{method}'."))
}

pub(crate) fn bad_request(code: &str, message: impl Into<String>) -> Response<Vec<u8>> {
    arm(400, code, message)
}

pub(crate) fn invalid_content(why: impl std::fmt::Display) -> Response<Vec<u8>> {
    arm(
        400,
        "InvalidRequestContent",
        format!("The request content was invalid and could not be deserialized: '{why}'."),
    )
}

pub(crate) fn throttled(scope: &str, subscription: bool, write: bool, retry_after_s: u64) -> Response<Vec<u8>> {
    let kind = if write { "write" } else { "read" };
    let (code, message) = if subscription {
        (
            "SubscriptionRequestsThrottled",
            format!("Number of '{kind}' requests for subscription '{scope}' exceeded. Please try again after '{retry_after_s}' seconds after the last request."),
        )
    } else {
        ("TenantRequestsThrottled", format!("Number of '{kind}' requests for the tenant exceeded. Please try again after '{retry_after_s}' seconds after the last request."))
    };
    let mut response = arm(429, code, message);
    wire::set(&mut response, "retry-after", &retry_after_s.to_string());
    response
}

pub(crate) fn server_error(status: u16, retry_after_s: u64) -> Response<Vec<u8>> {
    if status == 503 {
        let mut response =
            arm(503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.");
        wire::set(&mut response, "retry-after", &retry_after_s.to_string());
        return response;
    }
    arm(500, "InternalServerError", "Encountered internal server error. Diagnostic information: timestamp '', subscription id '', tracking id '', request correlation id ''.")
}

pub(crate) fn conflict() -> Response<Vec<u8>> {
    arm(409, "Conflict", "Another update operation is in progress. Please retry after the current operation completes.")
}

/// ARM's answer to a write on a Disabled, Expired or Deleted subscription.
pub(crate) fn read_only_subscription(subscription_id: &str, state: &str) -> Response<Vec<u8>> {
    arm(
        409,
        "ReadOnlyDisabledSubscription",
        format!("The subscription '{subscription_id}' is {} and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.", state.to_ascii_lowercase()),
    )
}
