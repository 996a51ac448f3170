//! Every response body of every real ARM example parses into the core's typed model.
//!
//! Examples live in `tests/fixtures/arm/<folder>/*.json` (copied from Azure/azure-rest-api-specs,
//! see `SOURCES.md`): each file has `parameters` (the request) and `responses` keyed by status
//! code, each with an optional `body`. `requests.json` beside them gives each file's request, as
//! the operation that lists the example declares it (`GET /subscriptions/{subscriptionId}/...`):
//! the request path says which model a body must parse into, whatever folder the file is in (a
//! `GET .../virtualMachines/{vmName}/instanceView` answers an instance view, not a VM), and
//! whether it is a list (`Page<T>`: the path ends at a collection); an error status (4xx, 5xx,
//! `default`) must be ARM's error envelope.
//!
//! Set `ARM_EXAMPLES_DIR` to a directory of the same layout (with its `requests.json`) to check
//! more examples with no code change: `ARM_EXAMPLES_DIR=/some/dir cargo test -p mde-core --test
//! arm_examples`. A request this test knows no model for is skipped with a note; a body that
//! does not parse fails the test, naming the file, the status and the JSON path serde stopped at.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

use mde_core::arm::alerts::Alert;
use mde_core::arm::connectors::SecurityConnector;
use mde_core::arm::graph::QueryResponse;
use mde_core::arm::machines::{
    is_mde_extension, ArcExtension, ArcMachine, MachineExtension, OsFamily, VirtualMachine, VmExtension, VmInstanceView,
};
use mde_core::arm::permissions::{allows, Permission};
use mde_core::arm::pricings::Pricing;
use mde_core::arm::providers::Provider;
use mde_core::arm::run_command::{ArcRunCommand, VmRunCommandResult};
use mde_core::arm::settings::{Setting, WDATP, WDATP_EXCLUDE_LINUX};
use mde_core::arm::subscriptions::Subscription;
use mde_core::arm::tags::{TagsOperation, TagsPatch, TagsResource};
use mde_core::arm::tenants::Tenant;
use mde_core::arm::{ArmErrorBody, Page};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/arm");

/// Checks one response body (`true`: the answer of a list); `Err` says what failed, with serde's
/// JSON path.
type Check = fn(&Value, bool) -> Result<(), String>;

/// A request as `requests.json` writes it: `"GET /subscriptions/{subscriptionId}/providers/..."`.
struct Request {
    method: String,
    /// The path's segments, lower-cased, each `{name}` as `*`.
    segments: Vec<String>,
}

impl Request {
    fn parse(line: &str) -> Option<Request> {
        let (method, path) = line.split_once(' ')?;
        let segments = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| if s.starts_with('{') { "*".to_string() } else { s.to_ascii_lowercase() })
            .collect();
        Some(Request { method: method.to_ascii_uppercase(), segments })
    }

    fn ends_with(&self, tail: &[&str]) -> bool {
        self.segments.len() >= tail.len() && self.segments[self.segments.len() - tail.len()..].iter().eq(tail.iter())
    }
}

/// What a request answers: the model's name, its check, and whether the answer is a list.
#[derive(Clone, Copy)]
struct Model {
    name: &'static str,
    check: Check,
    list: bool,
}

/// A model for requests of `method` (`*`: any) whose path ends with `tail` (`*` is a `{name}`).
macro_rules! rule {
    ($method:literal, [$($tail:literal),*], $model:ty, $list:expr) => {
        ($method, &[$($tail),*], Model { name: stringify!($model), check: item_or_page::<$model>, list: $list })
    };
}

/// What a request answers, by its method and the end of its path; the longest matching tail
/// wins. `None` for a request this test does not know.
fn check_for(request: &Request) -> Option<Model> {
    const RULES: &[(&str, &[&str], Model)] = &[
        rule!("GET", ["tenants"], Tenant, true),
        rule!("GET", ["subscriptions"], Subscription, true),
        rule!("GET", ["microsoft.security", "settings"], Setting, true),
        rule!("*", ["microsoft.security", "settings", "*"], Setting, false),
        rule!("GET", ["microsoft.security", "pricings"], Pricing, true),
        rule!("*", ["microsoft.security", "pricings", "*"], Pricing, false),
        rule!("GET", ["microsoft.authorization", "permissions"], Permission, true),
        rule!("GET", ["microsoft.compute", "virtualmachines"], VirtualMachine, true),
        rule!("GET", ["microsoft.compute", "locations", "*", "virtualmachines"], VirtualMachine, true),
        rule!("GET", ["microsoft.compute", "virtualmachines", "*"], VirtualMachine, false),
        rule!("GET", ["virtualmachines", "*", "instanceview"], VmInstanceView, false),
        rule!("GET", ["virtualmachines", "*", "extensions"], VmExtension, true),
        rule!("GET", ["virtualmachines", "*", "extensions", "*"], VmExtension, false),
        rule!("POST", ["virtualmachines", "*", "runcommand"], VmRunCommandResult, false),
        rule!("GET", ["microsoft.hybridcompute", "machines"], ArcMachine, true),
        rule!("GET", ["microsoft.hybridcompute", "machines", "*"], ArcMachine, false),
        rule!("GET", ["machines", "*", "extensions"], ArcExtension, true),
        rule!("GET", ["machines", "*", "extensions", "*"], ArcExtension, false),
        rule!("*", ["machines", "*", "runcommands", "*"], ArcRunCommand, false),
        (
            "POST",
            &["microsoft.resourcegraph", "resources"],
            Model { name: "QueryResponse", check: graph_page, list: false },
        ),
        rule!("*", ["microsoft.resources", "tags", "default"], TagsResource, false),
        rule!("GET", ["microsoft.security", "alerts"], Alert, true),
        rule!("GET", ["microsoft.security", "securityconnectors"], SecurityConnector, true),
        rule!("GET", ["microsoft.security", "securityconnectors", "*"], SecurityConnector, false),
        rule!("GET", ["subscriptions", "*", "providers", "*"], Provider, false),
        rule!("POST", ["subscriptions", "*", "providers", "*", "register"], Provider, false),
    ];
    // `/subscriptions` and `/subscriptions/{id}` are the whole path, not a tail.
    if request.method == "GET" && request.segments.len() <= 2 && request.segments[0] == "subscriptions" {
        let list = request.segments.len() == 1;
        return Some(Model { name: "Subscription", check: item_or_page::<Subscription>, list });
    }
    RULES
        .iter()
        .filter(|(method, tail, _)| (*method == "*" || *method == request.method) && request.ends_with(tail))
        .max_by_key(|(_, tail, _)| tail.len())
        .map(|(_, _, model)| *model)
}

/// `requests.json` of an examples directory: file (`folder/name.json`) → request.
fn requests(root: &Path) -> BTreeMap<String, String> {
    let file = root.join("requests.json");
    let Ok(text) = fs::read_to_string(&file) else {
        return BTreeMap::new();
    };
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Deserializes `body` as `T`, reporting the JSON path of the first field that does not fit.
fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize::<_, T>(body).map_err(|e| {
        let path = e.path().to_string();
        format!("at JSON path `{path}`: {}", e.into_inner())
    })
}

fn item_or_page<T: DeserializeOwned>(body: &Value, list: bool) -> Result<(), String> {
    if list {
        parse::<Page<T>>(body).map(drop).map_err(|e| format!("as Page<{}>: {e}", short_name::<T>()))
    } else {
        parse::<T>(body).map(drop).map_err(|e| format!("as {}: {e}", short_name::<T>()))
    }
}

/// A Resource Graph page; its rows hold whatever the query projects (a `summarize` has no `id`).
fn graph_page(body: &Value, _list: bool) -> Result<(), String> {
    parse::<QueryResponse<Value>>(body).map(drop).map_err(|e| format!("as QueryResponse<Value>: {e}"))
}

fn error_body(body: &Value) -> Result<(), String> {
    parse::<ArmErrorBody>(body).map(drop).map_err(|e| format!("as ArmErrorBody: {e}"))
}

fn short_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

/// Whether a response key (`"200"`, `"404"`, `"default"`) is an error status.
fn is_error_status(status: &str) -> bool {
    status.eq_ignore_ascii_case("default") || status.parse::<u16>().is_ok_and(|code| code >= 400)
}

#[derive(Default)]
struct Tally {
    files: usize,
    bodies: usize,
    failures: Vec<String>,
    notes: Vec<String>,
}

/// Checks every example file in every folder of `root`, each by its request in `requests.json`.
fn walk(root: &Path, tally: &mut Tally) {
    let requests = requests(root);
    let mut folders: Vec<PathBuf> = match fs::read_dir(root) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect(),
        Err(e) => {
            tally.failures.push(format!("{}: cannot read the examples directory: {e}", root.display()));
            return;
        }
    };
    folders.sort();
    for folder in folders {
        let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let mut files: Vec<PathBuf> = match fs::read_dir(&folder) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("json")))
                .collect(),
            Err(e) => {
                tally.failures.push(format!("{}: cannot read folder: {e}", folder.display()));
                continue;
            }
        };
        files.sort();
        for file in files {
            let key = format!("{name}/{}", file.file_name().and_then(|n| n.to_str()).unwrap_or_default());
            let Some(request) = requests.get(&key) else {
                tally.notes.push(format!("skipped {} (no request for `{key}` in requests.json)", file.display()));
                continue;
            };
            let Some(model) = Request::parse(request).as_ref().and_then(check_for) else {
                tally.notes.push(format!("skipped {} (no model is mapped to `{request}`)", file.display()));
                continue;
            };
            check_file(&file, model, tally);
        }
    }
}

fn check_file(file: &Path, model: Model, tally: &mut Tally) {
    tally.files += 1;
    let shown = file.display();
    let text = match fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => return tally.failures.push(format!("{shown}: cannot read: {e}")),
    };
    let example: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => return tally.failures.push(format!("{shown}: not JSON: {e}")),
    };
    let Some(responses) = example.get("responses").and_then(Value::as_object) else {
        return tally.failures.push(format!("{shown}: no `responses` object"));
    };
    for (status, response) in responses {
        let body = match response.get("body") {
            None | Some(Value::Null) => continue, // e.g. 202 Accepted, 204 No Content
            Some(body) => body,
        };
        tally.bodies += 1;
        let result = if is_error_status(status) { error_body(body) } else { (model.check)(body, model.list) };
        if let Err(e) = result {
            tally.failures.push(format!("{shown}: response {status}: {e}"));
        }
    }
}

/// Every example file has its request, and every request names an example file.
#[test]
fn every_example_has_its_request() {
    let requests = requests(Path::new(FIXTURES));
    let mut files = Vec::new();
    for folder in fs::read_dir(FIXTURES).unwrap().flatten().filter(|e| e.path().is_dir()) {
        for file in fs::read_dir(folder.path()).unwrap().flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                files.push(format!("{}/{name}", folder.file_name().to_string_lossy()));
            }
        }
    }
    files.sort();
    assert_eq!(requests.keys().cloned().collect::<Vec<_>>(), files, "requests.json and the example files differ");
    for (file, request) in &requests {
        let parsed = Request::parse(request).unwrap_or_else(|| panic!("{file}: `{request}` is not `METHOD /path`"));
        assert!(["GET", "PUT", "PATCH", "POST"].contains(&parsed.method.as_str()), "{file}: {request}");
    }
}

/// The model is the request's, not the folder's: an instance view is an instance view wherever
/// its file lies, and a collection is a list whatever the file is called.
#[test]
fn a_request_path_picks_the_model() {
    let vm = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/virtualMachines/{vmName}";
    let model = |request: String| check_for(&Request::parse(&request).unwrap()).map(|m| (m.name, m.list));
    assert_eq!(model(format!("GET {vm}/instanceView")), Some(("VmInstanceView", false)));
    assert_eq!(model(format!("GET {vm}")), Some(("VirtualMachine", false)));
    assert_eq!(model(format!("GET {vm}/extensions")), Some(("VmExtension", true)));
    assert_eq!(model("GET /subscriptions/{subscriptionId}".into()), Some(("Subscription", false)));
    assert_eq!(
        model("PUT /{scopeId}/providers/Microsoft.Security/pricings/{pricingName}".into()),
        Some(("Pricing", false))
    );
    assert_eq!(model("GET /subscriptions/{s}/providers/Microsoft.Storage/storageAccounts".into()), None);
    // The real instance view answer does not read as a VM would be wanted to: it has no
    // `properties`, so a folder-only mapping to `VirtualMachine` would have hidden its statuses.
    let view = body_of("vm-instance-view/VirtualMachine_Get_InstanceView.json");
    let read: VmInstanceView = parse(&view).unwrap();
    assert!(!read.statuses.is_empty());
}

fn body_of(path: &str) -> Value {
    example(path)["responses"]["200"]["body"].clone()
}

#[test]
fn every_example_body_parses_into_its_model() {
    let mut tally = Tally::default();
    walk(Path::new(FIXTURES), &mut tally);
    let (fixture_files, fixture_bodies) = (tally.files, tally.bodies);
    assert!(fixture_bodies >= 20, "only {fixture_bodies} bodies found under {FIXTURES}: are the fixtures there?");

    let extra = std::env::var_os("ARM_EXAMPLES_DIR").filter(|d| !d.is_empty()).map(PathBuf::from);
    if let Some(dir) = &extra {
        if dir.is_dir() {
            walk(dir, &mut tally);
        } else {
            tally.failures.push(format!("ARM_EXAMPLES_DIR={} is not a directory", dir.display()));
        }
    }

    for note in &tally.notes {
        println!("note: {note}");
    }
    println!("checked {fixture_bodies} bodies in {fixture_files} files under {FIXTURES}");
    if let Some(dir) = &extra {
        println!(
            "checked {} bodies in {} files under ARM_EXAMPLES_DIR={}",
            tally.bodies - fixture_bodies,
            tally.files - fixture_files,
            dir.display()
        );
    }
    if !tally.failures.is_empty() {
        panic!(
            "{} of {} example bodies did not parse:\n  {}",
            tally.failures.len(),
            tally.bodies,
            tally.failures.join("\n  ")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Facts a user would notice if a model read them wrong.
// ---------------------------------------------------------------------------------------------

fn example(path: &str) -> Value {
    let file = Path::new(FIXTURES).join(path);
    let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn body<T: DeserializeOwned>(path: &str, status: &str) -> T {
    let example = example(path);
    let body = &example["responses"][status]["body"];
    parse(body).unwrap_or_else(|e| panic!("{path} {status}: {e}"))
}

#[test]
fn settings_example_has_the_integration_and_linux_exclusion_off() {
    let page: Page<Setting> = body("security-settings/GetSettings_example.json", "200");
    let enabled = |name: &str| page.value.iter().find(|s| s.name == name).map(|s| s.properties.enabled);
    assert_eq!(enabled(WDATP), Some(false));
    assert_eq!(enabled(WDATP_EXCLUDE_LINUX), Some(false));
    assert_eq!(enabled("MCAS"), Some(true));
    let sentinel = page.value.iter().find(|s| s.name == "Sentinel").unwrap();
    assert_eq!(sentinel.kind.as_deref(), Some("AlertSyncSettings"));
    assert_eq!(page.next(), None);
}

#[test]
fn virtual_machines_pricing_is_standard_p2() {
    let pricing: Pricing = body("security-pricings/GetPricingByNameVirtualMachines_example.json", "200");
    assert_eq!(pricing.name, "VirtualMachines");
    assert_eq!(pricing.properties.pricing_tier, "Standard");
    assert_eq!(pricing.properties.sub_plan.as_deref(), Some("P2"));
}

#[test]
fn vms_read_as_windows_with_their_image_and_tags() {
    let page: Page<VirtualMachine> = body("vm/VirtualMachine_ListBySubscription_ByLocation.json", "200");
    let vm = &page.value[0];
    assert_eq!(vm.os_family(), OsFamily::Windows);
    assert_eq!(vm.display_name(), "{virtualMachineName}");
    let image = vm.properties.storage_profile.image_reference.as_ref().unwrap();
    assert_eq!(image.label().as_deref(), Some("MicrosoftWindowsServer/WindowsServer/2012-R2-Datacenter"));
    assert_eq!(vm.properties.os_profile.as_ref().unwrap().allow_extension_operations, Some(true));
    assert_eq!(vm.tags.get("testTag").map(String::as_str), Some("1"));
    assert_eq!(vm.power_state(), None, "a plain list has no instance view");

    // The minimal example has neither name nor properties: the name comes from the id.
    let page: Page<VirtualMachine> = body("vm/VirtualMachine_ListAll_MinimumSet_Gen.json", "200");
    assert_eq!(page.value[0].display_name(), "{virtualMachineName}");
    assert_eq!(page.value[0].os_family(), OsFamily::Unknown);
}

#[test]
fn vm_extension_statuses_are_a_list_and_it_is_not_mde() {
    let page: Page<VmExtension> = body("vm-extensions/VirtualMachineExtension_List_MaximumSet_Gen.json", "200");
    let ext = &page.value[0];
    assert!(!is_mde_extension(ext));
    assert_eq!(ext.provisioning_state(), Some("Creating"));
    assert_eq!(ext.properties.instance_view.as_ref().unwrap().statuses.len(), 1);
}

#[test]
fn arc_examples_tolerate_nulls_and_single_status_objects() {
    let page: Page<ArcMachine> = body("arc-machines/Machines_ListBySubscription.json", "200");
    assert_eq!(page.value.len(), 2);
    let machine = &page.value[0];
    assert_eq!(machine.display_name(), "myMachine");
    assert_eq!(machine.os_family(), OsFamily::Unknown, "osType is null in this example");
    assert!(!machine.is_connected(), "status is null in this example");
    assert!(machine.tags.is_empty() && machine.properties.error_details.is_empty());
    assert_eq!(page.next(), Some("string"));

    let page: Page<ArcExtension> = body("arc-extensions/Extension_List.json", "200");
    let status = page.value[0].properties.instance_view.as_ref().unwrap().status.as_ref().unwrap();
    assert_eq!(status.display_status.as_deref(), Some("Provisioning succeeded"));
    let empty = page.value[1].properties.instance_view.as_ref().unwrap().status.as_ref().unwrap();
    assert_eq!(empty.code, None);
    assert!(page.value.iter().all(|e| !is_mde_extension(e)));
}

#[test]
fn alerts_name_the_machine_they_concern() {
    let page: Page<Alert> = body("security-alerts/GetAlertsSubscription_example.json", "200");
    let alert = &page.value[0];
    assert_eq!(alert.properties.severity.as_deref(), Some("High"));
    assert_eq!(alert.properties.compromised_entity.as_deref(), Some("vm1"));
    assert!(alert.concerns(
        "/subscriptions/20ff7fc3-e762-44dd-bd96-b71116dcdc23/resourceGroups/myRg1/providers/Microsoft.Compute/virtualMachines/vm1"
    ));
    assert_eq!(alert.properties.resource_identifiers[1].kind, "LogAnalytics");
}

#[test]
fn connectors_name_their_environments() {
    let page: Page<SecurityConnector> =
        body("security-connectors/GetSecurityConnectorsSubscription_example.json", "200");
    let names: Vec<&str> = page.value.iter().filter_map(|c| c.properties.environment_name.as_deref()).collect();
    assert_eq!(names, ["AWS", "AWS", "Github", "Github", "GCP"]);
    assert_eq!(page.value[0].properties.offerings[0].offering_type, "CspmMonitorAws");
    assert!(page.value.iter().all(|c| !c.has_defender_for_servers()));
}

#[test]
fn tags_request_and_answer_round_trip() {
    let example = example("tags/PatchTagsResource.json");
    let request: TagsPatch = parse(&example["parameters"]["parameters"]).unwrap();
    assert_eq!(request.operation, TagsOperation::Replace);
    let answer: TagsResource = body("tags/PatchTagsResource.json", "200");
    assert_eq!(answer.properties.tags, request.properties.tags);
    assert!(!answer.excludes_mde_auto_update());
}

#[test]
fn graph_pages_carry_a_skip_token_until_the_end() {
    let first: QueryResponse<Value> = body("resourcegraph/ResourcesFirstPageQuery.json", "200");
    assert!(first.skip_token.is_some());
    assert_eq!(first.count, first.data.len() as u64);
    let basic: QueryResponse<Value> = body("resourcegraph/ResourcesBasicQuery.json", "200");
    assert_eq!(basic.skip_token, None);
}

#[test]
fn tenants_subscriptions_and_permissions_read_right() {
    let tenants: Page<Tenant> = body("tenants/GetTenants.json", "200");
    assert_eq!(tenants.value[1].label(), "Contoso Corp.");
    let subscriptions: Page<Subscription> = body("subscriptions/GetSubscriptions.json", "200");
    assert!(subscriptions.value[0].is_enabled());
    let permissions: Page<Permission> = body("authorization/GetPermissions.json", "200");
    assert!(!allows(&permissions.value, "Microsoft.Security/settings/write"));
}

#[test]
fn error_statuses_are_recognised() {
    assert!(is_error_status("404") && is_error_status("500") && is_error_status("default"));
    assert!(!is_error_status("200") && !is_error_status("202") && !is_error_status("204"));
    let err = r#"{"error":{"code":"AuthorizationFailed","message":"no","details":null}}"#;
    assert!(error_body(&serde_json::from_str(err).unwrap()).is_ok());
    assert!(error_body(&serde_json::json!({"value": []})).is_err());
}

#[test]
fn vm_instance_view_gives_power_agent_and_extension_statuses() {
    let view: VmInstanceView = body("vm-instance-view/VirtualMachine_Get_InstanceView.json", "200");
    assert_eq!(view.power_state(), Some("running"));
    assert_eq!(view.statuses[1].display_status.as_deref(), Some("VM running"));
    let agent = view.vm_agent.as_ref().unwrap();
    assert_eq!(agent.vm_agent_version.as_deref(), Some("2.7.41491.949"));
    assert_eq!(agent.statuses[0].display_status.as_deref(), Some("Ready"));
    let antimalware = view.extension("iaasantimalware-EXT0").unwrap();
    assert_eq!(antimalware.statuses[0].message.as_deref(), Some("Microsoft Antimalware enabled"));
    assert!(view.extension("MDE.Windows").is_none());
}

#[test]
fn minimal_vm_and_extension_answers_are_enough() {
    // `{}` is a whole (empty) list answer in the spec's minimal example.
    let page: Page<VmExtension> = body("vm-extensions/VirtualMachineExtension_List_MinimumSet_Gen.json", "200");
    assert!(page.value.is_empty() && page.next().is_none());
    // Only `id` and `location`: the name comes from the id, the rest is unknown.
    let ext: VmExtension = body("vm-extensions/VirtualMachineExtension_Get_MinimumSet_Gen.json", "200");
    assert_eq!(ext.name(), "myVMExtension");
    assert_eq!((ext.publisher(), ext.provisioning_state()), ("", None));
    assert!(!is_mde_extension(&ext));
    let page: Page<VirtualMachine> = body("vm/VirtualMachine_List_MinimumSet_Gen.json", "200");
    assert_eq!(page.value.len(), 2);
    assert_eq!(page.value[0].os_family(), OsFamily::Unknown);
}

#[test]
fn vm_extension_read_with_its_instance_view_has_status_lists() {
    let ext: VmExtension = body("vm-extensions/VirtualMachineExtension_Get_MaximumSet_Gen.json", "200");
    let view = ext.properties.instance_view.as_ref().unwrap();
    assert_eq!((view.statuses.len(), view.substatuses.len()), (1, 1));
    assert_eq!(view.statuses[0].level.as_deref(), Some("Info"));
    assert_eq!(ext.properties.enable_automatic_upgrade, Some(true));
}

#[test]
fn one_vm_reads_like_a_listed_one() {
    let vm: VirtualMachine = body("vm/VirtualMachine_Get.json", "200");
    assert_eq!(vm.display_name(), "myVM");
    assert_eq!(vm.os_family(), OsFamily::Windows);
    let image = vm.properties.storage_profile.image_reference.as_ref().unwrap();
    assert_eq!(image.label().as_deref(), Some("MicrosoftWindowsServer/WindowsServer/2016-Datacenter"));
    assert_eq!(vm.properties.os_profile.as_ref().unwrap().computer_name.as_deref(), Some("myVM"));
    assert_eq!(vm.power_state(), None);
}

#[test]
fn one_arc_machine_and_extension_read_with_nulls_and_one_status() {
    let machine: ArcMachine = body("arc-machines/Machines_Get.json", "200");
    assert_eq!(machine.display_name(), "myMachine");
    assert!(!machine.is_connected() && machine.tags.is_empty() && machine.kind.is_none());
    assert_eq!(machine.properties.os_edition.as_deref(), Some("Standard"));
    let ext: ArcExtension = body("arc-extensions/Extension_Get.json", "200");
    let status = ext.properties.instance_view.as_ref().unwrap().status.as_ref().unwrap();
    assert_eq!((status.code.as_deref(), status.level.as_deref()), (Some("success"), Some("Information")));
    assert_eq!(ext.provisioning_state(), Some("Succeeded"));
}

#[test]
fn older_api_versions_still_read() {
    let setting: Setting = body("security-settings/GetSetting_example_2019-01-01.json", "200");
    assert!(setting.name == "MCAS" && setting.properties.enabled);
    // 2018-06-01 has no plans at all; 2022-03-01 called the plan `planName`, which the app does
    // not read (it sends 2024-01-01, where it is `subPlan`).
    let pricing: Pricing = body("security-pricings/GetPricingByName_example_2018-06-01.json", "200");
    assert_eq!((pricing.properties.pricing_tier.as_str(), pricing.properties.sub_plan), ("Standard", None));
    let pricing: Pricing = body("security-pricings/GetPricingByName_example_2022-03-01.json", "200");
    assert_eq!(pricing.properties.sub_plan, None);
    let tenants: Page<Tenant> = body("tenants/GetTenants_2020-01-01.json", "200");
    assert_eq!(tenants.value[0].label(), "Contoso Corp.");
    let permissions: Page<Permission> = body("authorization/GetPermissions_2015-07-01.json", "200");
    assert!(!allows(&permissions.value, "Microsoft.Security/settings/read"));
    let subscription: Subscription = body("subscriptions/GetSubscription.json", "200");
    assert!(subscription.is_enabled());
    assert_eq!(subscription.display_name, "Example Subscription");
}

#[test]
fn a_summarize_row_has_no_id() {
    let page: QueryResponse<Value> = body("resourcegraph/ResourcesSummarizeQuery.json", "200");
    assert_eq!(page.data[0], serde_json::json!({ "location": "centralus" }));
}

#[test]
fn nulls_where_arm_means_none() {
    let subscription: Subscription =
        serde_json::from_str(r#"{"subscriptionId":"s","displayName":null,"state":null}"#).unwrap();
    assert_eq!((subscription.display_name.as_str(), subscription.is_enabled()), ("", false));
    let page: Page<Tenant> = serde_json::from_str(r#"{"value":null,"nextLink":null}"#).unwrap();
    assert!(page.value.is_empty());
}
