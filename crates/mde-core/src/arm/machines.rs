//! The machines Defender for Endpoint runs on, and their extensions.
//!
//! Two kinds of machine: Azure VMs (`Microsoft.Compute/virtualMachines`) and Azure Arc machines
//! (`Microsoft.HybridCompute/machines`, servers outside Azure connected through the Arc agent).
//! Defender for Cloud deploys MDE to both as a VM extension named `MDE.Windows` or `MDE.Linux`.
//!
//! The two APIs look alike but differ in details: a VM's OS is in
//! `properties.storageProfile.osDisk.osType` (`Windows`/`Linux`), an Arc machine's in
//! `properties.osType` (`windows`/`linux`); a VM extension's instance view has a `statuses`
//! ARRAY, an Arc extension's a single `status` OBJECT. Arc answers write `null` for much of
//! what they do not know, so nearly everything here is optional.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{null_as_default, ArmError};

/// Publisher of the MDE extension Defender for Cloud deploys.
pub const MDE_PUBLISHER: &str = "Microsoft.Azure.AzureDefenderForServers";
/// Extension type of MDE on Windows machines.
pub const MDE_WINDOWS: &str = "MDE.Windows";
/// Extension type of MDE on Linux machines.
pub const MDE_LINUX: &str = "MDE.Linux";

/// The last segment of an ARM id (`.../virtualMachines/vm1` gives `vm1`): a resource's name when
/// the answer leaves `name` out.
pub fn name_from_id(id: &str) -> &str {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or(id)
}

/// The operating-system family of a machine, read from ARM's `osType` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub enum OsFamily {
    Windows,
    Linux,
    /// `osType` absent, `null` or something else (Arc writes `null` until the agent reports).
    #[default]
    Unknown,
}

impl OsFamily {
    /// Reads `osType` ignoring case: VMs say `Windows`/`Linux`, Arc machines `windows`/`linux`.
    pub fn from_os_type(os_type: Option<&str>) -> Self {
        match os_type.map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("windows") => OsFamily::Windows,
            Some(t) if t.eq_ignore_ascii_case("linux") => OsFamily::Linux,
            _ => OsFamily::Unknown,
        }
    }

    /// The MDE extension type for this family (`MDE.Windows` or `MDE.Linux`), if it has one.
    pub fn mde_extension_type(self) -> Option<&'static str> {
        match self {
            OsFamily::Windows => Some(MDE_WINDOWS),
            OsFamily::Linux => Some(MDE_LINUX),
            OsFamily::Unknown => None,
        }
    }
}

/// Whether an extension's publisher and type are those of the MDE extension (ignoring case).
pub fn is_mde(publisher: &str, extension_type: &str) -> bool {
    publisher.trim().eq_ignore_ascii_case(MDE_PUBLISHER)
        && [MDE_WINDOWS, MDE_LINUX].iter().any(|t| extension_type.trim().eq_ignore_ascii_case(t))
}

/// Whether `ext` (a VM or an Arc extension) is the MDE extension Defender for Cloud deploys:
/// publisher `Microsoft.Azure.AzureDefenderForServers`, type `MDE.Windows` or `MDE.Linux`.
pub fn is_mde_extension<E: MachineExtension + ?Sized>(ext: &E) -> bool {
    is_mde(ext.publisher(), ext.extension_type())
}

/// What VM extensions and Arc extensions have in common, so the app can treat both alike.
pub trait MachineExtension {
    /// The extension's resource name (e.g. `MDE.Windows`), from `name` or else from the id.
    fn name(&self) -> &str;
    /// Who publishes the extension (`properties.publisher`); empty when ARM left it out.
    fn publisher(&self) -> &str;
    /// The extension's type (`properties.type`, e.g. `MDE.Linux`); empty when ARM left it out.
    fn extension_type(&self) -> &str;
    /// `Succeeded`, `Failed`, `Creating`, `Updating`, `Deleting`... when ARM gives one.
    fn provisioning_state(&self) -> Option<&str>;
}

/// One status line of an instance view: e.g. `code: "PowerState/running"` on a VM, or
/// `code: "ProvisioningState/succeeded", level: "Info"` on an extension. All optional: Arc
/// sends `{}` before the extension has reported.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceViewStatus {
    #[serde(default)]
    pub code: Option<String>,
    /// `Info`, `Warning` or `Error` on VMs; `Information`, `Warning` or `Error` on Arc.
    #[serde(default)]
    pub level: Option<String>,
    /// A short label for people, e.g. `VM running` or `Provisioning succeeded`.
    #[serde(default)]
    pub display_status: Option<String>,
    /// Detail for people; on a failed extension, usually the reason.
    #[serde(default)]
    pub message: Option<String>,
    /// When the status was reported (ISO 8601 text).
    #[serde(default)]
    pub time: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Azure VMs
// ---------------------------------------------------------------------------------------------

/// One Azure virtual machine, as `GET .../Microsoft.Compute/virtualMachines` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualMachine {
    /// The full ARM id; the app uses it to address the VM and its extensions.
    pub id: String,
    /// The VM's name; may be missing from minimal answers, see [`VirtualMachine::display_name`].
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// Azure region, e.g. `eastus`.
    #[serde(default)]
    pub location: Option<String>,
    /// The VM's tags (e.g. `ExcludeMdeAutoUpdate`); empty when it has none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: VmProperties,
}

impl VirtualMachine {
    /// The VM's name, or the last segment of its id when ARM left `name` out.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            name_from_id(&self.id)
        } else {
            &self.name
        }
    }

    /// Windows or Linux, from the OS disk's `osType`.
    pub fn os_family(&self) -> OsFamily {
        let os_disk = self.properties.storage_profile.os_disk.as_ref();
        OsFamily::from_os_type(os_disk.and_then(|d| d.os_type.as_deref()))
    }

    /// The power state (`running`, `deallocated`, `stopped`, `starting`...), from the
    /// `PowerState/...` status of the instance view; `None` unless the list was asked for it
    /// (`statusOnly=true` or `$expand=instanceView`).
    pub fn power_state(&self) -> Option<&str> {
        self.properties.instance_view.as_ref()?.power_state()
    }
}

/// What ARM says about a VM beyond its name and place.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmProperties {
    /// The VM's unique id inside Azure (not the ARM id).
    #[serde(default)]
    pub vm_id: Option<String>,
    /// `Succeeded`, `Failed`, `Creating`, `Updating`, `Deleting`...
    #[serde(default)]
    pub provisioning_state: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub storage_profile: StorageProfile,
    /// OS settings; absent for VMs created from a specialized disk.
    #[serde(default)]
    pub os_profile: Option<OsProfile>,
    /// Live state (power, agent); only when the list was asked for it.
    #[serde(default)]
    pub instance_view: Option<VmInstanceView>,
}

/// Which image the VM was made from, and its OS disk.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageProfile {
    #[serde(default)]
    pub image_reference: Option<ImageReference>,
    #[serde(default)]
    pub os_disk: Option<OsDisk>,
}

/// A marketplace image (`publisher`/`offer`/`sku`/`version`), or a custom one (`id`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageReference {
    /// e.g. `MicrosoftWindowsServer`, `Canonical`.
    #[serde(default)]
    pub publisher: Option<String>,
    /// e.g. `WindowsServer`, `0001-com-ubuntu-server-jammy`.
    #[serde(default)]
    pub offer: Option<String>,
    /// e.g. `2012-R2-Datacenter`, `22_04-lts-gen2`.
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    /// The image's ARM id, for custom and gallery images.
    #[serde(default)]
    pub id: Option<String>,
}

impl ImageReference {
    /// `publisher/offer/sku` with the parts that are known, e.g.
    /// `MicrosoftWindowsServer/WindowsServer/2012-R2-Datacenter`; `None` if none is.
    pub fn label(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.publisher, &self.offer, &self.sku].iter().filter_map(|p| p.as_deref()).collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }
}

/// The VM's OS disk: where ARM records which OS the VM runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OsDisk {
    /// `Windows` or `Linux`; see [`OsFamily`].
    #[serde(default)]
    pub os_type: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// The OS settings of a VM that the app may show or need.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OsProfile {
    /// The host name inside the OS.
    #[serde(default)]
    pub computer_name: Option<String>,
    /// `false` means no extension (MDE included) can be installed on this VM.
    #[serde(default)]
    pub allow_extension_operations: Option<bool>,
}

/// A VM's live state: power and provisioning statuses, the VM agent's health and what each
/// extension last reported. The answer of `GET .../virtualMachines/{vm}/instanceView`, and
/// `properties.instanceView` of a VM read with `$expand=instanceView`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmInstanceView {
    #[serde(default)]
    pub computer_name: Option<String>,
    #[serde(default)]
    pub os_name: Option<String>,
    #[serde(default)]
    pub os_version: Option<String>,
    /// The VM agent, which extensions need to install.
    #[serde(default)]
    pub vm_agent: Option<VmAgentInstanceView>,
    /// Each extension's statuses (MDE's among them, by extension name).
    #[serde(default, deserialize_with = "null_as_default")]
    pub extensions: Vec<VmExtensionInstanceView>,
    /// e.g. `ProvisioningState/succeeded` and `PowerState/running`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub statuses: Vec<InstanceViewStatus>,
}

impl VmInstanceView {
    /// The state after `PowerState/` in the statuses (`running`, `deallocated`, `stopped`...).
    pub fn power_state(&self) -> Option<&str> {
        self.statuses.iter().find_map(|s| {
            let code = s.code.as_deref()?;
            let (kind, state) = code.split_once('/')?;
            kind.eq_ignore_ascii_case("PowerState").then_some(state)
        })
    }

    /// What the VM agent last reported about the extension named `name` (ignoring case).
    pub fn extension(&self, name: &str) -> Option<&VmExtensionInstanceView> {
        self.extensions.iter().find(|e| e.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }
}

/// The Azure VM agent inside the VM: its version and whether it is ready.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmAgentInstanceView {
    #[serde(default)]
    pub vm_agent_version: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub statuses: Vec<InstanceViewStatus>,
}

/// One extension of a machine (`.../extensions`); MDE is one of them. `V` is the shape of what
/// the agent last reported, which differs: a list of statuses on Azure VMs
/// ([`VmExtension`]), one status object on Arc machines ([`ArcExtension`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "V: Deserialize<'de> + Default"))]
pub struct Extension<V> {
    /// The full ARM id; the app deletes the extension through it.
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: ExtensionProperties<V>,
}

/// An extension of an Azure VM.
pub type VmExtension = Extension<VmExtensionInstanceView>;
/// An extension of an Arc machine.
pub type ArcExtension = Extension<ArcExtensionInstanceView>;

/// What an extension is (publisher, type, version) and how its deployment went.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionProperties<V> {
    #[serde(default, deserialize_with = "null_as_default")]
    pub publisher: String,
    /// `properties.type`, e.g. `MDE.Windows`.
    #[serde(rename = "type", default, deserialize_with = "null_as_default")]
    pub extension_type: String,
    #[serde(default)]
    pub type_handler_version: Option<String>,
    /// `Succeeded`, `Failed`, `Creating`, `Updating`, `Deleting`...
    #[serde(default)]
    pub provisioning_state: Option<String>,
    #[serde(default)]
    pub auto_upgrade_minor_version: Option<bool>,
    #[serde(default)]
    pub enable_automatic_upgrade: Option<bool>,
    /// On VMs only with `$expand=instanceView`.
    #[serde(default)]
    pub instance_view: Option<V>,
}

impl<V> MachineExtension for Extension<V> {
    fn name(&self) -> &str {
        if self.name.is_empty() {
            name_from_id(&self.id)
        } else {
            &self.name
        }
    }
    fn publisher(&self) -> &str {
        &self.properties.publisher
    }
    fn extension_type(&self) -> &str {
        &self.properties.extension_type
    }
    fn provisioning_state(&self) -> Option<&str> {
        self.properties.provisioning_state.as_deref()
    }
}

/// What the VM agent last reported about an extension: a LIST of statuses.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VmExtensionInstanceView {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type", default)]
    pub extension_type: Option<String>,
    #[serde(default)]
    pub type_handler_version: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub statuses: Vec<InstanceViewStatus>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub substatuses: Vec<InstanceViewStatus>,
}

// ---------------------------------------------------------------------------------------------
// Azure Arc machines
// ---------------------------------------------------------------------------------------------

/// One Azure Arc machine: a server outside Azure (on-premises, AWS, GCP...) connected to Azure
/// through the Arc agent, as `GET .../Microsoft.HybridCompute/machines` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArcMachine {
    /// The full ARM id; the app uses it to address the machine and its extensions.
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    /// The machine's tags; ARM writes `null` when there are none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
    /// e.g. `AVS`, `HCI`, `SCVMM`, `VMware`, `EPS`, `AWS`, `GCP`; usually `null`.
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: ArcMachineProperties,
}

impl ArcMachine {
    /// The machine's name, or the last segment of its id when ARM left `name` out.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            name_from_id(&self.id)
        } else {
            &self.name
        }
    }

    /// Windows or Linux, from `properties.osType`.
    pub fn os_family(&self) -> OsFamily {
        OsFamily::from_os_type(self.properties.os_type.as_deref())
    }

    /// Whether the Arc agent is in touch with Azure (`status: Connected`); extensions can be
    /// installed or removed only then.
    pub fn is_connected(&self) -> bool {
        self.properties.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("Connected"))
    }
}

/// What the Arc agent reports about its machine. ARM writes `null` for whatever it does not
/// know yet, so every field is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArcMachineProperties {
    #[serde(default)]
    pub provisioning_state: Option<String>,
    /// `Connected`, `Disconnected`, `Error` or `Expired`.
    #[serde(default)]
    pub status: Option<String>,
    /// When `status` last changed (ISO 8601 text).
    #[serde(default)]
    pub last_status_change: Option<String>,
    /// The Arc agent's version, e.g. `1.45.02881.1737`.
    #[serde(default)]
    pub agent_version: Option<String>,
    /// `windows` or `linux`; see [`OsFamily`].
    #[serde(default)]
    pub os_type: Option<String>,
    /// e.g. `Windows Server 2019 Datacenter`, `Ubuntu 22.04.4 LTS`.
    #[serde(default)]
    pub os_sku: Option<String>,
    /// e.g. `Windows`, `linux`.
    #[serde(default)]
    pub os_name: Option<String>,
    #[serde(default)]
    pub os_version: Option<String>,
    #[serde(default)]
    pub os_edition: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub machine_fqdn: Option<String>,
    #[serde(default)]
    pub vm_id: Option<String>,
    /// Why the agent is unhealthy, when it is; empty otherwise.
    #[serde(default, deserialize_with = "null_as_default")]
    pub error_details: Vec<ArmError>,
}

/// What the Arc agent last reported about an extension: ONE status object, not a list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArcExtensionInstanceView {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type", default)]
    pub extension_type: Option<String>,
    #[serde(default)]
    pub type_handler_version: Option<String>,
    /// `{}` (all fields `None`) until the agent reports.
    #[serde(default)]
    pub status: Option<InstanceViewStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm_ext(publisher: &str, extension_type: &str) -> VmExtension {
        VmExtension {
            id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/MDE.Windows"
                .into(),
            name: String::new(),
            location: None,
            properties: ExtensionProperties {
                publisher: publisher.into(),
                extension_type: extension_type.into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn mde_extension_is_recognised_ignoring_case() {
        assert!(is_mde_extension(&vm_ext(MDE_PUBLISHER, MDE_WINDOWS)));
        assert!(is_mde_extension(&vm_ext("microsoft.azure.azuredefenderforservers", "mde.linux")));
        assert!(is_mde_extension(&vm_ext(" Microsoft.Azure.AzureDefenderForServers ", "MDE.LINUX")));
    }

    #[test]
    fn other_extensions_are_not_mde() {
        // Right type, wrong publisher; right publisher, wrong type; nothing at all.
        assert!(!is_mde_extension(&vm_ext("Contoso.Fake", MDE_WINDOWS)));
        assert!(!is_mde_extension(&vm_ext(MDE_PUBLISHER, "MDE.Mac")));
        assert!(!is_mde_extension(&vm_ext("Microsoft.Compute", "CustomScriptExtension")));
        assert!(!is_mde_extension(&vm_ext("", "")));
    }

    #[test]
    fn arc_extensions_share_the_rule() {
        let json = r#"{"id":"/x/machines/m/extensions/MDE.Linux","name":null,
            "properties":{"publisher":"Microsoft.Azure.AzureDefenderForServers","type":"MDE.Linux",
            "provisioningState":"Failed","instanceView":{"status":{"code":"1","level":"Error","message":"boom"}}}}"#;
        let ext: ArcExtension = serde_json::from_str(json).unwrap();
        assert!(is_mde_extension(&ext));
        assert_eq!(ext.name(), "MDE.Linux");
        assert_eq!(ext.provisioning_state(), Some("Failed"));
        let status = ext.properties.instance_view.unwrap().status.unwrap();
        assert_eq!(status.message.as_deref(), Some("boom"));
    }

    #[test]
    fn os_family_reads_both_spellings() {
        assert_eq!(OsFamily::from_os_type(Some("Windows")), OsFamily::Windows);
        assert_eq!(OsFamily::from_os_type(Some("windows")), OsFamily::Windows);
        assert_eq!(OsFamily::from_os_type(Some("Linux")), OsFamily::Linux);
        assert_eq!(OsFamily::from_os_type(Some("linux")), OsFamily::Linux);
        assert_eq!(OsFamily::from_os_type(Some("")), OsFamily::Unknown);
        assert_eq!(OsFamily::from_os_type(Some("macOS")), OsFamily::Unknown);
        assert_eq!(OsFamily::from_os_type(None), OsFamily::Unknown);
        assert_eq!(OsFamily::Linux.mde_extension_type(), Some(MDE_LINUX));
        assert_eq!(OsFamily::Windows.mde_extension_type(), Some(MDE_WINDOWS));
        assert_eq!(OsFamily::Unknown.mde_extension_type(), None);
    }

    #[test]
    fn vm_power_state_name_and_os() {
        let json = r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web01",
            "tags":null,
            "properties":{"storageProfile":{"osDisk":{"osType":"Linux"}},
              "instanceView":{"statuses":[{"code":"ProvisioningState/succeeded"},{"code":"PowerState/deallocated"}]}}}"#;
        let vm: VirtualMachine = serde_json::from_str(json).unwrap();
        assert_eq!(vm.display_name(), "web01");
        assert_eq!(vm.os_family(), OsFamily::Linux);
        assert_eq!(vm.power_state(), Some("deallocated"));
        assert!(vm.tags.is_empty());
    }

    #[test]
    fn a_bare_vm_is_unknown_and_powerless() {
        let vm: VirtualMachine = serde_json::from_str(r#"{"id":"/a/b/vm2","properties":null}"#).unwrap();
        assert_eq!(vm.os_family(), OsFamily::Unknown);
        assert_eq!(vm.power_state(), None);
        assert_eq!(vm.properties.storage_profile.image_reference.as_ref().and_then(|i| i.label()), None);
    }

    #[test]
    fn image_label_joins_known_parts() {
        let image = ImageReference {
            publisher: Some("Canonical".into()),
            offer: Some("ubuntu-24_04-lts".into()),
            sku: None,
            ..Default::default()
        };
        assert_eq!(image.label().as_deref(), Some("Canonical/ubuntu-24_04-lts"));
    }

    #[test]
    fn arc_connection_and_os() {
        let json = r#"{"id":"/x/machines/m","name":"m","properties":{"status":"Connected","osType":"windows","errorDetails":[]}}"#;
        let machine: ArcMachine = serde_json::from_str(json).unwrap();
        assert!(machine.is_connected());
        assert_eq!(machine.os_family(), OsFamily::Windows);
        let json = r#"{"id":"/x/machines/m","properties":{"status":null,"osType":null,"errorDetails":null}}"#;
        let machine: ArcMachine = serde_json::from_str(json).unwrap();
        assert!(!machine.is_connected());
        assert_eq!(machine.os_family(), OsFamily::Unknown);
    }

    #[test]
    fn names_from_ids() {
        assert_eq!(name_from_id("/subscriptions/s/resourceGroups/rg/providers/P/t/vm1"), "vm1");
        assert_eq!(name_from_id("/a/b/"), "b");
        assert_eq!(name_from_id("plain"), "plain");
    }
}
