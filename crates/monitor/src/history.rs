//! Fixed-size ring buffers of recent samples.

use serde_json::Value;
use std::collections::VecDeque;

/// The last `capacity` values pushed, oldest first; a missing reading is `None` (a gap in
/// the chart, `null` in JSON) so that series stay aligned in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring {
    values: VecDeque<Option<f64>>,
    capacity: usize,
}

impl Ring {
    /// An empty ring holding at most `capacity` (at least 1) values.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            values: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Appends a value, dropping the oldest when full.
    pub fn push(&mut self, value: Option<f64>) {
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(value.filter(|v| v.is_finite()));
    }

    /// Number of values held.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The most recent value.
    pub fn last(&self) -> Option<f64> {
        self.values.back().copied().flatten()
    }

    /// Values oldest first.
    pub fn iter(&self) -> impl Iterator<Item = Option<f64>> + '_ {
        self.values.iter().copied()
    }

    /// JSON array, oldest first, `null` for gaps.
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.iter()
                .map(|v| v.map_or(Value::Null, Value::from))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_n() {
        let mut r = Ring::new(3);
        assert!(r.is_empty());
        for i in 0..5 {
            r.push(Some(f64::from(i)));
        }
        r.push(None);
        assert_eq!(r.len(), 3);
        assert_eq!(
            r.iter().collect::<Vec<_>>(),
            vec![Some(3.0), Some(4.0), None]
        );
        assert_eq!(r.last(), None);
        assert_eq!(r.to_json().to_string(), "[3.0,4.0,null]");
    }

    #[test]
    fn non_finite_values_are_gaps() {
        let mut r = Ring::new(2);
        r.push(Some(f64::NAN));
        assert_eq!(r.to_json().to_string(), "[null]");
    }
}
