//! Watching `Microsoft.Security/alerts` of the machine's subscription for the alert the test
//! raised: politely (15 s, 30 s, then every 60 s), for at most an hour.

use serde::{Deserialize, Serialize};

use crate::api;
use crate::arm::alerts::Alert;
use crate::client::ArmClient;
use crate::transport::Transport;

/// The watch ends after this long without the alert.
pub const GIVE_UP_AFTER_MS: u64 = 60 * 60_000;

/// An alert generated up to this long before the command was sent still counts: Azure's clock
/// and the browser's differ a little.
pub const CLOCK_SKEW_MS: u64 = 2 * 60_000;

/// The wait before poll number `poll` (0 first): 15 s, 30 s, then 60 s.
pub fn wait_before(poll: u32) -> u64 {
    match poll {
        0 => 15_000,
        1 => 30_000,
        _ => 60_000,
    }
}

/// What the watch looks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub subscription_id: String,
    pub machine_id: String,
    pub machine_name: String,
    /// The test's alert name: preferred when several alerts name the machine.
    pub expected_name: String,
    /// When the command was sent (Unix ms).
    pub started_ms: u64,
}

/// The alert that arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arrival {
    pub name: String,
    pub severity: String,
    /// `timeGeneratedUtc` as Azure gave it.
    pub time: String,
    /// From the command to the alert's generation (or to when the watch saw it).
    pub took_ms: u64,
    /// The alert in the Azure portal (`alertUri`).
    pub alert_uri: Option<String>,
    pub alert_id: String,
}

/// Where the watch is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    Watching {
        polls: u32,
        next_poll_ms: u64,
    },
    Arrived(Arrival),
    /// An hour passed without the alert.
    GaveUp {
        waited_ms: u64,
    },
    /// The alerts cannot be read (e.g. no Security Reader): watching longer would not help.
    Failed {
        message: String,
    },
}

/// What an hour without the alert means, and what to do.
pub const GUIDANCE: &str = "No alert naming this machine reached Defender for Cloud within 60 minutes. \
That does not prove the sensor is broken: most test alerts arrive within minutes, a few take longer. \
Check the sensor below, look for the machine under Assets > Devices in the Defender portal (onboarded?), \
read the test command's output above, then search Security alerts for the machine again later.";

/// The alert for `target` among `alerts`: newer than the start (less the clock skew) and naming
/// the machine by resource id or as the compromised entity; the expected name first.
pub fn find<'a>(alerts: &'a [Alert], target: &Target) -> Option<&'a Alert> {
    let since = target.started_ms.saturating_sub(CLOCK_SKEW_MS);
    let names_machine = |a: &&Alert| {
        a.concerns(&target.machine_id)
            || a.properties.compromised_entity.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&target.machine_name))
    };
    let recent =
        |a: &&Alert| a.properties.time_generated_utc.as_deref().and_then(parse_iso_ms).is_some_and(|t| t >= since);
    let candidates: Vec<&Alert> = alerts.iter().filter(names_machine).filter(recent).collect();
    let expected = |a: &&&Alert| a.properties.alert_display_name.as_deref() == Some(target.expected_name.as_str());
    candidates.iter().find(expected).or(candidates.first()).copied()
}

/// The arrival as shown, `seen_ms` being when the watch saw it.
pub fn arrival(alert: &Alert, target: &Target, seen_ms: u64) -> Arrival {
    let p = &alert.properties;
    let generated = p.time_generated_utc.as_deref().and_then(parse_iso_ms).unwrap_or(seen_ms);
    Arrival {
        name: p.alert_display_name.clone().unwrap_or_else(|| alert.name.clone()),
        severity: p.severity.clone().unwrap_or_default(),
        time: p.time_generated_utc.clone().unwrap_or_default(),
        took_ms: generated.saturating_sub(target.started_ms),
        alert_uri: p.alert_uri.clone(),
        alert_id: alert.id.clone(),
    }
}

/// Polls until the alert arrives, the hour passes or the alerts cannot be read; `report` hears
/// every state. `started_ms` of the target may be in the past (a watch picked up again).
pub async fn watch<T: Transport>(client: &ArmClient<T>, target: &Target, mut report: impl FnMut(&State)) -> State {
    let path = api::alerts(&target.subscription_id);
    let mut polls = 0u32;
    loop {
        let now = client.transport().now_ms();
        let waited = now.saturating_sub(target.started_ms);
        if waited >= GIVE_UP_AFTER_MS {
            let end = State::GaveUp { waited_ms: waited };
            report(&end);
            return end;
        }
        let wait = wait_before(polls).min(GIVE_UP_AFTER_MS - waited);
        report(&State::Watching { polls, next_poll_ms: now + wait });
        client.transport().sleep(wait).await;
        polls += 1;
        match client.list::<Alert>(&path).await {
            Ok(alerts) => {
                if let Some(alert) = find(&alerts, target) {
                    let end = State::Arrived(arrival(alert, target, client.transport().now_ms()));
                    report(&end);
                    return end;
                }
            }
            Err(failure)
                if matches!(failure.status(), Some(401 | 403)) || failure.remedy() == crate::error::Remedy::SignIn =>
            {
                let end = State::Failed { message: failure.advice() };
                report(&end);
                return end;
            }
            // A blip (network, throttling past the client's retries): the next poll may do.
            Err(_) => {}
        }
    }
}

/// Unix ms of an ISO 8601 UTC time as ARM writes it (`2019-02-07T13:18:16.6733016Z`, or with an
/// offset such as `+00:00`).
pub fn parse_iso_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let (date, time) = text.split_once(['T', ' '])?;
    let mut d = date.split('-');
    let (y, m, day): (i64, i64, i64) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    let (clock, offset_s) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => {
            let zone = &time[at..];
            let offset = if zone.eq_ignore_ascii_case("z") {
                0
            } else {
                let sign = if zone.starts_with('-') { -1 } else { 1 };
                let (h, mi) = zone[1..].split_once(':').unwrap_or((&zone[1..], "0"));
                sign * (h.parse::<i64>().ok()? * 3600 + mi.parse::<i64>().ok()? * 60)
            };
            (&time[..at], offset)
        }
        None => (time, 0),
    };
    let (hms, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (h, mi, s): (i64, i64, i64) =
        (t.next()?.parse().ok()?, t.next()?.parse().ok()?, t.next().unwrap_or("0").parse().ok()?);
    let ms: i64 = format!("{:0<3}", frac.get(..3.min(frac.len()))?).parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let total = (days * 86_400 + h * 3600 + mi * 60 + s - offset_s) * 1000 + ms;
    u64::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::transport::{Request, Response, TransportError};

    #[test]
    fn backs_off_15_30_then_60() {
        let waits: Vec<u64> = (0..5).map(wait_before).collect();
        assert_eq!(waits, [15_000, 30_000, 60_000, 60_000, 60_000]);
    }

    #[test]
    fn iso_times_as_arm_writes_them() {
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso_ms("2024-03-01T12:00:00.1234567Z"), Some(1_709_294_400_123));
        assert_eq!(parse_iso_ms("2024-03-01T13:00:00+01:00"), Some(1_709_294_400_000));
        assert_eq!(parse_iso_ms("yesterday"), None);
        assert_eq!(parse_iso_ms("2024-13-01T00:00:00Z"), None);
    }

    /// A fake clock: sleeping moves it; every poll answers `alerts` (once `from_poll` is reached).
    struct Clock {
        now: RefCell<u64>,
        slept: RefCell<Vec<u64>>,
        polls: RefCell<u32>,
        alerts: String,
        from_poll: u32,
    }

    impl Transport for Clock {
        async fn send(&self, _: Request) -> Result<Response, TransportError> {
            *self.polls.borrow_mut() += 1;
            let body = if *self.polls.borrow() >= self.from_poll {
                self.alerts.clone()
            } else {
                r#"{"value":[]}"#.to_string()
            };
            Ok(http::Response::builder().status(200).body(body.into_bytes()).unwrap())
        }
        async fn sleep(&self, ms: u64) {
            self.slept.borrow_mut().push(ms);
            *self.now.borrow_mut() += ms;
        }
        fn now_ms(&self) -> u64 {
            *self.now.borrow()
        }
    }

    const START: u64 = 1_709_294_400_000; // 2024-03-01T12:00:00Z

    fn target() -> Target {
        Target {
            subscription_id: "s".into(),
            machine_id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1".into(),
            machine_name: "vm1".into(),
            expected_name: "Suspicious PowerShell CommandLine".into(),
            started_ms: START,
        }
    }

    fn clock(alerts: &str, from_poll: u32) -> ArmClient<Clock> {
        let transport = Clock {
            now: RefCell::new(START),
            slept: RefCell::default(),
            polls: RefCell::default(),
            alerts: alerts.into(),
            from_poll,
        };
        ArmClient::new(transport, "https://management.azure.com")
    }

    #[test]
    fn stops_after_an_hour_with_the_schedule_kept() {
        let client = clock(r#"{"value":[]}"#, 1);
        let mut seen = Vec::new();
        let end = futures::executor::block_on(watch(&client, &target(), |s| seen.push(s.clone())));
        assert_eq!(end, State::GaveUp { waited_ms: GIVE_UP_AFTER_MS });
        let slept = client.transport().slept.borrow().clone();
        assert_eq!(&slept[..4], &[15_000, 30_000, 60_000, 60_000]);
        assert_eq!(slept.iter().sum::<u64>(), GIVE_UP_AFTER_MS);
        // 15 s + 30 s + 59 waits of 60 s + the last 15 s.
        assert_eq!(slept.len(), 62);
        assert!(seen.iter().all(|s| !matches!(s, State::Arrived(_))));
        assert!(GUIDANCE.contains("60 minutes"));
    }

    #[test]
    fn the_alert_arrives_on_the_third_poll() {
        let alerts = r#"{"value":[
          {"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/alerts/old",
           "properties":{"alertDisplayName":"Suspicious PowerShell CommandLine","severity":"Informational","compromisedEntity":"vm1","timeGeneratedUtc":"2024-03-01T10:00:00Z"}},
          {"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/alerts/other",
           "properties":{"alertDisplayName":"Suspicious PowerShell CommandLine","severity":"Informational","compromisedEntity":"vm2","timeGeneratedUtc":"2024-03-01T12:01:00Z"}},
          {"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Security/locations/westeurope/alerts/new",
           "properties":{"alertDisplayName":"Suspicious PowerShell CommandLine","severity":"Informational","timeGeneratedUtc":"2024-03-01T12:00:40.5Z",
             "alertUri":"https://portal.azure.com/#blade/x","resourceIdentifiers":[{"type":"AzureResource","azureResourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/VM1"}]}}
        ]}"#;
        let client = clock(alerts, 3);
        let end = futures::executor::block_on(watch(&client, &target(), |_| {}));
        let State::Arrived(arrival) = end else { panic!("{end:?}") };
        assert!(arrival.alert_id.ends_with("/new"), "older alerts and other machines are not it");
        assert_eq!(
            (arrival.name.as_str(), arrival.severity.as_str()),
            ("Suspicious PowerShell CommandLine", "Informational")
        );
        assert_eq!(arrival.took_ms, 40_500);
        assert_eq!(arrival.alert_uri.as_deref(), Some("https://portal.azure.com/#blade/x"));
        assert_eq!(*client.transport().slept.borrow(), [15_000, 30_000, 60_000]);
    }
}
