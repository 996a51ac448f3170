//! Injected failures (latency, 429, 5xx, dropped requests, lost answers, the lost or failed
//! answers of Run Commands that ran, held requests, write conflicts) and the seeded PRNG behind
//! them, so that a failing run can be replayed with the same `--seed`.

use std::collections::HashMap;

/// Failures to inject, per run. `Default` injects none.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Fixed latency added to every answer (`Reply::delay_ms`).
    pub latency_ms: u64,
    /// Extra latency, uniform in `0..=jitter_ms`.
    pub jitter_ms: u64,
    /// Probability (0..=1) that an ARM request is answered 429.
    pub rate_429: f64,
    /// After this many ARM requests to one subscription (or to the tenant level), that scope is
    /// throttled for `retry_after_s` seconds; then the count starts again.
    pub after_429: Option<u64>,
    /// The `Retry-After` (seconds) of injected 429s and 503s.
    pub retry_after_s: u64,
    /// Probability (0..=1) that an ARM request is answered 500 or 503.
    pub rate_5xx: f64,
    /// Probability (0..=1) that an ARM request gets no answer at all (it never reached ARM).
    pub drop_rate: f64,
    /// Probability (0..=1) that an ARM request is carried out but its answer is lost (the
    /// connection drops on the way back): a write is applied though the client never learns it.
    pub lost_answer_rate: f64,
    /// Run Commands (a VM's `runCommand` POST, an Arc `runCommands` PUT) that start are run,
    /// then their answer is lost (the connection drops), until this many have been: the
    /// command ran though the client never learns it, so it must not send it again.
    pub lose_run_answers: u64,
    /// Then Run Commands that start are run and answered 504 `GatewayTimeout`, until this many
    /// have been, as when ARM gives up waiting on the provider that runs them.
    pub fail_run_answers: u64,
    /// Probability (0..=1) that an ARM write is answered 409 `Conflict` "Another update operation
    /// is in progress", as when a policy remediation or a deployment is writing to the
    /// subscription at the same time (besides the app's own overlapping writes, always on).
    pub conflict_rate: f64,
    /// The first `hang_first` ARM requests to each subscription (and to the tenant level) are
    /// answered only after `hang_ms` more: long enough for a client to give up on them, as on
    /// a request Azure never answers. Later ones are answered as usual, so a retry succeeds.
    pub hang_first: u64,
    pub hang_ms: u64,
    /// Enforce ARM's own per-subscription buckets (reads 250 + 25/s, writes 200 + 10/s) and
    /// Resource Graph's 15 queries per 5 s, answering 429 when empty. The
    /// `x-ms-ratelimit-remaining-*` headers count down either way.
    pub rate_limits: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            jitter_ms: 0,
            rate_429: 0.0,
            after_429: None,
            retry_after_s: 1,
            rate_5xx: 0.0,
            drop_rate: 0.0,
            lost_answer_rate: 0.0,
            lose_run_answers: 0,
            fail_run_answers: 0,
            conflict_rate: 0.0,
            hang_first: 0,
            hang_ms: 0,
            rate_limits: false,
        }
    }
}

/// splitmix64: tiny, seedable and good enough for test traffic (no `getrandom` in the browser).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// A random GUID-looking string, as ARM uses for request ids.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | (b >> 48) & 0x3fff,
            b & 0xffff_ffff_ffff
        )
    }
}

/// What the fault layer does to the answer of a Run Command that started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AfterRun {
    /// Lost on the way back.
    Lose,
    /// Replaced by a 504.
    GatewayTimeout,
}

/// What the fault layer decided for one request, before it reaches the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Injected {
    /// No answer at all.
    Drop,
    /// 429 with this `Retry-After` (seconds).
    Throttle(u64),
    /// 500 or 503.
    ServerError(u16),
}

/// How many faults were injected so far, by kind (a test's or a benchmark's figures).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Injections {
    /// Requests that got no answer (`drop_rate`).
    pub dropped: u64,
    /// Requests carried out whose answer was lost (`lost_answer_rate`, `lose_run_answers`).
    pub lost_answers: u64,
    /// 429s, by rate or by count (not ARM's own budgets, `rate_limits`).
    pub throttled: u64,
    /// 500s and 503s by rate, and the 504s of `fail_run_answers`.
    pub server_errors: u64,
    /// Transient 409 `Conflict`s: by rate, overlapping writes, and the scenario's `conflictingWrites`.
    pub conflicts: u64,
}

/// Per-run fault bookkeeping: the PRNG, request counts and windows per scope.
#[derive(Debug)]
pub(crate) struct FaultState {
    rng: Rng,
    /// The draws of the faults added later (lost answers, conflicts by rate): a stream apart, so
    /// that a replay of the earlier faults with the same seed stays the same.
    later: Rng,
    pub injected: Injections,
    counts: HashMap<String, u64>,
    throttled_until: HashMap<String, u64>,
    writing_until: HashMap<String, u64>,
    held: HashMap<String, u64>,
    /// The answers of Run Commands lost, and failed, so far.
    lost_runs: u64,
    failed_runs: u64,
}

impl FaultState {
    pub fn new(seed: u64) -> Self {
        FaultState {
            rng: Rng::new(seed),
            later: Rng::new(seed ^ 0x10_57_A5_5E),
            injected: Injections::default(),
            counts: HashMap::new(),
            throttled_until: HashMap::new(),
            writing_until: HashMap::new(),
            held: HashMap::new(),
            lost_runs: 0,
            failed_runs: 0,
        }
    }

    /// Latency for one answer. Draws exactly one number, whatever the settings, so that turning
    /// jitter on or off does not shift the rest of the replay.
    pub fn latency(&mut self, faults: &Faults) -> u64 {
        let draw = self.rng.next_u64();
        faults.latency_ms + draw % (faults.jitter_ms + 1)
    }

    /// The extra delay of one ARM request to `scope` (see [`Faults::hang_first`]). Draws no
    /// number, so holding requests does not change the rest of a replay.
    pub fn hold(&mut self, faults: &Faults, scope: &str) -> u64 {
        if !cfg!(feature = "faults") || faults.hang_first == 0 || faults.hang_ms == 0 {
            return 0;
        }
        let held = self.held.entry(scope.to_string()).or_insert(0);
        if *held >= faults.hang_first {
            return 0;
        }
        *held += 1;
        faults.hang_ms
    }

    /// Decides the fate of one ARM request to `scope` (a subscription id, or "" for tenant-level
    /// calls). Always draws the same count of numbers, so a replay with the same seed and the same
    /// requests takes the same path.
    pub fn decide(&mut self, faults: &Faults, scope: &str, now_ms: u64) -> Option<Injected> {
        if !cfg!(feature = "faults") {
            return None;
        }
        let (drop, throttle, fail, which) = (self.rng.unit(), self.rng.unit(), self.rng.unit(), self.rng.below(2));
        let decided = if drop < faults.drop_rate {
            Some(Injected::Drop)
        } else if let Some(wait) = self.counted_throttle(faults, scope, now_ms) {
            Some(Injected::Throttle(wait))
        } else if throttle < faults.rate_429 {
            Some(Injected::Throttle(faults.retry_after_s))
        } else if fail < faults.rate_5xx {
            Some(Injected::ServerError(if which == 0 { 500 } else { 503 }))
        } else {
            None
        };
        match decided {
            Some(Injected::Drop) => self.injected.dropped += 1,
            Some(Injected::Throttle(_)) => self.injected.throttled += 1,
            Some(Injected::ServerError(_)) => self.injected.server_errors += 1,
            None => {}
        }
        decided
    }

    /// The fate of a request that reached ARM: `(conflict, lose the answer)`, where a conflict
    /// only applies to writes. Draws two numbers whatever the settings and the method.
    pub fn after_arrival(&mut self, faults: &Faults) -> (bool, bool) {
        if !cfg!(feature = "faults") {
            return (false, false);
        }
        let (conflict, lose) = (self.later.unit(), self.later.unit());
        (conflict < faults.conflict_rate, lose < faults.lost_answer_rate)
    }

    /// The fate of the answer of a Run Command that started (see [`Faults::lose_run_answers`]).
    /// Draws no number, so these faults do not change the rest of a replay.
    pub fn after_run(&mut self, faults: &Faults) -> Option<AfterRun> {
        if !cfg!(feature = "faults") {
            return None;
        }
        if self.lost_runs < faults.lose_run_answers {
            self.lost_runs += 1;
            self.injected.lost_answers += 1;
            Some(AfterRun::Lose)
        } else if self.failed_runs < faults.fail_run_answers {
            self.failed_runs += 1;
            self.injected.server_errors += 1;
            Some(AfterRun::GatewayTimeout)
        } else {
            None
        }
    }

    /// `after_429`: the first N requests to a scope pass, then the scope is throttled for
    /// `retry_after_s`; a client that honours `Retry-After` then gets N more.
    fn counted_throttle(&mut self, faults: &Faults, scope: &str, now_ms: u64) -> Option<u64> {
        let limit = faults.after_429?;
        if let Some(&until) = self.throttled_until.get(scope) {
            if now_ms < until {
                return Some((until - now_ms).div_ceil(1000).max(1));
            }
        }
        let count = self.counts.entry(scope.to_string()).or_insert(0);
        *count += 1;
        if *count <= limit {
            return None;
        }
        *count = 0;
        self.throttled_until.insert(scope.to_string(), now_ms + faults.retry_after_s * 1000);
        Some(faults.retry_after_s.max(1))
    }

    /// True when another write to `scope` is still within its delay window (ARM's 409
    /// "Another update operation is in progress"); otherwise opens this write's window.
    pub fn write_conflicts(&mut self, scope: &str, now_ms: u64, delay_ms: u64) -> bool {
        if self.writing_until.get(scope).is_some_and(|&until| now_ms < until) {
            self.injected.conflicts += 1;
            return true;
        }
        self.writing_until.insert(scope.to_string(), now_ms + delay_ms);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!((0..5).map(|_| a.next_u64()).collect::<Vec<_>>(), (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        assert_ne!(Rng::new(8).next_u64(), Rng::new(7).next_u64());
    }

    #[test]
    fn uuid_looks_like_one() {
        let id = Rng::new(1).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }

    #[test]
    fn counted_throttle_lets_n_through_then_waits() {
        let faults = Faults { after_429: Some(2), retry_after_s: 3, ..Default::default() };
        let mut state = FaultState::new(1);
        assert_eq!(state.decide(&faults, "s", 0), None);
        assert_eq!(state.decide(&faults, "s", 0), None);
        assert_eq!(state.decide(&faults, "s", 0), Some(Injected::Throttle(3)));
        assert_eq!(state.decide(&faults, "s", 1500), Some(Injected::Throttle(2)));
        assert_eq!(state.decide(&faults, "other", 1500), None);
        assert_eq!(state.decide(&faults, "s", 3000), None);
    }

    #[test]
    fn run_answers_are_lost_then_failed_as_many_times_as_asked() {
        let faults = Faults { lose_run_answers: 2, fail_run_answers: 1, ..Default::default() };
        let mut state = FaultState::new(1);
        let fates: Vec<Option<AfterRun>> = (0..4).map(|_| state.after_run(&faults)).collect();
        assert_eq!(fates, [Some(AfterRun::Lose), Some(AfterRun::Lose), Some(AfterRun::GatewayTimeout), None]);
        assert_eq!((state.injected.lost_answers, state.injected.server_errors), (2, 1));
        // One more lost answer asked for later (a test's second act): one more.
        let again = Faults { lose_run_answers: 3, ..faults };
        assert_eq!(state.after_run(&again), Some(AfterRun::Lose));
        assert_eq!(state.after_run(&again), None);
        assert_eq!(FaultState::new(1).after_run(&Faults::default()), None);
    }

    #[test]
    fn the_first_requests_of_each_scope_are_held_then_answered() {
        let faults = Faults { hang_first: 2, hang_ms: 60_000, ..Default::default() };
        let mut state = FaultState::new(1);
        let held: Vec<u64> = ["s", "", "s", "s", "other", ""].iter().map(|scope| state.hold(&faults, scope)).collect();
        assert_eq!(held, [60_000, 60_000, 60_000, 0, 60_000, 60_000]);
        assert_eq!(state.hold(&faults, ""), 0);
        assert_eq!(FaultState::new(1).hold(&Faults::default(), "s"), 0);
    }
}
