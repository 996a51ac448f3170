//! Scenario generator: a tenant with N subscriptions and M machines in a realistic mix of
//! states (every integration status, plan, subscription state and role; Windows and Linux VMs
//! and Arc machines; MDE extensions Succeeded, Failed, in progress or missing; hostile strings
//! in names), for demos and benchmarks. Deterministic for a given seed; written as a stream so
//! 2,000 subscriptions and 50,000 machines take well under a second and little memory.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::clock::iso8601;
use crate::faults::Rng;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    pub subscriptions: usize,
    pub machines: usize,
    pub seed: u64,
    /// The instant the scenario's timestamps are relative to (Unix ms). Fixed by default so
    /// that the same seed gives the same file.
    pub now_ms: u64,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions { subscriptions: 8, machines: 40, seed: 1, now_ms: 1_717_200_000_000 }
    }
}

/// Strings that must show as text in the app, never run as markup or script.
pub const HOSTILE: [&str; 5] = [
    "<img src=x onerror=alert(1)>",
    "\"><script>alert(document.domain)</script>",
    "Robert'); DROP TABLE subscriptions;--",
    "{{constructor.constructor('alert(1)')()}}",
    "Ünïcødé 名前 🚀 \u{202e}gnp.exe",
];

const TENANT_NAMES: [(&str, &str); 2] = [("Contoso", "contoso.example"), ("Fabrikam (partner)", "fabrikam.example")];
const SUBSCRIPTION_NAMES: [&str; 12] = [
    "Production",
    "Development",
    "Test",
    "Shared Services",
    "Sandbox",
    "Data Platform",
    "Web Apps",
    "Finance",
    "Identity",
    "Connectivity",
    "Management",
    "SAP",
];
const STATES: [&str; 5] = ["Enabled", "Warned", "PastDue", "Disabled", "Deleted"];
const LOCATIONS: [&str; 8] =
    ["westeurope", "northeurope", "eastus", "eastus2", "westus2", "uksouth", "southeastasia", "australiaeast"];
const ROLES: [&str; 8] = ["web", "app", "sql", "dc", "file", "jump", "build", "k8s"];
const ENVIRONMENTS: [&str; 4] = ["prod", "dev", "test", "shared"];

/// The whole scenario as a string (convenient for tests and small tenants).
pub fn scenario_json(options: &GenerateOptions) -> String {
    let mut out = Vec::new();
    write_scenario(&mut out, options).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Streams the scenario as JSON to `out`, one subscription at a time.
pub fn write_scenario<W: Write>(out: &mut W, options: &GenerateOptions) -> io::Result<()> {
    let mut rng = Rng::new(options.seed);
    let tenants: Vec<(String, &str, &str)> =
        TENANT_NAMES.iter().map(|(name, domain)| (rng.uuid(), *name, *domain)).collect();
    let header = json!({
        "name": format!("Generated tenant ({} subscriptions, {} machines, seed {})", options.subscriptions, options.machines, options.seed),
        "user": { "name": "Avery Admin", "username": "avery@contoso.example" },
        "tenants": tenants.iter().map(|(id, name, domain)| json!({
            "id": format!("/tenants/{id}"), "tenantId": id, "countryCode": "US", "displayName": name,
            "domains": [domain], "tenantCategory": "Home", "defaultDomain": domain, "tenantType": "AAD",
        })).collect::<Vec<_>>(),
    });
    let header = serde_json::to_string(&header)?;
    // Everything but the closing brace, then the subscriptions list.
    out.write_all(&header.as_bytes()[..header.len() - 1])?;
    out.write_all(b",\"subscriptions\":[")?;
    let counts = machine_counts(&mut rng, options);
    for (i, &count) in counts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        // A generator per subscription: its content does not depend on the others'.
        let mut sub_rng = Rng::new(options.seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let tenant = if i % 10 == 9 { &tenants[1].0 } else { &tenants[0].0 };
        let sub = Generator { rng: &mut sub_rng, index: i, tenant, now_ms: options.now_ms }.subscription(count);
        serde_json::to_writer(&mut *out, &sub)?;
    }
    out.write_all(b"]}\n")
}

/// How many machines each subscription gets: skewed, as real estates are (a few large
/// subscriptions, many small ones), summing to exactly `machines`.
fn machine_counts(rng: &mut Rng, options: &GenerateOptions) -> Vec<usize> {
    let mut counts = vec![0; options.subscriptions];
    if options.subscriptions == 0 {
        return counts;
    }
    for _ in 0..options.machines {
        let u = rng.unit();
        counts[((u * u) * options.subscriptions as f64) as usize % options.subscriptions] += 1;
    }
    counts
}

struct Generator<'a> {
    rng: &'a mut Rng,
    index: usize,
    tenant: &'a str,
    now_ms: u64,
}

impl Generator<'_> {
    fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.rng.below(items.len() as u64) as usize]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.unit() < p
    }

    fn subscription(&mut self, machines: usize) -> Value {
        let i = self.index;
        let id = self.rng.uuid();
        let name = display_name(i);
        // States cycle so that a handful of subscriptions already shows every one.
        let state = match i % 20 {
            3 => STATES[1],
            7 => STATES[2],
            11 => STATES[3],
            17 => STATES[4],
            _ => STATES[0],
        };
        let mut sub = json!({
            "subscription": {
                "id": format!("/subscriptions/{id}"),
                "subscriptionId": id,
                "tenantId": self.tenant,
                "displayName": name,
                "state": state,
                "subscriptionPolicies": { "locationPlacementId": "Public_2014-09-01", "quotaId": "EnterpriseAgreement_2014-09-01", "spendingLimit": "Off" },
                "authorizationSource": "RoleBased",
                "managedByTenants": [],
                "tags": {},
            },
            "permissions": permissions(i),
        });
        // Now and then a subscription without settings or pricings at all (never read before).
        if i % 11 != 5 {
            sub["settings"] = settings(&id, i);
        }
        if i % 13 != 6 {
            sub["pricings"] = pricings(&id, i, self.now_ms);
        }
        let (vms, arcs) = self.machines(&id, machines);
        sub["virtualMachines"] = Value::Array(vms);
        sub["arcMachines"] = Value::Array(arcs);
        sub["alerts"] = self.alerts(&id, &sub);
        sub["securityConnectors"] = connectors(&id, i);
        sub
    }

    fn machines(&mut self, sub: &str, count: usize) -> (Vec<Value>, Vec<Value>) {
        let (mut vms, mut arcs) = (Vec::new(), Vec::new());
        for j in 0..count {
            let windows = self.chance(0.55);
            let env = self.pick(&ENVIRONMENTS);
            let group = format!("rg-{env}-{}", self.pick(&ROLES));
            let location = self.pick(&LOCATIONS);
            let name = self.machine_name(j, windows);
            if self.chance(0.6) {
                vms.push(self.vm(sub, &group, &name, location, windows, env));
            } else {
                arcs.push(self.arc(sub, &group, &name, location, windows, env));
            }
        }
        (vms, arcs)
    }

    fn machine_name(&mut self, j: usize, windows: bool) -> String {
        // About one machine in 500 carries a hostile name (ARM would refuse it; a scenario may not).
        // Not the ones with a '/': that would split the resource id itself.
        if self.rng.below(500) == 0 {
            let usable: Vec<&str> = HOSTILE.iter().copied().filter(|h| !h.contains('/')).collect();
            return usable[self.rng.below(usable.len() as u64) as usize].to_string();
        }
        let role = self.pick(&ROLES);
        format!("{role}-{}{:03}-{j}", if windows { "w" } else { "l" }, self.index % 1000)
    }

    fn tags(&mut self, env: &str) -> Value {
        let mut tags = json!({ "env": env, "owner": format!("team-{}", self.rng.below(12)) });
        if self.chance(0.05) {
            tags["ExcludeMdeAutoUpdate"] = json!("true");
        }
        if self.chance(0.01) {
            tags["note"] = json!(HOSTILE[0]);
        }
        tags
    }

    fn vm(&mut self, sub: &str, group: &str, name: &str, location: &str, windows: bool, env: &str) -> Value {
        let id =
            format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}");
        let image = self.image(windows);
        let os = if windows { "Windows" } else { "Linux" };
        let resource = json!({
            "id": id,
            "name": name,
            "type": "Microsoft.Compute/virtualMachines",
            "location": location,
            "tags": self.tags(env),
            "properties": {
                "vmId": self.rng.uuid(),
                "hardwareProfile": { "vmSize": self.pick(&["Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5", "Standard_E8s_v5"]) },
                "storageProfile": {
                    "imageReference": image,
                    "osDisk": { "osType": os, "name": format!("{name}_OsDisk_1"), "createOption": "FromImage", "caching": "ReadWrite", "diskSizeGB": if windows { 127 } else { 30 } },
                    "dataDisks": [],
                },
                "osProfile": { "computerName": name.chars().take(15).collect::<String>(), "adminUsername": "azureuser" },
                "networkProfile": { "networkInterfaces": [ { "id": format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/{name}-nic") } ] },
                "provisioningState": "Succeeded",
            },
        });
        let extensions = self.extensions(&id, location, windows, false);
        json!({ "resource": resource, "extensions": extensions })
    }

    fn image(&mut self, windows: bool) -> Value {
        let (publisher, offer, sku) = if windows {
            let sku = self.pick(&[
                "2012-R2-Datacenter",
                "2016-Datacenter",
                "2019-Datacenter",
                "2022-datacenter-azure-edition",
            ]);
            ("MicrosoftWindowsServer", "WindowsServer", sku)
        } else {
            let images = [
                ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"),
                ("RedHat", "RHEL", "8-lvm-gen2"),
                ("SUSE", "sles-15-sp5", "gen2"),
                ("Debian", "debian-12", "12-gen2"),
            ];
            images[self.rng.below(4) as usize]
        };
        json!({ "publisher": publisher, "offer": offer, "sku": sku, "version": "latest" })
    }

    fn arc(&mut self, sub: &str, group: &str, name: &str, location: &str, windows: bool, env: &str) -> Value {
        let id =
            format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.HybridCompute/machines/{name}");
        let (os_type, sku, version) = if windows {
            (
                "windows",
                self.pick(&[
                    "Windows Server 2016 Datacenter",
                    "Windows Server 2019 Standard",
                    "Windows Server 2022 Datacenter",
                ]),
                "10.0.20348.2340",
            )
        } else {
            (
                "linux",
                self.pick(&[
                    "Ubuntu 22.04.4 LTS",
                    "Red Hat Enterprise Linux 8.9",
                    "SUSE Linux Enterprise Server 15 SP5",
                ]),
                "5.15.0-105-generic",
            )
        };
        let status = match self.rng.below(20) {
            0..=15 => "Connected",
            16..=18 => "Disconnected",
            _ => "Expired",
        };
        let resource = json!({
            "id": id,
            "name": name,
            "location": location,
            "type": "Microsoft.HybridCompute/machines",
            "tags": self.tags(env),
            "identity": { "type": "SystemAssigned", "principalId": self.rng.uuid(), "tenantId": self.tenant },
            "kind": null,
            "properties": {
                "provisioningState": "Succeeded",
                "agentVersion": self.pick(&["1.41.02664.1629", "1.43.02682.1677", "1.44.02690.1711"]),
                "status": status,
                "lastStatusChange": iso8601(self.now_ms - self.rng.below(30 * 86_400_000)),
                "errorDetails": [],
                "displayName": name,
                "machineFqdn": format!("{name}.corp.contoso.example"),
                "vmUuid": self.rng.uuid(),
                "osName": os_type,
                "osType": os_type,
                "osSku": sku,
                "osVersion": version,
                "osEdition": if windows { "serverdatacenter" } else { "" },
                "vmId": self.rng.uuid(),
                "detectedProperties": { "cloudprovider": "N/A", "manufacturer": "VMware, Inc.", "model": "VMware Virtual Platform" },
            },
        });
        let extensions = self.extensions(&id, location, windows, true);
        json!({ "resource": resource, "extensions": extensions })
    }

    /// MDE extension Succeeded (60%), Failed (10%), in progress (5%) or missing (25%), plus
    /// sometimes an unrelated extension that must pass through untouched.
    fn extensions(&mut self, machine: &str, location: &str, windows: bool, arc: bool) -> Vec<Value> {
        let mut list = Vec::new();
        if self.chance(0.3) {
            let agent = if windows { "AzureMonitorWindowsAgent" } else { "AzureMonitorLinuxAgent" };
            list.push(self.extension(machine, location, (agent, "Microsoft.Azure.Monitor", "1.22"), "Succeeded", arc));
        }
        let state = match self.rng.below(20) {
            0..=11 => Some("Succeeded"),
            12 | 13 => Some("Failed"),
            14 => Some(if arc { "Creating" } else { "Updating" }),
            _ => None,
        };
        if let Some(state) = state {
            let mde = if windows { "MDE.Windows" } else { "MDE.Linux" };
            list.push(self.extension(
                machine,
                location,
                (mde, "Microsoft.Azure.AzureDefenderForServers", "1.0"),
                state,
                arc,
            ));
        }
        list
    }

    fn extension(
        &mut self,
        machine: &str,
        location: &str,
        (name, publisher, version): (&str, &str, &str),
        state: &str,
        arc: bool,
    ) -> Value {
        let type_name = if arc {
            "Microsoft.HybridCompute/machines/extensions"
        } else {
            "Microsoft.Compute/virtualMachines/extensions"
        };
        let mut properties = json!({
            "publisher": publisher,
            "type": name,
            "typeHandlerVersion": version,
            "autoUpgradeMinorVersion": true,
            "settings": { "azureResourceId": machine, "vNextEnabled": "true" },
            "provisioningState": state,
        });
        if arc {
            // Arc lists carry the instance view, with ONE status object (VMs: a `statuses` array).
            let (level, message) = match state {
                "Failed" => (
                    "Error",
                    "Onboarding to Defender for Endpoint failed: the machine could not reach the MDE service (proxy?).",
                ),
                "Succeeded" => ("Information", "Extension enabled."),
                _ => ("Information", "Extension operation in progress."),
            };
            properties["instanceView"] = json!({
                "name": name, "type": name, "typeHandlerVersion": version,
                "status": { "code": if state == "Failed" { "1" } else { "0" }, "level": level, "displayStatus": format!("Provisioning {}", state.to_ascii_lowercase()), "message": message, "time": iso8601(self.now_ms - self.rng.below(86_400_000)) },
            });
        }
        json!({ "id": format!("{machine}/extensions/{name}"), "name": name, "type": type_name, "location": location, "properties": properties })
    }

    fn alerts(&mut self, sub: &str, subscription: &Value) -> Value {
        let machines: Vec<(String, String)> = ["virtualMachines", "arcMachines"]
            .iter()
            .flat_map(|k| subscription[*k].as_array().cloned().unwrap_or_default())
            .take(3)
            .filter_map(|m| {
                Some((m["resource"]["id"].as_str()?.to_string(), m["resource"]["name"].as_str()?.to_string()))
            })
            .collect();
        let kinds = [
            ("SuspiciousPowerShellCommandLine", "Suspicious PowerShell CommandLine", "Informational"),
            ("Enumeration of files with sensitive data", "Enumeration of files with sensitive data", "Low"),
            ("VM_EICAR", "Azure Security Center test alert (not a threat)", "High"),
        ];
        let mut alerts = Vec::new();
        let index = self.index;
        for (n, (id, name)) in machines.iter().enumerate().filter(|(n, _)| (index + n).is_multiple_of(3)) {
            let (alert_type, display, severity) = kinds[(index + n) % kinds.len()];
            alerts.push(self.alert(sub, id, name, (alert_type, display, severity)));
        }
        Value::Array(alerts)
    }

    fn alert(
        &mut self,
        sub: &str,
        machine_id: &str,
        machine: &str,
        (alert_type, display, severity): (&str, &str, &str),
    ) -> Value {
        let system_id = format!("{}_{}", 2_517_000_000_000_000_000u64 + self.rng.below(1_000_000_000), self.rng.uuid());
        let at = iso8601(self.now_ms - self.rng.below(7 * 86_400_000));
        json!({
            "id": format!("/subscriptions/{sub}/resourceGroups/rg-security/providers/Microsoft.Security/locations/westeurope/alerts/{system_id}"),
            "name": system_id,
            "type": "Microsoft.Security/Locations/alerts",
            "properties": {
                "version": "2022-01-01", "alertType": alert_type, "systemAlertId": system_id, "productComponentName": "Servers",
                "alertDisplayName": display,
                "description": "Generated by the fake Azure scenario generator.",
                "severity": severity, "intent": "Execution", "startTimeUtc": at, "endTimeUtc": at,
                "resourceIdentifiers": [ { "azureResourceId": machine_id, "type": "AzureResource" } ],
                "remediationSteps": ["No further action is needed."], "vendorName": "Microsoft", "status": "Active",
                "extendedLinks": [], "alertUri": "https://portal.azure.com/#blade/Microsoft_Azure_Security/AlertBlade",
                "timeGeneratedUtc": at, "productName": "Microsoft Defender for Cloud", "processingEndTimeUtc": at,
                "entities": [], "isIncident": false, "correlationKey": system_id, "extendedProperties": {},
                "compromisedEntity": machine, "techniques": ["T1059"], "subTechniques": ["T1059.001"],
            },
        })
    }
}

/// Mostly plausible names; one subscription in 25 carries a hostile string.
fn display_name(i: usize) -> String {
    if i % 25 == 24 {
        return HOSTILE[(i / 25) % HOSTILE.len()].to_string();
    }
    let base = SUBSCRIPTION_NAMES[i % SUBSCRIPTION_NAMES.len()];
    if i < SUBSCRIPTION_NAMES.len() {
        format!("Contoso {base}")
    } else {
        format!("Contoso {base} {:03}", i / SUBSCRIPTION_NAMES.len())
    }
}

fn role(actions: &[&str], not_actions: &[&str]) -> Value {
    json!({ "actions": actions, "notActions": not_actions, "dataActions": [], "notDataActions": [] })
}

/// Owner mostly; Reader, Security Reader, Contributor and Security Admin + Reader in rotation.
fn permissions(i: usize) -> Value {
    let reader = role(&["*/read"], &[]);
    let list = match i % 12 {
        4 => vec![reader],
        5 => vec![role(
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Security/*/read",
                "Microsoft.Support/*/read",
                "Microsoft.Management/managementGroups/read",
            ],
            &[],
        )],
        8 => vec![role(
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
            ],
        )],
        10 => vec![
            role(
                &[
                    "Microsoft.Authorization/*/read",
                    "Microsoft.Authorization/policyAssignments/*",
                    "Microsoft.Resources/subscriptions/resourceGroups/read",
                    "Microsoft.Security/*",
                    "Microsoft.Support/*",
                ],
                &[],
            ),
            reader,
        ],
        _ => vec![role(&["*"], &[])],
    };
    Value::Array(list)
}

fn setting(sub: &str, name: &str, kind: &str, enabled: bool) -> Value {
    json!({
        "id": format!("/subscriptions/{sub}/providers/Microsoft.Security/settings/{name}"),
        "name": name, "type": "Microsoft.Security/settings", "kind": kind, "properties": { "enabled": enabled },
    })
}

/// Integration Off, Partial (Linux excluded, or unified solution off) or On, in rotation; and
/// both kinds of subscription: legacy ones carry explicit Linux/unified settings, newer ones
/// (every other block of four) only `WDATP`, which includes Linux and the unified solution.
fn settings(sub: &str, i: usize) -> Value {
    let (wdatp, exclude_linux, unified) = match i % 4 {
        0 => (false, true, false),
        1 => (true, true, true),
        2 => (true, false, false),
        _ => (true, false, true),
    };
    let newer = (i / 4) % 2 == 1;
    let mut settings = vec![
        setting(sub, "MCAS", "DataExportSettings", i.is_multiple_of(2)),
        setting(sub, "WDATP", "DataExportSettings", wdatp),
    ];
    if !newer {
        settings.push(setting(sub, "WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", "DataExportSettings", exclude_linux));
        settings.push(setting(sub, "WDATP_UNIFIED_SOLUTION", "DataExportSettings", unified));
    }
    settings.push(setting(sub, "Sentinel", "AlertSyncSettings", false));
    Value::Array(settings)
}

/// Defender for Servers Off, P1 or P2 (cycling apart from the integration status so that every
/// combination appears), plus a couple of other plans.
fn pricings(sub: &str, i: usize, now_ms: u64) -> Value {
    let id = |name: &str| format!("/subscriptions/{sub}/providers/Microsoft.Security/pricings/{name}");
    let enabled = iso8601(now_ms - 90 * 86_400_000);
    let servers = match (i / 4) % 3 {
        0 => json!({ "pricingTier": "Free", "freeTrialRemainingTime": "P30D", "enforce": "False" }),
        1 => {
            json!({ "pricingTier": "Standard", "subPlan": "P1", "freeTrialRemainingTime": "PT0S", "enablementTime": enabled, "enforce": "False", "resourcesCoverageStatus": "FullyCovered" })
        }
        _ => json!({
            "pricingTier": "Standard", "subPlan": "P2", "freeTrialRemainingTime": "PT0S", "enablementTime": enabled, "enforce": "False",
            "resourcesCoverageStatus": "FullyCovered",
            "extensions": [
                { "name": "MdeDesignatedSubscription", "isEnabled": "False" },
                { "name": "AgentlessVmScanning", "isEnabled": "True", "additionalExtensionProperties": { "ExclusionTags": "[]" } },
                { "name": "FileIntegrityMonitoring", "isEnabled": "False" },
            ],
        }),
    };
    json!([
        { "id": id("VirtualMachines"), "name": "VirtualMachines", "type": "Microsoft.Security/pricings", "properties": servers },
        { "id": id("StorageAccounts"), "name": "StorageAccounts", "type": "Microsoft.Security/pricings", "properties": { "pricingTier": "Free", "freeTrialRemainingTime": "PT0S", "enforce": "False" } },
        { "id": id("CloudPosture"), "name": "CloudPosture", "type": "Microsoft.Security/pricings", "properties": { "pricingTier": "Standard", "freeTrialRemainingTime": "PT0S", "enablementTime": enabled, "enforce": "False" } },
    ])
}

/// An AWS connector on some subscriptions, a GCP one on others.
fn connectors(sub: &str, i: usize) -> Value {
    let connector = |name: &str, environment: &str, offering: &str, data: Value| {
        json!({
            "id": format!("/subscriptions/{sub}/resourceGroups/rg-multicloud/providers/Microsoft.Security/securityConnectors/{name}"),
            "name": name, "type": "Microsoft.Security/securityConnectors", "location": "westeurope", "kind": "", "tags": {},
            "properties": { "hierarchyIdentifier": format!("{:012}", i), "environmentName": environment, "environmentData": data, "offerings": [ { "offeringType": offering } ] },
        })
    };
    let mut list = Vec::new();
    if i % 7 == 3 {
        list.push(connector(
            "aws-production",
            "AWS",
            "DefenderForServersAws",
            json!({ "environmentType": "AwsAccount", "scanInterval": 12 }),
        ));
    }
    if i % 9 == 6 {
        list.push(connector(
            "gcp-analytics",
            "GCP",
            "DefenderForServersGcp",
            json!({ "environmentType": "GcpProject", "scanInterval": 12 }),
        ));
    }
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_file() {
        let options = GenerateOptions { subscriptions: 5, machines: 30, ..Default::default() };
        assert_eq!(scenario_json(&options), scenario_json(&options));
        assert_ne!(scenario_json(&options), scenario_json(&GenerateOptions { seed: 2, ..options }));
    }

    #[test]
    fn generated_tenants_load() {
        let options = GenerateOptions { subscriptions: 30, machines: 3000, seed: 3, ..Default::default() };
        crate::FakeAzure::from_scenario_json(&scenario_json(&options), crate::Options::default()).unwrap();
    }

    #[test]
    fn counts_add_up() {
        let options = GenerateOptions { subscriptions: 7, machines: 123, ..Default::default() };
        let scenario: Value = serde_json::from_str(&scenario_json(&options)).unwrap();
        let subs = scenario["subscriptions"].as_array().unwrap();
        assert_eq!(subs.len(), 7);
        let machines: usize = subs
            .iter()
            .map(|s| s["virtualMachines"].as_array().unwrap().len() + s["arcMachines"].as_array().unwrap().len())
            .sum();
        assert_eq!(machines, 123);
    }
}
