//! The proptest configuration the fuzz suites share, so every property runs the same way:
//! reproducible from its seed, bounded in cases, and leaving no regression files behind.

use proptest::test_runner::{Config as ProptestConfig, RngSeed};

/// A deterministic, bounded run: `cases` cases from a fixed seed, nothing written to disk.
pub fn config(cases: u32, seed: u64) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
