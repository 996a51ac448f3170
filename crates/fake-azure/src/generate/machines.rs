//! Generated VMs and Arc machines with their extensions. Written through typed shapes that
//! borrow their strings (no `serde_json::Value` tree per machine): 50,000 machines are most of
//! a big scenario's bytes.

use serde::Serialize;

use super::{Generator, ENVIRONMENTS, HOSTILE, LOCATIONS, ROLES};
use crate::clock::iso8601;

/// Marketplace images (publisher, offer, sku): servers more often than desktops.
const WINDOWS_IMAGES: [(&str, &str, &str); 8] = [
    ("MicrosoftWindowsServer", "WindowsServer", "2012-R2-Datacenter"),
    ("MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter"),
    ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter"),
    ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter"),
    ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition"),
    ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition"),
    ("MicrosoftWindowsDesktop", "Windows-10", "win10-22h2-ent"),
    ("MicrosoftWindowsDesktop", "windows-11", "win11-23h2-avd"),
];
const LINUX_IMAGES: [(&str, &str, &str); 4] = [
    ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2"),
    ("RedHat", "RHEL", "8-lvm-gen2"),
    ("SUSE", "sles-15-sp5", "gen2"),
    ("Debian", "debian-12", "12-gen2"),
];

/// What Arc agents report (osSku, osVersion, osEdition).
const WINDOWS_ARC: [(&str, &str, &str); 5] = [
    ("Windows Server 2012 R2 Standard", "6.3.9600", "serverstandard"),
    ("Windows Server 2016 Datacenter", "10.0.14393.7428", "serverdatacenter"),
    ("Windows Server 2019 Standard", "10.0.17763.5696", "serverstandard"),
    ("Windows Server 2022 Datacenter", "10.0.20348.2340", "serverdatacenter"),
    ("Windows 10 Enterprise", "10.0.19045.4291", "enterprise"),
];
const LINUX_ARC: [(&str, &str, &str); 4] = [
    ("Ubuntu 22.04.4 LTS", "5.15.0-105-generic", ""),
    ("Red Hat Enterprise Linux 8.9", "4.18.0-513.24.1.el8_9.x86_64", ""),
    ("SUSE Linux Enterprise Server 15 SP5", "5.14.21-150500.55.49-default", ""),
    ("Debian GNU/Linux 12 (bookworm)", "6.1.0-21-amd64", ""),
];

/// Why an MDE extension failed: the handler's status code and message, as real extensions
/// report them, so that grouping failures by message gives a few large groups.
#[derive(Clone, Copy)]
struct Failure {
    /// The Arc status's code; a VM status says `ProvisioningState/failed/{code}`.
    code: &'static str,
    vm_code: &'static str,
    message: &'static str,
}

/// Windows 10 (not multi-session) always fails this way.
const UNSUPPORTED_OS: Failure = Failure {
    code: "51",
    vm_code: "ProvisioningState/failed/51",
    message: "Failed to configure Microsoft Defender for Endpoint: Onboarding to MDE via Microsoft Defender for Cloud for this operating system is not supported",
};
const WINDOWS_FAILURES: [Failure; 2] = [
    Failure {
        code: "1",
        vm_code: "ProvisioningState/failed/1",
        message: "Failed to configure Microsoft Defender for Endpoint: Protected Setting defenderForEndpointOnboardingScript does not exist, please use mdeOnboardings API to retreive it (https://docs.microsoft.com/en-us/rest/api/securitycenter)",
    },
    Failure {
        code: "1",
        vm_code: "ProvisioningState/failed/1",
        message: "Failed to configure Microsoft Defender for Endpoint: You cannot call a method on a null-valued expression.",
    },
];
/// MDE.Linux without Python: the extension's own words on a VM, wrapped by the agent on Arc.
const NO_PYTHON: Failure = Failure {
    code: "52",
    vm_code: "ProvisioningState/failed/52",
    message:
        "No Python interpreter found, which is an MDC-MDE extension dependency. Please install either Python 2 or 3.",
};
const NO_PYTHON_ARC: Failure = Failure {
    code: "52",
    vm_code: "ProvisioningState/failed/52",
    message: "Extension failed to install. Extension must be removed before any further requests on this extension will be accepted. Extension returned non-zero exit code for Install: 52. Extension error output: No Python interpreter found, which is an MDC-MDE extension dependency. Please install either Python 2 or 3.",
};

const MDE_PUBLISHER: &str = "Microsoft.Azure.AzureDefenderForServers";

/// A machine's OS, as far as the MDE extension cares.
#[derive(Clone, Copy, PartialEq)]
enum Os {
    Linux,
    /// Windows Server or Windows 11 multi-session.
    Windows,
    /// Windows 10: the extension refuses it.
    Windows10,
}

/// One generated machine, ready to serialize.
pub(super) enum Machine {
    Vm(Entry<Vm>),
    Arc(Entry<Arc>),
}

impl Machine {
    pub fn is_arc(&self) -> bool {
        matches!(self, Machine::Arc(_))
    }

    pub fn id_and_name(&self) -> (&str, &str) {
        match self {
            Machine::Vm(e) => (&e.resource.id, &e.resource.name),
            Machine::Arc(e) => (&e.resource.id, &e.resource.name),
        }
    }

    pub fn write<W: std::io::Write>(&self, out: W) -> serde_json::Result<()> {
        match self {
            Machine::Vm(e) => serde_json::to_writer(out, e),
            Machine::Arc(e) => serde_json::to_writer(out, e),
        }
    }
}

// ---- ARM's shapes, as the scenario holds them ------------------------------------------------

#[derive(Serialize)]
pub(super) struct Entry<R> {
    resource: R,
    extensions: Vec<Extension>,
}

#[derive(Serialize)]
struct Tags {
    env: &'static str,
    owner: String,
    #[serde(rename = "ExcludeMdeAutoUpdate", skip_serializing_if = "Option::is_none")]
    exclude_mde_auto_update: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    code: &'static str,
    level: &'static str,
    display_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
}

impl Status {
    fn info(code: &'static str, display_status: &'static str) -> Status {
        Status { code, level: "Info", display_status, message: None, time: None }
    }
}

#[derive(Serialize)]
pub(super) struct Vm {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    location: &'static str,
    tags: Tags,
    properties: VmProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VmProperties {
    vm_id: String,
    hardware_profile: HardwareProfile,
    storage_profile: StorageProfile,
    os_profile: OsProfile,
    network_profile: NetworkProfile,
    provisioning_state: &'static str,
    /// The power state (none: running), as the scenario format keeps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_view: Option<VmInstanceView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HardwareProfile {
    vm_size: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StorageProfile {
    image_reference: ImageReference,
    os_disk: OsDisk,
    data_disks: [(); 0],
}

#[derive(Serialize)]
struct ImageReference {
    publisher: &'static str,
    offer: &'static str,
    sku: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OsDisk {
    os_type: &'static str,
    name: String,
    create_option: &'static str,
    caching: &'static str,
    #[serde(rename = "diskSizeGB")]
    disk_size_gb: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OsProfile {
    computer_name: String,
    admin_username: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NetworkProfile {
    network_interfaces: [Reference; 1],
}

#[derive(Serialize)]
struct Reference {
    id: String,
}

#[derive(Serialize)]
struct VmInstanceView {
    statuses: [Status; 2],
}

#[derive(Serialize)]
pub(super) struct Arc {
    id: String,
    name: String,
    location: &'static str,
    #[serde(rename = "type")]
    kind_of: &'static str,
    tags: Tags,
    identity: Identity,
    kind: Option<&'static str>,
    properties: ArcProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(rename = "type")]
    kind: &'static str,
    principal_id: String,
    tenant_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArcProperties {
    provisioning_state: &'static str,
    agent_version: &'static str,
    status: &'static str,
    last_status_change: String,
    error_details: [(); 0],
    display_name: String,
    machine_fqdn: String,
    vm_uuid: String,
    os_name: &'static str,
    os_type: &'static str,
    os_sku: &'static str,
    os_version: &'static str,
    os_edition: &'static str,
    vm_id: String,
    detected_properties: DetectedProperties,
}

#[derive(Serialize)]
struct DetectedProperties {
    cloudprovider: &'static str,
    manufacturer: &'static str,
    model: &'static str,
}

#[derive(Serialize)]
struct Extension {
    id: String,
    name: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    location: &'static str,
    properties: ExtensionProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtensionProperties {
    publisher: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    type_handler_version: &'static str,
    auto_upgrade_minor_version: bool,
    settings: ExtensionSettings,
    provisioning_state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_view: Option<ExtensionInstanceView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtensionSettings {
    azure_resource_id: String,
    #[serde(rename = "vNextEnabled")]
    v_next_enabled: &'static str,
}

/// A VM extension's view has a `statuses` array; an Arc extension's has ONE `status`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtensionInstanceView {
    name: &'static str,
    #[serde(rename = "type")]
    kind: String,
    type_handler_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statuses: Option<[Status; 1]>,
}

// ---- the mix ---------------------------------------------------------------------------------

impl Generator<'_> {
    fn pick_of<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.below(items.len() as u64) as usize]
    }

    pub(super) fn machine(&mut self, sub: &str, j: usize) -> Machine {
        let windows = self.chance(0.55);
        let env = self.pick_of(&ENVIRONMENTS);
        let group = format!("rg-{env}-{}", self.pick_of(&ROLES));
        let location = self.pick_of(&LOCATIONS);
        let name = self.machine_name(j, windows);
        if self.chance(0.6) {
            Machine::Vm(self.vm(sub, &group, name, location, windows, env))
        } else {
            Machine::Arc(self.arc(sub, &group, name, location, windows, env))
        }
    }

    fn machine_name(&mut self, j: usize, windows: bool) -> String {
        // About one machine in 500 carries a hostile name (ARM would refuse it; a scenario may not).
        // Not the ones with a '/': that would split the resource id itself.
        if self.rng.below(500) == 0 {
            let usable: Vec<&str> = HOSTILE.iter().copied().filter(|h| !h.contains('/')).collect();
            return usable[self.rng.below(usable.len() as u64) as usize].to_string();
        }
        let role = self.pick_of(&ROLES);
        format!("{role}-{}{:03}-{j}", if windows { "w" } else { "l" }, self.index % 1000)
    }

    fn tags(&mut self, env: &'static str, os: Os) -> Tags {
        Tags {
            env,
            owner: format!("team-{}", self.rng.below(12)),
            // The auto-update exclusion is a Linux setting: some Linux machines carry it.
            exclude_mde_auto_update: (os == Os::Linux && self.chance(0.15)).then_some("true"),
            note: self.chance(0.01).then_some(HOSTILE[0]),
        }
    }

    fn vm(
        &mut self,
        sub: &str,
        group: &str,
        name: String,
        location: &'static str,
        windows: bool,
        env: &'static str,
    ) -> Entry<Vm> {
        let id =
            format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}");
        let (publisher, offer, sku) = if windows { self.pick_of(&WINDOWS_IMAGES) } else { self.pick_of(&LINUX_IMAGES) };
        let os = match (windows, offer) {
            (false, _) => Os::Linux,
            (true, "Windows-10") => Os::Windows10,
            (true, _) => Os::Windows,
        };
        let tags = self.tags(env, os);
        let vm_id = self.rng.uuid();
        let vm_size = self.pick_of(&["Standard_B2s", "Standard_D2s_v5", "Standard_D4s_v5", "Standard_E8s_v5"]);
        // The power state lives in the instance view (none: running); a VM still being created
        // has no extensions yet.
        let succeeded = || Status::info("ProvisioningState/succeeded", "Provisioning succeeded");
        let (provisioning_state, instance_view) = match self.rng.below(100) {
            0..=7 => ("Succeeded", Some([succeeded(), Status::info("PowerState/deallocated", "VM deallocated")])),
            8..=11 => ("Succeeded", Some([succeeded(), Status::info("PowerState/stopped", "VM stopped")])),
            12 => (
                "Creating",
                Some([
                    Status::info("ProvisioningState/creating", "Creating"),
                    Status::info("PowerState/starting", "VM starting"),
                ]),
            ),
            _ => ("Succeeded", None),
        };
        let extensions =
            if provisioning_state == "Creating" { Vec::new() } else { self.extensions(&id, location, os, false) };
        let properties = VmProperties {
            vm_id,
            hardware_profile: HardwareProfile { vm_size },
            storage_profile: StorageProfile {
                image_reference: ImageReference { publisher, offer, sku, version: "latest" },
                os_disk: OsDisk {
                    os_type: if windows { "Windows" } else { "Linux" },
                    name: format!("{name}_OsDisk_1"),
                    create_option: "FromImage",
                    caching: "ReadWrite",
                    disk_size_gb: if windows { 127 } else { 30 },
                },
                data_disks: [],
            },
            os_profile: OsProfile { computer_name: name.chars().take(15).collect(), admin_username: "azureuser" },
            network_profile: NetworkProfile {
                network_interfaces: [Reference {
                    id: format!(
                        "/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/{name}-nic"
                    ),
                }],
            },
            provisioning_state,
            instance_view: instance_view.map(|statuses| VmInstanceView { statuses }),
        };
        let resource = Vm { id, name, kind: "Microsoft.Compute/virtualMachines", location, tags, properties };
        Entry { resource, extensions }
    }

    fn arc(
        &mut self,
        sub: &str,
        group: &str,
        name: String,
        location: &'static str,
        windows: bool,
        env: &'static str,
    ) -> Entry<Arc> {
        let id =
            format!("/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.HybridCompute/machines/{name}");
        let (os_sku, os_version, os_edition) =
            if windows { self.pick_of(&WINDOWS_ARC) } else { self.pick_of(&LINUX_ARC) };
        let os = match (windows, os_sku) {
            (false, _) => Os::Linux,
            (true, "Windows 10 Enterprise") => Os::Windows10,
            (true, _) => Os::Windows,
        };
        let os_type = if windows { "windows" } else { "linux" };
        let status = match self.rng.below(100) {
            0..=81 => "Connected",
            82..=93 => "Disconnected",
            94..=98 => "Expired",
            _ => "Error",
        };
        let tags = self.tags(env, os);
        let identity =
            Identity { kind: "SystemAssigned", principal_id: self.rng.uuid(), tenant_id: self.tenant.into() };
        let agent_version = self.pick_of(&["1.41.02664.1629", "1.43.02682.1677", "1.44.02690.1711"]);
        let last_status_change = iso8601(self.now_ms - self.rng.below(30 * 86_400_000));
        let properties = ArcProperties {
            provisioning_state: "Succeeded",
            agent_version,
            status,
            last_status_change,
            error_details: [],
            display_name: name.clone(),
            machine_fqdn: format!("{name}.corp.contoso.example"),
            vm_uuid: self.rng.uuid(),
            os_name: os_type,
            os_type,
            os_sku,
            os_version,
            os_edition,
            vm_id: self.rng.uuid(),
            detected_properties: DetectedProperties {
                cloudprovider: "N/A",
                manufacturer: "VMware, Inc.",
                model: "VMware Virtual Platform",
            },
        };
        let extensions = self.extensions(&id, location, os, true);
        let resource = Arc {
            id,
            name,
            location,
            kind_of: "Microsoft.HybridCompute/machines",
            tags,
            identity,
            kind: None,
            properties,
        };
        Entry { resource, extensions }
    }

    /// MDE extension Succeeded (60%), Failed (10%), Creating or Updating (5%) or missing (25%)
    /// — on Windows 10 it always fails — plus sometimes an unrelated extension that must pass
    /// through untouched.
    fn extensions(&mut self, machine: &str, location: &'static str, os: Os, arc: bool) -> Vec<Extension> {
        let mut list = Vec::new();
        if self.chance(0.3) {
            let agent = if os == Os::Linux { "AzureMonitorLinuxAgent" } else { "AzureMonitorWindowsAgent" };
            let monitor = (agent, "Microsoft.Azure.Monitor", "1.22");
            list.push(self.extension(machine, location, monitor, "Succeeded", None, arc));
        }
        let state = match self.rng.below(40) {
            0..=23 => "Succeeded",
            24..=27 => "Failed",
            28 => "Creating",
            29 => "Updating",
            _ => return list,
        };
        let failure = match (os, state, arc) {
            (Os::Windows10, ..) => Some(UNSUPPORTED_OS),
            (_, "Failed", _) if os == Os::Linux => Some(if arc { NO_PYTHON_ARC } else { NO_PYTHON }),
            (_, "Failed", _) => Some(self.pick_of(&WINDOWS_FAILURES)),
            _ => None,
        };
        let state = if failure.is_some() { "Failed" } else { state };
        let mde = if os == Os::Linux { "MDE.Linux" } else { "MDE.Windows" };
        list.push(self.extension(machine, location, (mde, MDE_PUBLISHER, "1.0"), state, failure, arc));
        list
    }

    fn extension(
        &mut self,
        machine: &str,
        location: &'static str,
        (name, publisher, version): (&'static str, &'static str, &'static str),
        state: &'static str,
        failure: Option<Failure>,
        arc: bool,
    ) -> Extension {
        let time = Some(iso8601(self.now_ms - self.rng.below(86_400_000)));
        let instance_view = if arc {
            // Arc extensions always carry their instance view, with ONE status object.
            let status = match failure {
                Some(f) => Status {
                    code: f.code,
                    level: "Error",
                    display_status: "Provisioning failed",
                    message: Some(f.message),
                    time,
                },
                None => Status {
                    code: "0",
                    level: "Information",
                    display_status: if state == "Succeeded" { "Provisioning succeeded" } else { "Provisioning" },
                    message: Some(if state == "Succeeded" {
                        "Extension Message: Onboarding succeeded"
                    } else {
                        "Extension operation in progress."
                    }),
                    time,
                },
            };
            Some(ExtensionInstanceView {
                name,
                kind: name.into(),
                type_handler_version: version,
                status: Some(status),
                statuses: None,
            })
        } else {
            // A VM extension's statuses (ARM shows them with `$expand=instanceView`); only a
            // failure's are kept, to keep big tenants small.
            failure.map(|f| ExtensionInstanceView {
                name,
                kind: format!("{publisher}.{name}"),
                type_handler_version: version,
                status: None,
                statuses: Some([Status {
                    code: f.vm_code,
                    level: "Error",
                    display_status: "Provisioning failed",
                    message: Some(f.message),
                    time,
                }]),
            })
        };
        Extension {
            id: format!("{machine}/extensions/{name}"),
            name,
            kind: if arc {
                "Microsoft.HybridCompute/machines/extensions"
            } else {
                "Microsoft.Compute/virtualMachines/extensions"
            },
            location,
            properties: ExtensionProperties {
                publisher,
                kind: name,
                type_handler_version: version,
                auto_upgrade_minor_version: true,
                settings: ExtensionSettings { azure_resource_id: machine.to_string(), v_next_enabled: "true" },
                provisioning_state: state,
                instance_view,
            },
        }
    }
}
