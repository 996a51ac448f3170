//! Loads a scenario file (`SCENARIO.md`: one tenant in ARM's own shapes) into the state the fake
//! serves. Objects stay `serde_json::Value`, so unknown keys go back out untouched.

use std::collections::HashMap;

use mde_core::arm::permissions::Permission;
use serde_json::Value;

mod shape;

/// Why a scenario could not be loaded: the JSON path of the offending key and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid scenario: {}", self.0)
    }
}

impl std::error::Error for ScenarioError {}

pub(crate) fn bad(path: &str, why: impl std::fmt::Display) -> ScenarioError {
    ScenarioError(format!("{path}: {why}"))
}

/// The tenant id used when the scenario names none at all.
const FALLBACK_TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// The whole served tenant.
#[derive(Debug)]
pub(crate) struct World {
    pub user: User,
    /// `GET /tenants` items, as given.
    pub tenants: Vec<Value>,
    /// The user's home tenant: where `organizations`/`common` sign-ins land.
    pub home_tenant: String,
    pub subscriptions: Vec<Subscription>,
    by_id: HashMap<String, usize>,
}

/// The signed-in user of every sign-in.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub name: String,
    pub username: String,
    pub object_id: String,
}

#[derive(Debug)]
pub(crate) struct Subscription {
    pub id: String,
    /// The subscription's directory: tokens of any other tenant are refused for it.
    pub tenant_id: String,
    /// The `GET /subscriptions` item, as given.
    pub object: Value,
    pub settings: Vec<Value>,
    pub pricings: Vec<Value>,
    /// `Microsoft.Authorization/permissions` items, as given ...
    pub permissions: Vec<Value>,
    /// ... and parsed, for the checks.
    pub rights: Vec<Permission>,
    pub vms: Machines,
    pub arcs: Machines,
    pub alerts: Vec<Value>,
    pub connectors: Vec<Value>,
    /// What governs writes beyond roles: locks, policy denials, provider registration.
    pub governance: crate::arm::governance::Governance,
    /// Writes still to be answered 409 `Conflict` (the scenario's `conflictingWrites`), as if
    /// another deployment kept the subscription busy.
    pub conflicting_writes: u64,
    /// Run commands sent to its machines, and the test alerts they will raise.
    pub run_commands: crate::arm::run_command::RunCommands,
}

impl Subscription {
    pub fn state(&self) -> &str {
        self.object.get("state").and_then(Value::as_str).unwrap_or("Enabled")
    }
}

/// VMs or Arc machines of one subscription, with an index by (resource group, name).
#[derive(Debug, Default)]
pub(crate) struct Machines {
    pub list: Vec<Machine>,
    index: HashMap<(String, String), usize>,
}

impl Machines {
    /// Finds a machine ignoring case, as ARM does for names.
    pub fn find(&self, resource_group: &str, name: &str) -> Option<usize> {
        self.index.get(&(resource_group.to_ascii_lowercase(), name.to_ascii_lowercase())).copied()
    }

    pub fn has_group(&self, resource_group: &str) -> bool {
        self.list.iter().any(|m| m.resource_group.eq_ignore_ascii_case(resource_group))
    }
}

#[derive(Debug)]
pub(crate) struct Machine {
    pub resource: Value,
    pub extensions: Vec<Value>,
    /// Resource-level pricings (`{machine id}/providers/Microsoft.Security/pricings/{name}`),
    /// seen by Resource Graph's `securityresources` next to the subscription's.
    pub pricings: Vec<Value>,
    pub resource_group: String,
    pub name: String,
    /// The scenario's `failedDeletions`: ARM errors (`{code, message}`) that the next deletions
    /// of this machine's extension end with, one each, in order; later deletions succeed.
    pub failed_deletions: std::collections::VecDeque<Value>,
    /// The scenario's `runCommand`: how Run Command and its test alert behave here.
    pub run_command: crate::arm::run_command::Behaviour,
}

impl Machine {
    pub fn id(&self) -> &str {
        self.resource.get("id").and_then(Value::as_str).unwrap_or_default()
    }
}

/// The resource provider type of a machine list, and its segment names in ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Vm,
    Arc,
}

impl Kind {
    pub fn namespace(self) -> &'static str {
        match self {
            Kind::Vm => "Microsoft.Compute",
            Kind::Arc => "Microsoft.HybridCompute",
        }
    }

    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Vm => "virtualMachines",
            Kind::Arc => "machines",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Vm => "virtualMachines",
            Kind::Arc => "arcMachines",
        }
    }
}

impl World {
    pub fn from_json(json: &str) -> Result<World, ScenarioError> {
        // Read as bytes, as request bodies are: one serde_json reader in the demo worker, not two
        // (same answers and positions: the text is UTF-8 already).
        let mut root: Value =
            serde_json::from_slice(json.as_bytes()).map_err(|e| bad("(file)", format!("not valid JSON: {e}")))?;
        if !root.is_object() {
            return Err(bad("(root)", "expected a JSON object"));
        }
        let tenants = list(&mut root, "tenants", "tenants")?;
        for (i, tenant) in tenants.iter().enumerate() {
            string(tenant, "tenantId", &format!("tenants[{i}]"))?;
        }
        let mut subscriptions = Vec::new();
        for (i, entry) in list(&mut root, "subscriptions", "subscriptions")?.into_iter().enumerate() {
            subscriptions.push(subscription(entry, &format!("subscriptions[{i}]"))?);
        }
        let home_tenant = home_tenant(&tenants, &subscriptions);
        for sub in &mut subscriptions {
            if sub.tenant_id.is_empty() {
                sub.tenant_id = home_tenant.clone();
            }
        }
        let by_id = index_subscriptions(&subscriptions)?;
        let user = user(&root, &tenants)?;
        // The loader's own checks speak first (their words are the scenario's); the shape
        // then catches a wrong type in any key the app reads.
        check_shape(json)?;
        Ok(World { user, tenants, home_tenant, subscriptions, by_id })
    }

    /// A subscription by id, ignoring case.
    pub fn find(&self, subscription_id: &str) -> Option<usize> {
        self.by_id.get(&subscription_id.to_ascii_lowercase()).copied()
    }

    /// Whether `tenant` (an id or a domain) is a directory of this scenario; returns its id.
    pub fn resolve_tenant(&self, tenant: &str) -> Option<String> {
        let named = self.tenants.iter().find(|t| {
            let field = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or_default().eq_ignore_ascii_case(tenant);
            field("tenantId") || field("defaultDomain")
        });
        if let Some(t) = named {
            return t.get("tenantId").and_then(Value::as_str).map(str::to_string);
        }
        self.subscriptions
            .iter()
            .find(|s| s.tenant_id.eq_ignore_ascii_case(tenant))
            .map(|s| s.tenant_id.clone())
            .or_else(|| (tenant.eq_ignore_ascii_case(&self.home_tenant)).then(|| self.home_tenant.clone()))
    }
}

/// Reads the file through its typed shape: bad JSON is named by line and column, a value of
/// the wrong type or a missing key by its JSON path (`subscriptions[3].settings[0].properties.enabled:
/// expected a boolean, found string "yes"`), before anything is loaded.
fn check_shape(json: &str) -> Result<(), ScenarioError> {
    let mut reader = serde_json::Deserializer::from_slice(json.as_bytes());
    let failed = match serde_path_to_error::deserialize::<_, shape::Scenario>(&mut reader) {
        Ok(_) => match reader.end() {
            Ok(()) => return Ok(()),
            Err(e) => return Err(bad("(file)", format!("not valid JSON: {e}"))),
        },
        Err(failed) => failed,
    };
    let path = failed.path().to_string();
    let error = failed.into_inner();
    let at = format!("line {}, column {}", error.line(), error.column());
    if matches!(error.classify(), serde_json::error::Category::Data) {
        let (path, why) = data_error(&path, &error.to_string());
        return Err(bad(&path, format!("{} (at {at})", why.replace("expected u64", "expected a whole number"))));
    }
    let message = error.to_string();
    let why = message.split(" at line ").next().unwrap_or(&message);
    Err(bad("(file)", format!("not valid JSON at {at}: {why}")))
}

/// serde's words for a wrong value, turned round to say what is expected first; a missing key
/// is named in the path.
fn data_error(path: &str, message: &str) -> (String, String) {
    let message = message.split(" at line ").next().unwrap_or(message);
    let path = if path == "." { String::new() } else { path.to_string() };
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    if let Some(key) = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        return (join(key), "required".into());
    }
    let path = if path.is_empty() { "(root)".to_string() } else { path };
    if let Some((found, expected)) = message.strip_prefix("invalid type: ").and_then(|m| m.split_once(", expected ")) {
        return (path, format!("expected {expected}, found {found}"));
    }
    (path, message.to_string())
}

fn home_tenant(tenants: &[Value], subscriptions: &[Subscription]) -> String {
    tenants
        .first()
        .and_then(|t| t.get("tenantId").and_then(Value::as_str))
        .map(str::to_string)
        .or_else(|| subscriptions.iter().find(|s| !s.tenant_id.is_empty()).map(|s| s.tenant_id.clone()))
        .unwrap_or_else(|| FALLBACK_TENANT.to_string())
}

fn index_subscriptions(subscriptions: &[Subscription]) -> Result<HashMap<String, usize>, ScenarioError> {
    let mut by_id = HashMap::new();
    for (i, sub) in subscriptions.iter().enumerate() {
        if let Some(first) = by_id.insert(sub.id.to_ascii_lowercase(), i) {
            return Err(bad(
                &format!("subscriptions[{i}].subscription.subscriptionId"),
                format!("'{}' is already used by subscriptions[{first}]", sub.id),
            ));
        }
    }
    Ok(by_id)
}

fn user(root: &Value, tenants: &[Value]) -> Result<User, ScenarioError> {
    let domain =
        tenants.first().and_then(|t| t.get("defaultDomain").and_then(Value::as_str)).unwrap_or("contoso.example");
    let user = root.get("user").cloned().unwrap_or(Value::Null);
    if !user.is_null() && !user.is_object() {
        return Err(bad("user", "expected an object like {\"name\": ..., \"username\": ...}"));
    }
    let field = |k: &str| user.get(k).and_then(Value::as_str).map(str::to_string);
    let username = field("username").unwrap_or_else(|| format!("admin@{domain}"));
    let object_id = field("objectId").or_else(|| field("oid")).unwrap_or_else(|| stable_guid(&username));
    Ok(User { name: field("name").unwrap_or_else(|| "Demo Admin".into()), username, object_id })
}

/// A GUID derived from text, so the same user gets the same object id on every run.
fn stable_guid(text: &str) -> String {
    use sha2::Digest;
    let h = sha2::Sha256::digest(text.as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn subscription(mut entry: Value, path: &str) -> Result<Subscription, ScenarioError> {
    if !entry.is_object() {
        return Err(bad(path, "expected an object with a \"subscription\" key"));
    }
    let object = entry.get_mut("subscription").map(Value::take).unwrap_or(Value::Null);
    let sub_path = format!("{path}.subscription");
    if !object.is_object() {
        return Err(bad(&sub_path, "required: the GET /subscriptions item of this subscription"));
    }
    let id = string(&object, "subscriptionId", &sub_path)?;
    // `listedInTenant`: the tenant whose tokens see the subscription, when that is not its own
    // `tenantId` (a subscription of another directory delegated to it): ARM lists it there
    // with its own `tenantId`, as the app must show.
    let tenant_id = match (entry.get("listedInTenant"), object.get("tenantId")) {
        (Some(t), _) if !t.is_null() => string(&entry, "listedInTenant", path)?,
        (_, None | Some(Value::Null)) => String::new(),
        (_, Some(_)) => string(&object, "tenantId", &sub_path)?,
    };
    let permissions = list(&mut entry, "permissions", &format!("{path}.permissions"))?;
    let rights = permissions
        .iter()
        .enumerate()
        .map(|(i, p)| serde_json::from_value(p.clone()).map_err(|e| bad(&format!("{path}.permissions[{i}]"), e)))
        .collect::<Result<_, _>>()?;
    Ok(Subscription {
        settings: named_list(&mut entry, "settings", path)?,
        pricings: named_list(&mut entry, "pricings", path)?,
        vms: machines(&mut entry, Kind::Vm, &id, path)?,
        arcs: machines(&mut entry, Kind::Arc, &id, path)?,
        alerts: list(&mut entry, "alerts", &format!("{path}.alerts"))?,
        connectors: list(&mut entry, "securityConnectors", &format!("{path}.securityConnectors"))?,
        governance: crate::arm::governance::Governance::from_scenario(&mut entry, path)?,
        conflicting_writes: count(&entry, "conflictingWrites", path)?,
        run_commands: Default::default(),
        id,
        tenant_id,
        object,
        permissions,
        rights,
    })
}

/// A list whose items are found by `name` (settings, pricings, extensions).
fn named_list(entry: &mut Value, key: &str, path: &str) -> Result<Vec<Value>, ScenarioError> {
    let items = list(entry, key, &format!("{path}.{key}"))?;
    for (i, item) in items.iter().enumerate() {
        string(item, "name", &format!("{path}.{key}[{i}]"))?;
    }
    Ok(items)
}

fn machines(entry: &mut Value, kind: Kind, subscription_id: &str, path: &str) -> Result<Machines, ScenarioError> {
    let mut machines = Machines::default();
    for (i, mut item) in list(entry, kind.key(), &format!("{path}.{}", kind.key()))?.into_iter().enumerate() {
        let here = format!("{path}.{}[{i}]", kind.key());
        let resource = item.get_mut("resource").map(Value::take).unwrap_or(Value::Null);
        let id = string(&resource, "id", &format!("{here}.resource"))?;
        let (resource_group, name) = parse_machine_id(&id, kind, subscription_id)
            .ok_or_else(|| bad(&format!("{here}.resource.id"), machine_id_hint(&id, kind, subscription_id)))?;
        let extensions = named_list(&mut item, "extensions", &here)?;
        let pricings = named_list(&mut item, "pricings", &here)?;
        let failed_deletions = failed_deletions(&mut item, &here)?;
        let run_command = crate::arm::run_command::from_scenario(&mut item, &here)?;
        let key = (resource_group.to_ascii_lowercase(), name.to_ascii_lowercase());
        if machines.index.insert(key, machines.list.len()).is_some() {
            return Err(bad(&format!("{here}.resource.id"), format!("'{id}' appears twice")));
        }
        machines.list.push(Machine {
            resource,
            extensions,
            pricings,
            resource_group,
            name,
            failed_deletions,
            run_command,
        });
    }
    Ok(machines)
}

/// A machine's `failedDeletions`: each an ARM error object with a `code` and a `message`.
fn failed_deletions(item: &mut Value, here: &str) -> Result<std::collections::VecDeque<Value>, ScenarioError> {
    let errors = list(item, "failedDeletions", &format!("{here}.failedDeletions"))?;
    for (i, error) in errors.iter().enumerate() {
        for key in ["code", "message"] {
            string(error, key, &format!("{here}.failedDeletions[{i}]"))?;
        }
    }
    Ok(errors.into())
}

fn machine_id_hint(id: &str, kind: Kind, subscription_id: &str) -> String {
    format!(
        "'{id}' is not of the form /subscriptions/{subscription_id}/resourceGroups/RG/providers/{}/{}/NAME",
        kind.namespace(),
        kind.type_name()
    )
}

/// `(resource group, name)` of `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`.
pub(crate) fn parse_machine_id(id: &str, kind: Kind, subscription_id: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = id.trim_start_matches('/').split('/').collect();
    let matches = parts.len() == 8
        && parts[0].eq_ignore_ascii_case("subscriptions")
        && parts[1].eq_ignore_ascii_case(subscription_id)
        && parts[2].eq_ignore_ascii_case("resourceGroups")
        && parts[4].eq_ignore_ascii_case("providers")
        && parts[5].eq_ignore_ascii_case(kind.namespace())
        && parts[6].eq_ignore_ascii_case(kind.type_name())
        && !parts[3].is_empty()
        && !parts[7].is_empty();
    matches.then(|| (parts[3].to_string(), parts[7].to_string()))
}

/// Takes `root[key]` as a list of objects (moved, not copied: scenarios can be large); absent
/// or `null` is an empty list.
pub(crate) fn list(root: &mut Value, key: &str, path: &str) -> Result<Vec<Value>, ScenarioError> {
    match root.get_mut(key).map(Value::take) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            if let Some(i) = items.iter().position(|v| !v.is_object()) {
                return Err(bad(&format!("{path}[{i}]"), "expected an object"));
            }
            Ok(items)
        }
        Some(_) => Err(bad(path, "expected a list")),
    }
}

/// A whole number at `object[key]`; absent or `null` is 0.
fn count(object: &Value, key: &str, path: &str) -> Result<u64, ScenarioError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(0),
        Some(value) => value
            .as_u64()
            .ok_or_else(|| bad(&format!("{path}.{key}"), format!("expected a count like 5, found {value}"))),
    }
}

pub(crate) fn string(object: &Value, key: &str, path: &str) -> Result<String, ScenarioError> {
    match object.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(bad(&format!("{path}.{key}"), "must not be empty")),
        Some(other) => Err(bad(&format!("{path}.{key}"), format!("expected a string, found {other}"))),
        None => Err(bad(&format!("{path}.{key}"), "required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_scenario_loads() {
        let world = World::from_json(r#"{"subscriptions":[{"subscription":{"subscriptionId":"S1"}}]}"#).unwrap();
        assert_eq!(world.subscriptions.len(), 1);
        assert_eq!(world.find("s1"), Some(0));
        assert_eq!(world.subscriptions[0].tenant_id, FALLBACK_TENANT);
        assert!(world.subscriptions[0].settings.is_empty());
    }

    #[test]
    fn a_subscription_of_another_directory_is_listed_where_the_scenario_says() {
        let world = World::from_json(
            r#"{"subscriptions":[{"subscription":{"subscriptionId":"a","tenantId":"other"},"listedInTenant":"home"}]}"#,
        )
        .unwrap();
        assert_eq!(world.subscriptions[0].tenant_id, "home");
        assert_eq!(world.subscriptions[0].object["tenantId"], "other", "ARM's item keeps its own tenantId");
        let err = error_of(r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"},"listedInTenant":5}]}"#);
        assert!(err.contains("subscriptions[0].listedInTenant"), "{err}");
    }

    #[test]
    fn errors_name_the_key() {
        let err =
            World::from_json(r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"}},{"subscription":{}}]}"#)
                .unwrap_err();
        assert_eq!(err.to_string(), "invalid scenario: subscriptions[1].subscription.subscriptionId: required");
        let err = World::from_json(
            r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"},"settings":[{"kind":"x"}]}]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("subscriptions[0].settings[0].name"), "{err}");
        let err = World::from_json(
            r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"},"virtualMachines":[{"resource":{"id":"/x"}}]}]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("virtualMachines[0].resource.id"), "{err}");
    }

    fn error_of(json: &str) -> String {
        World::from_json(json).unwrap_err().to_string()
    }

    #[test]
    fn a_wrong_type_is_named_by_its_json_path() {
        let sub = |i: usize, extra: &str| format!(r#"{{"subscription":{{"subscriptionId":"s{i}"}}{extra}}}"#);
        let wdatp = r#","settings":[{"name":"WDATP","kind":"DataExportSettings","properties":{"enabled":"yes"}}]"#;
        let subs = [sub(0, ""), sub(1, ""), sub(2, ""), sub(3, wdatp)].join(",\n");
        let err = error_of(&format!("{{\"subscriptions\":[\n{subs}]}}"));
        assert_eq!(
            err,
            r#"invalid scenario: subscriptions[3].settings[0].properties.enabled: expected a boolean, found string "yes" (at line 5, column 125)"#
        );
        let err = error_of(
            r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"},"pricings":[{"name":"VirtualMachines","properties":{"pricingTier":true}}]}]}"#,
        );
        assert!(err.starts_with("invalid scenario: subscriptions[0].pricings[0].properties.pricingTier: expected a string, found boolean `true`"), "{err}");
        let err = error_of(r#"{"name":["not","a","name"]}"#);
        assert!(err.starts_with("invalid scenario: name: expected a string, found sequence"), "{err}");
        let err = error_of(r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"},"locks":[{"name":"no id"}]}]}"#);
        assert_eq!(err, "invalid scenario: subscriptions[0].locks[0].id: required");
        let err = error_of(r#"{"subscriptions":[{"subscription":{"subscriptionId":"a"},"conflictingWrites":-1}]}"#);
        assert!(err.contains("conflictingWrites: expected a count like 5, found -1"), "{err}");
    }

    #[test]
    fn bad_json_is_named_by_line_and_column() {
        let err = error_of("{\n  \"name\": \"x\",\n  \"subscriptions\": [,]\n}");
        assert!(err.starts_with("invalid scenario: (file): not valid JSON: "), "{err}");
        assert!(err.contains("line 3 column 21"), "{err}");
    }

    #[test]
    fn unknown_keys_and_nulls_are_not_faults() {
        let json = r#"{"x-new":1,"user":null,"subscriptions":[{"subscription":{"subscriptionId":"a","x":{}},
            "settings":[{"name":"WDATP","properties":null,"extra":[1]}],
            "virtualMachines":[{"resource":{"id":"/subscriptions/a/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm","tags":null},"extensions":null}]}]}"#;
        assert!(World::from_json(json).is_ok());
    }

    #[test]
    fn machine_ids_parse_ignoring_case() {
        let id = "/subscriptions/S/resourcegroups/RG/providers/microsoft.compute/virtualmachines/vm-1";
        assert_eq!(parse_machine_id(id, Kind::Vm, "s"), Some(("RG".into(), "vm-1".into())));
        assert_eq!(parse_machine_id(id, Kind::Arc, "s"), None);
    }
}
