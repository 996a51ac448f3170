//! Wall-clock formatting from the `now_ms` the caller passes in (the fake never reads a clock).

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

fn hms(secs_of_day: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs_of_day / 3600,
        secs_of_day / 60 % 60,
        secs_of_day % 60
    )
}

/// `YYYY-MM-DD` and the seconds into that day, from Unix milliseconds (Howard Hinnant's
/// days-to-civil algorithm, so no date crate is needed in the browser build).
fn civil(ms: u64) -> (String, u64) {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (format!("{year:04}-{month:02}-{day:02}"), secs % 86_400)
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
