//! What the application does with retrieval codes (see [`ecoute_domain::retrieval`]): draws
//! them, and hashes them the one way the store may keep them.

use argon2::{Algorithm, Argon2, Params, Version};
use ecoute_domain::retrieval::RANDOM_BYTES;
use ecoute_domain::{RetrievalCode, WordList};
use sha2::{Digest, Sha256};
use std::sync::Arc;

use crate::{AppError, AppResult};

/// The server's secret for codes: the key of their slow hash, and of the codes drawn for a
/// form. Kept out of the database (a copy of it alone must not let anyone test codes); never
/// printed.
#[derive(Clone)]
pub struct CodeKey(Arc<[u8]>);

impl CodeKey {
    /// The shortest key accepted, in bytes.
    pub const MIN_BYTES: usize = 16;

    /// A key from its bytes; `None` if shorter than [`Self::MIN_BYTES`].
    pub fn new(bytes: &[u8]) -> Option<CodeKey> {
        (bytes.len() >= Self::MIN_BYTES).then(|| CodeKey(bytes.into()))
    }

    /// A fresh random key (244 random bits: two v4 UUIDs, drawn from the system's generator
    /// as every id of ecoute is).
    pub fn random() -> CodeKey {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        CodeKey(bytes.into())
    }

    /// The key's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for CodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeKey(…)")
    }
}

/// The code of the form `token` in `list`: drawn from the token and the key, so that the same
/// form sent twice (a double click, a retry after a lost answer) gets the same code and opens
/// the thread once, while nobody without the key can tell a form's code from its token.
pub fn form_code(token: &[u8; 16], list: WordList, key: &CodeKey) -> RetrievalCode {
    let mut digest = Sha256::new();
    digest.update(b"ecoute-form-code-v1");
    digest.update((key.bytes().len() as u64).to_be_bytes());
    digest.update(key.bytes());
    digest.update(token);
    let out = digest.finalize();
    let mut random = [0u8; RANDOM_BYTES];
    random.copy_from_slice(&out[..RANDOM_BYTES]);
    RetrievalCode::from_random(list, random)
}

/// Salt of every code's hash. Fixed on purpose: a thread is found by its code's hash, so the
/// hash of one code must always be the same; what makes it costly to guess is the key, the
/// 88 bits of the code and argon2's cost, not the salt.
const SALT: &[u8] = b"ecoute-written-thread-v1";

/// A new code in `list`, from the system's random generator.
pub fn new_code(list: WordList) -> AppResult<RetrievalCode> {
    let mut random = [0u8; RANDOM_BYTES];
    getrandom::getrandom(&mut random).map_err(|e| AppError::Hash(format!("random source: {e}")))?;
    Ok(RetrievalCode::from_random(list, random))
}

/// The keyed slow hash of `code`, hex: argon2id (19 MiB, 2 passes, as for passwords) of its
/// canonical form, keyed with the server's secret `key` (argon2's own secret input), so that
/// a copy of the database alone does not let anyone test codes. Deliberately slow: it runs
/// off the async threads, and callers bound how many run at once.
pub async fn code_hash(code: &RetrievalCode, key: &[u8]) -> AppResult<String> {
    let canonical = code.canonical();
    let key = key.to_vec();
    tokio::task::spawn_blocking(move || {
        let argon =
            Argon2::new_with_secret(&key, Algorithm::Argon2id, Version::V0x13, Params::default())
                .map_err(|e| AppError::Hash(format!("code hash key: {e}")))?;
        let mut out = [0u8; 32];
        argon
            .hash_password_into(canonical.as_bytes(), SALT, &mut out)
            .map_err(|e| AppError::Hash(e.to_string()))?;
        Ok(out.iter().map(|b| format!("{b:02x}")).collect())
    })
    .await
    .map_err(|e| AppError::Hash(format!("hashing task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_has_one_code_under_one_key() {
        let key = CodeKey::new(&[1u8; 32]).expect("key");
        let token = [9u8; 16];
        let code = form_code(&token, WordList::French, &key);
        assert_eq!(form_code(&token, WordList::French, &key), code);
        assert_ne!(form_code(&[8u8; 16], WordList::French, &key), code);
        let other = CodeKey::new(&[2u8; 32]).expect("key");
        assert_ne!(form_code(&token, WordList::French, &other), code);
        assert!(CodeKey::new(&[0u8; 8]).is_none());
        assert_eq!(format!("{key:?}"), "CodeKey(…)");
    }

    #[tokio::test]
    async fn one_code_one_hash_however_typed_and_the_key_matters() {
        let code = new_code(WordList::French).expect("code");
        let typed = RetrievalCode::parse(&code.words().to_uppercase()).expect("parse");
        let key = [7u8; 32];
        let hash = code_hash(&code, &key).await.expect("hash");
        assert_eq!(hash.len(), 64);
        assert_eq!(code_hash(&typed, &key).await.expect("hash"), hash);
        assert_ne!(code_hash(&code, &[8u8; 32]).await.expect("hash"), hash);
        let other = new_code(WordList::French).expect("code");
        assert_ne!(code_hash(&other, &key).await.expect("hash"), hash);
        // Two draws are two codes (88 bits: a collision here would be a broken generator).
        assert_ne!(other.canonical(), code.canonical());
    }
}
