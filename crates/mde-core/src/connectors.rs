//! Connected AWS accounts and GCP projects (seed: Clouds): each subscription's
//! `Microsoft.Security/securityConnectors`, summarised as what a security admin asks: which
//! account, is Defender for Servers on there, and does it give the machines Defender for
//! Endpoint (the offering's `mdeAutoProvisioning`). Read-only.
//!
//! Read after the overview, one list per subscription, so that the subscriptions' rows are
//! never delayed by it; a subscription whose read fails says so, alone.

use std::collections::HashMap;

use futures::StreamExt;

use crate::api::{self, SECURITY_CONNECTORS};
use crate::arm::connectors::SecurityConnector;
use crate::client::ArmClient;
use crate::error::ArmFailure;
use crate::overview::Load;
use crate::transport::Transport;

/// `GET /subscriptions/{s}/providers/Microsoft.Security/securityConnectors`.
pub fn path(subscription_id: &str) -> String {
    format!(
        "/subscriptions/{}/providers/Microsoft.Security/securityConnectors?api-version={SECURITY_CONNECTORS}",
        api::seg(subscription_id)
    )
}

/// The other clouds whose machines Defender for Servers covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OtherCloud {
    Aws,
    Gcp,
}

impl OtherCloud {
    /// From `environmentName` (`AWS`, `GCP`; ARM's case varies); code platforms are not clouds.
    pub fn of(environment_name: &str) -> Option<OtherCloud> {
        match environment_name.to_ascii_lowercase().as_str() {
            "aws" => Some(OtherCloud::Aws),
            "gcp" => Some(OtherCloud::Gcp),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OtherCloud::Aws => "AWS",
            OtherCloud::Gcp => "GCP",
        }
    }

    /// What the account is called there.
    pub fn account_word(self) -> &'static str {
        match self {
            OtherCloud::Aws => "AWS account",
            OtherCloud::Gcp => "GCP project",
        }
    }
}

/// Off / Partial / On, as for a subscription: Defender for Servers off; on without Defender
/// for Endpoint auto-provisioning; both on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConnectorStatus {
    Off,
    Partial,
    On,
}

impl ConnectorStatus {
    pub fn label(self) -> &'static str {
        match self {
            ConnectorStatus::Off => "Off",
            ConnectorStatus::Partial => "Partial",
            ConnectorStatus::On => "On",
        }
    }

    /// The CSS / test key, as for subscription statuses.
    pub fn key(self) -> &'static str {
        match self {
            ConnectorStatus::Off => "off",
            ConnectorStatus::Partial => "partial",
            ConnectorStatus::On => "on",
        }
    }

    /// What it means for the machines there.
    pub fn meaning(self) -> &'static str {
        match self {
            ConnectorStatus::Off => "No Defender for Servers offering: its machines get no Defender for Endpoint from Defender for Cloud.",
            ConnectorStatus::Partial => "Defender for Servers is on, but its Defender for Endpoint auto-provisioning is off: machines there are not onboarded. Turn it on in the connector's settings in the portal.",
            ConnectorStatus::On => "Defender for Servers and its Defender for Endpoint auto-provisioning are on.",
        }
    }
}

/// One connected AWS account or GCP project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectedAccount {
    /// The connector's ARM id (for its portal link).
    pub id: String,
    /// The connector's name in Azure.
    pub name: String,
    /// The Azure subscription that holds the connector.
    pub subscription_id: String,
    pub cloud: OtherCloud,
    /// The AWS account id, or the GCP project id (else its number).
    pub account: String,
    /// The connector has a Defender for Servers offering.
    pub servers: bool,
    /// That offering's `mdeAutoProvisioning.enabled` (absent: off, as the portal shows it).
    pub mde_auto_provisioning: bool,
}

impl ConnectedAccount {
    /// The AWS or GCP connector a security connector is; `None` for code platforms.
    pub fn from_connector(subscription_id: &str, connector: &SecurityConnector) -> Option<ConnectedAccount> {
        let properties = &connector.properties;
        let cloud = OtherCloud::of(properties.environment_name.as_deref()?)?;
        let project = properties.environment_data.as_ref().and_then(|d| d.project_details.as_ref());
        let account = project
            .and_then(|p| p.project_id.clone().or_else(|| p.project_number.clone()))
            .or_else(|| properties.hierarchy_identifier.clone())
            .unwrap_or_default();
        let servers = properties.offerings.iter().find(|o| o.is_defender_for_servers());
        Some(ConnectedAccount {
            id: connector.id.clone(),
            name: connector.name.clone(),
            subscription_id: subscription_id.to_string(),
            cloud,
            account,
            servers: servers.is_some(),
            mde_auto_provisioning: servers
                .and_then(|o| o.mde_auto_provisioning.as_ref())
                .and_then(|m| m.enabled)
                .unwrap_or(false),
        })
    }

    pub fn status(&self) -> ConnectorStatus {
        match (self.servers, self.mde_auto_provisioning) {
            (false, _) => ConnectorStatus::Off,
            (true, false) => ConnectorStatus::Partial,
            (true, true) => ConnectorStatus::On,
        }
    }
}

/// The AWS and GCP connectors among a subscription's security connectors, by cloud and account.
pub fn connected_accounts(subscription_id: &str, connectors: &[SecurityConnector]) -> Vec<ConnectedAccount> {
    let mut accounts: Vec<ConnectedAccount> =
        connectors.iter().filter_map(|c| ConnectedAccount::from_connector(subscription_id, c)).collect();
    accounts.sort_by(|a, b| (a.cloud, &a.account, &a.name).cmp(&(b.cloud, &b.account, &b.name)));
    accounts
}

/// One subscription's connectors, or why they could not be read.
pub async fn read<T: Transport>(
    client: &ArmClient<T>,
    subscription_id: &str,
) -> Result<Vec<ConnectedAccount>, ArmFailure> {
    let connectors = client.list::<SecurityConnector>(&path(subscription_id)).await?;
    Ok(connected_accounts(subscription_id, &connectors))
}

/// An answer for one subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorsRead {
    pub subscription_id: String,
    pub result: Result<Vec<ConnectedAccount>, ArmFailure>,
}

/// Reads the connectors of `subscription_ids`, at most `concurrency` at a time, calling `emit`
/// as each answers.
pub async fn load<T: Transport>(
    client: &ArmClient<T>,
    subscription_ids: Vec<String>,
    concurrency: usize,
    mut emit: impl FnMut(ConnectorsRead),
) {
    let reads = subscription_ids.into_iter().map(|subscription_id| async move {
        let result = read(client, &subscription_id).await;
        ConnectorsRead { subscription_id, result }
    });
    let mut answers = futures::stream::iter(reads).buffer_unordered(concurrency.max(1));
    while let Some(answer) = answers.next().await {
        emit(answer);
    }
}

/// Every subscription's connected accounts, as answers arrive.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Connectors {
    /// By lower-case subscription id.
    by_subscription: HashMap<String, Load<Vec<ConnectedAccount>>>,
    /// Subscriptions asked about, in the order asked.
    order: Vec<String>,
}

impl Connectors {
    /// Starts waiting for the answers of these subscriptions.
    pub fn expect(&mut self, subscription_ids: &[String]) {
        for id in subscription_ids {
            let key = id.to_ascii_lowercase();
            if self.by_subscription.insert(key.clone(), Load::Loading).is_none() {
                self.order.push(key);
            }
        }
    }

    pub fn apply(&mut self, read: ConnectorsRead) {
        let key = read.subscription_id.to_ascii_lowercase();
        if !self.by_subscription.contains_key(&key) {
            self.order.push(key.clone());
        }
        self.by_subscription.insert(key, Load::from_result(read.result));
    }

    /// One subscription's accounts (`None`: not asked about).
    pub fn of(&self, subscription_id: &str) -> Option<&Load<Vec<ConnectedAccount>>> {
        self.by_subscription.get(&subscription_id.to_ascii_lowercase())
    }

    /// Every connected account read so far, subscription by subscription in the order asked.
    pub fn accounts(&self) -> Vec<&ConnectedAccount> {
        self.order.iter().filter_map(|k| self.by_subscription[k].ready()).flatten().collect()
    }

    /// Subscriptions still loading.
    pub fn pending(&self) -> usize {
        self.by_subscription.values().filter(|l| matches!(l, Load::Loading)).count()
    }

    /// Subscriptions whose connectors could not be read, with why, in the order asked.
    pub fn failures(&self) -> Vec<(&str, &ArmFailure)> {
        self.order
            .iter()
            .filter_map(|k| match &self.by_subscription[k] {
                Load::Failed(f) => Some((k.as_str(), f)),
                _ => None,
            })
            .collect()
    }

    /// How many accounts have each status: Off, Partial, On.
    pub fn counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for account in self.accounts() {
            counts[account.status() as usize] += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests;
