//! Wall-clock formatting from the `now_ms` the caller passes in (the fake never reads a clock).

use mde_core::time::{civil, hms};

/// `2024-05-01T12:34:56.7890000Z`: ARM's style (seven fractional digits).
pub(crate) fn iso8601(ms: u64) -> String {
    let (date, secs_of_day) = civil(ms);
    let frac = (ms % 1000) * 10_000;
    format!("{date}T{}.{frac:07}Z", hms(secs_of_day))
}

/// `2024-05-01 12:34:56Z`: the `timestamp` of Entra ID's error bodies.
pub(crate) fn entra_timestamp(ms: u64) -> String {
    let (date, secs_of_day) = civil(ms);
    format!("{date} {}Z", hms(secs_of_day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.0000000Z");
        assert_eq!(iso8601(1_709_294_400_123), "2024-03-01T12:00:00.1230000Z");
        assert_eq!(entra_timestamp(951_782_400_000), "2000-02-29 00:00:00Z");
    }
}
