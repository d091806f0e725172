//! Opaque secrets for sessions and e-mail links: 256 random bits, given to
//! the user once in URL-safe base64 and stored only as a SHA-256 hash, so a
//! leaked database does not leak usable tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// A freshly generated token: `plain` goes to the user, `hash` to the database.
pub struct NewToken {
    pub plain: String,
    pub hash: String,
}

/// Generates a token. Fails only when the operating system has no randomness.
pub fn generate() -> Result<NewToken, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness for a token: {e}")))?;
    let plain = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&plain);
    Ok(NewToken { plain, hash })
}

/// The stored form of a token.
pub fn hash(plain: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(plain.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_only_their_hash_is_kept() {
        let a = generate().expect("token");
        let b = generate().expect("token");
        assert_ne!(a.plain, b.plain);
        assert_eq!(a.plain.len(), 43);
        assert_eq!(hash(&a.plain), a.hash);
        assert_ne!(a.hash, a.plain);
    }
}
