//! VMs and Arc machines: lists, one machine, its extensions, deleting an extension (a
//! long-running operation) and PATCHing its tags.
//!
//! A VM's live state is its instance view: the scenario's `resource.properties.instanceView`
//! (absent: a running VM) and each extension's `properties.instanceView`. As in ARM, a VM and
//! its extensions show it only when asked (`$expand=instanceView`, or `statusOnly=true` on a
//! list), and `GET .../virtualMachines/{vm}/instanceView` answers it alone. Arc extensions
//! always carry theirs.

use http::Response;
use serde_json::{json, Map, Value};

use super::operations::Operations;
use super::{errors, paging, Call};
use crate::scenario::{Kind, Machine, Machines, Subscription};
use crate::wire;

/// Azure's limit of tags per resource.
const MAX_TAGS: usize = 50;

impl Subscription {
    pub(crate) fn machines(&self, kind: Kind) -> &Machines {
        match kind {
            Kind::Vm => &self.vms,
            Kind::Arc => &self.arcs,
        }
    }

    pub(crate) fn machines_mut(&mut self, kind: Kind) -> &mut Machines {
        match kind {
            Kind::Vm => &mut self.vms,
            Kind::Arc => &mut self.arcs,
        }
    }
}

/// Where a machine is: its subscription's index, kind, resource group and name.
pub(crate) struct At<'a> {
    pub subscription: usize,
    pub kind: Kind,
    pub group: &'a str,
    pub name: &'a str,
}

/// Lists a subscription's (or a resource group's) machines, paged.
pub(crate) fn list(sub: &Subscription, kind: Kind, group: Option<&str>, call: &Call) -> Response<Vec<u8>> {
    let machines = sub.machines(kind);
    let view = asks_instance_view(call) || call.req.query("statusOnly").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let shown = |m: &Machine| shown(m, kind, view);
    let Some(group) = group else {
        return paging::page_by(call, machines.list.len(), |range| machines.list[range].iter().map(shown).collect());
    };
    if !machines.has_group(group) {
        return errors::resource_group_not_found(group);
    }
    let chosen: Vec<usize> =
        (0..machines.list.len()).filter(|&i| machines.list[i].resource_group.eq_ignore_ascii_case(group)).collect();
    paging::page_by(call, chosen.len(), |range| chosen[range].iter().map(|&i| shown(&machines.list[i])).collect())
}

/// `$expand=instanceView` (ARM takes a comma-separated list).
fn asks_instance_view(call: &Call) -> bool {
    call.req.query("$expand").is_some_and(|e| e.split(',').any(|x| x.trim().eq_ignore_ascii_case("instanceView")))
}

/// A machine as ARM shows it: a VM's instance view only when asked for.
fn shown(machine: &Machine, kind: Kind, view: bool) -> Value {
    let mut resource = machine.resource.clone();
    if kind == Kind::Vm {
        if let Some(properties) = resource.get_mut("properties").and_then(Value::as_object_mut) {
            properties.remove("instanceView");
        }
        if view {
            super::security::object_at(&mut resource, "properties")
                .insert("instanceView".into(), vm_instance_view(machine));
        }
    }
    resource
}

/// A VM's instance view: the scenario's, else a running VM's statuses; with each extension's
/// own instance view under `extensions` when the scenario's view does not list them.
pub(crate) fn vm_instance_view(machine: &Machine) -> Value {
    let mut view = match machine.resource.pointer("/properties/instanceView") {
        Some(Value::Object(view)) => view.clone(),
        _ => Map::new(),
    };
    view.entry("statuses").or_insert_with(|| {
        json!([
            { "code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded" },
            { "code": "PowerState/running", "level": "Info", "displayStatus": "VM running" },
        ])
    });
    if !view.contains_key("extensions") {
        let extensions: Vec<Value> = machine
            .extensions
            .iter()
            .filter_map(|e| {
                let mut reported = e.pointer("/properties/instanceView")?.as_object()?.clone();
                reported.entry("name").or_insert_with(|| e.get("name").cloned().unwrap_or(Value::Null));
                Some(Value::Object(reported))
            })
            .collect();
        if !extensions.is_empty() {
            view.insert("extensions".into(), Value::Array(extensions));
        }
    }
    Value::Object(view)
}

/// A VM's `PowerState/...` code (what Resource Graph shows as
/// `properties.extended.instanceView.powerState.code`).
pub(crate) fn power_state(machine: &Machine) -> Option<String> {
    let view = vm_instance_view(machine);
    let statuses = view.get("statuses")?.as_array()?;
    statuses.iter().filter_map(|s| s.get("code")?.as_str()).find(|c| c.starts_with("PowerState/")).map(str::to_string)
}

/// An extension as ARM shows it: a VM extension's instance view only with `$expand=instanceView`.
fn shown_extension(extension: &Value, kind: Kind, view: bool) -> Value {
    let mut extension = extension.clone();
    if kind == Kind::Vm && !view {
        if let Some(properties) = extension.get_mut("properties").and_then(Value::as_object_mut) {
            properties.remove("instanceView");
        }
    }
    extension
}

/// The machine's index, or ARM's 404 (resource group first, then resource).
fn locate(sub: &Subscription, kind: Kind, group: &str, name: &str) -> Result<usize, Response<Vec<u8>>> {
    let machines = sub.machines(kind);
    machines.find(group, name).ok_or_else(|| {
        if machines.has_group(group) {
            errors::resource_not_found(&format!("{}/{}", kind.namespace(), kind.type_name()), name, group)
        } else {
            errors::resource_group_not_found(group)
        }
    })
}

pub(crate) fn get(sub: &Subscription, kind: Kind, group: &str, name: &str, call: &Call) -> Response<Vec<u8>> {
    match locate(sub, kind, group, name) {
        Ok(i) => wire::json(200, &shown(&sub.machines(kind).list[i], kind, asks_instance_view(call))),
        Err(response) => response,
    }
}

/// `GET .../virtualMachines/{vm}/instanceView`, with the Run Command extension once a command ran.
pub(crate) fn instance_view(sub: &Subscription, group: &str, name: &str, call: &Call) -> Response<Vec<u8>> {
    match locate(sub, Kind::Vm, group, name) {
        Ok(i) => {
            let mut view = vm_instance_view(&sub.vms.list[i]);
            if let Some(run) = sub.run_commands.vm_extension_view(i, call.now_ms) {
                let extensions = view.as_object_mut().map(|v| v.entry("extensions").or_insert_with(|| json!([])));
                if let Some(Value::Array(extensions)) = extensions {
                    extensions.push(run);
                }
            }
            wire::json(200, &view)
        }
        Err(response) => response,
    }
}

/// VM extensions come back in one unpaged list (the compute API does not page them); Arc
/// extensions are paged.
pub(crate) fn extensions(sub: &Subscription, kind: Kind, group: &str, name: &str, call: &Call) -> Response<Vec<u8>> {
    let view = asks_instance_view(call);
    match (locate(sub, kind, group, name), kind) {
        (Ok(i), Kind::Vm) => {
            let all: Vec<Value> = sub.vms.list[i].extensions.iter().map(|e| shown_extension(e, kind, view)).collect();
            paging::whole(&all)
        }
        (Ok(i), Kind::Arc) => paging::page(call, &sub.arcs.list[i].extensions),
        (Err(response), _) => response,
    }
}

fn find_extension(extensions: &[Value], name: &str) -> Option<usize> {
    extensions.iter().position(|e| e.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

fn extension_not_found(kind: Kind, group: &str, machine: &str, ext: &str) -> Response<Vec<u8>> {
    match kind {
        Kind::Vm => errors::not_found("The entity was not found in this Azure location."),
        Kind::Arc => {
            errors::resource_not_found(&format!("Microsoft.HybridCompute/machines/{machine}/extensions"), ext, group)
        }
    }
}

pub(crate) fn extension(
    sub: &Subscription,
    kind: Kind,
    group: &str,
    name: &str,
    ext: &str,
    call: &Call,
) -> Response<Vec<u8>> {
    let i = match locate(sub, kind, group, name) {
        Ok(i) => i,
        Err(response) => return response,
    };
    let extensions = &sub.machines(kind).list[i].extensions;
    match find_extension(extensions, ext) {
        Some(e) => wire::json(200, &shown_extension(&extensions[e], kind, asks_instance_view(call))),
        None => extension_not_found(kind, group, name, ext),
    }
}

/// DELETE of an extension: 202 with `Location` and `Azure-AsyncOperation` to poll; the
/// extension shows `Deleting` until the operation completes, then it is gone. Deleting what is
/// not there is 204, as ARM answers.
pub(crate) fn delete_extension(
    sub: &mut Subscription,
    ops: &mut Operations,
    at: &At,
    ext: &str,
    call: &mut Call,
) -> Response<Vec<u8>> {
    let i = match locate(sub, at.kind, at.group, at.name) {
        Ok(i) => i,
        Err(response) => return response,
    };
    let subscription_id = sub.id.clone();
    let machine = &mut sub.machines_mut(at.kind).list[i];
    let Some(e) = find_extension(&machine.extensions, ext) else {
        return wire::empty(204);
    };
    let extension = &mut machine.extensions[e];
    super::security::object_at(extension, "properties").insert("provisioningState".into(), json!("Deleting"));
    let ext_name = extension.get("name").and_then(Value::as_str).unwrap_or(ext).to_string();
    let location = machine.resource.get("location").and_then(Value::as_str).unwrap_or("global").to_string();
    let links = ops.start(&subscription_id, at, i, &ext_name, &location, call);
    let mut response = wire::empty(202);
    wire::set(&mut response, "azure-asyncoperation", &links.status_url);
    wire::set(&mut response, "location", &links.result_url);
    wire::set(&mut response, "retry-after", "1");
    response
}

/// `GET|PATCH /{machine}/providers/Microsoft.Resources/tags/default`.
pub(crate) fn tags(sub: &mut Subscription, kind: Kind, group: &str, name: &str, call: &Call) -> Response<Vec<u8>> {
    let i = match locate(sub, kind, group, name) {
        Ok(i) => i,
        Err(response) => return response,
    };
    let resource = &mut sub.machines_mut(kind).list[i].resource;
    if *call.req.method == http::Method::PATCH {
        if let Err(response) = patch_tags(resource, call.req.body) {
            return response;
        }
    }
    let id = resource.get("id").and_then(Value::as_str).unwrap_or_default();
    let tags = resource.get("tags").filter(|t| t.is_object()).cloned().unwrap_or_else(|| json!({}));
    wire::json(
        200,
        &json!({
            "id": format!("{id}/providers/Microsoft.Resources/tags/default"),
            "name": "default",
            "type": "Microsoft.Resources/tags",
            "properties": { "tags": tags },
        }),
    )
}

/// Applies `{"operation": "Merge"|"Replace"|"Delete", "properties": {"tags": {...}}}`.
fn patch_tags(resource: &mut Value, body: &[u8]) -> Result<(), Response<Vec<u8>>> {
    let body: Value = serde_json::from_slice(body).map_err(errors::invalid_content)?;
    let operation = body.get("operation").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
    let Some(given) = body.get("properties").and_then(|p| p.get("tags")).and_then(Value::as_object) else {
        return Err(errors::invalid_content("'properties.tags' must be an object"));
    };
    if let Some((key, _)) = given.iter().find(|(_, v)| !v.is_string()) {
        return Err(errors::invalid_content(format!("the value of tag '{key}' must be a string")));
    }
    let mut tags = resource.get("tags").and_then(Value::as_object).cloned().unwrap_or_default();
    match operation.as_str() {
        "merge" => merge(&mut tags, given),
        "replace" => tags = given.clone(),
        "delete" => remove(&mut tags, given),
        _ => {
            let message = format!(
                "The operation '{operation}' is not valid. Valid operations are 'Merge', 'Replace' and 'Delete'."
            );
            return Err(errors::bad_request("InvalidTagOperation", message));
        }
    }
    if tags.len() > MAX_TAGS {
        let message =
            format!("The resource would have {} tags; at most {MAX_TAGS} tags are allowed per resource.", tags.len());
        return Err(errors::bad_request("BadRequest", message));
    }
    resource["tags"] = Value::Object(tags);
    Ok(())
}

/// Tag names ignore case: a merged name replaces any existing spelling of it.
fn merge(tags: &mut Map<String, Value>, given: &Map<String, Value>) {
    for (key, value) in given {
        tags.retain(|existing, _| !existing.eq_ignore_ascii_case(key));
        tags.insert(key.clone(), value.clone());
    }
}

/// Removes the named tags; with a value given, only when the value matches too.
fn remove(tags: &mut Map<String, Value>, given: &Map<String, Value>) {
    for (key, value) in given {
        let wanted = value.as_str().unwrap_or_default();
        tags.retain(|existing, v| {
            !(existing.eq_ignore_ascii_case(key) && (wanted.is_empty() || v.as_str() == Some(wanted)))
        });
    }
}
