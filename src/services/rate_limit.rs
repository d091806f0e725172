//! Rate limits on the operations attackers repeat: login, registration and
//! password reset. Each process keeps its own counters (a sliding window per
//! key); with several processes the effective limit is per process, which
//! still stops brute force, and needs no shared store.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

/// One limit: at most `max` attempts per key within `window`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: usize,
    pub window: Duration,
}

/// The limits in force.
pub mod limits {
    use super::Limit;
    use std::time::Duration;

    /// Per e-mail address: a password cannot be guessed in bulk.
    pub const LOGIN_PER_EMAIL: Limit = Limit {
        max: 10,
        window: Duration::from_secs(15 * 60),
    };
    /// Per client address: one client cannot try many accounts.
    pub const LOGIN_PER_CLIENT: Limit = Limit {
        max: 50,
        window: Duration::from_secs(15 * 60),
    };
    pub const REGISTER_PER_CLIENT: Limit = Limit {
        max: 10,
        window: Duration::from_secs(60 * 60),
    };
    /// Per e-mail address: nobody's inbox is flooded with reset links.
    pub const RESET_PER_EMAIL: Limit = Limit {
        max: 3,
        window: Duration::from_secs(60 * 60),
    };
    pub const RESET_PER_CLIENT: Limit = Limit {
        max: 20,
        window: Duration::from_secs(60 * 60),
    };
}

/// Sliding-window counters keyed by operation and subject.
#[derive(Debug, Default)]
pub struct RateLimiter {
    attempts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an attempt under `key`; fails with RATE_LIMITED (and how long to
    /// wait) when the limit is already reached. Refused attempts do not count.
    pub fn check(&self, key: &str, limit: Limit) -> Result<(), AppError> {
        let now = Instant::now();
        let mut attempts = self
            .attempts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget keys whose window has passed, so memory stays bounded.
        if attempts.len() > 10_000 {
            attempts.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < limit.window)
            });
        }
        let times = attempts.entry(key.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limit.window)
        {
            times.pop_front();
        }
        if times.len() >= limit.max {
            let retry_after = times
                .front()
                .map(|first| limit.window.saturating_sub(now.duration_since(*first)))
                .unwrap_or(limit.window);
            return Err(AppError::RateLimited {
                retry_after_secs: retry_after.as_secs().max(1),
            });
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_refuses_past_max_and_keys_are_separate() {
        let limiter = RateLimiter::new();
        let limit = Limit {
            max: 2,
            window: Duration::from_secs(60),
        };
        assert!(limiter.check("login:a", limit).is_ok());
        assert!(limiter.check("login:a", limit).is_ok());
        let refused = limiter.check("login:a", limit).expect_err("third");
        assert!(
            matches!(refused, AppError::RateLimited { retry_after_secs } if retry_after_secs <= 60)
        );
        assert!(limiter.check("login:b", limit).is_ok());
    }

    #[test]
    fn attempts_expire_with_the_window() {
        let limiter = RateLimiter::new();
        let limit = Limit {
            max: 1,
            window: Duration::from_millis(20),
        };
        assert!(limiter.check("k", limit).is_ok());
        assert!(limiter.check("k", limit).is_err());
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.check("k", limit).is_ok());
    }
}
