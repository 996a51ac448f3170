//! MDE coverage: which machines carry the MDE extension, per subscription, from one
//! Resource Graph query (the deployment-status workbook's query).

use std::collections::HashMap;

use serde::Deserialize;

use crate::arm::machines::OsFamily;

/// A row of [`crate::arm::graph::MACHINES_QUERY`]: one VM or Arc machine and its MDE extension.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineRow {
    /// The machine's resource id; optional like every Resource Graph column (a row holds only
    /// what the query projects), and nothing here is counted by it.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub subscription_id: String,
    #[serde(default)]
    pub name: String,
    /// `microsoft.compute/virtualmachines` or `microsoft.hybridcompute/machines`.
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub os_type: Option<String>,
    /// `MDE.Windows` / `MDE.Linux`, absent when the machine has no MDE extension.
    #[serde(default)]
    pub extension_name: Option<String>,
    #[serde(default)]
    pub provisioning_state: Option<String>,
}

impl MachineRow {
    pub fn os(&self) -> OsFamily {
        OsFamily::from_os_type(self.os_type.as_deref())
    }

    /// The MDE extension is there and provisioned.
    pub fn covered(&self) -> bool {
        self.extension_name.as_deref().is_some_and(|n| !n.is_empty())
            && self.provisioning_state.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Succeeded"))
    }
}

/// Machine counts of one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    pub machines: usize,
    pub covered: usize,
    pub linux: usize,
    pub linux_covered: usize,
}

/// Counts per lower-case subscription id.
pub fn by_subscription(rows: &[MachineRow]) -> HashMap<String, Coverage> {
    let mut out: HashMap<String, Coverage> = HashMap::new();
    for row in rows {
        let c = out.entry(row.subscription_id.to_ascii_lowercase()).or_default();
        c.machines += 1;
        c.covered += usize::from(row.covered());
        if row.os() == OsFamily::Linux {
            c.linux += 1;
            c.linux_covered += usize::from(row.covered());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_subscription() {
        let rows: Vec<MachineRow> = serde_json::from_value(serde_json::json!([
            {"id": "/a", "subscriptionId": "S1", "osType": "Linux", "extensionName": "MDE.Linux", "provisioningState": "Succeeded"},
            {"id": "/b", "subscriptionId": "s1", "osType": "Linux", "extensionName": null, "provisioningState": null},
            {"id": "/c", "subscriptionId": "s1", "osType": "Windows", "extensionName": "MDE.Windows", "provisioningState": "Failed"},
            {"id": "/d", "subscriptionId": "s2", "osType": "windows", "extensionName": "MDE.Windows", "provisioningState": "Succeeded"}
        ]))
        .unwrap();
        let c = by_subscription(&rows);
        assert_eq!(c["s1"], Coverage { machines: 3, covered: 1, linux: 2, linux_covered: 1 });
        assert_eq!(c["s2"], Coverage { machines: 1, covered: 1, linux: 0, linux_covered: 0 });
    }
}
