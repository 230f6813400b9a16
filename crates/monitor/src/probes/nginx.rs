//! nginx's `stub_status` page over HTTP.
//!
//! ```text
//! Active connections: 2
//! server accepts handled requests
//!  15 15 31
//! Reading: 0 Writing: 1 Waiting: 1
//! ```

use super::Reading;
use anyhow::{bail, Context, Result};
use std::time::Duration;

/// Parses the stub_status text.
pub fn parse_stub_status(text: &str) -> Result<Reading> {
    let mut r = Reading::default();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let active = lines
        .next()
        .and_then(|l| l.strip_prefix("Active connections:"))
        .context("no \"Active connections:\" line (is this a stub_status page?)")?;
    r.value(
        "active",
        active.trim().parse().context("malformed active count")?,
    );
    if lines.next() != Some("server accepts handled requests") {
        bail!("no \"server accepts handled requests\" line");
    }
    let counters: Vec<f64> = lines
        .next()
        .context("no counters line")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .context("malformed counters")?;
    let [accepted, handled, requests] = counters[..] else {
        bail!("expected three counters, got {}", counters.len());
    };
    r.value("accepted", accepted);
    r.value("handled", handled);
    r.value("requests", requests);
    let states = lines.next().context("no Reading/Writing/Waiting line")?;
    let words: Vec<&str> = states.split_whitespace().collect();
    for pair in words.chunks(2) {
        if let [name, value] = pair {
            let key = name.trim_end_matches(':').to_ascii_lowercase();
            if matches!(key.as_str(), "reading" | "writing" | "waiting") {
                r.value(&key, value.parse().context("malformed connection state")?);
            }
        }
    }
    if !["reading", "writing", "waiting"]
        .iter()
        .all(|k| r.values.contains_key(*k))
    {
        bail!("incomplete Reading/Writing/Waiting line");
    }
    Ok(r)
}

/// Probes nginx's stub_status at `url`.
pub fn probe(url: &str, timeout: Duration) -> Result<Reading> {
    let resp = crate::engine::get(url, timeout)?;
    if resp.status != 200 {
        bail!("{url} answered HTTP {}", resp.status);
    }
    parse_stub_status(&String::from_utf8_lossy(&resp.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stub_status() {
        let text = "Active connections: 291 \nserver accepts handled requests\n \
                    16630948 16630946 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n";
        let r = parse_stub_status(text).expect("parses");
        let v = |k: &str| r.values.get(k).copied();
        assert_eq!(v("active"), Some(291.0));
        assert_eq!(v("accepted"), Some(16_630_948.0));
        assert_eq!(v("handled"), Some(16_630_946.0));
        assert_eq!(v("requests"), Some(31_070_465.0));
        assert_eq!(
            (v("reading"), v("writing"), v("waiting")),
            (Some(6.0), Some(179.0), Some(106.0))
        );
    }

    #[test]
    fn rejects_other_pages() {
        assert!(parse_stub_status("<html>404 Not Found</html>").is_err());
        assert!(parse_stub_status("Active connections: 1\nserver accepts handled requests\n 1 2\nReading: 0 Writing: 1 Waiting: 0\n").is_err());
        assert!(parse_stub_status(
            "Active connections: 1\nserver accepts handled requests\n 1 2 3\nReading: 0\n"
        )
        .is_err());
    }
}
