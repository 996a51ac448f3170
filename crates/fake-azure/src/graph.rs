//! Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`): answers exactly
//! the two KQL queries the app sends (`mde_core::arm::graph::{MACHINES_QUERY, PLANS_QUERY}`,
//! matched with whitespace normalised) from the live state, with `$top`/`$skip`/`$skipToken`
//! paging. Any other query is refused with ARG's 400, since the fake has no KQL engine.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::Response;
use mde_core::arm::graph::{MACHINES_QUERY, PLANS_QUERY};
use mde_core::arm::permissions::allows;
use serde_json::{json, Value};

use crate::arm::routes::machine_read;
use crate::arm::{errors, Call};
use crate::scenario::{Kind, Machine, Subscription, World};
use crate::wire;

/// ARG's default and maximum page sizes.
const DEFAULT_TOP: u64 = 100;
const MAX_TOP: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    Machines,
    Plans,
}

impl Known {
    fn recognise(query: &str) -> Option<Known> {
        let query = normalise(query);
        if query == normalise(MACHINES_QUERY) {
            Some(Known::Machines)
        } else if query == normalise(PLANS_QUERY) {
            Some(Known::Plans)
        } else {
            None
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Known::Machines => "machines",
            Known::Plans => "plans",
        }
    }
}

fn normalise(query: &str) -> String {
    query.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The paging options of a request, validated.
struct Window {
    start: usize,
    top: usize,
}

pub(crate) fn query(world: &World, call: &mut Call) -> Response<Vec<u8>> {
    let body: Value = match serde_json::from_slice(call.req.body) {
        Ok(body @ Value::Object(_)) => body,
        Ok(_) => return errors::invalid_content("expected a JSON object"),
        Err(e) => return errors::invalid_content(e),
    };
    let text = body.get("query").and_then(Value::as_str).unwrap_or_default();
    let Some(known) = Known::recognise(text) else {
        return graph_error(call, "UnsupportedQuery", "This fake Azure answers only the machines-with-MDE-extension and the Defender for Servers plans queries of mde_core::arm::graph; any other KQL is refused.");
    };
    let options = body.get("options").cloned().unwrap_or(Value::Null);
    let window = match window(&options, known) {
        Ok(window) => window,
        Err((code, message)) => return graph_error(call, code, &message),
    };
    if options.get("resultFormat").and_then(Value::as_str).is_some_and(|f| !f.eq_ignore_ascii_case("objectArray")) {
        return graph_error(
            call,
            "UnsupportedResultFormat",
            "This fake Azure answers only resultFormat 'objectArray'.",
        );
    }
    let subscriptions = chosen_subscriptions(world, call, &body);
    let end = window.start + window.top;
    let mut total = 0usize;
    let mut data = Vec::new();
    let mut emit = |make: &dyn Fn() -> Value| {
        if (window.start..end).contains(&total) {
            data.push(make());
        }
        total += 1;
    };
    for sub in subscriptions {
        match known {
            Known::Machines => machine_rows(sub, &mut emit),
            Known::Plans => plan_rows(sub, &mut emit),
        }
    }
    let mut answer = json!({
        "totalRecords": total,
        "count": data.len(),
        "resultTruncated": "false",
        "facets": [],
        "data": data,
    });
    if end < total {
        answer["$skipToken"] = json!(skip_token(known, end));
    }
    wire::json(200, &answer)
}

fn window(options: &Value, known: Known) -> Result<Window, (&'static str, String)> {
    let top = match options.get("$top") {
        None | Some(Value::Null) => DEFAULT_TOP,
        Some(v) => v.as_u64().filter(|t| (1..=MAX_TOP).contains(t)).ok_or_else(|| {
            ("InvalidPageSize", format!("The $top option must be a number between 1 and {MAX_TOP}, not {v}."))
        })?,
    };
    let start = match options.get("$skipToken").and_then(Value::as_str) {
        Some(token) => read_skip_token(token, known)
            .ok_or_else(|| ("InvalidSkipToken", format!("The $skipToken '{token}' is not valid for this query.")))?,
        None => options.get("$skip").and_then(Value::as_u64).unwrap_or(0),
    };
    Ok(Window { start: start as usize, top: top as usize })
}

/// The subscriptions asked for (all visible ones when none are named), in the scenario's order:
/// only the token's tenant, as ARG scopes queries to it.
fn chosen_subscriptions<'w>(world: &'w World, call: &Call, body: &Value) -> Vec<&'w Subscription> {
    let asked: Vec<String> = body
        .get("subscriptions")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    world
        .subscriptions
        .iter()
        .filter(|s| call.who.sees_tenant(&s.tenant_id))
        .filter(|s| asked.is_empty() || asked.contains(&s.id.to_ascii_lowercase()))
        .collect()
}

/// Rows of [`MACHINES_QUERY`]: one per machine and MDE extension (a left outer join, so a
/// machine without one gives one row with nulls). Rows need read access, as in ARG.
fn machine_rows(sub: &Subscription, emit: &mut dyn FnMut(&dyn Fn() -> Value)) {
    for kind in [Kind::Vm, Kind::Arc] {
        if !allows(&sub.rights, machine_read(kind)) {
            continue;
        }
        for machine in &sub.machines(kind).list {
            let mde: Vec<&Value> = machine.extensions.iter().filter(|e| is_mde(e)).collect();
            if mde.is_empty() {
                emit(&|| machine_row(sub, kind, machine, None));
            }
            for ext in mde {
                emit(&|| machine_row(sub, kind, machine, Some(ext)));
            }
        }
    }
}

fn is_mde(extension: &Value) -> bool {
    let kind = extension.pointer("/properties/type").and_then(Value::as_str);
    matches!(kind, Some("MDE.Linux" | "MDE.Windows"))
}

fn machine_row(sub: &Subscription, kind: Kind, machine: &Machine, ext: Option<&Value>) -> Value {
    let r = &machine.resource;
    let os_type = r
        .pointer("/properties/storageProfile/osDisk/osType")
        .filter(|v| !v.is_null())
        .or_else(|| r.pointer("/properties/osType").filter(|v| !v.is_null()));
    json!({
        "id": machine.id(),
        "subscriptionId": sub.id,
        "resourceGroup": machine.resource_group.to_ascii_lowercase(),
        "resourceId": machine.id().to_ascii_lowercase(),
        "name": r.get("name").cloned().unwrap_or_else(|| json!(machine.name)),
        "type": format!("{}/{}", kind.namespace(), kind.type_name()).to_ascii_lowercase(),
        "location": r.get("location").cloned().unwrap_or(Value::Null),
        "tags": r.get("tags").filter(|t| t.is_object()).cloned().unwrap_or_else(|| json!({})),
        "osType": os_type.map(to_kql_string).unwrap_or_default(),
        "extensionName": ext.and_then(|e| e.get("name")).cloned().unwrap_or(Value::Null),
        "provisioningState": ext.and_then(|e| e.pointer("/properties/provisioningState")).cloned().unwrap_or(Value::Null),
    })
}

/// Rows of [`PLANS_QUERY`]: each subscription's `VirtualMachines` pricing.
fn plan_rows(sub: &Subscription, emit: &mut dyn FnMut(&dyn Fn() -> Value)) {
    if !allows(&sub.rights, "Microsoft.Security/pricings/read") {
        return;
    }
    let plans = sub
        .pricings
        .iter()
        .filter(|p| p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("VirtualMachines")));
    for pricing in plans {
        emit(&|| {
            let field = |k: &str| pricing.pointer(&format!("/properties/{k}")).map(to_kql_string).unwrap_or_default();
            json!({
                "id": pricing.get("id").cloned().unwrap_or(Value::Null),
                "subscriptionId": sub.id,
                "name": pricing.get("name").cloned().unwrap_or(Value::Null),
                "pricingTier": field("pricingTier"),
                "subPlan": field("subPlan"),
            })
        });
    }
}

/// KQL's `tostring()`: strings as they are, null as "", anything else as JSON text.
fn to_kql_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn skip_token(known: Known, offset: usize) -> String {
    STANDARD.encode(format!("fake-azure-arg:{}:{offset}", known.tag()))
}

fn read_skip_token(token: &str, known: Known) -> Option<u64> {
    let text = String::from_utf8(STANDARD.decode(token).ok()?).ok()?;
    text.strip_prefix("fake-azure-arg:")?.strip_prefix(known.tag())?.strip_prefix(':')?.parse().ok()
}

/// ARG's 400: a `BadRequest` envelope whose details say what was wrong.
fn graph_error(call: &mut Call, code: &str, message: &str) -> Response<Vec<u8>> {
    let body = json!({
        "error": {
            "code": "BadRequest",
            "message": format!(
                "Please provide below info when asking for support: timestamp = {}, correlationId = {}.",
                crate::clock::iso8601(call.now_ms),
                call.ids.uuid()
            ),
            "details": [
                { "code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying." },
                { "code": code, "message": message },
            ],
        }
    });
    wire::json(400, &body)
}
