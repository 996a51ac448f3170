//! Loads every VM and Arc machine of the chosen subscriptions as [`Machine`]s, streaming.
//!
//! Resource Graph first: one query for all subscriptions ([`DEPLOYMENT_QUERY`]), 1,000 rows a
//! page, each page shown as it arrives. When Resource Graph refuses or stays throttled after
//! the client's retries, ARM per subscription instead: its VMs (`statusOnly=true`, for the power
//! state), its Arc machines, and each machine's extensions.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;

use futures::future::{select, Either};
use futures::stream::{FuturesUnordered, StreamExt};

use super::rows::{self, DeploymentRow};
use super::{Machine, MachineKind};
use crate::api::{self, COMPUTE, HYBRID_COMPUTE};
use crate::arm::graph::DEPLOYMENT_QUERY;
use crate::arm::machines::{is_mde_extension, ArcExtension, ArcMachine, VirtualMachine, VmExtension};
use crate::client::ArmClient;
use crate::error::ArmFailure;
use crate::transport::Transport;

/// Where the machines came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    ResourceGraph,
    Arm,
}

/// What [`load`] reports, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadEvent {
    /// More machines, in arrival order. Emitted once per ARG page (1,000 rows) or per
    /// subscription on the fallback. A machine is never sent twice here.
    Machines(Vec<Machine>),
    /// Machines already sent, again with more detail: the reason a failed VM extension gave,
    /// which Resource Graph does not hold (read through ARM after the page was shown).
    Updated(Vec<Machine>),
    /// Resource Graph refused or was throttled: the load goes on through ARM per subscription;
    /// `why` is Resource Graph's failure, for the page to say so.
    FellBack { why: ArmFailure },
    /// One subscription could not be listed on the fallback path (others go on).
    SubscriptionFailed { subscription_id: String, why: ArmFailure },
    /// Everything arrived (from `source`).
    Done { source: Source },
    /// Nothing could be loaded: the sign-in ended, or no subscription could be listed.
    Failed(ArmFailure),
}

/// Loads the machines of `subscriptions`, calling `emit` as they arrive; ends with `Done` or
/// `Failed`. At most `concurrency` ARM requests are in flight at once.
pub async fn load<T: Transport>(
    client: &ArmClient<T>,
    subscriptions: &[String],
    concurrency: usize,
    mut emit: impl FnMut(LoadEvent),
) {
    let concurrency = concurrency.max(1);
    // Lower-case ids of the machines sent: a machine is sent once, even when Resource Graph
    // failed mid-way and ARM lists it again.
    let mut sent = HashSet::new();
    match from_graph(client, subscriptions, concurrency, &mut sent, &mut emit).await {
        Ok(()) => emit(LoadEvent::Done { source: Source::ResourceGraph }),
        // ARM would refuse the same token.
        Err(why @ ArmFailure::SignInAgain(_)) => emit(LoadEvent::Failed(why)),
        Err(why) => {
            emit(LoadEvent::FellBack { why });
            from_arm(client, subscriptions, concurrency, &mut sent, &mut emit).await;
        }
    }
}

async fn from_graph<T: Transport>(
    client: &ArmClient<T>,
    subscriptions: &[String],
    concurrency: usize,
    sent: &mut HashSet<String>,
    emit: &mut impl FnMut(LoadEvent),
) -> Result<(), ArmFailure> {
    let mut pages = client.query_pages(DEPLOYMENT_QUERY, subscriptions);
    // The last machine of a page is held back until the next page: the query is ordered by
    // machine, so its other rows (another MDE extension) may open the next page.
    let mut held: Option<Machine> = None;
    let mut next = pages.next_page::<DeploymentRow>().await?;
    while let Some(rows) = next.take() {
        let mut machines = merge(held.take(), &rows);
        let last = pages.is_done();
        if !last {
            held = machines.pop();
        }
        machines.retain(|m| sent.insert(m.id.to_ascii_lowercase()));
        // The page shows at once; its failed VM extensions' reasons follow as `Updated`, read
        // while the next page is asked for, so neither waits for the other.
        let (mut failed, paths) = wanted_messages(&machines);
        emit_some(emit, LoadEvent::Machines, machines);
        let reads = vm_messages(client, paths, concurrency);
        let found = if last {
            next = None;
            reads.await
        } else {
            match select(std::pin::pin!(reads), std::pin::pin!(pages.next_page::<DeploymentRow>())).await {
                Either::Left((found, page)) => {
                    fill(&mut failed, found);
                    emit_some(emit, LoadEvent::Updated, failed);
                    next = page.await?;
                    continue;
                }
                Either::Right((page, reads)) => {
                    next = page?;
                    reads.await
                }
            }
        };
        fill(&mut failed, found);
        emit_some(emit, LoadEvent::Updated, failed);
    }
    Ok(())
}

fn emit_some(emit: &mut impl FnMut(LoadEvent), event: fn(Vec<Machine>) -> LoadEvent, machines: Vec<Machine>) {
    if !machines.is_empty() {
        emit(event(machines));
    }
}

/// One machine per id: the rows of a machine with several MDE extensions (or repeated by the
/// join) become one, keeping the worse extension ([`rows::keep_worse`]). Rows of other types
/// are left out.
fn merge(held: Option<Machine>, rows: &[DeploymentRow]) -> Vec<Machine> {
    let mut machines: Vec<Machine> = Vec::with_capacity(rows.len() + 1);
    let mut at: HashMap<String, usize> = HashMap::with_capacity(rows.len() + 1);
    for machine in held.into_iter().chain(rows.iter().filter_map(DeploymentRow::machine)) {
        match at.entry(machine.id.to_ascii_lowercase()) {
            Entry::Occupied(found) => {
                let kept = &mut machines[*found.get()];
                kept.extension = rows::keep_worse(kept.extension.take(), machine.extension);
            }
            Entry::Vacant(slot) => {
                slot.insert(machines.len());
                machines.push(machine);
            }
        }
    }
    machines
}

/// Resource Graph holds no instance view of VM extensions, so a failed VM extension comes
/// without its reason: those few are read through ARM (`$expand=instanceView`). Returns copies
/// of those machines, and the path of each one's extension.
fn wanted_messages(machines: &[Machine]) -> (Vec<Machine>, Vec<(usize, String)>) {
    let wanted = |machine: &Machine| {
        let ext = machine.extension.as_ref()?;
        let failed = ext.provisioning_state.eq_ignore_ascii_case("Failed");
        (machine.kind == MachineKind::Vm && failed && ext.message.is_none()).then(|| {
            format!(
                "{}/extensions/{}?api-version={COMPUTE}&$expand=instanceView",
                path_of(&machine.id),
                api::seg(&ext.name)
            )
        })
    };
    let (failed, paths): (Vec<Machine>, Vec<String>) =
        machines.iter().filter_map(|machine| Some((machine.clone(), wanted(machine)?))).unzip();
    (failed, paths.into_iter().enumerate().collect())
}

/// Reads the `wanted` extensions, `concurrency` at once. A read that fails leaves the message
/// unknown; it does not stop the load.
async fn vm_messages<T: Transport>(
    client: &ArmClient<T>,
    wanted: Vec<(usize, String)>,
    concurrency: usize,
) -> Vec<(usize, Option<String>)> {
    let reads = wanted.into_iter().map(|(i, path)| async move {
        let extension = client.get::<VmExtension>(&path).await.ok();
        (i, extension.and_then(|e| e.properties.instance_view.as_ref().and_then(rows::vm_extension_message)))
    });
    futures::stream::iter(reads).buffer_unordered(concurrency).collect().await
}

/// The machines whose reason was found, with it.
fn fill(machines: &mut Vec<Machine>, found: Vec<(usize, Option<String>)>) {
    for (i, message) in found {
        if let Some(ext) = machines[i].extension.as_mut() {
            ext.message = message;
        }
    }
    machines.retain(|m| m.extension.as_ref().is_some_and(|e| e.message.is_some()));
}

/// An ARM id as a path, each segment escaped (an id comes from an answer: it must not change
/// the path's shape).
fn path_of(id: &str) -> String {
    id.split('/').filter(|s| !s.is_empty()).map(|s| format!("/{}", api::seg(s))).collect()
}

/// One request of the fallback.
enum Job {
    Vms(usize),
    Arcs(usize),
    /// A subscription's machine (by its index among the subscription's VMs or Arc machines).
    VmExtensions(usize, usize),
    ArcExtensions(usize, usize),
}

enum Answer {
    Vms(usize, Result<Vec<VirtualMachine>, ArmFailure>),
    Arcs(usize, Result<Vec<ArcMachine>, ArmFailure>),
    VmExtensions(usize, usize, Result<Vec<VmExtension>, ArmFailure>),
    ArcExtensions(usize, usize, Result<Vec<ArcExtension>, ArmFailure>),
}

impl Answer {
    fn subscription(&self) -> usize {
        match self {
            Answer::Vms(s, _) | Answer::Arcs(s, _) | Answer::VmExtensions(s, _, _) | Answer::ArcExtensions(s, _, _) => {
                *s
            }
        }
    }
}

/// One subscription on the fallback: its machines so far (`None`: gone before its extensions
/// were read), the requests still to answer, and whether it failed.
#[derive(Default)]
struct Listing {
    vms: Vec<Option<Machine>>,
    arcs: Vec<Option<Machine>>,
    pending: usize,
    failed: bool,
}

type Request<'a> = Pin<Box<dyn Future<Output = Answer> + 'a>>;

/// ARM per subscription, `concurrency` requests at once across all of them. A subscription's
/// extension reads go before the next subscription's lists, so that each finishes (and shows)
/// early.
async fn from_arm<T: Transport>(
    client: &ArmClient<T>,
    subscriptions: &[String],
    concurrency: usize,
    sent: &mut HashSet<String>,
    emit: &mut impl FnMut(LoadEvent),
) {
    let mut listings: Vec<Listing> =
        subscriptions.iter().map(|_| Listing { pending: 2, ..Listing::default() }).collect();
    let mut queue: VecDeque<Job> = (0..subscriptions.len()).flat_map(|s| [Job::Vms(s), Job::Arcs(s)]).collect();
    let mut running: FuturesUnordered<Request<'_>> = FuturesUnordered::new();
    let (mut failures, mut first_failure) = (0, None);
    loop {
        while running.len() < concurrency {
            let Some(job) = queue.pop_front() else { break };
            if let Some(request) = start(client, subscriptions, &listings, job) {
                running.push(request);
            }
        }
        let Some(answer) = running.next().await else { break };
        let s = answer.subscription();
        if listings[s].failed {
            continue;
        }
        match take(&mut listings[s], answer, &subscriptions[s]) {
            // Depth first: this subscription's next requests before the next subscription's.
            Ok(more) => more.into_iter().rev().for_each(|job| queue.push_front(job)),
            Err(why @ ArmFailure::SignInAgain(_)) => return emit(LoadEvent::Failed(why)),
            Err(why) => {
                listings[s].failed = true;
                failures += 1;
                first_failure.get_or_insert_with(|| why.clone());
                emit(LoadEvent::SubscriptionFailed { subscription_id: subscriptions[s].clone(), why });
                continue;
            }
        }
        let listing = &mut listings[s];
        listing.pending -= 1;
        if listing.pending == 0 {
            let mut machines: Vec<Machine> = listing.vms.drain(..).chain(listing.arcs.drain(..)).flatten().collect();
            machines.retain(|m| sent.insert(m.id.to_ascii_lowercase()));
            if !machines.is_empty() {
                emit(LoadEvent::Machines(machines));
            }
        }
    }
    match first_failure {
        Some(why) if failures == subscriptions.len() => emit(LoadEvent::Failed(why)),
        _ => emit(LoadEvent::Done { source: Source::Arm }),
    }
}

/// The request of `job`; `None` when its subscription has failed meanwhile.
fn start<'a, T: Transport>(
    client: &'a ArmClient<T>,
    subscriptions: &[String],
    listings: &[Listing],
    job: Job,
) -> Option<Request<'a>> {
    let id_of = |machine: &Option<Machine>| machine.as_ref().map(|m| path_of(&m.id));
    Some(match job {
        Job::Vms(s) if !listings[s].failed => {
            let path = format!(
                "/subscriptions/{}/providers/Microsoft.Compute/virtualMachines?api-version={COMPUTE}&statusOnly=true",
                api::seg(&subscriptions[s])
            );
            Box::pin(async move { Answer::Vms(s, client.list(&path).await) })
        }
        Job::Arcs(s) if !listings[s].failed => {
            let path = format!(
                "/subscriptions/{}/providers/Microsoft.HybridCompute/machines?api-version={HYBRID_COMPUTE}",
                api::seg(&subscriptions[s])
            );
            Box::pin(async move { Answer::Arcs(s, client.list(&path).await) })
        }
        Job::VmExtensions(s, i) if !listings[s].failed => {
            let path = format!("{}/extensions?api-version={COMPUTE}&$expand=instanceView", id_of(&listings[s].vms[i])?);
            Box::pin(async move { Answer::VmExtensions(s, i, client.list(&path).await) })
        }
        Job::ArcExtensions(s, i) if !listings[s].failed => {
            let path = format!("{}/extensions?api-version={HYBRID_COMPUTE}", id_of(&listings[s].arcs[i])?);
            Box::pin(async move { Answer::ArcExtensions(s, i, client.list(&path).await) })
        }
        _ => return None,
    })
}

/// Takes one answer into its subscription's listing; returns the requests it leads to.
fn take(listing: &mut Listing, answer: Answer, subscription_id: &str) -> Result<Vec<Job>, ArmFailure> {
    let mut more = Vec::new();
    match answer {
        Answer::Vms(s, vms) => {
            for vm in unregistered_is_empty(vms)? {
                more.push(Job::VmExtensions(s, listing.vms.len()));
                listing.vms.push(Some(rows::vm_machine(&vm, subscription_id, None)));
            }
        }
        Answer::Arcs(s, arcs) => {
            for arc in unregistered_is_empty(arcs)? {
                more.push(Job::ArcExtensions(s, listing.arcs.len()));
                listing.arcs.push(Some(rows::arc_machine(&arc, subscription_id, None)));
            }
        }
        Answer::VmExtensions(_, i, extensions) => {
            let mde = gone_is_none(extensions)?
                .map(|all| all.iter().filter(|e| is_mde_extension(*e)).map(rows::vm_extension).reduce(keep_worse));
            set_extension(&mut listing.vms[i], mde);
        }
        Answer::ArcExtensions(_, i, extensions) => {
            let mde = gone_is_none(extensions)?
                .map(|all| all.iter().filter(|e| is_mde_extension(*e)).map(rows::arc_extension).reduce(keep_worse));
            set_extension(&mut listing.arcs[i], mde);
        }
    }
    listing.pending += more.len();
    Ok(more)
}

fn keep_worse(kept: super::MdeExtension, other: super::MdeExtension) -> super::MdeExtension {
    rows::keep_worse(Some(kept), Some(other)).expect("both are there")
}

/// `None` (the machine is gone) drops it; otherwise its MDE extension, if any.
fn set_extension(machine: &mut Option<Machine>, mde: Option<Option<super::MdeExtension>>) {
    match (machine.as_mut(), mde) {
        (Some(m), Some(extension)) => m.extension = extension,
        _ => *machine = None,
    }
}

/// A subscription where the provider (`Microsoft.HybridCompute`, `Microsoft.Compute`) was
/// never registered has none of its machines: ARM says so with a 409, not an empty list.
fn unregistered_is_empty<M>(listed: Result<Vec<M>, ArmFailure>) -> Result<Vec<M>, ArmFailure> {
    match listed {
        Err(failure) if failure.code().eq_ignore_ascii_case("MissingSubscriptionRegistration") => Ok(Vec::new()),
        other => other,
    }
}

/// A machine deleted between the list and its extensions answers 404: `None`, not a failure.
fn gone_is_none<E>(listed: Result<Vec<E>, ArmFailure>) -> Result<Option<Vec<E>>, ArmFailure> {
    match listed {
        Ok(all) => Ok(Some(all)),
        Err(failure) if failure.status() == Some(404) => Ok(None),
        Err(failure) => Err(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, extension: Option<&str>, state: &str) -> DeploymentRow {
        DeploymentRow {
            id: Some(id.into()),
            resource_type: Some("microsoft.compute/virtualmachines".into()),
            extension_name: extension.map(Into::into),
            provisioning_state: Some(state.into()),
            ..DeploymentRow::default()
        }
    }

    #[test]
    fn rows_of_one_machine_merge_across_a_held_machine_and_case() {
        let a = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/a";
        let held = merge(None, &[row(a, Some("MDE.Windows"), "Succeeded")]).pop();
        let rows = [
            row(&a.to_uppercase(), Some("MDE.Linux"), "Failed"),
            row("/x/b", None, ""),
            DeploymentRow { resource_type: Some("microsoft.network/virtualnetworks".into()), ..row("/x/c", None, "") },
        ];
        let machines = merge(held, &rows);
        assert_eq!(machines.len(), 2, "a once, b once, the network left out");
        let ext = machines[0].extension.as_ref().unwrap();
        assert_eq!((ext.name.as_str(), ext.provisioning_state.as_str()), ("MDE.Linux", "Failed"));
        assert_eq!(machines[0].id, a, "the first row's id is kept");
    }

    #[test]
    fn ids_become_escaped_paths() {
        assert_eq!(path_of("/subscriptions/s/resourceGroups/r g/x?y"), "/subscriptions/s/resourceGroups/r%20g/x%3Fy");
    }
}
