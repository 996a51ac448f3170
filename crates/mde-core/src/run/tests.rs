//! The engine with a kind of its own: lanes, concurrency, Pause and Cancel, and the record.

use std::cell::RefCell;

use futures::executor::block_on;
use serde::{Deserialize, Serialize};

use super::*;
use crate::transport::{Request, TransportError};

/// Lets the other tasks run once: pending this time, woken at once.
async fn yield_now() {
    let mut yielded = false;
    futures::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await
}

/// A transport whose sleeps yield to the other tasks and count as time.
struct Clock(RefCell<u64>);

impl Transport for Clock {
    async fn send(&self, _: Request) -> Result<Response, TransportError> {
        unreachable!("the test kind sends nothing")
    }
    async fn sleep(&self, ms: u64) {
        *self.0.borrow_mut() += ms;
        yield_now().await;
    }
    fn now_ms(&self) -> u64 {
        *self.0.borrow()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Job {
    id: String,
    lane: String,
    skip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Done {
    failed: Option<Failure>,
}

/// Records what ran when, and how many ran at once in each lane and in all.
#[derive(Default)]
struct Jobs {
    log: RefCell<Vec<String>>,
    running: RefCell<Vec<String>>,
    most_at_once: RefCell<usize>,
    lane_overlap: RefCell<bool>,
}

impl Kind for Jobs {
    type Plan = Vec<Job>;
    type Item = Job;
    type Finished = Done;
    const NAME: &'static str = "jobs";
    const CSV_TARGET: &'static [&'static str] = &["id"];
    const CSV_DETAIL: &'static [&'static str] = &[];

    fn items(plan: &Vec<Job>) -> &[Job] {
        plan
    }
    fn target(item: &Job) -> &str {
        &item.id
    }
    fn name(item: &Job) -> &str {
        &item.id
    }
    fn subscription(item: &Job) -> &str {
        &item.lane
    }
    fn lane(item: &Job) -> &str {
        &item.lane
    }
    fn skip(item: &Job) -> Option<String> {
        item.skip.clone()
    }
    async fn send<T: Transport>(&self, client: &ArmClient<T>, _: &Vec<Job>, item: &Job, again: bool) -> Done {
        {
            let mut running = self.running.borrow_mut();
            if running.iter().any(|lane| lane.eq_ignore_ascii_case(&item.lane)) {
                *self.lane_overlap.borrow_mut() = true;
            }
            running.push(item.lane.clone());
            let mut most = self.most_at_once.borrow_mut();
            *most = (*most).max(running.len());
        }
        self.log.borrow_mut().push(format!("{}{}", item.id, if again { " again" } else { "" }));
        client.transport().sleep(10).await;
        let mut running = self.running.borrow_mut();
        let at = running.iter().position(|lane| lane == &item.lane).unwrap();
        running.remove(at);
        let failed = item.id.starts_with("bad").then(|| Failure::verdict("Bad", "it failed".into(), "retry"));
        Done { failed }
    }
    fn failure(finished: &Done) -> Option<&Failure> {
        finished.failed.as_ref()
    }
    fn audited(_: &Job, _: &Done) -> Vec<Audited> {
        Vec::new()
    }
    fn csv_target(row: &Row<Done>) -> Vec<String> {
        vec![row.target.clone()]
    }
    fn csv_detail(_: Option<&Done>) -> Vec<String> {
        Vec::new()
    }
}

fn job(id: &str, lane: &str) -> Job {
    Job { id: id.into(), lane: lane.into(), skip: None }
}

fn run(jobs: &Jobs, record: &mut Record<Jobs>, work: Vec<Work<Job>>, concurrency: usize, control: &Control) {
    let client = ArmClient::new(Clock(RefCell::new(1)), "https://management.azure.com");
    let plan = record.plan.clone();
    let record = RefCell::new(record);
    block_on(apply(jobs, &client, &plan, work, concurrency, control, |event| {
        record.borrow_mut().apply(&event);
    }));
}

#[test]
fn a_lane_is_written_one_item_at_a_time_and_lanes_run_side_by_side() {
    let plan = vec![job("a1", "sub-a"), job("b1", "sub-b"), job("a2", "SUB-A"), job("c1", "sub-c"), job("a3", "sub-a")];
    let mut record = Record::<Jobs>::new(plan);
    let jobs = Jobs::default();
    let work = record.work();
    run(&jobs, &mut record, work, 8, &Control::default());
    assert!(!*jobs.lane_overlap.borrow(), "two writes of one lane ran at once");
    // Three lanes at once, and a lane's items in the plan's order.
    assert_eq!(*jobs.most_at_once.borrow(), 3);
    let log = jobs.log.borrow();
    let order: Vec<&String> = log.iter().filter(|id| id.starts_with('a')).collect();
    assert_eq!(order, ["a1", "a2", "a3"]);
    assert_eq!(record.progress().done, 5);
}

#[test]
fn concurrency_bounds_the_lanes_in_flight() {
    let plan: Vec<Job> = (0..6).map(|i| job(&format!("j{i}"), &format!("lane-{i}"))).collect();
    let mut record = Record::<Jobs>::new(plan);
    let jobs = Jobs::default();
    let work = record.work();
    run(&jobs, &mut record, work, 2, &Control::default());
    assert_eq!(*jobs.most_at_once.borrow(), 2);
}

#[test]
fn cancel_leaves_the_rest_unstarted_and_continue_sends_them_again() {
    let plan = vec![job("a1", "a"), job("a2", "a"), Job { skip: Some("no permission".into()), ..job("s", "s") }];
    let mut record = Record::<Jobs>::new(plan);
    let control = Control::default();
    control.cancel();
    let jobs = Jobs::default();
    let work = record.work();
    run(&jobs, &mut record, work, 4, &control);
    assert!(jobs.log.borrow().is_empty());
    assert_eq!(record.not_finished(), ["a1", "a2"]);
    assert_eq!(record.rows[2].skip(), Some("no permission"));

    let again = record.not_finished();
    let work = record.requeue(&again);
    assert!(work.iter().all(|w| w.again));
    run(&jobs, &mut record, work, 4, &Control::default());
    assert_eq!(*jobs.log.borrow(), ["a1 again", "a2 again"]);
    assert_eq!(record.progress().done, 2);
}

#[test]
fn a_failed_item_is_offered_again_and_the_csv_says_why() {
    let mut record = Record::<Jobs>::new(vec![job("bad-1", "x"), job("good", "y")]);
    let jobs = Jobs::default();
    let work = record.work();
    run(&jobs, &mut record, work, 4, &Control::default());
    assert_eq!(record.failed(), ["bad-1"]);
    let csv = record.to_csv();
    assert_eq!(csv.lines().next(), Some("id,result,errorStatus,errorCode,errorMessage,advice,requestId"));
    assert!(csv.contains("bad-1,Failed,,Bad,it failed,retry,"), "{csv}");
}

#[test]
fn pause_holds_back_what_has_not_started() {
    let mut record = Record::<Jobs>::new(vec![job("a", "a"), job("b", "b")]);
    let control = Control::default();
    control.pause(true);
    let jobs = Jobs::default();
    let client = ArmClient::new(Clock(RefCell::new(1)), "https://management.azure.com");
    let plan = record.plan.clone();
    let work = record.work();
    let mut events = Vec::new();
    // Paused, the run only waits; cancelling a paused run starts nothing.
    let polls = RefCell::new(0);
    block_on(async {
        let run = apply(&jobs, &client, &plan, work, 4, &control, |e| events.push(e));
        let watch = async {
            while client.transport().now_ms() < 2_000 {
                *polls.borrow_mut() += 1;
                yield_now().await;
            }
            assert!(jobs.log.borrow().is_empty());
            control.cancel();
        };
        futures::join!(run, watch);
    });
    for event in &events {
        record.apply(event);
    }
    assert!(jobs.log.borrow().is_empty());
    assert_eq!(record.not_finished(), ["a", "b"]);
}
