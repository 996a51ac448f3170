//! The ARM half of the fake: routes, permission checks and the handlers of every path in
//! `AZURE.md`, over the scenario's state.

#[cfg(feature = "contract")]
pub mod contract;
pub(crate) mod errors;
pub(crate) mod governance;
pub(crate) mod machines;
pub(crate) mod operations;
pub(crate) mod paging;
pub(crate) mod routes;
pub(crate) mod run_command;
pub(crate) mod security;
pub(crate) mod versions;

use http::{Method, Response};
use serde_json::Value;

use crate::faults::Rng;
use crate::scenario::World;
use crate::wire::{self, Incoming};
use operations::Operations;
use routes::Route;

/// Who is calling: the token's tenant (`None` in demo mode without a token: every tenant).
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub tenant: Option<String>,
    pub username: String,
    pub object_id: String,
}

impl Principal {
    pub fn sees_tenant(&self, tenant: &str) -> bool {
        self.tenant.as_deref().is_none_or(|t| t.eq_ignore_ascii_case(tenant))
    }
}

/// One ARM call that passed authentication, routing and authorisation.
pub(crate) struct Call<'a> {
    pub req: &'a Incoming<'a>,
    pub now_ms: u64,
    pub who: &'a Principal,
    pub page_size: usize,
    pub lro_ms: u64,
    pub api_version: &'a str,
    pub ids: &'a mut Rng,
}

/// Answers a routed call. `sub` is the subscription's index for every route under one.
pub(crate) fn dispatch(
    world: &mut World,
    ops: &mut Operations,
    route: &Route,
    sub: Option<usize>,
    call: &mut Call,
) -> Response<Vec<u8>> {
    let Some(index) = sub else {
        return match route {
            Route::Tenants => paging::page(call, &world.tenants),
            Route::Graph => crate::graph::query(world, call),
            _ => subscriptions(world, call),
        };
    };
    let get = *call.req.method == Method::GET;
    let s = &mut world.subscriptions[index];
    match route {
        Route::Subscription => wire::json(200, &s.object),
        Route::Settings => paging::page(call, &s.settings),
        Route::Setting(name) if get => security::get_named(&s.settings, name, "Setting"),
        Route::Setting(name) => security::put_setting(s, name, call),
        Route::Pricings => paging::page(call, &s.pricings),
        Route::Pricing(name) if get => security::get_named(&s.pricings, name, "Pricing"),
        Route::Pricing(name) => security::put_pricing(s, name, call),
        Route::Permissions => paging::page(call, &s.permissions),
        Route::Alerts => {
            s.run_commands.settle(&mut s.alerts, call.now_ms);
            paging::page(call, &s.alerts)
        }
        Route::Connectors => paging::page(call, &s.connectors),
        Route::Machines(kind) => machines::list(s, *kind, None, call),
        Route::GroupMachines(kind, group) => machines::list(s, *kind, Some(group), call),
        Route::Machine(kind, group, name) => machines::get(s, *kind, group, name, call),
        Route::InstanceView(group, name) => machines::instance_view(s, group, name, call),
        Route::Extensions(kind, group, name) => machines::extensions(s, *kind, group, name, call),
        Route::Extension(kind, group, name, ext) if get => machines::extension(s, *kind, group, name, ext, call),
        Route::Extension(kind, group, name, ext) => {
            let at = machines::At { subscription: index, kind: *kind, group, name };
            machines::delete_extension(s, ops, &at, ext, call)
        }
        Route::Tags(kind, group, name) => machines::tags(s, *kind, group, name, call),
        Route::Operation(kind, id) => {
            s.run_commands.poll(*kind, id, call).unwrap_or_else(|| ops.poll(index, *kind, id, call))
        }
        Route::RunCommand(group, name) => run_command::post_vm(s, group, name, call),
        Route::ArcRunCommand(group, name, child) if get => run_command::get_arc(s, group, name, child, call),
        Route::ArcRunCommand(group, name, child) => run_command::put_arc(s, group, name, child, call),
        Route::Provider(ns) => wire::json(200, &provider(s, ns, call.now_ms)),
        Route::RegisterProvider(ns) => {
            s.governance.register(ns, call.now_ms, call.lro_ms);
            wire::json(200, &provider(s, ns, call.now_ms))
        }
        Route::Tenants | Route::Subscriptions | Route::Graph => errors::no_route(call.req.path),
    }
}

/// A provider as `GET /subscriptions/{s}/providers/{ns}` shows it (resource types left out).
fn provider(s: &crate::scenario::Subscription, namespace: &str, now_ms: u64) -> Value {
    serde_json::json!({
        "id": format!("/subscriptions/{}/providers/{namespace}", s.id),
        "namespace": namespace,
        "registrationState": s.governance.registration_state(namespace, now_ms),
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [],
    })
}

/// `GET /subscriptions`: the subscriptions of the token's tenant, paged.
fn subscriptions(world: &World, call: &Call) -> Response<Vec<u8>> {
    let visible: Vec<usize> =
        (0..world.subscriptions.len()).filter(|&i| call.who.sees_tenant(&world.subscriptions[i].tenant_id)).collect();
    paging::page_by(call, visible.len(), |range| {
        visible[range].iter().map(|&i| world.subscriptions[i].object.clone()).collect::<Vec<Value>>()
    })
}
