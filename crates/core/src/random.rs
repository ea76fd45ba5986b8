//! The one source of randomness: 64 bits from the standard library's randomly keyed hasher
//! (no RNG crate needed). Backoff jitter and multipart boundaries draw from it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// 64 unpredictable bits.
pub(crate) fn random_u64() -> u64 {
    RandomState::new().build_hasher().finish()
}
