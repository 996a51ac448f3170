//! ARM's request budgets (token buckets per subscription, Resource Graph's per-user window), for
//! the `x-ms-ratelimit-remaining-*` headers and, when enforced, for 429s.

use std::collections::HashMap;

/// Which budget a request spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Budget {
    Reads,
    Writes,
    /// Resource Graph: 15 queries per 5 s window per user.
    Graph,
}

/// ARM's 2024 model: reads 250 burst refilled 25/s, writes 200 refilled 10/s.
fn shape(budget: Budget) -> (f64, f64) {
    match budget {
        Budget::Reads => (250.0, 25.0),
        Budget::Writes => (200.0, 10.0),
        Budget::Graph => (15.0, 0.0),
    }
}

const GRAPH_WINDOW_MS: u64 = 5_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    since_ms: u64,
}

/// What is left after a request, and how long to wait when nothing was.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Spent {
    pub remaining: u64,
    /// Set when the bucket was empty: seconds until one more request fits.
    pub retry_after_s: Option<u64>,
    /// Resource Graph only: ms until the window resets.
    pub resets_after_ms: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Limits {
    buckets: HashMap<(String, Budget), Bucket>,
}

impl Limits {
    /// Spends one request from `scope`'s `budget` at `now_ms`.
    pub fn spend(&mut self, scope: &str, budget: Budget, now_ms: u64) -> Spent {
        let (capacity, per_s) = shape(budget);
        let bucket =
            self.buckets.entry((scope.to_string(), budget)).or_insert(Bucket { level: capacity, since_ms: now_ms });
        refill(bucket, budget, capacity, per_s, now_ms);
        let resets_after_ms = (bucket.since_ms + GRAPH_WINDOW_MS).saturating_sub(now_ms);
        if bucket.level < 1.0 {
            let wait_ms = if per_s > 0.0 { ((1.0 - bucket.level) / per_s * 1000.0) as u64 } else { resets_after_ms };
            return Spent { remaining: 0, retry_after_s: Some(wait_ms.div_ceil(1000).max(1)), resets_after_ms };
        }
        bucket.level -= 1.0;
        Spent { remaining: bucket.level as u64, retry_after_s: None, resets_after_ms }
    }
}

fn refill(bucket: &mut Bucket, budget: Budget, capacity: f64, per_s: f64, now_ms: u64) {
    if budget == Budget::Graph {
        // A fixed window, as ARG documents it, rather than a leaky bucket.
        if now_ms >= bucket.since_ms + GRAPH_WINDOW_MS {
            *bucket = Bucket { level: capacity, since_ms: now_ms };
        }
        return;
    }
    let elapsed_s = now_ms.saturating_sub(bucket.since_ms) as f64 / 1000.0;
    bucket.level = (bucket.level + elapsed_s * per_s).min(capacity);
    bucket.since_ms = now_ms.max(bucket.since_ms);
}

/// `hh:mm:ss`, the format of `x-ms-user-quota-resets-after`.
pub(crate) fn hh_mm_ss(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_run_out_and_refill() {
        let mut limits = Limits::default();
        for _ in 0..200 {
            assert!(limits.spend("s", Budget::Writes, 0).retry_after_s.is_none());
        }
        assert_eq!(limits.spend("s", Budget::Writes, 0).retry_after_s, Some(1));
        assert_eq!(limits.spend("s", Budget::Writes, 1000).remaining, 9);
    }

    #[test]
    fn graph_window_resets() {
        let mut limits = Limits::default();
        for _ in 0..15 {
            limits.spend("u", Budget::Graph, 0);
        }
        let spent = limits.spend("u", Budget::Graph, 1000);
        assert_eq!(spent.retry_after_s, Some(4));
        assert_eq!(hh_mm_ss(spent.resets_after_ms), "00:00:04");
        assert_eq!(limits.spend("u", Budget::Graph, 5000).remaining, 14);
    }
}
