//! Following an ARM long-running operation to its end: a DELETE that ARM answered 202.
//!
//! ARM names two polling URLs: `Azure-AsyncOperation` (a status JSON, `InProgress` until
//! `Succeeded`, `Failed` or `Canceled`, with ARM's `error` on failure) and `Location` (202 until
//! done, then the answer the call would have had: 200/204, or the error). The first is preferred
//! when both come. Each poll waits what `Retry-After` asks (capped), or a backoff of our own.
//!
//! A browser may not expose those headers to the page (CORS): then the deleted resource itself
//! is watched until ARM answers 404, as it is when the status URL refuses us (tracking needs a
//! read on the resource group, starting needs only the resource). Polling URLs are followed only
//! on the ARM host, as `nextLink`s are: a hostile header cannot send the token elsewhere.

use http::{HeaderName, Method, StatusCode};
use serde::Deserialize;

use crate::arm::ArmError;
use crate::client::{retry_after_ms, ArmClient};
use crate::error::ArmFailure;
use crate::transport::{Response, Transport};

pub use crate::transport::AZURE_ASYNC_OPERATION;

/// How long and how often to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Give up (the operation may still finish) after this long.
    pub time_limit_ms: u64,
    /// The first wait when ARM gave no readable `Retry-After`; doubles each poll.
    pub first_wait_ms: u64,
    /// Never wait longer than this between polls, whatever `Retry-After` says.
    pub max_wait_ms: u64,
}

impl Default for Limits {
    /// An extension's removal takes seconds to minutes (the machine's agent does it); 15
    /// minutes is long past what a healthy one takes.
    fn default() -> Self {
        Limits { time_limit_ms: 15 * 60_000, first_wait_ms: 2_000, max_wait_ms: 30_000 }
    }
}

/// How the operation ended, as far as we could tell.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded,
    /// ARM ended it `Failed` or `Canceled` (`status`), with its `error` when it gave one.
    Failed {
        status: String,
        error: Option<ArmError>,
    },
    /// Still running when the time limit came.
    TimedOut {
        waited_ms: u64,
    },
}

/// What was polled to learn the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// ARM answered 200/204: done at once, nothing to poll.
    Answer,
    AsyncOperation,
    Location,
    /// The resource itself, until 404: the headers were unreadable, or the status URL refused us.
    Resource,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub outcome: Outcome,
    pub via: Via,
    /// Polls sent (the first answer not counted).
    pub polls: u32,
}

/// The status JSON behind `Azure-AsyncOperation`.
#[derive(Debug, Deserialize)]
struct OperationStatus {
    status: String,
    #[serde(default)]
    error: Option<ArmError>,
}

/// A resource's `properties.provisioningState`, all the resource watch needs.
#[derive(Debug, Default, Deserialize)]
struct Provisioning {
    #[serde(default)]
    properties: Option<ProvisioningProperties>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProvisioningProperties {
    #[serde(default)]
    provisioning_state: Option<String>,
}

/// Where the next poll goes.
enum Target {
    AsyncOperation(String),
    Location(String),
    Resource,
}

/// One poll's verdict.
enum Step {
    Done(Outcome),
    /// Not yet; the answer (for its `Retry-After`), and a new `Location` when it named one.
    Again(Option<Response>),
    /// The status URL will not tell us: watch the resource instead.
    WatchResource,
}

/// Follows the deletion ARM `accepted` (the DELETE's answer) until it ends or `limits` run out.
/// `resource_path` (an ARM path with api-version) is the deleted resource, watched when the
/// polling headers cannot be read. `Err`: a poll failed in a way that says nothing about the
/// operation (sign-in ended, network gone, a polling URL off the ARM host).
pub async fn follow_delete<T: Transport>(
    client: &ArmClient<T>,
    accepted: &Response,
    resource_path: &str,
    limits: &Limits,
) -> Result<Followed, ArmFailure> {
    if accepted.status() != StatusCode::ACCEPTED {
        return Ok(Followed { outcome: Outcome::Succeeded, via: Via::Answer, polls: 0 });
    }
    let target = match (header(accepted, &AZURE_ASYNC_OPERATION), header(accepted, &http::header::LOCATION)) {
        (Some(url), _) => Target::AsyncOperation(polling_url(client, url)?),
        (None, Some(url)) => Target::Location(polling_url(client, url)?),
        (None, None) => Target::Resource,
    };
    poll(client, target, accepted.clone(), resource_path, limits).await
}

/// Watches a resource whose deletion is already under way (its polling URLs unknown: a run
/// cut off by a reload, a deletion started elsewhere) until ARM answers 404 or `limits` run out.
pub async fn watch_deletion<T: Transport>(
    client: &ArmClient<T>,
    resource_path: &str,
    limits: &Limits,
) -> Result<Followed, ArmFailure> {
    let nothing = http::Response::new(Vec::new());
    poll(client, Target::Resource, nothing, resource_path, limits).await
}

async fn poll<T: Transport>(
    client: &ArmClient<T>,
    mut target: Target,
    mut last: Response,
    resource_path: &str,
    limits: &Limits,
) -> Result<Followed, ArmFailure> {
    let started = client.transport().now_ms();
    let (mut slept, mut polls) = (0u64, 0u32);
    loop {
        let waited = client.transport().now_ms().saturating_sub(started).max(slept);
        if waited >= limits.time_limit_ms {
            return Ok(Followed { outcome: Outcome::TimedOut { waited_ms: waited }, via: via(&target), polls });
        }
        let wait = wait_ms(&last, polls, limits);
        client.transport().sleep(wait).await;
        slept += wait;
        polls += 1;
        let step = match &target {
            Target::AsyncOperation(url) => poll_status(client, url).await?,
            Target::Location(url) => poll_location(client, url).await?,
            Target::Resource => watch_resource(client, resource_path).await?,
        };
        match step {
            Step::Done(outcome) => return Ok(Followed { outcome, via: via(&target), polls }),
            Step::WatchResource => target = Target::Resource,
            Step::Again(Some(answer)) => {
                if let (Target::Location(url), Some(next)) = (&mut target, header(&answer, &http::header::LOCATION)) {
                    *url = polling_url(client, next)?;
                }
                last = answer;
            }
            Step::Again(None) => {}
        }
    }
}

fn via(target: &Target) -> Via {
    match target {
        Target::AsyncOperation(_) => Via::AsyncOperation,
        Target::Location(_) => Via::Location,
        Target::Resource => Via::Resource,
    }
}

fn header<'r>(response: &'r Response, name: &HeaderName) -> Option<&'r str> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// An absolute polling URL on the ARM host (a relative one is taken as ARM's path).
fn polling_url<T: Transport>(client: &ArmClient<T>, url: &str) -> Result<String, ArmFailure> {
    let absolute = if url.starts_with('/') { client.url(url) } else { url.to_string() };
    client.same_host(absolute).map_err(|_| {
        ArmFailure::Unreadable(format!("the operation's polling URL points outside {}: {url}", client.arm_url()))
    })
}

/// `Retry-After` as ARM asked (at least half a second, at most the cap), else our backoff.
fn wait_ms(last: &Response, polls: u32, limits: &Limits) -> u64 {
    let backoff = || limits.first_wait_ms.saturating_mul(1 << polls.min(10));
    retry_after_ms(last).unwrap_or_else(backoff).clamp(500, limits.max_wait_ms.max(500))
}

/// Whether a refused poll means "you may not read this status" rather than anything about the
/// operation: then the resource is watched instead.
fn cannot_track(failure: &ArmFailure) -> bool {
    matches!(failure.status(), Some(403 | 404))
}

async fn poll_status<T: Transport>(client: &ArmClient<T>, url: &str) -> Result<Step, ArmFailure> {
    let answer = match client.send(Method::GET, url.to_string(), None).await {
        Ok(answer) => answer,
        Err(failure) if cannot_track(&failure) => return Ok(Step::WatchResource),
        // A 4xx/5xx here is about reading the status, not about the operation.
        Err(failure) => return Err(failure),
    };
    let status: OperationStatus =
        serde_json::from_slice(answer.body()).map_err(|e| ArmFailure::Unreadable(format!("operation status: {e}")))?;
    Ok(match terminal(&status.status) {
        Some(Outcome::Succeeded) => Step::Done(Outcome::Succeeded),
        Some(_) => Step::Done(Outcome::Failed { status: status.status, error: status.error }),
        None => Step::Again(Some(answer)),
    })
}

async fn poll_location<T: Transport>(client: &ArmClient<T>, url: &str) -> Result<Step, ArmFailure> {
    match client.send(Method::GET, url.to_string(), None).await {
        Ok(answer) if answer.status() == StatusCode::ACCEPTED => Ok(Step::Again(Some(answer))),
        Ok(_) => Ok(Step::Done(Outcome::Succeeded)),
        Err(failure) if cannot_track(&failure) => Ok(Step::WatchResource),
        // Done: the answer the DELETE would have had, an error.
        Err(ArmFailure::Http { status, code, message, details, additional_info, .. }) if status != 401 => {
            let error = ArmError { code, message, target: None, details, additional_info };
            Ok(Step::Done(Outcome::Failed { status: "Failed".into(), error: Some(error) }))
        }
        Err(failure) => Err(failure),
    }
}

/// The deleted resource: 404 is done; a terminal `Failed`/`Canceled` state is the failure.
async fn watch_resource<T: Transport>(client: &ArmClient<T>, path: &str) -> Result<Step, ArmFailure> {
    let answer = match client.send(Method::GET, client.url(path), None).await {
        Ok(answer) => answer,
        Err(failure) if failure.status() == Some(404) => return Ok(Step::Done(Outcome::Succeeded)),
        Err(failure) => return Err(failure),
    };
    let state = serde_json::from_slice::<Provisioning>(answer.body())
        .ok()
        .and_then(|r| r.properties)
        .and_then(|p| p.provisioning_state)
        .unwrap_or_default();
    Ok(match terminal(&state) {
        Some(Outcome::Failed { .. }) => Step::Done(Outcome::Failed { status: state, error: None }),
        // Still there: not yet deleted, whatever its state says.
        _ => Step::Again(None),
    })
}

/// ARM's terminal states (any case): `Succeeded`, `Failed`, `Canceled`; the rest mean running.
fn terminal(status: &str) -> Option<Outcome> {
    let status = status.trim();
    if status.eq_ignore_ascii_case("Succeeded") {
        Some(Outcome::Succeeded)
    } else if status.eq_ignore_ascii_case("Failed") || status.eq_ignore_ascii_case("Canceled") {
        Some(Outcome::Failed { status: status.to_string(), error: None })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::transport::{Request, TransportError};

    /// Answers from a script, in order; records the URLs sent and the waits.
    #[derive(Default)]
    struct Script {
        answers: RefCell<Vec<Response>>,
        sent: RefCell<Vec<String>>,
        slept: RefCell<Vec<u64>>,
    }

    impl Transport for Script {
        async fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.sent.borrow_mut().push(request.uri().to_string());
            Ok(self.answers.borrow_mut().remove(0))
        }
        async fn sleep(&self, ms: u64) {
            self.slept.borrow_mut().push(ms);
        }
        fn now_ms(&self) -> u64 {
            7
        }
    }

    const ARM: &str = "https://management.azure.com";
    const EXT: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/extensions/MDE.Linux?api-version=2024-07-01";
    const STATUS: &str = "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/op1?api-version=2024-07-01";

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(body.as_bytes().to_vec()).unwrap()
    }

    fn follow(accepted: Response, answers: Vec<Response>, limits: Limits) -> (Result<Followed, ArmFailure>, Script) {
        let client = ArmClient::new(Script { answers: RefCell::new(answers), ..Script::default() }, ARM);
        let followed = futures::executor::block_on(follow_delete(&client, &accepted, EXT, &limits));
        let script = client.transport();
        let record =
            Script { answers: RefCell::default(), sent: script.sent.take().into(), slept: script.slept.take().into() };
        (followed, record)
    }

    #[test]
    fn the_status_url_is_followed_honouring_retry_after_until_it_fails() {
        let accepted = answer(
            202,
            &[("azure-asyncoperation", STATUS), ("location", "https://management.azure.com/x"), ("retry-after", "3")],
            "",
        );
        let failed =
            r#"{"status":"Failed","error":{"code":"VMExtensionProvisioningError","message":"the agent said no"}}"#;
        let answers = vec![
            answer(200, &[("retry-after", "5")], r#"{"status":"InProgress"}"#),
            answer(200, &[], r#"{"status":"Deleting"}"#),
            answer(200, &[], failed),
        ];
        let (followed, script) = follow(accepted, answers, Limits::default());
        let followed = followed.unwrap();
        assert_eq!(followed.via, Via::AsyncOperation);
        let Outcome::Failed { status, error: Some(error) } = followed.outcome else { panic!("{followed:?}") };
        assert_eq!(
            (status.as_str(), error.code.as_str(), error.message.as_str()),
            ("Failed", "VMExtensionProvisioningError", "the agent said no")
        );
        // 3 s then 5 s as ARM asked, then our own backoff (2 s doubled twice) where it said nothing.
        assert_eq!(*script.slept.borrow(), [3_000, 5_000, 8_000]);
        assert!(script.sent.borrow().iter().all(|u| u == STATUS));
    }

    #[test]
    fn location_is_polled_until_204_and_a_new_location_is_taken() {
        let first = "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/x/operationResults/1?api-version=1";
        let second = "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/x/operationResults/2?api-version=1";
        let accepted = answer(202, &[("location", first)], "");
        let answers = vec![answer(202, &[("location", second)], ""), answer(204, &[], "")];
        let (followed, script) = follow(accepted, answers, Limits::default());
        assert_eq!(followed.unwrap(), Followed { outcome: Outcome::Succeeded, via: Via::Location, polls: 2 });
        assert_eq!(*script.sent.borrow(), [first, second]);

        // Done with a failure: Location answers what the DELETE would have, ARM's error.
        let refused = r#"{"error":{"code":"VMExtensionProvisioningError","message":"Uninstall failed"}}"#;
        let (followed, _) =
            follow(answer(202, &[("location", first)], ""), vec![answer(409, &[], refused)], Limits::default());
        let Outcome::Failed { error: Some(error), .. } = followed.unwrap().outcome else { panic!("not failed") };
        assert_eq!((error.code.as_str(), error.message.as_str()), ("VMExtensionProvisioningError", "Uninstall failed"));
    }

    #[test]
    fn without_readable_headers_the_resource_is_watched_until_404() {
        let gone = r#"{"error":{"code":"NotFound","message":"The entity was not found in this Azure location."}}"#;
        let answers =
            vec![answer(200, &[], r#"{"properties":{"provisioningState":"Deleting"}}"#), answer(404, &[], gone)];
        let (followed, script) = follow(answer(202, &[], ""), answers, Limits::default());
        assert_eq!(followed.unwrap(), Followed { outcome: Outcome::Succeeded, via: Via::Resource, polls: 2 });
        assert_eq!(script.sent.borrow()[0], format!("{ARM}{EXT}"));
        assert_eq!(*script.slept.borrow(), [2_000, 4_000]);
    }

    #[test]
    fn a_polling_url_off_the_arm_host_is_never_sent_the_token() {
        let accepted = answer(202, &[("azure-asyncoperation", "https://management.azure.com.evil.example/op")], "");
        let (followed, script) = follow(accepted, vec![], Limits::default());
        let failure = followed.unwrap_err();
        assert!(failure.to_string().contains("polling URL points outside https://management.azure.com"), "{failure}");
        assert!(script.sent.borrow().is_empty());
    }

    #[test]
    fn done_at_once_needs_no_poll_and_a_slow_one_times_out() {
        let (followed, _) = follow(answer(204, &[], ""), vec![], Limits::default());
        assert_eq!(followed.unwrap(), Followed { outcome: Outcome::Succeeded, via: Via::Answer, polls: 0 });

        let accepted = answer(202, &[("azure-asyncoperation", STATUS), ("retry-after", "10")], "");
        let running = || answer(200, &[("retry-after", "10")], r#"{"status":"InProgress"}"#);
        let limits = Limits { time_limit_ms: 25_000, ..Limits::default() };
        let (followed, script) = follow(accepted, vec![running(), running(), running()], limits);
        let followed = followed.unwrap();
        assert_eq!(followed.outcome, Outcome::TimedOut { waited_ms: 30_000 });
        assert_eq!(script.sent.borrow().len(), 3);
    }

    #[test]
    fn a_refused_status_url_falls_back_to_the_resource() {
        let denied = r#"{"error":{"code":"AuthorizationFailed","message":"no read on the resource group"}}"#;
        let accepted = answer(202, &[("azure-asyncoperation", STATUS)], "");
        let answers =
            vec![answer(403, &[], denied), answer(200, &[], r#"{"properties":{"provisioningState":"Failed"}}"#)];
        let (followed, _) = follow(accepted, answers, Limits::default());
        let followed = followed.unwrap();
        assert_eq!(followed.via, Via::Resource);
        assert_eq!(followed.outcome, Outcome::Failed { status: "Failed".into(), error: None });
    }
}
