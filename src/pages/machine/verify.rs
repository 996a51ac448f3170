//! The test alert and the sensor check of one machine: the seed's steps with copy buttons,
//! "Run it from here" behind a confirmation that shows the exact script, the command's output,
//! the alert watch, and the sensor's health.

use leptos::prelude::*;
use mde_core::arm::alerts::{Alert, AlertProperties};
use mde_core::portal::{alert_links, defender_portal_url};
use mde_core::time::{civil, hms};
use mde_core::verify::run_command::{Command, Purpose, RunOutput};
use mde_core::verify::watch::{State, GUIDANCE};
use mde_core::verify::{refusal, sensor, test_alert};

use super::store::{self, Ran};
use super::Loaded;
use crate::browser::{copy_text, now_ms};
use crate::components::dialog::Dialog;
use crate::session::Session;

#[component]
pub fn Verify(loaded: Loaded) -> impl IntoView {
    let session = expect_context::<Session>();
    let machine = loaded.machine;
    // Why Run Command cannot be offered: the machine, or the user's permissions.
    let refused = match &loaded.permissions {
        Ok(permissions) => refusal(&machine, permissions).map(|r| r.reason()),
        Err(failure) => Some(format!("Your permissions in this subscription could not be read: {failure}")),
    };
    let verify: RwSignal<store::Verify> = store::verify_of(&session, &machine.id).into();
    let asking = RwSignal::new(None::<Command>);
    let Some(alert) = test_alert::for_os(machine.os) else {
        return view! { <p class="notice">"ARM does not say which OS this machine runs: no test alert or sensor check fits it."</p> }.into_any();
    };
    let test = Command::new(&machine, Purpose::TestAlert);
    let check = Command::new(&machine, Purpose::SensorCheck);
    let demo = session.demo;
    // The alert comes from Defender for Endpoint on the machine: say so before anyone waits an hour.
    let not_onboarded =
        !machine.extension.as_ref().is_some_and(|e| e.provisioning_state.eq_ignore_ascii_case("Succeeded"));
    // A command that may have run is not offered again until its run state is read ("Check
    // whether it ran" does that, and runs it only if it did not).
    let run_button = |command: Option<Command>, label: &'static str| {
        let reason = refused.clone();
        let purpose = command.as_ref().map(|c| c.purpose);
        let unsure = move || {
            verify.with(|v| match purpose {
                Some(Purpose::TestAlert) => matches!(v.test, Some(Ran::MayHaveRun(..))),
                Some(Purpose::SensorCheck) => matches!(v.sensor, Some(Ran::MayHaveRun(..))),
                None => false,
            })
        };
        let refused = reason.is_some();
        view! {
            <button disabled=move || refused || unsure() aria-describedby=reason.as_ref().map(|_| "run-refused")
                on:click=move |_| asking.set(command.clone())>{label}</button>
        }
    };
    let by_hand = {
        let (session, test) = (session.clone(), test.clone());
        move |_| {
            if let Some(command) = &test {
                store::start_watch(&session, command, now_ms());
            }
        }
    };
    view! {
        <section aria-labelledby="test-alert">
            <h2 id="test-alert">"Test alert"</h2>
            <p>"Expected alert: "<strong>{alert.alert_name}</strong>", severity "<strong>{alert.severity}</strong>
                ". It shows in Security alerts within minutes."</p>
            <ol class="steps">
                {alert.steps.iter().map(|step| view! {
                    <li>{step.text}{step.command.map(|command| view! {
                        <pre class="code">{command}</pre>
                        <button on:click=move |_| copy_text(command) aria-label=format!("Copy: {}", step.text)>"Copy"</button>
                    })}</li>
                }).collect_view()}
            </ol>
            {not_onboarded.then(|| view! {
                <p class="notice" role="note">"The MDE extension has not installed on this machine (see its readiness above): unless Defender for Endpoint was onboarded another way, the test alert will not arrive."</p>
            })}
            {demo.then(|| view! {
                <p class="notice" role="note">"Simulated: in the demo nothing runs anywhere. The demo tenant answers Run Command itself and raises the alert a few seconds later."</p>
            })}
            <p class="actions">
                {run_button(test.clone(), "Run it from here…")}
                <button on:click=by_hand>"I ran it myself: watch for the alert"</button>
            </p>
            {refused.clone().map(|why| view! { <p id="run-refused" class="refused">{why}</p> })}
            {move || verify.with(|v| v.test.clone()).map(|ran| view! { <Output ran=ran/> })}
            <Watch verify=verify/>
        </section>
        <section aria-labelledby="sensor">
            <h2 id="sensor">"Sensor health"</h2>
            <p>{match machine.os {
                mde_core::arm::machines::OsFamily::Windows => "Reads Get-MpComputerStatus and sc.exe query sense (read-only).",
                _ => "Reads mdatp health --field healthy --field licensed (read-only).",
            }}</p>
            <p class="actions">{run_button(check, "Check the sensor…")}</p>
            {move || verify.with(|v| v.sensor.clone()).map(|ran| match ran {
                Ran::Done(out) => view! { <Health out=out os=machine.os/> }.into_any(),
                other => view! { <Output ran=other/> }.into_any(),
            })}
        </section>
        {move || asking.get().map(|command| view! { <Confirm command=command asking=asking/> })}
    }
    .into_any()
}

/// "Run the … on …?": the machine, the request and the exact script.
#[component]
fn Confirm(command: Command, asking: RwSignal<Option<Command>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let request = format!("{} {}", command.method(), session.client.url(&command.path("mde-console-…")));
    let what = match command.purpose {
        Purpose::TestAlert => test_alert::consent(command.os).unwrap_or_default(),
        Purpose::SensorCheck => "Read-only: it changes nothing on the machine.",
    };
    let title = format!("Run the {} on {}?", command.purpose.label(), command.machine_name);
    let run = {
        let command = command.clone();
        move |_| {
            asking.set(None);
            store::send(&session, command.clone().confirmed(now_ms()), false);
        }
    };
    view! {
        <Dialog labelled_by="run-title" described_by="run-what" on_close=move |_| asking.set(None)>
            <h2 id="run-title">{title}</h2>
            <p id="run-what">{what}" Azure runs it as "{command.command_id()}" with the machine's own rights (SYSTEM or root)."</p>
            <dl class="facts">
                <dt>"Machine"</dt><dd>{command.machine_id.clone()}</dd>
                <dt>"Request"</dt><dd><code>{request}</code></dd>
            </dl>
            <p>"The script, exactly:"</p>
            <pre class="code">{command.script()}</pre>
            <p class="actions">
                <button class="primary" autofocus on:click=run>"Run"</button>
                <button on:click=move |_| asking.set(None)>"Cancel"</button>
            </p>
        </Dialog>
    }
}

/// A command's progress, then what it printed.
#[component]
fn Output(ran: Ran) -> impl IntoView {
    match ran {
        Ran::Sending => view! {
            <p role="status">"Sent. Azure runs it through the machine's agent; this takes a minute or more."</p>
        }
        .into_any(),
        Ran::Refused(why) => view! { <p class="problem" role="alert">{why}</p> }.into_any(),
        Ran::MayHaveRun(command, why) => {
            let session = expect_context::<Session>();
            view! {
                <div class="problem may-have-run" role="alert">
                    <p>{why}</p>
                    <p class="actions">
                        <button on:click=move |_| store::send(&session, command.clone(), true)>"Check whether it ran"</button>
                    </p>
                </div>
            }
            .into_any()
        }
        Ran::Done(out) => view! {
            <div class="output" role="status">
                <p>{match (out.succeeded, out.exit_code) {
                    (true, _) => "The command ran.".to_string(),
                    (false, Some(code)) => format!("The command failed (exit code {code}). {}", out.message),
                    (false, None) => format!("The command failed. {}", out.message),
                }}</p>
                <pre class="code" aria-label="Output">{if out.stdout.is_empty() { "(no output)".to_string() } else { out.stdout.clone() }}</pre>
                {(!out.stderr.trim().is_empty()).then(|| view! { <pre class="code" aria-label="Errors">{out.stderr.clone()}</pre> })}
            </div>
        }
        .into_any(),
    }
}

/// The sensor's health, parsed, with the raw output.
#[component]
fn Health(out: RunOutput, os: mde_core::arm::machines::OsFamily) -> impl IntoView {
    let health = sensor::parse(os, &store::text(&out));
    let word = |v: Option<bool>| match v {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not reported",
    };
    let verdict = match (out.succeeded, health.is_good()) {
        (false, _) => format!("The check did not run to its end. {}", out.message),
        (true, true) => "The sensor is healthy.".to_string(),
        (true, false) => "The sensor needs attention.".to_string(),
    };
    view! {
        <div class="output" role="status">
            <p><strong>{verdict}</strong></p>
            <dl class="facts health">
                <dt>"Healthy"</dt><dd>{word(health.healthy)}</dd>
                <dt>"Licensed"</dt><dd>{word(health.licensed)}</dd>
                <dt>"Running"</dt><dd>{word(health.running)}</dd>
            </dl>
            <details><summary>"Raw output"</summary><pre class="code">{health.raw}</pre></details>
        </div>
    }
}

fn clock(ms: u64) -> String {
    format!("{} UTC", hms(civil(ms).1))
}

fn duration(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..=59 => format!("{s} s"),
        _ => format!("{} min {} s", s / 60, s % 60),
    }
}

/// The alert watch, live (polite: it changes every poll).
#[component]
fn Watch(verify: RwSignal<store::Verify>) -> impl IntoView {
    let session = expect_context::<Session>();
    let demo = session.demo;
    let tenant = Some(session.tenant_id.clone()).filter(|_| !demo);
    view! {
        <div class="watch" aria-live="polite">
            {move || verify.with(|v| v.watch.clone()).map(|(target, state)| match state {
                State::Watching { polls, next_poll_ms } => view! {
                    <p>{format!(
                        "Watching Security alerts for {} since {}: {} so far, next look at {}.",
                        target.expected_name, clock(target.started_ms),
                        match polls { 1 => "1 look".to_string(), n => format!("{n} looks") },
                        clock(next_poll_ms)
                    )}</p>
                }.into_any(),
                State::Arrived(arrival) => {
                    let alert = Alert {
                        id: arrival.alert_id.clone(),
                        name: String::new(),
                        properties: AlertProperties { alert_uri: arrival.alert_uri.clone(), ..Default::default() },
                    };
                    let links = alert_links(&session.cloud, tenant.as_deref(), &alert);
                    let defender = links.defender.or_else(|| defender_portal_url(&session.cloud, tenant.as_deref()));
                    view! {
                        <div class="arrived">
                            <p><strong>{if demo { "The alert arrived (simulated)." } else { "The alert arrived." }}</strong></p>
                            <dl class="facts">
                                <dt>"Alert"</dt><dd>{arrival.name.clone()}</dd>
                                <dt>"Severity"</dt><dd>{arrival.severity.clone()}</dd>
                                <dt>"Time"</dt><dd>{arrival.time.clone()}</dd>
                                <dt>"Took"</dt><dd>{duration(arrival.took_ms)}</dd>
                            </dl>
                            <p>
                                {links.azure.map(|href| view! { <a href=href target="_blank" rel="noopener noreferrer">"The alert in the Azure portal ↗"</a>" · " })}
                                {defender.map(|href| view! { <a href=href target="_blank" rel="noopener noreferrer">"Microsoft Defender portal ↗"</a> })}
                            </p>
                        </div>
                    }.into_any()
                }
                State::GaveUp { .. } => view! { <p class="problem">{GUIDANCE}</p> }.into_any(),
                State::Failed { message } => view! { <p class="problem">{format!("The watch stopped: {message}")}</p> }.into_any(),
            })}
        </div>
    }
}
