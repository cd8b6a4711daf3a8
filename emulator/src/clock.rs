//! The emulator's notion of "now": the wall clock plus an offset that tests can advance
//! (to reach the 24-hour job-id reuse window, or finish jobs without sleeping).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug)]
pub(crate) struct Clock {
    origin_wall: SystemTime,
    origin: Instant,
    offset: Duration,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            origin_wall: SystemTime::now(),
            origin: Instant::now(),
            offset: Duration::ZERO,
        }
    }

    /// Monotonic from the emulator's start, so job phases never run backwards.
    pub(crate) fn now(&self) -> SystemTime {
        self.origin_wall + self.origin.elapsed() + self.offset
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset += by;
    }

    pub(crate) fn offset(&self) -> Duration {
        self.offset
    }
}

/// Epoch seconds with millisecond precision, the way QuickSight writes timestamps.
pub(crate) fn epoch_seconds(at: SystemTime) -> f64 {
    let millis = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
    millis as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_by_the_offset() {
        let mut clock = Clock::new();
        let before = clock.now();
        clock.advance(Duration::from_secs(86_400));
        let after = clock.now();
        assert!(after.duration_since(before).unwrap() >= Duration::from_secs(86_400));
        assert_eq!(clock.offset(), Duration::from_secs(86_400));
    }

    #[test]
    fn epoch_seconds_keeps_milliseconds() {
        let at = UNIX_EPOCH + Duration::from_millis(1_689_000_349_563);
        assert_eq!(epoch_seconds(at), 1_689_000_349.563);
    }
}
