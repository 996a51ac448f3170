//! Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`): answers the
//! queries of its own catalogue (`catalogue.rs`, matched with whitespace normalised) from the
//! live state, with `$top`/`$skip`/`$skipToken` paging. Any other query is refused with ARG's
//! 400, since the fake has no KQL engine.

mod catalogue;

use crate::rbac::allows;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use http::Response;
use serde_json::{json, Map, Value};

use crate::arm::routes::machine_read;
use crate::arm::{errors, Call};
use crate::scenario::{Kind, Machine, Subscription, World};
use crate::wire;
use catalogue::{KnownQuery, Rows, CATALOGUE};

/// ARG's default and maximum page sizes.
const DEFAULT_TOP: u64 = 100;
const MAX_TOP: u64 = 1000;

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
    let Some(known) = catalogue::recognise(text) else {
        let names: Vec<&str> = CATALOGUE.iter().map(|k| k.name).collect();
        let message = format!(
            "This fake Azure has no KQL engine: it answers only the queries of its catalogue ({}), whitespace aside.",
            names.join(", ")
        );
        return graph_error(call, "UnsupportedQuery", &message);
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
    let mut emit = |make: &dyn Fn() -> Map<String, Value>| {
        if (window.start..end).contains(&total) {
            data.push(known.project(make()));
        }
        total += 1;
    };
    for sub in &subscriptions {
        match known.rows {
            Rows::MachinesWithMde => machine_rows(sub, &mut emit),
            Rows::VmPricings { subscription_level_only } => pricing_rows(sub, subscription_level_only, &mut emit),
            Rows::Deployment => {}
        }
    }
    if known.rows == Rows::Deployment {
        deployment_rows(&subscriptions, &mut emit);
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

type Emit<'a> = dyn FnMut(&dyn Fn() -> Map<String, Value>) + 'a;

fn window(options: &Value, known: &KnownQuery) -> Result<Window, (&'static str, String)> {
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

/// One row per machine and MDE extension (a left outer join, so a machine without one gives
/// one row with nulls). Rows need read access, as in ARG.
fn machine_rows(sub: &Subscription, emit: &mut Emit) {
    for kind in [Kind::Vm, Kind::Arc] {
        if !allows(&sub.rights, machine_read(kind)) {
            continue;
        }
        for machine in &sub.machines(kind).list {
            let mde: Vec<&Value> = machine.extensions.iter().filter(|e| catalogue::is_mde(e)).collect();
            if mde.is_empty() {
                emit(&|| catalogue::machine_row(sub, kind, machine, None));
            }
            for ext in mde {
                emit(&|| catalogue::machine_row(sub, kind, machine, Some(ext)));
            }
        }
    }
}

/// [`machine_rows`] of every chosen subscription at once, ordered by the lower-case machine id
/// as `order by resourceId asc` orders them (a machine's rows stay next to each other).
fn deployment_rows(subscriptions: &[&Subscription], emit: &mut Emit) {
    let mut machines: Vec<(String, &Subscription, Kind, &Machine)> = Vec::new();
    for sub in subscriptions {
        for kind in [Kind::Vm, Kind::Arc] {
            if allows(&sub.rights, machine_read(kind)) {
                machines.extend(sub.machines(kind).list.iter().map(|m| (m.id().to_ascii_lowercase(), *sub, kind, m)));
            }
        }
    }
    machines.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, sub, kind, machine) in machines {
        let mde: Vec<&Value> = machine.extensions.iter().filter(|e| catalogue::is_mde(e)).collect();
        if mde.is_empty() {
            emit(&|| catalogue::deployment_row(sub, kind, machine, None));
        }
        for ext in mde {
            emit(&|| catalogue::deployment_row(sub, kind, machine, Some(ext)));
        }
    }
}

/// The subscription's `VirtualMachines` pricing, then (unless `subscription_level_only`) those
/// of its machines, as `securityresources` holds both.
fn pricing_rows(sub: &Subscription, subscription_level_only: bool, emit: &mut Emit) {
    if !allows(&sub.rights, "Microsoft.Security/pricings/read") {
        return;
    }
    let scope = format!("/subscriptions/{}", sub.id);
    for pricing in sub.pricings.iter().filter(|p| catalogue::is_vm_pricing(p)) {
        emit(&|| catalogue::pricing_row(sub, &scope, pricing));
    }
    if subscription_level_only {
        return;
    }
    for machine in sub.vms.list.iter().chain(&sub.arcs.list) {
        for pricing in machine.pricings.iter().filter(|p| catalogue::is_vm_pricing(p)) {
            emit(&|| catalogue::pricing_row(sub, machine.id(), pricing));
        }
    }
}

fn skip_token(known: &KnownQuery, offset: usize) -> String {
    STANDARD.encode(format!("fake-azure-arg:{}:{offset}", known.name))
}

fn read_skip_token(token: &str, known: &KnownQuery) -> Option<u64> {
    let text = String::from_utf8(STANDARD.decode(token).ok()?).ok()?;
    text.strip_prefix("fake-azure-arg:")?.strip_prefix(known.name)?.strip_prefix(':')?.parse().ok()
}

/// ARG's 400: a `BadRequest` envelope whose details say what was wrong. ARG's second detail
/// names the parser's finding (e.g. `ParserFailure` with `line` and `token`); a fake without
/// a KQL engine can only say that it does not know the query.
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
