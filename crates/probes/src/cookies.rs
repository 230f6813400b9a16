//! A minimal cookie jar: enough to carry a WordPress session across requests.
//!
//! All requests go to one host, so cookies are keyed by name only and sent back on every
//! request, whatever their Path or Domain: a test that logs in wants the session cookies
//! everywhere. The only attributes honoured are the ones that *delete* a cookie
//! (`Max-Age` ≤ 0, an `Expires` in the past, or PHP's historical value `deleted`), because
//! a logout test must see the session cookies disappear.

use std::time::{SystemTime, UNIX_EPOCH};

/// Cookies received through `Set-Cookie`, in the order they were first set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<(String, String)>,
}

impl CookieJar {
    /// An empty jar.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of cookie `name` (exact, case-sensitive as cookies are), if stored.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// All `(name, value)` pairs, e.g. to find WordPress's `wordpress_logged_in_<hash>`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.cookies.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of stored cookies.
    #[must_use]
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// True when no cookie is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }

    /// Forgets every cookie (a fresh "browser").
    pub fn clear(&mut self) {
        self.cookies.clear();
    }

    /// Applies one `Set-Cookie` header value: stores or replaces the cookie, or removes it
    /// when the header deletes it. Malformed headers (no `=`, empty name) are ignored, as
    /// RFC 6265 §5.2 tells user agents to do.
    pub fn apply_set_cookie(&mut self, header: &str) {
        let Some(parsed) = parse_set_cookie(header, unix_now()) else {
            return;
        };
        match parsed {
            SetCookie::Store { name, value } => {
                if let Some(slot) = self.cookies.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = value;
                } else {
                    self.cookies.push((name, value));
                }
            }
            SetCookie::Delete { name } => self.cookies.retain(|(n, _)| *n != name),
        }
    }

    /// The `Cookie` request header value (`a=1; b=2`), or `None` when the jar is empty.
    #[must_use]
    pub fn header_value(&self) -> Option<String> {
        if self.cookies.is_empty() {
            return None;
        }
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect();
        Some(pairs.join("; "))
    }
}

#[derive(Debug, PartialEq, Eq)]
enum SetCookie {
    Store { name: String, value: String },
    Delete { name: String },
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn parse_set_cookie(header: &str, now: i64) -> Option<SetCookie> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let (name, value) = (name.trim(), value.trim());
    // Cookie names and values cannot contain these; refusing them keeps the Cookie header
    // we send well-formed.
    if name.is_empty() || name.contains(['\r', '\n']) || value.contains(['\r', '\n']) {
        return None;
    }

    let mut max_age: Option<i64> = None;
    let mut expires: Option<i64> = None;
    for attr in parts {
        let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
        let key = key.trim();
        let val = val.trim();
        if key.eq_ignore_ascii_case("max-age") {
            // RFC 6265 §5.2.2: a leading '-' or a digit, then digits; otherwise ignore.
            let digits = val.strip_prefix('-').unwrap_or(val);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                max_age = Some(val.parse().unwrap_or(if val.starts_with('-') {
                    i64::MIN
                } else {
                    i64::MAX
                }));
            }
        } else if key.eq_ignore_ascii_case("expires") {
            if let Some(t) = parse_cookie_date(val) {
                expires = Some(t);
            }
        }
    }

    // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
    let expired = match (max_age, expires) {
        (Some(age), _) => age <= 0,
        (None, Some(t)) => t <= now,
        (None, None) => false,
    };
    let name = name.to_owned();
    if expired || value == "deleted" {
        Some(SetCookie::Delete { name })
    } else {
        Some(SetCookie::Store {
            name,
            value: value.to_owned(),
        })
    }
}

/// Parses a cookie date with the lenient algorithm of RFC 6265 §5.1.1, which accepts the
/// RFC 1123, RFC 850 and asctime forms alike. Returns seconds since the Unix epoch.
fn parse_cookie_date(s: &str) -> Option<i64> {
    let is_delim = |c: char| matches!(c, '\t' | '\x20'..='\x2f' | '\x3b'..='\x40' | '\x5b'..='\x60' | '\x7b'..='\x7e');
    let mut time = None;
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for token in s.split(is_delim).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y);
            }
        }
    }
    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// `min..=max` leading digits, optionally followed by a non-digit and anything.
fn leading_digits(token: &str, min: usize, max: usize) -> Option<i64> {
    let n = token.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    token[..n].parse().ok()
}

/// `hh:mm:ss` with one or two digits each, optionally followed by non-digit junk.
fn parse_time(token: &str) -> Option<(i64, i64, i64)> {
    let mut fields = token.splitn(3, ':');
    let h = fields.next()?;
    let m = fields.next()?;
    let s = fields.next()?;
    let all_digits = |f: &str| (1..=2).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    Some((h.parse().ok()?, m.parse().ok()?, leading_digits(s, 1, 2)?))
}

fn parse_month(token: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let prefix = token.get(..3)?;
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(prefix))
        .and_then(|i| i64::try_from(i + 1).ok())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000; // 2023-11-14

    #[test]
    fn dates_in_every_historical_format() {
        let epoch = Some(0);
        assert_eq!(parse_cookie_date("Thu, 01 Jan 1970 00:00:00 GMT"), epoch);
        assert_eq!(parse_cookie_date("Thu, 01-Jan-1970 00:00:00 GMT"), epoch);
        assert_eq!(parse_cookie_date("Thursday, 01-Jan-70 00:00:00 GMT"), epoch);
        assert_eq!(parse_cookie_date("Thu Jan  1 00:00:00 1970"), epoch);
        assert_eq!(
            parse_cookie_date("Tue, 14 Nov 2023 22:13:20 GMT"),
            Some(NOW)
        );
        assert_eq!(
            parse_cookie_date("Sun, 29 Feb 2032 12:00:00 GMT"),
            Some(1_961_668_800)
        );
        assert_eq!(parse_cookie_date("not a date"), None);
        assert_eq!(parse_cookie_date("Thu, 32 Jan 1970 00:00:00 GMT"), None);
    }

    #[test]
    fn store_and_replace() {
        assert_eq!(
            parse_set_cookie("a=1; Path=/; HttpOnly", NOW),
            Some(SetCookie::Store {
                name: "a".into(),
                value: "1".into()
            })
        );
        let mut jar = CookieJar::new();
        jar.apply_set_cookie("wordpress_test_cookie=WP%20Cookie%20check; path=/; secure");
        jar.apply_set_cookie("b=2");
        jar.apply_set_cookie("wordpress_test_cookie=again");
        assert_eq!(jar.get("wordpress_test_cookie"), Some("again"));
        assert_eq!(
            jar.header_value().as_deref(),
            Some("wordpress_test_cookie=again; b=2")
        );
        assert_eq!(jar.len(), 2);
    }

    #[test]
    fn values_may_contain_equals_and_be_empty() {
        let mut jar = CookieJar::new();
        jar.apply_set_cookie("tok=a=b==; Secure");
        jar.apply_set_cookie("empty=");
        assert_eq!(jar.get("tok"), Some("a=b=="));
        assert_eq!(jar.get("empty"), Some(""));
    }

    #[test]
    fn malformed_headers_are_ignored() {
        let mut jar = CookieJar::new();
        jar.apply_set_cookie("novalue");
        jar.apply_set_cookie("=orphan");
        jar.apply_set_cookie("");
        assert!(jar.is_empty());
    }

    #[test]
    fn deletions() {
        let del = |h: &str| parse_set_cookie(h, NOW);
        let gone = Some(SetCookie::Delete { name: "s".into() });
        assert_eq!(del("s=x; Max-Age=0"), gone);
        assert_eq!(del("s=x; max-age=-1"), gone);
        assert_eq!(del("s=x; expires=Thu, 01-Jan-1970 00:00:01 GMT"), gone);
        assert_eq!(del("s=deleted; path=/"), gone);
        // WordPress's logout: a space value, an expiry a year ago.
        assert_eq!(
            del("s=+; expires=Mon, 14-Nov-2022 22:13:20 GMT; Max-Age=0; path=/wp-admin"),
            gone
        );
        // Max-Age wins over Expires, both ways.
        assert_eq!(
            del("s=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60"),
            Some(SetCookie::Store {
                name: "s".into(),
                value: "x".into()
            })
        );
        // A future expiry and a bad Max-Age keep the cookie.
        assert!(matches!(
            del("s=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=soon"),
            Some(SetCookie::Store { .. })
        ));
    }

    #[test]
    fn jar_removes_deleted_cookie() {
        let mut jar = CookieJar::new();
        jar.apply_set_cookie("keep=1");
        jar.apply_set_cookie("s=x");
        jar.apply_set_cookie("s=; Max-Age=0");
        assert_eq!(jar.get("s"), None);
        assert_eq!(jar.iter().collect::<Vec<_>>(), vec![("keep", "1")]);
        jar.clear();
        assert_eq!(jar.header_value(), None);
    }
}
