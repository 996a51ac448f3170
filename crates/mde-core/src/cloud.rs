//! Azure clouds: where to sign in, where ARM is, and whether the integration exists there.

use serde::{Deserialize, Serialize};

/// One set of Azure endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cloud {
    /// `AzureCloud`, `AzureUSGovernment`, `AzureChinaCloud`, or a custom name.
    pub name: String,
    /// The Entra ID authority host, e.g. `https://login.microsoftonline.com`.
    pub login_url: String,
    /// The ARM base URL, e.g. `https://management.azure.com`.
    pub arm_url: String,
    /// The token audience ARM expects.
    pub arm_audience: String,
}

/// The clouds Microsoft runs, as `az cloud list` names them.
pub const KNOWN: [(&str, &str, &str, &str); 3] = [
    (
        "AzureCloud",
        "https://login.microsoftonline.com",
        "https://management.azure.com",
        "https://management.core.windows.net/",
    ),
    (
        "AzureUSGovernment",
        "https://login.microsoftonline.us",
        "https://management.usgovcloudapi.net",
        "https://management.core.usgovcloudapi.net/",
    ),
    (
        "AzureChinaCloud",
        "https://login.chinacloudapi.cn",
        "https://management.chinacloudapi.cn",
        "https://management.core.chinacloudapi.cn/",
    ),
];

impl Cloud {
    /// A cloud by its well-known name (case-insensitive).
    pub fn known(name: &str) -> Option<Cloud> {
        KNOWN.iter().find(|(n, ..)| n.eq_ignore_ascii_case(name)).map(|(name, login, arm, audience)| Cloud {
            name: name.to_string(),
            login_url: login.to_string(),
            arm_url: arm.to_string(),
            arm_audience: audience.to_string(),
        })
    }

    pub fn public() -> Cloud {
        Cloud::known("AzureCloud").expect("AzureCloud is in the table")
    }

    /// The Defender for Cloud <-> Defender for Endpoint integration is not offered in Azure
    /// China (21Vianet) (seed: Availability). Every other cloud, custom ones included, may try.
    pub fn supports_integration(&self) -> bool {
        !self.name.eq_ignore_ascii_case("AzureChinaCloud")
    }

    /// Why nothing can be changed here, when that is so.
    pub fn unsupported_reason(&self) -> Option<&'static str> {
        (!self.supports_integration()).then_some(
            "The Defender for Endpoint integration is not supported in Azure China (21Vianet): \
             Microsoft Defender for Cloud does not offer it in that cloud.",
        )
    }

    /// The delegated ARM scope the app asks for, on the user's behalf.
    /// The delegated scope for ARM, named by the token audience (the resource's identifier):
    /// `https://management.core.windows.net//user_impersonation` for the public cloud, the
    /// double slash included, since that identifier ends with `/`.
    pub fn arm_scope(&self) -> String {
        format!("{}/user_impersonation", self.arm_audience)
    }

    /// The `iss` of this cloud's v2.0 id_tokens for `tenant_id`.
    pub fn issuer(&self, tenant_id: &str) -> String {
        format!("{}/{tenant_id}/v2.0", self.login_url.trim_end_matches('/'))
    }

    /// `{login}/{tenant}/oauth2/v2.0/{endpoint}`.
    pub fn authority_endpoint(&self, tenant: &str, endpoint: &str) -> String {
        format!("{}/{}/oauth2/v2.0/{}", self.login_url.trim_end_matches('/'), tenant, endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_support() {
        let gov = Cloud::known("azureusgovernment").unwrap();
        assert_eq!(gov.arm_url, "https://management.usgovcloudapi.net");
        assert_eq!(gov.arm_scope(), "https://management.core.usgovcloudapi.net//user_impersonation");
        assert_eq!(Cloud::public().arm_scope(), "https://management.core.windows.net//user_impersonation");
        assert_eq!(gov.issuer("t1"), "https://login.microsoftonline.us/t1/v2.0");
        assert!(gov.supports_integration());
        assert!(!Cloud::known("AzureChinaCloud").unwrap().supports_integration());
        assert!(Cloud::known("AzureGermanCloud").is_none());
        assert_eq!(
            Cloud::public().authority_endpoint("organizations", "authorize"),
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
        );
    }
}
