//! HTTP dates (RFC 9110 §5.6.7): formatting as IMF-fixdate and parsing the three formats a
//! recipient must accept, at one-second resolution.
//!
//! `Last-Modified` and `Date` are written as `Sun, 06 Nov 1994 08:49:37 GMT`;
//! `If-Modified-Since` is read in that format, in the obsolete RFC 850 format
//! (`Sunday, 06-Nov-94 08:49:37 GMT`) and in asctime format (`Sun Nov  6 08:49:37 1994`).
//! A date that parses in none of them is ignored, as the RFC requires.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the Unix epoch (clamped to 0 for times before it).
pub fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The time `seconds` after the Unix epoch.
pub fn from_unix_seconds(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// Formats `time` as an IMF-fixdate, for example `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format(time: SystemTime) -> String {
    let secs = unix_seconds(time);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    // 1970-01-01 was a Thursday, the first entry of DAYS.
    let weekday = DAYS[usize::try_from(days % 7).unwrap_or(0)];
    format!(
        "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        MONTHS[usize::try_from(month - 1).unwrap_or(0)],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses an HTTP date in any of the three accepted formats; `None` when it is invalid.
pub fn parse(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    let (day, month, year, clock) = match fields.as_slice() {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        [weekday, day, month, year, clock, "GMT"] if weekday.ends_with(',') => {
            (*day, *month, year.parse::<u64>().ok()?, *clock)
        }
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        [weekday, date, clock, "GMT"] if weekday.ends_with(',') => {
            let mut parts = date.split('-');
            let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || year.len() != 2 {
                return None;
            }
            let short: u64 = year.parse().ok()?;
            // RFC 9110: a two-digit year more than 50 years in the future is in the past
            // century; with the dates this server meets, 70..99 is 19xx and 00..69 is 20xx.
            let year = if short >= 70 {
                1900 + short
            } else {
                2000 + short
            };
            (day, month, year, *clock)
        }
        // asctime: "Sun Nov  6 08:49:37 1994"
        [_weekday, month, day, clock, year] => (*day, *month, year.parse::<u64>().ok()?, *clock),
        _ => return None,
    };
    if !day.bytes().all(|b| b.is_ascii_digit()) || day.is_empty() || day.len() > 2 {
        return None;
    }
    let day: u64 = day.parse().ok()?;
    let month = u64::try_from(MONTHS.iter().position(|m| *m == month)? + 1).ok()?;
    let mut hms = clock.split(':');
    let (h, m, s) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() || [h, m, s].iter().any(|part| part.len() != 2) {
        return None;
    }
    let (h, m, s): (u64, u64, u64) = (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?);
    // 60 is a leap second; it is accepted and counted as the next second.
    if !(1970..=9999).contains(&year) || day == 0 || day > 31 || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(from_unix_seconds(days * 86_400 + h * 3600 + m * 60 + s))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm),
/// for years from 1970 on.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).saturating_sub(719_468)
}

/// The (year, month, day) of a day count since 1970-01-01 (inverse of `days_from_civil`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: u64 = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn formats_the_rfc_example() {
        assert_eq!(
            format(from_unix_seconds(EXAMPLE)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(format(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            format(from_unix_seconds(951_782_400)),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
    }

    #[test]
    fn parses_all_three_formats() {
        let expected = Some(from_unix_seconds(EXAMPLE));
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(parse("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
        assert_eq!(parse("Sun Nov  6 08:49:37 1994"), expected);
    }

    #[test]
    fn round_trips() {
        for secs in [
            0,
            59,
            86_399,
            86_400,
            951_782_400,
            1_700_000_000,
            4_102_444_800,
        ] {
            let time = from_unix_seconds(secs);
            assert_eq!(parse(&format(time)), Some(time), "{secs}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 25:00:00 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
