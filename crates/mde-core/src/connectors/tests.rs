use super::*;

const LIST: &str =
    include_str!("../../../../tests/fixtures/arm/security-connectors/GetSecurityConnectorsSubscription_example.json");

fn example() -> Vec<SecurityConnector> {
    let page: serde_json::Value = serde_json::from_str(LIST).unwrap();
    serde_json::from_value(page["responses"]["200"]["body"]["value"].clone()).unwrap()
}

/// A Defender for Servers offering in the shape of the spec's `DefenderForServersAwsOffering` /
/// `...GcpOffering` (the specs' examples carry CSPM offerings only).
fn with_servers(mut connector: SecurityConnector, cloud: &str, mde: Option<bool>) -> SecurityConnector {
    let mde = match mde {
        Some(enabled) => format!(r#","mdeAutoProvisioning":{{"enabled":{enabled},"configuration":{{}}}}"#),
        None => String::new(),
    };
    let offering = format!(r#"{{"offeringType":"DefenderForServers{cloud}","subPlan":{{"type":"P2"}}{mde}}}"#);
    connector.properties.offerings.push(serde_json::from_str(&offering).unwrap());
    connector
}

#[test]
fn the_real_example_lists_its_aws_accounts_and_gcp_project_and_leaves_out_code_platforms() {
    let accounts = connected_accounts("a5caac9c-5c04-49af-b3d0-e204f40345d5", &example());
    let seen: Vec<(&str, &str, ConnectorStatus)> =
        accounts.iter().map(|a| (a.cloud.label(), a.account.as_str(), a.status())).collect();
    // Two AWS connectors with CSPM only, one GCP project named by its id, not its number; the
    // two Github ones are not clouds.
    assert_eq!(
        seen,
        [
            ("AWS", "exampleHierarchyId", ConnectorStatus::Off),
            ("AWS", "exampleHierarchyId", ConnectorStatus::Off),
            ("GCP", "My-0GCP-Project", ConnectorStatus::Off),
        ]
    );
    assert_eq!(accounts[0].name, "exampleSecurityConnectorAws");
    assert!(accounts[2].id.ends_with("/securityConnectors/exampleSecurityConnectorGcp"));
}

#[test]
fn defender_for_servers_with_and_without_mde_auto_provisioning() {
    let list = example();
    let aws = |mde| ConnectedAccount::from_connector("s", &with_servers(list[0].clone(), "Aws", mde)).unwrap();
    assert_eq!(aws(Some(true)).status(), ConnectorStatus::On);
    assert_eq!(aws(Some(false)).status(), ConnectorStatus::Partial);
    // No mdeAutoProvisioning at all: the portal shows it off, and so does the app.
    assert_eq!(aws(None).status(), ConnectorStatus::Partial);
    let gcp = ConnectedAccount::from_connector("s", &with_servers(list[4].clone(), "Gcp", Some(true))).unwrap();
    assert_eq!((gcp.cloud, gcp.status()), (OtherCloud::Gcp, ConnectorStatus::On));
}

#[test]
fn a_github_connector_with_a_servers_like_offering_is_still_not_a_cloud() {
    let github = with_servers(example()[2].clone(), "Aws", Some(true));
    assert_eq!(ConnectedAccount::from_connector("s", &github), None);
}

/// ARM by path: the connectors list of `good`, a 403 for `denied`.
struct Tenant;

impl crate::transport::Transport for Tenant {
    async fn send(
        &self,
        request: crate::transport::Request,
    ) -> Result<crate::transport::Response, crate::transport::TransportError> {
        let path = request.uri().path().to_string();
        assert!(request.uri().query().unwrap_or_default().contains("api-version=2024-08-01-preview"));
        let (status, body) = if path.starts_with("/subscriptions/good/") {
            let page: serde_json::Value = serde_json::from_str(LIST).unwrap();
            (200, page["responses"]["200"]["body"].to_string())
        } else {
            (403, r#"{"error":{"code":"AuthorizationFailed","message":"The client 'a' does not have authorization to perform action 'Microsoft.Security/securityConnectors/read' over scope '/subscriptions/denied'."}}"#.to_string())
        };
        Ok(http::Response::builder().status(status).body(body.into_bytes()).unwrap())
    }
    async fn sleep(&self, _: u64) {}
    fn now_ms(&self) -> u64 {
        1
    }
}

#[test]
fn a_subscription_whose_connectors_cannot_be_read_says_so_alone() {
    let client = ArmClient::new(Tenant, "https://management.azure.com");
    let ids = vec!["good".to_string(), "denied".to_string()];
    let mut model = Connectors::default();
    model.expect(&ids);
    assert_eq!(model.pending(), 2);
    futures::executor::block_on(load(&client, ids, 4, |read| model.apply(read)));
    assert_eq!(model.pending(), 0);
    assert_eq!(model.accounts().len(), 3);
    assert_eq!(model.counts(), [3, 0, 0]);
    let failures = model.failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, "denied");
    assert!(
        failures[0].1.advice().contains("Microsoft.Security/securityConnectors/read"),
        "{}",
        failures[0].1.advice()
    );
    assert!(matches!(model.of("GOOD"), Some(Load::Ready(a)) if a.len() == 3));
}
