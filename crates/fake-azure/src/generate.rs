//! Scenario generator: a tenant with N subscriptions and M machines in a realistic mix of
//! states (every integration status, plan, subscription state and role; Windows and Linux VMs
//! and Arc machines, running, stopped, deallocated, disconnected or expired; Windows 10,
//! Windows 11 multi-session, Server 2012 R2 to 2022; MDE extensions Succeeded, Failed with
//! real messages, in progress or missing; the Linux auto-update tag; hostile strings in names),
//! for demos and benchmarks. Deterministic for a given seed; written as a stream, one machine at
//! a time, so 2,000 subscriptions and 50,000 machines (100 MB) take under a second and 3 MB.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::clock::iso8601;
use crate::faults::Rng;

mod machines;

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
    write_open(out, &header)?;
    out.write_all(b",\"subscriptions\":[")?;
    let counts = machine_counts(&mut rng, options);
    for (i, &count) in counts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        // A generator per subscription: its content does not depend on the others'.
        let mut sub_rng = Rng::new(options.seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let tenant = if i % 10 == 9 { &tenants[1].0 } else { &tenants[0].0 };
        Generator { rng: &mut sub_rng, index: i, tenant, now_ms: options.now_ms }.write_subscription(out, count)?;
    }
    out.write_all(b"]}\n")
}

/// Writes a JSON object without its closing brace, for more keys to follow.
fn write_open<W: Write>(out: &mut W, object: &Value) -> io::Result<()> {
    let text = serde_json::to_vec(object)?;
    out.write_all(&text[..text.len() - 1])
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
    fn chance(&mut self, p: f64) -> bool {
        self.rng.unit() < p
    }

    /// The subscription's object, its machines one by one (a VM or Arc machine is serialized as
    /// soon as it is made), then the alerts on its first machines.
    fn write_subscription<W: Write>(&mut self, out: &mut W, machines: usize) -> io::Result<()> {
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
            "securityConnectors": connectors(&id, i),
        });
        // Now and then a subscription without settings or pricings at all (never read before).
        if i % 11 != 5 {
            sub["settings"] = settings(&id, i);
        }
        if i % 13 != 6 {
            sub["pricings"] = pricings(&id, i, self.now_ms);
        }
        write_open(out, &sub)?;

        // VMs go straight out; Arc machines wait, serialized, for the VMs' list to close.
        out.write_all(b",\"virtualMachines\":[")?;
        let (mut vms, mut arcs) = (0, Vec::new());
        let mut first: [Vec<(String, String)>; 2] = Default::default();
        for j in 0..machines {
            let machine = self.machine(&id, j);
            let arc = machine.is_arc();
            if first[usize::from(arc)].len() < 3 {
                let (machine_id, machine_name) = machine.id_and_name();
                first[usize::from(arc)].push((machine_id.to_string(), machine_name.to_string()));
            }
            if arc {
                if !arcs.is_empty() {
                    arcs.push(b',');
                }
                machine.write(&mut arcs)?;
            } else {
                if vms > 0 {
                    out.write_all(b",")?;
                }
                machine.write(&mut *out)?;
                vms += 1;
            }
        }
        out.write_all(b"],\"arcMachines\":[")?;
        out.write_all(&arcs)?;
        out.write_all(b"],\"alerts\":")?;
        let [first_vms, first_arcs] = first;
        let alerted: Vec<(String, String)> = first_vms.into_iter().chain(first_arcs).take(3).collect();
        serde_json::to_writer(&mut *out, &self.alerts(&id, &alerted))?;
        out.write_all(b"}")
    }

    fn alerts(&mut self, sub: &str, machines: &[(String, String)]) -> Value {
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

    /// A tally of what the machines page shows, over every generated machine.
    #[derive(Default)]
    struct Mix {
        counts: std::collections::BTreeMap<String, usize>,
        failures: std::collections::BTreeMap<String, usize>,
    }

    impl Mix {
        fn of(options: &GenerateOptions) -> Mix {
            let scenario: Value = serde_json::from_str(&scenario_json(options)).unwrap();
            let mut mix = Mix::default();
            for sub in scenario["subscriptions"].as_array().unwrap() {
                for (key, arc) in [("virtualMachines", false), ("arcMachines", true)] {
                    for machine in sub[key].as_array().unwrap() {
                        mix.add(&machine["resource"], machine["extensions"].as_array().unwrap(), arc);
                    }
                }
            }
            mix
        }

        fn count(&mut self, what: impl Into<String>) {
            *self.counts.entry(what.into()).or_default() += 1;
        }

        fn add(&mut self, resource: &Value, extensions: &[Value], arc: bool) {
            let properties = &resource["properties"];
            let linux = if arc {
                self.count(format!("arc {}", properties["status"].as_str().unwrap()));
                self.count(format!("arc {}", properties["osSku"].as_str().unwrap()));
                properties["osType"] == "linux"
            } else {
                let power = properties["instanceView"]["statuses"][1]["code"].as_str().unwrap_or("PowerState/running");
                self.count(format!("vm {power}"));
                self.count(format!("vm {}", properties["storageProfile"]["imageReference"]["sku"].as_str().unwrap()));
                properties["storageProfile"]["osDisk"]["osType"] == "Linux"
            };
            if resource["tags"].get("ExcludeMdeAutoUpdate").is_some() {
                self.count(if linux { "tagged linux" } else { "tagged windows" });
            }
            let Some(mde) = extensions.iter().find(|e| e["name"].as_str().is_some_and(|n| n.starts_with("MDE.")))
            else {
                return self.count("mde missing");
            };
            let state = mde["properties"]["provisioningState"].as_str().unwrap();
            self.count(format!("mde {state}"));
            if state == "Failed" {
                let view = &mde["properties"]["instanceView"];
                let status = if arc { &view["status"] } else { &view["statuses"][0] };
                assert_eq!(status["level"], "Error");
                *self.failures.entry(status["message"].as_str().unwrap().to_string()).or_default() += 1;
            }
        }

        fn has(&self, what: &str) -> bool {
            self.counts.get(what).is_some_and(|n| *n > 0)
        }
    }

    #[test]
    fn machines_come_in_every_state_the_machines_page_shows() {
        let mix = Mix::of(&GenerateOptions { subscriptions: 20, machines: 3000, seed: 4, ..Default::default() });
        for what in [
            "vm PowerState/running",
            "vm PowerState/stopped",
            "vm PowerState/deallocated",
            "vm PowerState/starting",
            "arc Connected",
            "arc Disconnected",
            "arc Expired",
            "arc Error",
            "vm win10-22h2-ent",
            "vm win11-23h2-avd",
            "vm 2012-R2-Datacenter",
            "vm 2016-Datacenter",
            "arc Windows Server 2012 R2 Standard",
            "arc Windows 10 Enterprise",
            "arc Ubuntu 22.04.4 LTS",
            "mde Succeeded",
            "mde Failed",
            "mde Creating",
            "mde Updating",
            "mde missing",
            "tagged linux",
        ] {
            assert!(mix.has(what), "no machine: {what}; {:#?}", mix.counts);
        }
        assert!(!mix.has("tagged windows"), "the auto-update tag is a Linux setting");
        // Most machines run and are connected.
        assert!(mix.counts["vm PowerState/running"] > 1000 && mix.counts["arc Connected"] > 800, "{:#?}", mix.counts);
        // A few real messages, each on many machines: grouping them gives large groups.
        assert!((3..=6).contains(&mix.failures.len()), "{:#?}", mix.failures);
        assert!(mix.failures.values().all(|n| *n >= 10), "{:#?}", mix.failures);
    }
}
