//! Calendar dates from Unix milliseconds, with no date crate (none is needed in the browser).

/// `YYYY-MM-DD` and the seconds into that day (UTC), by Howard Hinnant's days-to-civil algorithm.
pub fn civil(ms: u64) -> (String, u64) {
    let secs = ms / 1000;
    let z = (secs / 86_400) as i64 + 719_468;
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

/// `HH:MM:SS` of a number of seconds into a day.
pub fn hms(secs_of_day: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60)
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC).
pub fn iso_utc(ms: u64) -> String {
    let (date, secs) = civil(ms);
    format!("{date}T{}Z", hms(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_795_876_456_000), "2026-11-28T14:34:16Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(951_868_799_999), "2000-02-29T23:59:59Z");
    }
}
