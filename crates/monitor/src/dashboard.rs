//! The dashboard page: one self-contained HTML file (inline CSS and JS, no external
//! resources) that fetches `api/state` every 5 s and redraws. Every URL in it is relative,
//! because nginx serves it under `/monitor/` and strips the prefix.

/// The page, embedded at compile time.
pub const HTML: &str = include_str!("../assets/dashboard.html");
