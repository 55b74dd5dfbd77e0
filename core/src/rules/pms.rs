//! Performance management: KRA scores, the OD slab, the incentive percentage and amount
//! (domain.md §2.11, api.md §2.14).
//!
//! The legacy server and the prototype disagree in three places; the rewrite follows the
//! recommended rule of §2.11, made explicit in [`PmsPolicy`] so a record can store which
//! policy version scored it and HR can change the figures without a code change:
//! * the OD KRA is scored with the OD slab on the **OD total** (chennai + self + hyd), not on
//!   the KRA's own `achieved` (the server's bug D-L13); other "As per slab" KRAs score like
//!   Unrestricted, as in the prototype;
//! * incentive bands are contiguous on real numbers (the server's variant), so 95.5 earns 10 %
//!   instead of falling into the prototype's gap;
//! * new KRA definitions must total 100 % weightage ([`validate_weightages`]); legacy records
//!   (the seed sums to 90) still compute.

use crate::model::performance::{Kra, KraType, OdBalances, PerformanceRecord};
use crate::types::Money;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// One row of the OD slab: an OD total up to and including `up_to` scores `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OdSlab {
    pub up_to: Decimal,
    pub score: Decimal,
}

/// An incentive band: a total score at or above `from` earns `pct` (until the next band).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncentiveBand {
    pub from: Decimal,
    pub pct: Decimal,
}

/// Above `pivot`, the percentage is `base + floor((s − pivot) / step_points) × step_pct`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Escalator {
    pub pivot: Decimal,
    pub base: Decimal,
    pub step_points: Decimal,
    pub step_pct: Decimal,
}

/// What the "As per slab" OD slab is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlabBasis {
    /// Rewrite rule: the OD KRA on the OD total; other slab KRAs like Unrestricted.
    OdTotalForOdKra,
    /// Legacy server (to reproduce stored figures during migration): every slab KRA on its
    /// own `achieved` value.
    LegacyOwnAchieved,
}

/// The incentive policy in force. Stored by version on every scored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PmsPolicy {
    pub version: String,
    pub slab_basis: SlabBasis,
    /// Ascending `up_to`; an OD total above the last row scores `slab_else`.
    pub od_slabs: Vec<OdSlab>,
    pub slab_else: Decimal,
    /// Ascending `from`; below the first band the percentage is 0.
    pub bands: Vec<IncentiveBand>,
    pub escalator: Option<Escalator>,
}

impl Default for PmsPolicy {
    /// The recommended rewrite policy (§2.11): OD slab on the OD total; contiguous bands
    /// [90,96) 10, [96,101) 15, [101,106) 20, [106,111) 25, then +5 per full 5 points above 110.
    fn default() -> Self {
        let d = Decimal::from;
        PmsPolicy {
            version: "rewrite-2026.1".into(),
            slab_basis: SlabBasis::OdTotalForOdKra,
            od_slabs: vec![
                OdSlab {
                    up_to: d(363_459),
                    score: d(30),
                },
                OdSlab {
                    up_to: d(1_250_000),
                    score: d(24),
                },
                OdSlab {
                    up_to: d(1_900_000),
                    score: d(18),
                },
                OdSlab {
                    up_to: d(2_550_000),
                    score: d(12),
                },
                OdSlab {
                    up_to: d(3_200_000),
                    score: d(6),
                },
            ],
            slab_else: Decimal::ZERO,
            bands: vec![
                IncentiveBand {
                    from: d(90),
                    pct: d(10),
                },
                IncentiveBand {
                    from: d(96),
                    pct: d(15),
                },
                IncentiveBand {
                    from: d(101),
                    pct: d(20),
                },
                IncentiveBand {
                    from: d(106),
                    pct: d(25),
                },
            ],
            escalator: Some(Escalator {
                pivot: d(110),
                base: d(25),
                step_points: d(5),
                step_pct: d(5),
            }),
        }
    }
}

impl PmsPolicy {
    /// The legacy server's formula, for reproducing stored scores (never for new records).
    pub fn legacy_server() -> Self {
        PmsPolicy {
            version: "legacy-server".into(),
            slab_basis: SlabBasis::LegacyOwnAchieved,
            ..PmsPolicy::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PmsError {
    #[error("KRA weightages must total 100 (got {total})")]
    WeightagesDoNotTotal100 { total: Decimal },
    #[error("KRA `{name}` has a negative weightage")]
    NegativeWeightage { name: String },
}

fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `achieved / target`, 0 when the target is not positive.
pub fn achievement_ratio(achieved: Decimal, target: Decimal) -> Decimal {
    if target <= Decimal::ZERO {
        Decimal::ZERO
    } else {
        achieved / target
    }
}

/// The OD slab score for an OD total.
pub fn od_slab_score(policy: &PmsPolicy, od_total: Decimal) -> Decimal {
    policy
        .od_slabs
        .iter()
        .find(|s| od_total <= s.up_to)
        .map(|s| s.score)
        .unwrap_or(policy.slab_else)
}

/// Decision on how the OD KRA is identified (the prototype used the sample's KRA id 9, which
/// is not a rule): a KRA of type "As per slab" whose name or criteria contains the word `OD`,
/// `O/D` or `overdue` (case-insensitive, whole word, so "Product" does not match). Any other
/// slab KRA (contribution %, contract sales …) is scored like Unrestricted.
pub fn is_od_kra(kra: &Kra) -> bool {
    kra.kra_type == KraType::AsPerSlab
        && (mentions_od(&kra.name) || kra.criteria.as_deref().is_some_and(mentions_od))
}

fn mentions_od(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("o/d") {
        return true;
    }
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "od" || w == "overdue" || w == "overdues")
}

/// The final score of one KRA (rounded to 2 decimals, so the total a user sees is exactly
/// the number that picked the band).
pub fn kra_score(policy: &PmsPolicy, kra: &Kra, od: &OdBalances) -> Decimal {
    let ratio = achievement_ratio(kra.achieved, kra.target);
    let unrestricted = ratio * kra.weightage;
    let score = match kra.kra_type {
        KraType::Unrestricted => unrestricted,
        KraType::Restricted => unrestricted.min(kra.weightage),
        KraType::AsPerSlab => match policy.slab_basis {
            SlabBasis::LegacyOwnAchieved => od_slab_score(policy, kra.achieved),
            SlabBasis::OdTotalForOdKra if is_od_kra(kra) => {
                od_slab_score(policy, od.total().amount())
            }
            SlabBasis::OdTotalForOdKra => unrestricted,
        },
    };
    round2(score)
}

/// Incentive percentage for a total score under the policy's bands.
/// Examples: 99.0 → 15; 102.5 → 20; 95.5 → 10; 112 → 25; 115 → 30.
pub fn incentive_percentage(policy: &PmsPolicy, score: Decimal) -> Decimal {
    if let Some(e) = policy.escalator
        && score > e.pivot
        && e.step_points > Decimal::ZERO
    {
        return e.base + ((score - e.pivot) / e.step_points).floor() * e.step_pct;
    }
    policy
        .bands
        .iter()
        .rev()
        .find(|b| score >= b.from)
        .map(|b| b.pct)
        .unwrap_or(Decimal::ZERO)
}

/// `salary × pct / 100`, to the paisa.
pub fn incentive_amount(salary: Money, pct: Decimal) -> Money {
    (salary * (pct / Decimal::ONE_HUNDRED)).round2()
}

/// For new KRA definitions only: weightages non-negative and totalling exactly 100.
pub fn validate_weightages(kras: &[Kra]) -> Result<(), PmsError> {
    if let Some(k) = kras.iter().find(|k| k.weightage < Decimal::ZERO) {
        return Err(PmsError::NegativeWeightage {
            name: k.name.clone(),
        });
    }
    let total: Decimal = kras.iter().map(|k| k.weightage).sum();
    if total != Decimal::ONE_HUNDRED {
        return Err(PmsError::WeightagesDoNotTotal100 { total });
    }
    Ok(())
}

/// Everything computed for one performance record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreSheet {
    pub kra_scores: Vec<Decimal>,
    pub total_score: Decimal,
    pub incentive_percentage: Decimal,
    pub incentive_amount: Money,
    pub policy_version: String,
}

/// Scores a record: each KRA, the total, the band and the amount (salary from the record).
pub fn score_kras(policy: &PmsPolicy, kras: &[Kra], od: &OdBalances, salary: Money) -> ScoreSheet {
    let kra_scores: Vec<Decimal> = kras.iter().map(|k| kra_score(policy, k, od)).collect();
    let total_score: Decimal = kra_scores.iter().copied().sum();
    let pct = incentive_percentage(policy, total_score);
    ScoreSheet {
        kra_scores,
        total_score,
        incentive_percentage: pct,
        incentive_amount: incentive_amount(salary, pct),
        policy_version: policy.version.clone(),
    }
}

/// Scores a stored record with its own KRAs, OD balances and salary.
pub fn score_record(policy: &PmsPolicy, record: &PerformanceRecord) -> ScoreSheet {
    score_kras(
        policy,
        &record.kras,
        &record.od_balances,
        record.gross_monthly_salary,
    )
}

impl ScoreSheet {
    /// Writes the computed figures (and the policy version) into the record, so stored
    /// scores are never stale relative to their inputs.
    pub fn apply_to(&self, record: &mut PerformanceRecord) {
        for (kra, score) in record.kras.iter_mut().zip(&self.kra_scores) {
            kra.final_score = *score;
        }
        record.total_score = self.total_score;
        record.incentive_percentage = self.incentive_percentage;
        record.incentive_amount = self.incentive_amount;
        record.policy_version = Some(self.policy_version.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn kra(name: &str, t: Decimal, a: Decimal, w: Decimal, kind: KraType) -> Kra {
        Kra {
            id: 1,
            name: name.to_string(),
            criteria: None,
            target: t,
            achieved: a,
            weightage: w,
            kra_type: kind,
            final_score: Decimal::ZERO,
        }
    }

    fn money(d: Decimal) -> Money {
        Money::new(d)
    }

    #[test]
    fn example_a_99_scores_15_pct_7500() {
        // The seed record as the legacy collection holds it (weightages total 90).
        let mut record: PerformanceRecord = serde_json::from_value(serde_json::json!({
            "userId": "SALES-001", "userName": "Sales One", "month": "Feb'26",
            "grossMonthlySalary": 50000,
            "kras": [
                {"id": 1, "name": "Sales Target", "target": 1000000, "achieved": 1200000,
                 "weightage": 40, "type": "Unrestricted"},
                {"id": 2, "name": "Collection", "target": 500000, "achieved": 450000,
                 "weightage": 30, "type": "Restricted"},
                {"id": 3, "name": "New Customers", "target": 10, "achieved": 12,
                 "weightage": 20, "type": "Unrestricted"}
            ],
            "totalScore": 0
        }))
        .unwrap();
        let s = score_record(&PmsPolicy::default(), &record);
        assert_eq!(s.kra_scores, vec![dec!(48), dec!(27), dec!(24)]);
        assert_eq!(s.total_score, dec!(99));
        assert_eq!(s.incentive_percentage, dec!(15));
        assert_eq!(s.incentive_amount, Money::from_rupees(7_500));
        s.apply_to(&mut record);
        assert_eq!(record.kras[1].final_score, dec!(27));
        assert_eq!(record.total_score, dec!(99));
        assert_eq!(record.policy_version.as_deref(), Some("rewrite-2026.1"));
        // Legacy record: weightages total 90, still computes, but a new definition is refused.
        assert_eq!(
            validate_weightages(&record.kras),
            Err(PmsError::WeightagesDoNotTotal100 { total: dec!(90) })
        );
    }

    #[test]
    fn example_b_102_5_scores_20_pct_9000() {
        let kras = [
            kra(
                "Sales",
                dec!(800000),
                dec!(950000),
                dec!(40),
                KraType::Unrestricted,
            ),
            kra(
                "Collection",
                dec!(400000),
                dec!(420000),
                dec!(30),
                KraType::Restricted,
            ),
            kra(
                "New Customers",
                dec!(8),
                dec!(10),
                dec!(20),
                KraType::Unrestricted,
            ),
        ];
        let s = score_kras(
            &PmsPolicy::default(),
            &kras,
            &OdBalances::default(),
            Money::from_rupees(45_000),
        );
        assert_eq!(s.kra_scores, vec![dec!(47.5), dec!(30), dec!(25)]);
        assert_eq!(s.total_score, dec!(102.5));
        assert_eq!(s.incentive_percentage, dec!(20));
        assert_eq!(s.incentive_amount, Money::from_rupees(9_000));
    }

    #[test]
    fn example_c_od_kra_on_od_total_and_contract_sales_unrestricted() {
        let od = OdBalances {
            chennai: money(dec!(50000)),
            self_: money(dec!(250000)),
            hyd: money(dec!(60000)),
        };
        assert_eq!(od.total(), money(dec!(360000)));
        let policy = PmsPolicy::default();
        let od_kra = Kra {
            criteria: Some("OD balance".into()),
            ..kra(
                "Overdue control",
                Decimal::ZERO,
                Decimal::ZERO,
                dec!(30),
                KraType::AsPerSlab,
            )
        };
        assert!(is_od_kra(&od_kra));
        assert_eq!(kra_score(&policy, &od_kra, &od), dec!(30));
        let contract = kra(
            "Contract Sales",
            dec!(500000),
            dec!(500000),
            dec!(10),
            KraType::AsPerSlab,
        );
        assert!(!is_od_kra(&contract));
        assert_eq!(kra_score(&policy, &contract, &od), dec!(10));
        // The legacy server scored the same KRA 24 on its own achieved value …
        assert_eq!(
            kra_score(&PmsPolicy::legacy_server(), &contract, &od),
            dec!(24)
        );
        // … and never looked at the balances; the rewrite does.
        let big_od = OdBalances {
            chennai: money(dec!(2000000)),
            ..od
        };
        assert_eq!(kra_score(&policy, &od_kra, &big_od), dec!(12));
    }

    #[test]
    fn od_kra_identification_by_word() {
        let slab = |name| {
            kra(
                name,
                Decimal::ONE,
                Decimal::ONE,
                dec!(10),
                KraType::AsPerSlab,
            )
        };
        assert!(is_od_kra(&slab("OD")));
        assert!(is_od_kra(&slab("O/D Balance")));
        assert!(is_od_kra(&slab("Overdue Reduction")));
        assert!(!is_od_kra(&slab("Product Mix")));
        assert!(!is_od_kra(&slab("Contribution %")));
        let by_criteria = Kra {
            criteria: Some("OD slab".into()),
            ..slab("Receivables")
        };
        assert!(is_od_kra(&by_criteria));
        assert!(!is_od_kra(&kra(
            "OD",
            Decimal::ONE,
            Decimal::ONE,
            dec!(10),
            KraType::Unrestricted
        )));
    }

    #[test]
    fn example_d_bands_112_and_95_5() {
        let p = PmsPolicy::default();
        // (total score, incentive %)
        for (score, pct) in [
            (dec!(112), dec!(25)),
            (dec!(95.5), dec!(10)),
            (dec!(89.99), dec!(0)),
            (dec!(90), dec!(10)),
            (dec!(96), dec!(15)),
            (dec!(100.99), dec!(15)),
            (dec!(101), dec!(20)),
            (dec!(110.5), dec!(25)),
            (dec!(114.99), dec!(25)),
            (dec!(115), dec!(30)),
            (dec!(120), dec!(35)),
        ] {
            assert_eq!(incentive_percentage(&p, score), pct, "score {score}");
        }
    }

    #[test]
    fn od_slab_table_edges() {
        let p = PmsPolicy::default();
        // (overdue balance in whole rupees, slab score)
        for (od, score) in [
            (363_459, 30),
            (363_460, 24),
            (1_250_000, 24),
            (1_900_000, 18),
            (2_550_000, 12),
            (3_200_000, 6),
            (3_200_001, 0),
        ] {
            let got = od_slab_score(&p, Decimal::from(od));
            assert_eq!(got, Decimal::from(score), "overdue {od}");
        }
    }

    #[test]
    fn seeded_admin_record_recomputes_to_95_1() {
        let scores = [dec!(28.5), dec!(19.2), dec!(29.4), dec!(18.0)];
        let total: Decimal = scores.iter().sum();
        assert_eq!(total, dec!(95.1));
        assert_eq!(incentive_percentage(&PmsPolicy::default(), total), dec!(10));
    }

    #[test]
    fn zero_target_scores_zero_and_weightages_validate() {
        let k = kra(
            "x",
            Decimal::ZERO,
            dec!(5),
            dec!(100),
            KraType::Unrestricted,
        );
        assert_eq!(
            kra_score(&PmsPolicy::default(), &k, &OdBalances::default()),
            Decimal::ZERO
        );
        assert_eq!(validate_weightages(&[k]), Ok(()));
        let neg = kra("neg", dec!(1), dec!(1), dec!(-10), KraType::Unrestricted);
        assert!(matches!(
            validate_weightages(&[neg]),
            Err(PmsError::NegativeWeightage { .. })
        ));
    }

    proptest! {
        #[test]
        fn bands_are_monotonic_without_gaps(a in 0u32..20_000, b in 0u32..20_000) {
            let p = PmsPolicy::default();
            let (lo, hi) = (a.min(b), a.max(b));
            let (lo, hi) = (Decimal::new(lo.into(), 2), Decimal::new(hi.into(), 2));
            prop_assert!(incentive_percentage(&p, lo) <= incentive_percentage(&p, hi));
            if lo >= dec!(90) {
                prop_assert!(incentive_percentage(&p, lo) >= dec!(10));
            }
        }

        #[test]
        fn restricted_never_exceeds_weightage(t in 1u32..1_000_000, a in 0u32..3_000_000, w in 0u32..100) {
            let k = kra("r", t.into(), a.into(), w.into(), KraType::Restricted);
            prop_assert!(kra_score(&PmsPolicy::default(), &k, &OdBalances::default()) <= Decimal::from(w));
        }
    }
}
