//! Password policy and legacy-hash detection (fixing D-S2).
//!
//! The legacy system had no policy, shipped trivial shared defaults in its documents and
//! seed scripts, and its hash migration recognised only the `$2b$` prefix, so a `$2a$` or
//! `$2y$` hash would have been hashed a second time and its user locked out.

use super::Role;

/// Minimum length of a new password.
pub const MIN_LENGTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("password must be at least {min} characters")]
    TooShort { min: usize },
    #[error("password must not be the user id or e-mail address")]
    SameAsIdentity,
    #[error("password is a known default; choose your own")]
    KnownDefault,
}

/// Trivial passwords of the kind the legacy documents and scripts handed out. Together with
/// `<role>123`-style variants (see [`is_default_password`]) they are refused for new
/// passwords and reported by the start-up banner ("default password in use").
pub const KNOWN_DEFAULTS: &[&str] = &[
    "admin123",
    "sales123",
    "credit123",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "welcome",
    "welcome123",
    "welcome@123",
    "changeme",
    "nexus123",
    "nexusoms",
    "123456",
    "12345678",
    "123456789",
    "qwerty123",
    "test123",
    "user123",
    "default",
];

/// True for a known trivial default: the fixed list, or any role name (spaces removed,
/// case-insensitive) followed by `123`, `@123` or `1234` (`warehouse123`, `qchead@123` …).
pub fn is_default_password(plain: &str) -> bool {
    let p = plain.trim().to_lowercase();
    if KNOWN_DEFAULTS.contains(&p.as_str()) {
        return true;
    }
    Role::ALL.iter().any(|r| {
        let name: String = r.as_str().to_lowercase().split_whitespace().collect();
        ["123", "@123", "1234"]
            .iter()
            .any(|suffix| p == format!("{name}{suffix}"))
    })
}

/// Checks a new password; all problems are reported at once.
pub fn check_policy(
    plain: &str,
    user_id: &str,
    email: Option<&str>,
) -> Result<(), Vec<PasswordProblem>> {
    let mut problems = Vec::new();
    if plain.chars().count() < MIN_LENGTH {
        problems.push(PasswordProblem::TooShort { min: MIN_LENGTH });
    }
    let lower = plain.trim().to_lowercase();
    let same = |s: &str| !s.trim().is_empty() && lower == s.trim().to_lowercase();
    if same(user_id) || email.is_some_and(same) {
        problems.push(PasswordProblem::SameAsIdentity);
    }
    if is_default_password(plain) {
        problems.push(PasswordProblem::KnownDefault);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// True when `s` is a bcrypt hash with any of the prefixes `$2a$`, `$2b$`, `$2y$` (cost
/// 04–31, 53 characters of bcrypt base64). Anything else stored in `users.password` is a
/// legacy plaintext that the migration must hash (and force a reset for).
pub fn is_bcrypt_hash(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 60 || b[0] != b'$' || b[1] != b'2' || b[3] != b'$' || b[6] != b'$' {
        return false;
    }
    if !matches!(b[2], b'a' | b'b' | b'y') {
        return false;
    }
    let cost = match std::str::from_utf8(&b[4..6])
        .ok()
        .and_then(|c| c.parse::<u8>().ok())
    {
        Some(c) if b[4].is_ascii_digit() && b[5].is_ascii_digit() => c,
        _ => return false,
    };
    (4..=31).contains(&cost)
        && b[7..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH_TAIL: &str = "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

    #[test]
    fn bcrypt_prefixes_a_b_y_are_all_hashes() {
        for prefix in ["$2a$10$", "$2b$10$", "$2y$12$"] {
            let h = format!("{prefix}{HASH_TAIL}");
            assert_eq!(h.len(), 60);
            assert!(is_bcrypt_hash(&h), "{h}");
        }
        assert!(!is_bcrypt_hash(&format!("$2x$10${HASH_TAIL}")));
        assert!(!is_bcrypt_hash(&format!("$2b$99${HASH_TAIL}")));
        assert!(!is_bcrypt_hash(&format!("$2b$1a${HASH_TAIL}")));
        assert!(!is_bcrypt_hash("admin123"));
        assert!(!is_bcrypt_hash(&format!("$2b$10${}", &HASH_TAIL[1..])));
        assert!(!is_bcrypt_hash(&format!("$2b$10${}!", &HASH_TAIL[1..])));
    }

    #[test]
    fn legacy_defaults_are_flagged() {
        for p in [
            "admin123",
            "Sales123",
            " credit123 ",
            "warehouse123",
            "qchead@123",
            "deliveryteam1234",
        ] {
            assert!(is_default_password(p), "{p}");
        }
        assert!(!is_default_password("Blue-Pomfret-42"));
    }

    #[test]
    fn policy_reports_every_problem() {
        assert_eq!(
            check_policy("Blue-Pomfret-42", "SALES-001", Some("s1@example.com")),
            Ok(())
        );
        assert_eq!(
            check_policy("admin1", "ADMIN-001", None),
            Err(vec![PasswordProblem::TooShort { min: 8 }])
        );
        assert_eq!(
            check_policy("admin123", "ADMIN-001", None),
            Err(vec![PasswordProblem::KnownDefault])
        );
        assert_eq!(
            check_policy("S1@Example.com", "SALES-001", Some("s1@example.com")),
            Err(vec![PasswordProblem::SameAsIdentity])
        );
        assert_eq!(
            check_policy("SALES-001", "sales-001", None),
            Err(vec![PasswordProblem::SameAsIdentity])
        );
    }
}
