//! `Microsoft.Security` writes: PUT settings (the integration's switches) and PUT pricings (the
//! Defender plans, written as a whole object), validated as the resource provider does.
//!
//! In the loopback server the body has already met its OpenAPI contract (`contract.rs`); the
//! checks here are the provider's own rules (which `kind` a name takes, `P1`/`P2` for
//! `VirtualMachines`) and, for the demo tenant's worker, which is built without the contract,
//! the shape of the body too.

use http::Response;
use serde_json::{json, Map, Value};

use super::{errors, Call};
use crate::clock::iso8601;
use crate::scenario::Subscription;
use crate::wire;

/// Setting names the resource provider knows, with their `kind` (the 2022-05-01 spec's
/// `SettingName` enum, plus `WDATP_VNEXT` seen in its examples).
const SETTING_KINDS: [(&str, &str); 6] = [
    ("MCAS", "DataExportSettings"),
    ("WDATP", "DataExportSettings"),
    ("WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW", "DataExportSettings"),
    ("WDATP_UNIFIED_SOLUTION", "DataExportSettings"),
    ("WDATP_VNEXT", "DataExportSettings"),
    ("Sentinel", "AlertSyncSettings"),
];

/// Defender plan names (`pricings/{name}`).
const PLANS: [&str; 16] = [
    "VirtualMachines",
    "SqlServers",
    "AppServices",
    "StorageAccounts",
    "SqlServerVirtualMachines",
    "KubernetesService",
    "ContainerRegistry",
    "KeyVaults",
    "Dns",
    "Arm",
    "OpenSourceRelationalDatabases",
    "Containers",
    "CloudPosture",
    "CosmosDbs",
    "Api",
    "AI",
];

fn name_of(item: &Value) -> &str {
    item.get("name").and_then(Value::as_str).unwrap_or_default()
}

fn position(items: &[Value], name: &str) -> Option<usize> {
    items.iter().position(|item| name_of(item).eq_ignore_ascii_case(name))
}

/// GET of one named setting or pricing: as stored, or 404 `NotFound`.
pub(crate) fn get_named(items: &[Value], name: &str, what: &str) -> Response<Vec<u8>> {
    match position(items, name) {
        Some(i) => wire::json(200, &items[i]),
        None => errors::not_found(format!("{what} '{name}' was not found.")),
    }
}

fn body_object(call: &Call) -> Result<Map<String, Value>, Response<Vec<u8>>> {
    match serde_json::from_slice::<Value>(call.req.body) {
        Ok(Value::Object(body)) => Ok(body),
        Ok(other) => Err(errors::invalid_content(format!("expected a JSON object, found {other}"))),
        Err(e) => Err(errors::invalid_content(e)),
    }
}

fn invalid(message: impl Into<String>) -> Response<Vec<u8>> {
    errors::bad_request("InvalidInput", message)
}

/// `PUT .../settings/{name}` with `{"kind": ..., "properties": {"enabled": bool}}`.
pub(crate) fn put_setting(sub: &mut Subscription, name: &str, call: &Call) -> Response<Vec<u8>> {
    let body = match body_object(call) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let known = SETTING_KINDS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
    let existing = position(&sub.settings, name);
    if known.is_none() && existing.is_none() {
        return invalid(format!("Setting name '{name}' is not supported."));
    }
    let canonical = known.map_or(name, |(n, _)| n);
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or_default();
    // A name the provider knows must have its kind; one only the scenario knows keeps any kind.
    let kind = match known {
        Some((_, expected)) if kind.eq_ignore_ascii_case(expected) => expected.to_string(),
        Some((_, expected)) => {
            return invalid(format!("The setting '{canonical}' must have kind '{expected}', not '{kind}'."));
        }
        None if kind.is_empty() => return invalid("The property 'kind' is required."),
        None => kind.to_string(),
    };
    let Some(enabled) = body.get("properties").and_then(|p| p.get("enabled")).and_then(Value::as_bool) else {
        return invalid("The property 'properties.enabled' is required and must be a boolean.");
    };
    let index = existing.unwrap_or_else(|| {
        sub.settings.push(json!({
            "id": format!("/subscriptions/{}/providers/Microsoft.Security/settings/{canonical}", sub.id),
            "name": canonical,
            "type": "Microsoft.Security/settings",
            "properties": {},
        }));
        sub.settings.len() - 1
    });
    let setting = &mut sub.settings[index];
    setting["kind"] = json!(kind);
    object_at(setting, "properties").insert("enabled".into(), json!(enabled));
    wire::json(200, setting)
}

/// `PUT .../pricings/{name}`: the writable properties given replace the stored ones; omitted
/// `enforce`/`extensions` are kept, as the real `PutPricingVMsByName` example shows (its request
/// has no `extensions`, its answer does). Free drops `subPlan`; `enablementTime` follows the tier.
pub(crate) fn put_pricing(sub: &mut Subscription, name: &str, call: &Call) -> Response<Vec<u8>> {
    let body = match body_object(call) {
        Ok(body) => body,
        Err(response) => return response,
    };
    let existing = position(&sub.pricings, name);
    let known = PLANS.iter().find(|p| p.eq_ignore_ascii_case(name)).copied();
    let Some(canonical) = known.or(existing.map(|i| name_of(&sub.pricings[i]))).map(str::to_string) else {
        return invalid(format!("Pricing name '{name}' is not supported."));
    };
    let given = match body.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        _ => return invalid("The property 'properties' is required."),
    };
    let current_plan = existing.and_then(|i| sub.pricings[i].pointer("/properties/subPlan")).and_then(Value::as_str);
    let properties = match pricing_properties(&canonical, given, current_plan.unwrap_or("P2")) {
        Ok(p) => p,
        Err(message) => return invalid(message),
    };
    let index = existing.unwrap_or_else(|| {
        sub.pricings.push(json!({
            "id": format!("/subscriptions/{}/providers/Microsoft.Security/pricings/{canonical}", sub.id),
            "name": canonical,
            "type": "Microsoft.Security/pricings",
            "properties": { "freeTrialRemainingTime": "PT0S" },
        }));
        sub.pricings.len() - 1
    });
    let pricing = &mut sub.pricings[index];
    let stored = object_at(pricing, "properties");
    let was_standard = stored.get("pricingTier").and_then(Value::as_str) == Some("Standard");
    let standard = properties.get("pricingTier").and_then(Value::as_str) == Some("Standard");
    if !standard {
        stored.remove("subPlan");
    }
    stored.extend(properties);
    match (standard, was_standard) {
        (false, _) => {
            stored.remove("enablementTime");
        }
        (true, false) => {
            stored.insert("enablementTime".into(), json!(iso8601(call.now_ms)));
        }
        (true, true) => {}
    }
    wire::json(200, pricing)
}

/// Validates and normalises the writable properties of a pricing PUT.
fn pricing_properties(
    plan: &str,
    mut given: Map<String, Value>,
    default_sub_plan: &str,
) -> Result<Map<String, Value>, String> {
    let tier = match given.get("pricingTier").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("Standard") => "Standard",
        Some(t) if t.eq_ignore_ascii_case("Free") => "Free",
        Some(t) => return Err(format!("The pricing tier '{t}' is not valid. Valid values are 'Free' and 'Standard'.")),
        None => return Err("The property 'properties.pricingTier' is required.".into()),
    };
    given.insert("pricingTier".into(), json!(tier));
    if tier == "Free" {
        given.remove("subPlan");
    } else if plan == "VirtualMachines" {
        match given.get("subPlan").and_then(Value::as_str) {
            // Without a sub plan, Defender for Servers keeps its plan (P2 when it had none).
            None => {
                given.insert("subPlan".into(), json!(default_sub_plan));
            }
            Some(p) if p.eq_ignore_ascii_case("P1") || p.eq_ignore_ascii_case("P2") => {
                given.insert("subPlan".into(), json!(p.to_ascii_uppercase()));
            }
            Some(p) => {
                return Err(format!(
                    "The sub plan '{p}' is not valid for 'VirtualMachines'. Valid values are 'P1' and 'P2'."
                ))
            }
        }
    }
    if let Some(enforce) = given.get("enforce") {
        if !matches!(enforce.as_str(), Some("True" | "False")) {
            return Err("The property 'properties.enforce' must be 'True' or 'False'.".into());
        }
    }
    check_extensions(given.get("extensions"))?;
    Ok(given)
}

fn check_extensions(extensions: Option<&Value>) -> Result<(), String> {
    let Some(extensions) = extensions else {
        return Ok(());
    };
    let Some(list) = extensions.as_array() else {
        return Err("The property 'properties.extensions' must be a list.".into());
    };
    for (i, ext) in list.iter().enumerate() {
        let named = ext.get("name").and_then(Value::as_str).is_some_and(|n| !n.is_empty());
        let flag = matches!(ext.get("isEnabled").and_then(Value::as_str), Some("True" | "False"));
        if !named || !flag {
            return Err(format!("properties.extensions[{i}] needs a 'name' and 'isEnabled' of 'True' or 'False'."));
        }
    }
    Ok(())
}

/// `value[key]` as an object, replacing whatever non-object was there.
pub(crate) fn object_at<'v>(value: &'v mut Value, key: &str) -> &'v mut Map<String, Value> {
    if !value.get(key).is_some_and(Value::is_object) {
        value[key] = json!({});
    }
    value[key].as_object_mut().expect("just made an object")
}
