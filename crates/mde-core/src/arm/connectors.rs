//! `Microsoft.Security/securityConnectors`: Defender for Cloud's links to other clouds and code
//! platforms (AWS accounts, GCP projects, GitHub, Azure DevOps, GitLab...).
//!
//! The app lists them so a user knows that machines outside Azure (EC2 instances, GCE VMs) may
//! also get MDE, through the connector's Defender for Servers offering.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::null_as_default;

/// One security connector: a link from a subscription to an account elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityConnector {
    /// The full ARM id.
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Azure region where the connector lives (free text: `Central US` and `centralus` both occur).
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: SecurityConnectorProperties,
}

impl SecurityConnector {
    /// Whether the connector has a Defender for Servers offering (`DefenderForServersAws`,
    /// `DefenderForServersGcp`...), i.e. brings that cloud's machines under the plan.
    pub fn has_defender_for_servers(&self) -> bool {
        self.properties.offerings.iter().any(Offering::is_defender_for_servers)
    }
}

/// Which environment the connector links to, and what Defender does there.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityConnectorProperties {
    /// `AWS`, `GCP`, `Github`, `AzureDevOps`, `GitLab`, `Azure`, `DockerHub`, `JFrog`... (text:
    /// new ones appear).
    #[serde(default)]
    pub environment_name: Option<String>,
    /// The linked account in that environment (AWS account id, GCP project number, or an ARM id
    /// for code platforms).
    #[serde(default)]
    pub hierarchy_identifier: Option<String>,
    #[serde(default)]
    pub environment_data: Option<EnvironmentData>,
    /// The Defender features turned on through this connector.
    #[serde(default, deserialize_with = "null_as_default")]
    pub offerings: Vec<Offering>,
}

/// Details of the linked environment; the app reads its kind and a GCP project's id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentData {
    /// `AwsAccount`, `GcpProject`, `GithubScope`, `AzureDevOpsScope`, `GitlabScope`...
    #[serde(default)]
    pub environment_type: Option<String>,
    /// A GCP project's id and number (the hierarchy identifier is the number, which people
    /// do not recognise).
    #[serde(default)]
    pub project_details: Option<GcpProjectDetails>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GcpProjectDetails {
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub project_number: Option<String>,
}

/// One Defender feature of a connector, e.g. `CspmMonitorAws` or `DefenderForServersAws`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Offering {
    #[serde(default, deserialize_with = "null_as_default")]
    pub offering_type: String,
    #[serde(default)]
    pub description: Option<String>,
    /// A Defender for Servers offering's Defender for Endpoint auto-provisioning
    /// (`{"enabled": true, "configuration": {}}`): whether the connector's machines get MDE.
    #[serde(default)]
    pub mde_auto_provisioning: Option<AutoProvisioning>,
}

impl Offering {
    pub fn is_defender_for_servers(&self) -> bool {
        self.offering_type.to_ascii_lowercase().starts_with("defenderforservers")
    }
}

/// One auto-provisioning switch of an offering.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AutoProvisioning {
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defender_for_servers_offering_is_found() {
        let json = r#"{"id":"/x/securityConnectors/aws","name":"aws","tags":null,
            "properties":{"environmentName":"AWS","offerings":[{"offeringType":"CspmMonitorAws"},{"offeringType":"DefenderForServersAws"}]}}"#;
        let c: SecurityConnector = serde_json::from_str(json).unwrap();
        assert!(c.has_defender_for_servers());
        let json = r#"{"id":"/x/securityConnectors/gh","properties":{"environmentName":"Github","offerings":null}}"#;
        let c: SecurityConnector = serde_json::from_str(json).unwrap();
        assert!(!c.has_defender_for_servers());
    }
}
