//! AES in ECB, CBC, CTR and GCM over OpenSSL's `EVP_CIPHER_CTX`, and the
//! AES-256-GCM envelope ([`seal`] / [`open`]) for records at rest.
//!
//! An [`AesKey`] keeps OpenSSL contexts keyed with its key and reuses them,
//! so the key schedule and provider setup are paid once per key, not once per
//! call: a CTR or GCM call re-initialises a pooled context with the IV alone;
//! ECB and CBC calls need no init at all (see `Keyed::start`), as we pad and
//! unpad those ourselves. [`aes_encrypt`] / [`aes_decrypt`] are the one-off
//! form of the same code. Ciphers are fetched once per process (an explicit
//! fetch skips OpenSSL 3's per-call implicit provider lookup); each call feeds
//! the whole input in one in-place update and allocates only its output. The
//! code uses the safe `openssl` API only. OpenSSL clears a context's key
//! schedule when it is freed.

use std::fmt;
use std::sync::{Mutex, OnceLock};

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;
use zeroize::Zeroizing;

use super::rng::fill_public;
use super::{backend, CryptoError};

/// The AES block size, and the CBC/CTR IV length.
const BLOCK: usize = 16;
/// The GCM nonce length NIST SP 800-38D recommends, generated when none is given.
const GCM_DEFAULT_IV: usize = 12;
/// The longest GCM IV OpenSSL accepts (`GCM_IV_MAX_SIZE`).
const GCM_MAX_IV: usize = 128;
/// The full GCM tag length.
const GCM_TAG: usize = 16;
/// The shortest GCM tag we produce or accept (SP 800-38D appendix C allows 32 bits).
const GCM_MIN_TAG: usize = 4;
/// OpenSSL takes lengths as `int`; the `openssl` crate panics above that, so refuse first.
const MAX_INPUT: usize = i32::MAX as usize - 2 * BLOCK;
/// What the key-length errors say AES accepts.
const AES_KEY_LENGTHS: &str = "16, 24 or 32 bytes";

/// A block cipher mode of operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Electronic codebook: no IV; each block on its own (only for wrapping single blocks).
    Ecb,
    /// Cipher block chaining with a 16-byte IV.
    Cbc,
    /// Counter mode with a 16-byte initial counter block; a stream mode, no padding.
    Ctr,
    /// Galois/counter mode: authenticated, 12-byte nonce by default, tag of 4..=16 bytes.
    Gcm,
}

/// Padding for the block modes (ECB and CBC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// No padding: the input must be a multiple of 16 bytes.
    None,
    /// PKCS#7 on 16-byte blocks; KMIP calls this "PKCS5" padding.
    Pkcs7,
}

/// One AES operation's parameters. The key length picks AES-128/192/256.
#[derive(Clone, Copy, Debug)]
pub struct AesParams<'a> {
    /// The mode of operation.
    pub mode: Mode,
    /// Padding; only [`Padding::None`] is valid for CTR and GCM.
    pub padding: Padding,
    /// The IV, counter block or nonce. `None` on encrypt generates a random one
    /// (except for ECB, which takes none); decrypt needs it for every mode but ECB.
    pub iv: Option<&'a [u8]>,
    /// Additional authenticated data; GCM only (must be empty for other modes).
    pub aad: &'a [u8],
    /// The GCM tag length, 4..=16 bytes; 0 means the default, 16. On decrypt the
    /// given tag must have exactly this length. Ignored by other modes.
    pub tag_len: usize,
}

impl<'a> AesParams<'a> {
    /// Parameters for `mode` and `padding` with no IV (generate one), no AAD and a 16-byte tag.
    pub fn new(mode: Mode, padding: Padding) -> Self {
        Self { mode, padding, iv: None, aad: &[], tag_len: GCM_TAG }
    }
}

/// The output of [`aes_encrypt`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encrypted {
    /// The ciphertext (for GCM, without the tag).
    pub ciphertext: Vec<u8>,
    /// The IV, `Some` only when it was generated here because `params.iv` was `None`.
    pub iv: Option<Vec<u8>>,
    /// The GCM authentication tag, `tag_len` bytes; `None` for other modes.
    pub tag: Option<Vec<u8>>,
}

/// Encrypts `plaintext` under `key` (16, 24 or 32 bytes) as `params` say: a
/// one-off [`AesKey::encrypt`] (the context is freed on return).
///
/// Errors: [`CryptoError::InvalidKeyLength`], [`CryptoError::InvalidIvLength`]
/// (an IV for ECB, a CBC/CTR IV that is not 16 bytes, a GCM IV outside 1..=128),
/// [`CryptoError::InvalidTagLength`], [`CryptoError::InvalidInput`] (a partial
/// block without padding, AAD outside GCM), [`CryptoError::Unsupported`]
/// (padding with CTR or GCM).
pub fn aes_encrypt(key: &[u8], params: &AesParams<'_>, plaintext: &[u8]) -> Result<Encrypted, CryptoError> {
    AesKey::one_off(key)?.encrypt(params, plaintext)
}

/// Decrypts `ciphertext` under `key` as `params` say; `tag` is the GCM tag
/// (exactly `params.tag_len` bytes, required for GCM, refused for other modes).
/// A one-off [`AesKey::decrypt`].
///
/// Errors as [`aes_encrypt`], plus [`CryptoError::AuthenticationFailed`] for a
/// GCM tag mismatch or bad PKCS#7 padding, and [`CryptoError::InvalidInput`]
/// for a missing IV or GCM tag.
pub fn aes_decrypt(
    key: &[u8],
    params: &AesParams<'_>,
    ciphertext: &[u8],
    tag: Option<&[u8]>,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    AesKey::one_off(key)?.decrypt(params, ciphertext, tag)
}

/// How many idle keyed contexts an [`AesKey`] keeps per mode and direction:
/// one per request that computes with the key at the same moment (a call
/// holds one only while it runs, never across an await). Past that a call
/// builds a context and frees it, as a one-off call does.
const POOLED_PER_USE: usize = 4;

/// The (mode, direction) pools of an [`AesKey`].
const POOLS: usize = 8;

/// An AES key and OpenSSL contexts already keyed with it, reused across calls.
///
/// Keying a context (`EVP_CipherInit_ex` with cipher and key: key schedule,
/// provider context, parameter lookups) costs about as much as the AES work
/// on a short message. A pooled context keeps the key schedule: CTR and GCM
/// re-initialise it with the IV only (GCM's IV length set only when a call
/// needs another), ECB uses it as it is and CBC chains from the previous
/// message's last block, masking the first block with IV ^ that block.
///
/// A context that failed at any step is freed, never pooled: no state of a
/// failed call (a rejected GCM tag, bad padding, half-fed AAD) can reach the
/// next one. The contexts hold the key schedule; OpenSSL cleanses them when
/// freed, which is when this value is dropped (the key bytes are zeroized then too).
///
/// Shared by concurrent callers (`&self`); the pools' locks are held only to
/// take or return a context.
pub struct AesKey {
    key: Zeroizing<Vec<u8>>,
    /// Idle keyed contexts, indexed by [`pool_index`].
    pools: [Mutex<Vec<Keyed>>; POOLS],
    /// How many idle contexts a pool keeps: [`POOLED_PER_USE`], or 0 for a one-off call.
    keep: usize,
}

impl fmt::Debug for AesKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AesKey(AES-{}, ..)", self.key.len() * 8)
    }
}

/// A context keyed for one (mode, direction), and what it was last set to.
struct Keyed {
    ctx: CipherCtx,
    /// The IV length as last set (the cipher's default at first); GCM alone changes it.
    iv_len: usize,
    /// For a CBC context, the chaining value it holds once a message has gone
    /// through it: the last ciphertext block (or the IV, after an empty message).
    /// `None` before the first message and for the other modes.
    chain: Option<[u8; BLOCK]>,
}

impl AesKey {
    /// Keeps a copy of `key` (16, 24 or 32 bytes) for building contexts; none is built yet.
    ///
    /// Errors: [`CryptoError::InvalidKeyLength`].
    pub fn new(key: &[u8]) -> Result<AesKey, CryptoError> {
        aes_cipher(Mode::Cbc, key.len())?;
        let pools = std::array::from_fn(|_| Mutex::new(Vec::new()));
        Ok(AesKey { key: Zeroizing::new(key.to_vec()), pools, keep: POOLED_PER_USE })
    }

    /// For one call: its context is freed on return, not pooled.
    fn one_off(key: &[u8]) -> Result<AesKey, CryptoError> {
        Ok(AesKey { keep: 0, ..AesKey::new(key)? })
    }

    /// Encrypts `plaintext` as `params` say; see [`aes_encrypt`] for the errors.
    pub fn encrypt(&self, params: &AesParams<'_>, plaintext: &[u8]) -> Result<Encrypted, CryptoError> {
        let cipher = aes_cipher(params.mode, self.key.len())?;
        check_input(params, plaintext.len())?;
        let tag_len = match params.mode {
            Mode::Gcm => encrypt_tag_len(params.tag_len)?,
            _ => 0,
        };
        let generated = match params.iv {
            Some(iv) => {
                check_iv(params.mode, iv)?;
                None
            }
            None => generate_iv(params.mode)?,
        };
        let iv = params.iv.or(generated.as_deref());

        let (ciphertext, tag) = self.with_context(Direction::Encrypt, cipher, params.mode, |keyed| {
            // `encrypt_buffer` pads, so no message leaves a partial block behind
            // and only GCM needs a final call (for its tag).
            let mask = keyed.start(Direction::Encrypt, params.mode, iv)?;
            let ctx = &mut keyed.ctx;
            if params.mode == Mode::Gcm && !params.aad.is_empty() {
                ctx.cipher_update(params.aad, None).map_err(|e| backend("AAD", &e))?;
            }
            let (mut out, len) = encrypt_buffer(params.mode, params.padding, plaintext);
            if let Some(mask) = mask.filter(|_| len > 0) {
                xor_block(&mut out, &mask);
            }
            let written = ctx.cipher_update_inplace(&mut out, len).map_err(|e| backend("encrypt", &e))?;
            if written != len {
                return Err(CryptoError::Backend("encrypt: short output".into()));
            }
            out.truncate(len);
            let tag = if params.mode == Mode::Gcm {
                // GCM's final writes no data (a stream mode) and computes the tag.
                ctx.cipher_final(&mut []).map_err(|e| backend("encrypt final", &e))?;
                let mut tag = [0u8; GCM_TAG];
                let tag = tag.get_mut(..tag_len).ok_or(CryptoError::InvalidTagLength(tag_len))?;
                ctx.tag(tag).map_err(|e| backend("GCM tag", &e))?;
                Some(tag.to_vec())
            } else {
                None
            };
            keyed.chained(params.mode, &out);
            Ok((out, tag))
        })?;
        Ok(Encrypted { ciphertext, iv: generated, tag })
    }

    /// Decrypts `ciphertext` as `params` say; see [`aes_decrypt`] for `tag` and the errors.
    pub fn decrypt(
        &self,
        params: &AesParams<'_>,
        ciphertext: &[u8],
        tag: Option<&[u8]>,
    ) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        let cipher = aes_cipher(params.mode, self.key.len())?;
        check_input(params, ciphertext.len())?;
        if params.mode != Mode::Ecb && params.iv.is_none() {
            return Err(CryptoError::InvalidInput(format!(
                "{:?} decryption needs the IV used to encrypt",
                params.mode
            )));
        }
        if let Some(iv) = params.iv {
            check_iv(params.mode, iv)?;
        }
        if params.padding == Padding::Pkcs7 && (ciphertext.is_empty() || !ciphertext.len().is_multiple_of(BLOCK)) {
            return Err(CryptoError::InvalidInput(format!(
                "padded ciphertext must be whole 16-byte blocks, got {} bytes",
                ciphertext.len()
            )));
        }
        let tag = match (params.mode, tag) {
            // The tag must be as long as the parameters say: otherwise a forger could
            // cut a 16-byte tag to 4 bytes and need only 2^32 guesses.
            (Mode::Gcm, Some(tag)) if tag.len() == encrypt_tag_len(params.tag_len)? => Some(tag),
            (Mode::Gcm, Some(tag)) => return Err(CryptoError::InvalidTagLength(tag.len())),
            (Mode::Gcm, None) => return Err(CryptoError::InvalidInput("GCM decryption needs the tag".into())),
            (_, Some(_)) => return Err(CryptoError::InvalidInput("a tag is only used with GCM".into())),
            (_, None) => None,
        };

        self.with_context(Direction::Decrypt, cipher, params.mode, |keyed| {
            let mask = keyed.start(Direction::Decrypt, params.mode, params.iv)?;
            let ctx = &mut keyed.ctx;
            // Set on every call: a pooled context still holds the previous call's tag.
            if let Some(tag) = tag {
                ctx.set_tag(tag).map_err(|e| backend("GCM tag", &e))?;
            }
            if params.mode == Mode::Gcm && !params.aad.is_empty() {
                ctx.cipher_update(params.aad, None).map_err(|e| backend("AAD", &e))?;
            }
            // Decrypted in place: the ciphertext copied in, then the block of slack that
            // update and final ask for in the block modes (none for the stream modes).
            let len = ciphertext.len();
            let mut out = Zeroizing::new(Vec::with_capacity(len + slack(params.mode)));
            out.extend_from_slice(ciphertext);
            out.resize(len + slack(params.mode), 0);
            let written = ctx.cipher_update_inplace(&mut out, len).map_err(|e| backend("decrypt", &e))?;
            match params.mode {
                Mode::Ecb | Mode::Cbc => {
                    // The context does not pad, so it holds nothing back: every block is out
                    // and no final call is needed. `unpad` checks the padding instead.
                    if written != len {
                        return Err(CryptoError::Backend("decrypt: short output".into()));
                    }
                    if let Some(mask) = mask.filter(|_| len > 0) {
                        xor_block(&mut out, &mask);
                    }
                    keyed.chained(params.mode, ciphertext);
                    let keep = match params.padding {
                        Padding::Pkcs7 => out.get(..len).and_then(unpad).ok_or(CryptoError::AuthenticationFailed)?,
                        Padding::None => len,
                    };
                    out.truncate(keep);
                }
                Mode::Ctr | Mode::Gcm => {
                    let rest =
                        out.get_mut(written..).ok_or_else(|| CryptoError::Backend("decrypt: output overrun".into()))?;
                    // After the checks above, final fails only on a GCM tag mismatch.
                    let last = ctx.cipher_final(rest).map_err(|_| CryptoError::AuthenticationFailed)?;
                    out.truncate(written + last);
                }
            }
            Ok(out)
        })
    }

    /// Runs `f` with a context keyed for `mode` and `dir`: an idle one from the
    /// pool, else a new one. It goes back to the pool only when `f` succeeded
    /// and the pool has room; otherwise it is freed here.
    fn with_context<T>(
        &self,
        dir: Direction,
        cipher: &CipherRef,
        mode: Mode,
        f: impl FnOnce(&mut Keyed) -> Result<T, CryptoError>,
    ) -> Result<T, CryptoError> {
        let pool = self.pools.get(pool_index(mode, dir));
        let idle = pool.and_then(|p| lock(p).pop());
        let mut keyed = match idle {
            Some(keyed) => keyed,
            None => Keyed::new(dir, mode, cipher, &self.key)?,
        };
        let out = f(&mut keyed)?;
        if let Some(pool) = pool.filter(|_| self.keep > 0) {
            let surplus = {
                let mut idle = lock(pool);
                if idle.len() < self.keep {
                    idle.push(keyed);
                    None
                } else {
                    Some(keyed)
                }
            };
            // Freed (and cleansed) after the lock is released.
            drop(surplus);
        }
        Ok(out)
    }

    /// Idle keyed contexts, over all modes and directions.
    #[cfg(test)]
    fn idle(&self) -> usize {
        self.pools.iter().map(|p| lock(p).len()).sum()
    }
}

fn lock(pool: &Mutex<Vec<Keyed>>) -> std::sync::MutexGuard<'_, Vec<Keyed>> {
    // Only pushes and pops run under the lock: a poisoned pool holds whole contexts.
    pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn pool_index(mode: Mode, dir: Direction) -> usize {
    let mode = match mode {
        Mode::Ecb => 0,
        Mode::Cbc => 1,
        Mode::Ctr => 2,
        Mode::Gcm => 3,
    };
    mode * 2 + usize::from(dir == Direction::Decrypt)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Encrypt,
    Decrypt,
}

impl Keyed {
    /// A context with the cipher and key set (the key schedule computed), no IV yet.
    ///
    /// ECB and CBC contexts are set not to pad: we pad ([`encrypt_buffer`]) and
    /// unpad ([`unpad`]) ourselves, so a message ends on a block boundary with
    /// nothing held back, which spares the final call and lets CBC chain (see
    /// [`Keyed::start`]). CTR and GCM contexts keep OpenSSL's default: padding
    /// means nothing to a stream mode, and a context set not to pad makes every
    /// later init pass that setting to the provider again.
    fn new(dir: Direction, mode: Mode, cipher: &CipherRef, key: &[u8]) -> Result<Keyed, CryptoError> {
        let mut ctx = CipherCtx::new().map_err(|e| backend("cipher context", &e))?;
        match dir {
            Direction::Encrypt => ctx.encrypt_init(Some(cipher), Some(key), None),
            Direction::Decrypt => ctx.decrypt_init(Some(cipher), Some(key), None),
        }
        .map_err(|e| backend("cipher init", &e))?;
        if matches!(mode, Mode::Ecb | Mode::Cbc) {
            ctx.set_padding(false);
        }
        Ok(Keyed { ctx, iv_len: cipher.iv_length(), chain: None })
    }

    /// Readies the context for one message, returning a mask for the first
    /// block (CBC only).
    ///
    /// ECB keeps no state between messages of whole blocks, so the keyed
    /// context serves as it is. CBC encrypts block 1 as E(P1 ^ IV) and
    /// decrypts it as D(C1) ^ IV; a context that chains from `c` computes
    /// E(X ^ c) and D(C1) ^ c, so masking the first block (plaintext in, or
    /// plaintext out) with IV ^ c gives the same bytes without an init, which
    /// OpenSSL 3 pays with a provider parameter lookup of the IV length. CTR,
    /// GCM and a CBC context's first message are initialised with the IV.
    fn start(&mut self, dir: Direction, mode: Mode, iv: Option<&[u8]>) -> Result<Option<[u8; BLOCK]>, CryptoError> {
        match (mode, self.chain, iv) {
            (Mode::Ecb, ..) => Ok(None),
            // The callers check or generate the IV; without one, an init would keep the old.
            (Mode::Cbc | Mode::Ctr | Mode::Gcm, _, None) => {
                Err(CryptoError::InvalidInput(format!("{mode:?} needs an IV")))
            }
            (Mode::Cbc, Some(mut mask), Some(iv)) if iv.len() == BLOCK => {
                xor_block(&mut mask, iv);
                Ok(Some(mask))
            }
            _ => {
                self.init(dir, mode, iv)?;
                if mode == Mode::Cbc {
                    // Just initialised: the context chains from the IV itself.
                    self.chain = iv.and_then(|iv| <[u8; BLOCK]>::try_from(iv).ok());
                }
                Ok(None)
            }
        }
    }

    /// Records the chaining value a CBC context holds after a message whose
    /// ciphertext is `ciphertext`: its last block (an empty message changes nothing).
    fn chained(&mut self, mode: Mode, ciphertext: &[u8]) {
        if mode == Mode::Cbc {
            if let Some(last) = ciphertext.len().checked_sub(BLOCK).and_then(|from| ciphertext.get(from..)) {
                self.chain = <[u8; BLOCK]>::try_from(last).ok();
            }
        }
    }

    /// Initialises the context for one message: the GCM IV length when it
    /// differs from what the context holds, then the IV alone (the key schedule
    /// is kept). The init also resets what a finished message left: CTR
    /// position, GCM AAD, length and tag state.
    fn init(&mut self, dir: Direction, mode: Mode, iv: Option<&[u8]>) -> Result<(), CryptoError> {
        if let Some(iv) = iv {
            // The init checks the IV against the context's IV length, so that comes first.
            if mode == Mode::Gcm && iv.len() != self.iv_len {
                self.ctx.set_iv_length(iv.len()).map_err(|e| backend("GCM IV length", &e))?;
                self.iv_len = iv.len();
            }
            if iv.len() < self.iv_len {
                return Err(CryptoError::InvalidIvLength { expected: self.iv_len, actual: iv.len() });
            }
        }
        match dir {
            Direction::Encrypt => self.ctx.encrypt_init(None, None, iv),
            Direction::Decrypt => self.ctx.decrypt_init(None, None, iv),
        }
        .map_err(|e| backend("cipher init", &e))
    }
}

/// AES-256-GCM with a random 12-byte nonce: nonce || ciphertext || 16-byte tag. For sealing records at rest.
pub fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if plaintext.len() > MAX_INPUT || aad.len() > MAX_INPUT {
        return Err(too_long(plaintext.len().max(aad.len())));
    }
    let cipher = aes_cipher(Mode::Gcm, key.len())?;
    let mut out = vec![0u8; GCM_DEFAULT_IV + plaintext.len() + GCM_TAG];
    let (nonce, rest) = out
        .split_at_mut_checked(GCM_DEFAULT_IV)
        .ok_or_else(|| CryptoError::Backend("seal: buffer too short".into()))?;
    let (body, tag) = rest
        .split_at_mut_checked(plaintext.len())
        .ok_or_else(|| CryptoError::Backend("seal: buffer too short".into()))?;
    fill_public(nonce)?;

    let mut ctx = CipherCtx::new().map_err(|e| backend("cipher context", &e))?;
    ctx.encrypt_init(Some(cipher), Some(key), Some(nonce)).map_err(|e| backend("seal init", &e))?;
    if !aad.is_empty() {
        ctx.cipher_update(aad, None).map_err(|e| backend("AAD", &e))?;
    }
    // GCM is a stream mode: update writes exactly plaintext.len() bytes and final none.
    let written = ctx.cipher_update(plaintext, Some(body)).map_err(|e| backend("seal", &e))?;
    if written != plaintext.len() {
        return Err(CryptoError::Backend("seal: short output".into()));
    }
    ctx.cipher_final(tag).map_err(|e| backend("seal final", &e))?;
    ctx.tag(tag).map_err(|e| backend("GCM tag", &e))?;
    Ok(out)
}

/// Opens what [`seal`] produced under the same `key` and `aad`.
///
/// Errors: [`CryptoError::InvalidInput`] when `sealed` is shorter than nonce and
/// tag (28 bytes), [`CryptoError::AuthenticationFailed`] when the key, the AAD
/// or any byte differs.
pub fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let body_len = sealed
        .len()
        .checked_sub(GCM_DEFAULT_IV + GCM_TAG)
        .ok_or_else(|| CryptoError::InvalidInput("sealed record shorter than nonce and tag".into()))?;
    if body_len > MAX_INPUT || aad.len() > MAX_INPUT {
        return Err(too_long(body_len.max(aad.len())));
    }
    let (nonce, rest) = sealed.split_at_checked(GCM_DEFAULT_IV).ok_or(CryptoError::AuthenticationFailed)?;
    let (body, tag) = rest.split_at_checked(body_len).ok_or(CryptoError::AuthenticationFailed)?;
    let cipher = aes_cipher(Mode::Gcm, key.len())?;

    let mut ctx = CipherCtx::new().map_err(|e| backend("cipher context", &e))?;
    ctx.decrypt_init(Some(cipher), Some(key), Some(nonce)).map_err(|e| backend("open init", &e))?;
    ctx.set_tag(tag).map_err(|e| backend("GCM tag", &e))?;
    if !aad.is_empty() {
        ctx.cipher_update(aad, None).map_err(|e| backend("AAD", &e))?;
    }
    let mut out = Zeroizing::new(vec![0u8; body_len]);
    let written = ctx.cipher_update(body, Some(&mut out)).map_err(|e| backend("open", &e))?;
    if written != body_len {
        return Err(CryptoError::Backend("open: short output".into()));
    }
    let mut scratch = [0u8; BLOCK];
    ctx.cipher_final(&mut scratch).map_err(|_| CryptoError::AuthenticationFailed)?;
    Ok(out)
}

/// Checks what does not depend on the key or IV: input size, padding and AAD.
fn check_input(params: &AesParams<'_>, len: usize) -> Result<(), CryptoError> {
    if len > MAX_INPUT || params.aad.len() > MAX_INPUT {
        return Err(too_long(len.max(params.aad.len())));
    }
    match (params.mode, params.padding) {
        (Mode::Ctr | Mode::Gcm, Padding::Pkcs7) => {
            return Err(CryptoError::Unsupported(format!("{:?} mode with PKCS#7 padding", params.mode)));
        }
        (Mode::Ecb | Mode::Cbc, Padding::None) if !len.is_multiple_of(BLOCK) => {
            return Err(CryptoError::InvalidInput(format!(
                "{:?} without padding needs a multiple of 16 bytes, got {len}",
                params.mode
            )));
        }
        (Mode::Ecb | Mode::Cbc, Padding::Pkcs7) | (Mode::Ecb | Mode::Cbc | Mode::Ctr | Mode::Gcm, Padding::None) => {}
    }
    if params.mode != Mode::Gcm && !params.aad.is_empty() {
        return Err(CryptoError::InvalidInput("additional authenticated data is only used with GCM".into()));
    }
    Ok(())
}

fn check_iv(mode: Mode, iv: &[u8]) -> Result<(), CryptoError> {
    let ok = match mode {
        // An empty IV is what some clients send to mean "none".
        Mode::Ecb => iv.is_empty(),
        Mode::Cbc | Mode::Ctr => iv.len() == BLOCK,
        Mode::Gcm => (1..=GCM_MAX_IV).contains(&iv.len()),
    };
    if ok {
        Ok(())
    } else {
        Err(CryptoError::InvalidIvLength { expected: default_iv_len(mode), actual: iv.len() })
    }
}

fn default_iv_len(mode: Mode) -> usize {
    match mode {
        Mode::Ecb => 0,
        Mode::Cbc | Mode::Ctr => BLOCK,
        Mode::Gcm => GCM_DEFAULT_IV,
    }
}

/// The output room `cipher_update_inplace` and `cipher_final` ask for beyond the input:
/// one block for the block modes, none for the stream modes (OpenSSL's block size 1).
fn slack(mode: Mode) -> usize {
    match mode {
        Mode::Ecb | Mode::Cbc => BLOCK,
        Mode::Ctr | Mode::Gcm => 0,
    }
}

/// The buffer an encryption runs in place on, and how much of it is input: the
/// plaintext, its PKCS#7 padding when asked (1 to 16 bytes, each the pad length;
/// what OpenSSL's own padding adds), then [`slack`]. Padding here rather than in
/// OpenSSL's final call saves that call; `check_input` has refused a partial
/// block without padding, so every block mode's input is whole blocks.
fn encrypt_buffer(mode: Mode, padding: Padding, plaintext: &[u8]) -> (Vec<u8>, usize) {
    let pad = match padding {
        Padding::Pkcs7 => BLOCK - plaintext.len() % BLOCK,
        Padding::None => 0,
    };
    let len = plaintext.len() + pad;
    let mut buf = Vec::with_capacity(len + slack(mode));
    buf.extend_from_slice(plaintext);
    // `pad` is 0..=16, so the byte is exact.
    buf.resize(len, u8::try_from(pad).unwrap_or(0));
    buf.resize(len + slack(mode), 0);
    (buf, len)
}

/// XORs the first block of `mask` into the first block of `buf`; nothing when either is shorter.
fn xor_block(buf: &mut [u8], mask: &[u8]) {
    if let (Some(block), Some(mask)) = (buf.first_chunk_mut::<BLOCK>(), mask.first_chunk::<BLOCK>()) {
        for (byte, m) in block.iter_mut().zip(mask) {
            *byte ^= m;
        }
    }
}

/// The length of `plain` (whole blocks) without its PKCS#7 padding, or `None`
/// when the padding is not valid: a last byte n of 1..=16 ending n bytes of n.
/// Every byte of the last block is looked at, whatever the padding holds, so
/// the work does not depend on where a bad padding goes wrong.
fn unpad(plain: &[u8]) -> Option<usize> {
    let last_block = plain.len().checked_sub(BLOCK).and_then(|from| plain.get(from..))?;
    let pad = *last_block.last()?;
    let n = usize::from(pad);
    let mut bad = u8::from(n == 0) | u8::from(n > BLOCK);
    for (i, &byte) in last_block.iter().rev().enumerate() {
        bad |= u8::from(i < n) & u8::from(byte != pad);
    }
    if bad == 0 {
        plain.len().checked_sub(n)
    } else {
        None
    }
}

/// A fresh random IV for every mode but ECB. IVs are public, so the public DRBG (pooled) serves.
fn generate_iv(mode: Mode) -> Result<Option<Vec<u8>>, CryptoError> {
    let len = default_iv_len(mode);
    if len == 0 {
        return Ok(None);
    }
    let mut iv = [0u8; BLOCK];
    let iv = iv.get_mut(..len).ok_or(CryptoError::InvalidIvLength { expected: len, actual: 0 })?;
    fill_public(iv)?;
    // Copied out of a stack buffer: a fresh `vec![0; len]` is a calloc, dearer than malloc.
    Ok(Some(iv.to_vec()))
}

fn encrypt_tag_len(tag_len: usize) -> Result<usize, CryptoError> {
    match tag_len {
        0 => Ok(GCM_TAG),
        GCM_MIN_TAG..=GCM_TAG => Ok(tag_len),
        _ => Err(CryptoError::InvalidTagLength(tag_len)),
    }
}

fn too_long(len: usize) -> CryptoError {
    CryptoError::InvalidInput(format!("input of {len} bytes is longer than the {MAX_INPUT} a single call takes"))
}

/// The AES cipher for `mode` and a key of `key_len` bytes, fetched from the
/// default provider once per process; the built-in table is the fallback.
pub(super) fn aes_cipher(mode: Mode, key_len: usize) -> Result<&'static CipherRef, CryptoError> {
    static FETCHED: [OnceLock<Option<Cipher>>; 12] = [const { OnceLock::new() }; 12];
    let (size, bits) = match key_len {
        16 => (0, 128),
        24 => (1, 192),
        32 => (2, 256),
        _ => return Err(CryptoError::InvalidKeyLength { expected: AES_KEY_LENGTHS, actual: key_len }),
    };
    let (slot, name, builtin): (usize, &str, fn() -> &'static CipherRef) = match (mode, bits) {
        (Mode::Ecb, 128) => (0, "ECB", Cipher::aes_128_ecb),
        (Mode::Ecb, 192) => (0, "ECB", Cipher::aes_192_ecb),
        (Mode::Ecb, _) => (0, "ECB", Cipher::aes_256_ecb),
        (Mode::Cbc, 128) => (1, "CBC", Cipher::aes_128_cbc),
        (Mode::Cbc, 192) => (1, "CBC", Cipher::aes_192_cbc),
        (Mode::Cbc, _) => (1, "CBC", Cipher::aes_256_cbc),
        (Mode::Ctr, 128) => (2, "CTR", Cipher::aes_128_ctr),
        (Mode::Ctr, 192) => (2, "CTR", Cipher::aes_192_ctr),
        (Mode::Ctr, _) => (2, "CTR", Cipher::aes_256_ctr),
        (Mode::Gcm, 128) => (3, "GCM", Cipher::aes_128_gcm),
        (Mode::Gcm, 192) => (3, "GCM", Cipher::aes_192_gcm),
        (Mode::Gcm, _) => (3, "GCM", Cipher::aes_256_gcm),
    };
    let fetched = FETCHED
        .get(slot * 3 + size)
        .and_then(|cell| cell.get_or_init(|| Cipher::fetch(None, &format!("AES-{bits}-{name}"), None).ok()).as_ref());
    Ok(fetched.map_or_else(builtin, |c| &**c))
}

// Tests index fixed-size values they built themselves.
#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    const KEY_LENS: [usize; 3] = [16, 24, 32];
    const MODES: [(Mode, Padding); 6] = [
        (Mode::Ecb, Padding::None),
        (Mode::Ecb, Padding::Pkcs7),
        (Mode::Cbc, Padding::None),
        (Mode::Cbc, Padding::Pkcs7),
        (Mode::Ctr, Padding::None),
        (Mode::Gcm, Padding::None),
    ];

    fn key(len: usize) -> Vec<u8> {
        (0..len).map(|i| i as u8 ^ 0x5a).collect()
    }

    /// Encrypts with a generated IV, then decrypts with the returned IV and tag.
    fn round_trip(key: &[u8], mode: Mode, padding: Padding, aad: &[u8], plaintext: &[u8]) -> Encrypted {
        let mut params = AesParams::new(mode, padding);
        params.aad = aad;
        let enc = aes_encrypt(key, &params, plaintext).unwrap();
        params.iv = enc.iv.as_deref();
        let dec = aes_decrypt(key, &params, &enc.ciphertext, enc.tag.as_deref()).unwrap();
        assert_eq!(&dec[..], plaintext, "{mode:?}/{padding:?} key {}", key.len());
        enc
    }

    #[test]
    fn every_mode_and_key_size_round_trips() {
        let plaintext = [0x42u8; 64];
        for len in KEY_LENS {
            for (mode, padding) in MODES {
                let aad: &[u8] = if mode == Mode::Gcm { b"header" } else { b"" };
                let enc = round_trip(&key(len), mode, padding, aad, &plaintext);
                assert_ne!(enc.ciphertext[..16], plaintext[..16]);
                let expected_len = if padding == Padding::Pkcs7 { 80 } else { 64 };
                assert_eq!(enc.ciphertext.len(), expected_len, "{mode:?}/{padding:?}");
                assert_eq!(enc.tag.as_ref().map(Vec::len), (mode == Mode::Gcm).then_some(16));
            }
        }
    }

    #[test]
    fn pkcs7_round_trips_every_length_from_0_to_33() {
        for mode in [Mode::Ecb, Mode::Cbc] {
            for len in 0..=33usize {
                let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
                let enc = round_trip(&key(16), mode, Padding::Pkcs7, b"", &plaintext);
                // PKCS#7 always adds 1..=16 bytes, up to the next whole block.
                assert_eq!(enc.ciphertext.len(), (len / 16 + 1) * 16, "{mode:?} length {len}");
            }
        }
    }

    #[test]
    fn stream_modes_round_trip_odd_lengths_and_empty_input() {
        for mode in [Mode::Ctr, Mode::Gcm] {
            for len in [0usize, 1, 15, 17, 100] {
                let enc = round_trip(&key(32), mode, Padding::None, b"", &vec![9u8; len]);
                assert_eq!(enc.ciphertext.len(), len);
            }
        }
    }

    /// One pooled CBC and one ECB encrypting context, fed messages that leave
    /// the chain in every way (empty, one block, padded, the same IV twice), each
    /// compared with a one-off call whose context is initialised with the IV.
    #[test]
    fn a_chained_cbc_context_and_an_unreset_ecb_context_give_what_a_fresh_one_gives() {
        let key_bytes = key(32);
        let pooled = AesKey::new(&key_bytes).unwrap();
        let (iv_a, iv_b) = ([0x11u8; 16], [0x22u8; 16]);
        let calls: [(Padding, &[u8; 16], usize); 8] = [
            (Padding::Pkcs7, &iv_a, 16),
            (Padding::None, &iv_b, 0),
            (Padding::None, &iv_a, 32),
            (Padding::Pkcs7, &iv_a, 5),
            (Padding::Pkcs7, &iv_a, 5),
            (Padding::None, &iv_a, 0),
            (Padding::Pkcs7, &iv_b, 0),
            (Padding::None, &iv_b, 48),
        ];
        let mut outputs = Vec::new();
        for (i, (padding, iv, len)) in calls.into_iter().enumerate() {
            let plaintext: Vec<u8> = (0..len).map(|b| (b * 7 + len) as u8).collect();
            for mode in [Mode::Cbc, Mode::Ecb] {
                let iv = (mode == Mode::Cbc).then_some(&iv[..]);
                let params = AesParams { iv, ..AesParams::new(mode, padding) };
                let got = pooled.encrypt(&params, &plaintext).unwrap();
                assert_eq!(got, aes_encrypt(&key_bytes, &params, &plaintext).unwrap(), "call {i} {mode:?}");
                assert_eq!(&pooled.decrypt(&params, &got.ciphertext, None).unwrap()[..], &plaintext[..]);
                outputs.push(got.ciphertext);
            }
        }
        // Calls 3 and 4 are the same call: the chain must not leak into the output.
        assert_eq!(outputs[6], outputs[8]);
        assert_eq!(pooled.idle(), 4, "one context per (mode, direction), reused throughout");
    }

    #[test]
    fn unpad_accepts_exactly_what_pkcs7_allows() {
        // The rule written plainly: the last byte n is 1..=16 and the last n bytes are all n.
        fn reference(plain: &[u8]) -> Option<usize> {
            let n = usize::from(*plain.last()?);
            let ok = (1..=BLOCK).contains(&n)
                && plain.len() >= BLOCK
                && plain.iter().rev().take(n).all(|&b| usize::from(b) == n);
            ok.then(|| plain.len() - n)
        }
        let mut rng = Rng(0x5eed_0f0a_dd1e);
        for blocks in [1usize, 2] {
            for n in 0..=255u8 {
                let mut plain = rng.bytes(blocks * BLOCK);
                let len = plain.len();
                for b in plain.iter_mut().rev().take(usize::from(n)) {
                    *b = n;
                }
                assert_eq!(unpad(&plain), reference(&plain), "n {n}");
                // Each byte of the last block changed in turn: inside the padding it breaks it.
                for i in len - BLOCK..len {
                    let mut bad = plain.clone();
                    bad[i] ^= 0x40;
                    assert_eq!(unpad(&bad), reference(&bad), "n {n}, byte {i}");
                }
            }
        }
        assert_eq!(unpad(&[16u8; 16]), Some(0));
        assert_eq!(unpad(&[]), None);
        assert_eq!(unpad(&[1u8; 15]), None);
    }

    #[test]
    fn a_context_is_never_started_without_an_iv_where_the_mode_takes_one() {
        // The public calls check or generate the IV first; this is the guard behind them.
        for mode in [Mode::Cbc, Mode::Ctr, Mode::Gcm] {
            for dir in [Direction::Encrypt, Direction::Decrypt] {
                let mut keyed = Keyed::new(dir, mode, aes_cipher(mode, 16).unwrap(), &key(16)).unwrap();
                assert!(matches!(keyed.start(dir, mode, None), Err(CryptoError::InvalidInput(_))), "{mode:?}");
            }
        }
        let mut ecb = Keyed::new(Direction::Encrypt, Mode::Ecb, aes_cipher(Mode::Ecb, 16).unwrap(), &key(16)).unwrap();
        assert_eq!(ecb.start(Direction::Encrypt, Mode::Ecb, None).unwrap(), None);
    }

    #[test]
    fn a_gcm_context_follows_iv_length_changes_back_and_forth() {
        let key_bytes = key(16);
        let pooled = AesKey::new(&key_bytes).unwrap();
        for (i, iv_len) in [12usize, 16, 12, 1, 128, 12, 60, 60].into_iter().enumerate() {
            let iv = vec![i as u8; iv_len];
            let params = AesParams { iv: Some(&iv), aad: b"aad", ..AesParams::new(Mode::Gcm, Padding::None) };
            let got = pooled.encrypt(&params, b"gcm message").unwrap();
            assert_eq!(got, aes_encrypt(&key_bytes, &params, b"gcm message").unwrap(), "IV of {iv_len}");
            let tag = got.tag.unwrap();
            assert_eq!(&pooled.decrypt(&params, &got.ciphertext, Some(&tag)).unwrap()[..], b"gcm message");
        }
        assert_eq!(pooled.idle(), 2);
    }

    #[test]
    fn a_partial_block_without_padding_is_refused_in_both_block_modes_and_both_directions() {
        let iv = [0u8; 16];
        for mode in [Mode::Ecb, Mode::Cbc] {
            let iv = (mode == Mode::Cbc).then_some(&iv[..]);
            let params = AesParams { iv, ..AesParams::new(mode, Padding::None) };
            for len in [1usize, 15, 17, 33] {
                let want = CryptoError::InvalidInput(format!(
                    "{mode:?} without padding needs a multiple of 16 bytes, got {len}"
                ));
                assert_eq!(aes_encrypt(&key(16), &params, &vec![0u8; len]).unwrap_err(), want);
                assert_eq!(aes_decrypt(&key(16), &params, &vec![0u8; len], None).unwrap_err(), want);
            }
        }
    }

    #[test]
    fn generated_iv_is_returned_fresh_and_usable() {
        for (mode, len) in [(Mode::Cbc, 16), (Mode::Ctr, 16), (Mode::Gcm, 12)] {
            let params = AesParams::new(mode, Padding::None);
            let a = aes_encrypt(&key(16), &params, &[1u8; 32]).unwrap();
            let b = aes_encrypt(&key(16), &params, &[1u8; 32]).unwrap();
            let iv = a.iv.clone().unwrap();
            assert_eq!(iv.len(), len, "{mode:?}");
            assert_ne!(a.iv, b.iv, "{mode:?}: two encryptions drew the same IV");
            assert_ne!(a.ciphertext, b.ciphertext);
            // The same IV passed back in gives the same ciphertext, and no IV is returned.
            let given = AesParams { iv: Some(&iv), ..params };
            let again = aes_encrypt(&key(16), &given, &[1u8; 32]).unwrap();
            assert_eq!(again.ciphertext, a.ciphertext);
            assert_eq!(again.iv, None);
        }
        let ecb = aes_encrypt(&key(16), &AesParams::new(Mode::Ecb, Padding::None), &[0u8; 16]).unwrap();
        assert_eq!(ecb.iv, None);
        // An empty IV is taken as "no IV" for ECB, in both directions.
        let empty = AesParams { iv: Some(&[]), ..AesParams::new(Mode::Ecb, Padding::None) };
        assert_eq!(aes_encrypt(&key(16), &empty, &[0u8; 16]).unwrap(), ecb);
        assert_eq!(&aes_decrypt(&key(16), &empty, &ecb.ciphertext, None).unwrap()[..], &[0u8; 16]);
    }

    #[test]
    fn gcm_takes_ivs_of_1_to_128_bytes_and_no_other() {
        for len in [1usize, 8, 12, 16, 60, 128] {
            let iv = vec![3u8; len];
            let params = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Gcm, Padding::None) };
            let enc = aes_encrypt(&key(16), &params, b"hello").unwrap();
            assert_eq!(&aes_decrypt(&key(16), &params, &enc.ciphertext, enc.tag.as_deref()).unwrap()[..], b"hello");
        }
        for len in [0usize, 129] {
            let iv = vec![3u8; len];
            let params = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Gcm, Padding::None) };
            assert_eq!(
                aes_encrypt(&key(16), &params, b"hello").unwrap_err(),
                CryptoError::InvalidIvLength { expected: 12, actual: len }
            );
        }
    }

    #[test]
    fn gcm_tag_lengths_4_to_16_work_and_others_are_refused() {
        for tag_len in [4usize, 8, 12, 16] {
            let params = AesParams { tag_len, ..AesParams::new(Mode::Gcm, Padding::None) };
            let enc = aes_encrypt(&key(16), &params, b"abc").unwrap();
            assert_eq!(enc.tag.as_ref().map(Vec::len), Some(tag_len));
            let params = AesParams { iv: enc.iv.as_deref(), ..params };
            assert_eq!(&aes_decrypt(&key(16), &params, &enc.ciphertext, enc.tag.as_deref()).unwrap()[..], b"abc");
        }
        let zero = AesParams { tag_len: 0, ..AesParams::new(Mode::Gcm, Padding::None) };
        assert_eq!(aes_encrypt(&key(16), &zero, b"abc").unwrap().tag.map(|t| t.len()), Some(16));
        for tag_len in [3usize, 17] {
            let params = AesParams { tag_len, ..AesParams::new(Mode::Gcm, Padding::None) };
            assert_eq!(aes_encrypt(&key(16), &params, b"abc").unwrap_err(), CryptoError::InvalidTagLength(tag_len));
        }
        let iv = [0u8; 12];
        let params = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Gcm, Padding::None) };
        assert_eq!(
            aes_decrypt(&key(16), &params, b"abc", Some(&[0u8; 3])).unwrap_err(),
            CryptoError::InvalidTagLength(3)
        );
        assert_eq!(
            aes_decrypt(&key(16), &params, b"abc", Some(&[0u8; 17])).unwrap_err(),
            CryptoError::InvalidTagLength(17)
        );
    }

    #[test]
    fn gcm_wrong_tag_aad_or_ciphertext_fails_authentication() {
        let params = AesParams { aad: b"record-1", ..AesParams::new(Mode::Gcm, Padding::None) };
        let enc = aes_encrypt(&key(32), &params, b"secret").unwrap();
        let params = AesParams { iv: enc.iv.as_deref(), ..params };
        let tag = enc.tag.clone().unwrap();

        let mut bad_tag = tag.clone();
        bad_tag[0] ^= 0x80;
        assert_eq!(
            aes_decrypt(&key(32), &params, &enc.ciphertext, Some(&bad_tag)).unwrap_err(),
            CryptoError::AuthenticationFailed
        );
        let mut bad_ct = enc.ciphertext.clone();
        bad_ct[5] ^= 1;
        assert_eq!(aes_decrypt(&key(32), &params, &bad_ct, Some(&tag)).unwrap_err(), CryptoError::AuthenticationFailed);
        let other_aad = AesParams { aad: b"record-2", ..params };
        assert_eq!(
            aes_decrypt(&key(32), &other_aad, &enc.ciphertext, Some(&tag)).unwrap_err(),
            CryptoError::AuthenticationFailed
        );
        // A truncated copy of the right tag would verify as a 12-byte tag, so a tag
        // shorter than the parameters' length is refused before checking.
        assert_eq!(
            aes_decrypt(&key(32), &params, &enc.ciphertext, Some(&tag[..12])).unwrap_err(),
            CryptoError::InvalidTagLength(12)
        );
        let short = AesParams { tag_len: 12, ..params };
        assert_eq!(&aes_decrypt(&key(32), &short, &enc.ciphertext, Some(&tag[..12])).unwrap()[..], b"secret");
        assert!(matches!(aes_decrypt(&key(32), &params, &enc.ciphertext, None), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn tampered_cbc_padding_fails_authentication() {
        let iv = [0x11u8; 16];
        let params = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Cbc, Padding::Pkcs7) };
        // 16 bytes of plaintext: the last ciphertext block is all padding (16 x 0x10).
        let enc = aes_encrypt(&key(16), &params, &[0xabu8; 16]).unwrap();
        assert_eq!(enc.ciphertext.len(), 32);
        // Flipping the first block's last byte flips the pad block's last byte: 0x10 -> 0x11, invalid.
        let mut tampered = enc.ciphertext.clone();
        tampered[15] ^= 0x01;
        assert_eq!(aes_decrypt(&key(16), &params, &tampered, None).unwrap_err(), CryptoError::AuthenticationFailed);
        // A ciphertext that is not whole blocks is malformed, not a failed check.
        for len in [0usize, 15, 31] {
            assert!(matches!(
                aes_decrypt(&key(16), &params, &enc.ciphertext[..len], None),
                Err(CryptoError::InvalidInput(_))
            ));
        }
        // Changing the pad block's own ciphertext garbles the whole block; with these
        // fixed inputs (deterministic, so not flaky) the result is not valid padding.
        let mut garbled = enc.ciphertext.clone();
        garbled[31] ^= 0x01;
        assert_eq!(aes_decrypt(&key(16), &params, &garbled, None).unwrap_err(), CryptoError::AuthenticationFailed);
    }

    #[test]
    fn wrong_key_and_iv_lengths_give_the_right_error() {
        for bad in [0usize, 15, 17, 31, 33, 64] {
            assert_eq!(
                aes_encrypt(&key(bad), &AesParams::new(Mode::Cbc, Padding::Pkcs7), b"x").unwrap_err(),
                CryptoError::InvalidKeyLength { expected: "16, 24 or 32 bytes", actual: bad }
            );
        }
        for (mode, bad) in [(Mode::Cbc, 12usize), (Mode::Cbc, 17), (Mode::Ctr, 8), (Mode::Ctr, 0)] {
            let iv = vec![0u8; bad];
            let params = AesParams { iv: Some(&iv), ..AesParams::new(mode, Padding::None) };
            let want = CryptoError::InvalidIvLength { expected: 16, actual: bad };
            assert_eq!(aes_encrypt(&key(16), &params, &[0u8; 16]).unwrap_err(), want);
            assert_eq!(aes_decrypt(&key(16), &params, &[0u8; 16], None).unwrap_err(), want);
        }
        let iv = [0u8; 16];
        let ecb = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Ecb, Padding::None) };
        assert_eq!(
            aes_encrypt(&key(16), &ecb, &[0u8; 16]).unwrap_err(),
            CryptoError::InvalidIvLength { expected: 0, actual: 16 }
        );
        let cbc = AesParams::new(Mode::Cbc, Padding::None);
        assert!(matches!(aes_decrypt(&key(16), &cbc, &[0u8; 16], None), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn refused_combinations_name_the_problem() {
        assert!(matches!(
            aes_encrypt(&key(16), &AesParams::new(Mode::Ctr, Padding::Pkcs7), b"x"),
            Err(CryptoError::Unsupported(_))
        ));
        assert!(matches!(
            aes_encrypt(&key(16), &AesParams::new(Mode::Gcm, Padding::Pkcs7), b"x"),
            Err(CryptoError::Unsupported(_))
        ));
        let err = aes_encrypt(&key(16), &AesParams::new(Mode::Cbc, Padding::None), &[0u8; 17]).unwrap_err();
        assert!(matches!(err, CryptoError::InvalidInput(_)));
        assert!(err.to_string().contains("multiple of 16"), "{err}");
        let aad = AesParams { aad: b"x", ..AesParams::new(Mode::Cbc, Padding::Pkcs7) };
        assert!(matches!(aes_encrypt(&key(16), &aad, b"x"), Err(CryptoError::InvalidInput(_))));
        let iv = [0u8; 16];
        let cbc = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Cbc, Padding::None) };
        assert!(matches!(aes_decrypt(&key(16), &cbc, &[0u8; 16], Some(&[0u8; 16])), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn errors_never_show_key_bytes() {
        let secret = [0xc7u8; 20];
        let err = aes_encrypt(&secret, &AesParams::new(Mode::Gcm, Padding::None), b"x").unwrap_err();
        let text = format!("{err} {err:?}");
        assert!(!text.to_lowercase().contains("c7") && !text.contains("199"), "{text}");
    }

    #[test]
    fn seal_and_open_round_trip_and_bind_key_and_aad() {
        let key = [0x24u8; 32];
        for len in [0usize, 1, 16, 1000] {
            let plaintext = vec![0x99u8; len];
            let sealed = seal(&key, b"id-1", &plaintext).unwrap();
            assert_eq!(sealed.len(), 12 + len + 16);
            assert_eq!(&open(&key, b"id-1", &sealed).unwrap()[..], &plaintext[..]);
            assert_ne!(sealed[..12], seal(&key, b"id-1", &plaintext).unwrap()[..12], "nonce reused");
        }
        let sealed = seal(&key, b"id-1", b"key material").unwrap();
        assert_eq!(open(&key, b"id-2", &sealed).unwrap_err(), CryptoError::AuthenticationFailed);
        assert_eq!(open(&[0x25u8; 32], b"id-1", &sealed).unwrap_err(), CryptoError::AuthenticationFailed);
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x04;
            assert_eq!(open(&key, b"id-1", &bad).unwrap_err(), CryptoError::AuthenticationFailed, "byte {i}");
        }
        assert!(matches!(open(&key, b"id-1", &sealed[..27]), Err(CryptoError::InvalidInput(_))));
    }

    #[test]
    fn seal_output_opens_with_aes_decrypt_as_nonce_ciphertext_tag() {
        let key = [0x61u8; 32];
        let sealed = seal(&key, b"aad", b"interop").unwrap();
        let (nonce, rest) = sealed.split_at(12);
        let (ct, tag) = rest.split_at(rest.len() - 16);
        let params = AesParams { iv: Some(nonce), aad: b"aad", ..AesParams::new(Mode::Gcm, Padding::None) };
        assert_eq!(&aes_decrypt(&key, &params, ct, Some(tag)).unwrap()[..], b"interop");
    }

    use crate::test_rng::Rng;

    /// One call's inputs, drawn at random; `input` is plaintext or ciphertext.
    struct Call {
        mode: Mode,
        padding: Padding,
        decrypt: bool,
        iv: Vec<u8>,
        aad: Vec<u8>,
        tag_len: usize,
        input: Vec<u8>,
        tag: Option<Vec<u8>>,
    }

    impl Call {
        fn params(&self) -> AesParams<'_> {
            let iv = if self.mode == Mode::Ecb { None } else { Some(&self.iv[..]) };
            AesParams { mode: self.mode, padding: self.padding, iv, aad: &self.aad, tag_len: self.tag_len }
        }

        /// Runs the call through the pooled contexts of `key`.
        fn pooled(&self, key: &AesKey) -> Result<(Vec<u8>, Option<Vec<u8>>), CryptoError> {
            if self.decrypt {
                key.decrypt(&self.params(), &self.input, self.tag.as_deref()).map(|p| (p.to_vec(), None))
            } else {
                key.encrypt(&self.params(), &self.input).map(|e| (e.ciphertext, e.tag))
            }
        }

        /// Runs the call through `openssl::symm::Crypter`, a fresh context
        /// set up by code that is not ours: the reference.
        fn reference(&self, key: &[u8]) -> Result<(Vec<u8>, Option<Vec<u8>>), CryptoError> {
            use openssl::symm::{Cipher as C, Crypter, Mode as Dir};
            let cipher = match (self.mode, key.len()) {
                (Mode::Ecb, 16) => C::aes_128_ecb(),
                (Mode::Ecb, 24) => C::aes_192_ecb(),
                (Mode::Ecb, _) => C::aes_256_ecb(),
                (Mode::Cbc, 16) => C::aes_128_cbc(),
                (Mode::Cbc, 24) => C::aes_192_cbc(),
                (Mode::Cbc, _) => C::aes_256_cbc(),
                (Mode::Ctr, 16) => C::aes_128_ctr(),
                (Mode::Ctr, 24) => C::aes_192_ctr(),
                (Mode::Ctr, _) => C::aes_256_ctr(),
                (Mode::Gcm, 16) => C::aes_128_gcm(),
                (Mode::Gcm, 24) => C::aes_192_gcm(),
                (Mode::Gcm, _) => C::aes_256_gcm(),
            };
            let dir = if self.decrypt { Dir::Decrypt } else { Dir::Encrypt };
            let mut c = Crypter::new(cipher, dir, key, self.params().iv).unwrap();
            c.pad(self.padding == Padding::Pkcs7);
            if let Some(tag) = &self.tag {
                c.set_tag(tag).unwrap();
            }
            if !self.aad.is_empty() {
                c.aad_update(&self.aad).unwrap();
            }
            let mut out = vec![0u8; self.input.len() + 32];
            let n = c.update(&self.input, &mut out).unwrap();
            let m = c.finalize(&mut out[n..]).map_err(|_| CryptoError::AuthenticationFailed)?;
            out.truncate(n + m);
            let tag = (self.mode == Mode::Gcm && !self.decrypt).then(|| {
                let mut tag = vec![0u8; self.tag_len];
                c.get_tag(&mut tag).unwrap();
                tag
            });
            Ok((out, tag))
        }
    }

    /// A random call: every mode, padding on and off, GCM IVs of 1 to 128
    /// bytes, AAD and tag lengths; a decryption of what the reference
    /// encrypted, tampered with (tag, ciphertext or AAD) one time in three.
    fn random_call(rng: &mut Rng, key: &[u8]) -> Call {
        let (mode, padding) = MODES[rng.below(MODES.len())];
        let iv_len = match mode {
            Mode::Ecb => 0,
            Mode::Cbc | Mode::Ctr => 16,
            Mode::Gcm => [1usize, 8, 12, 12, 16, 60, 128][rng.below(7)],
        };
        let aad_len = if mode == Mode::Gcm { [0usize, 0, 5, 16, 40][rng.below(5)] } else { 0 };
        let tag_len = if mode == Mode::Gcm { [4usize, 8, 12, 16, 16][rng.below(5)] } else { 16 };
        let mut len = rng.below(70);
        if padding == Padding::None && matches!(mode, Mode::Ecb | Mode::Cbc) {
            len -= len % 16;
        }
        let mut call = Call {
            mode,
            padding,
            decrypt: false,
            iv: rng.bytes(iv_len),
            aad: rng.bytes(aad_len),
            tag_len,
            input: rng.bytes(len),
            tag: None,
        };
        if rng.below(2) == 0 {
            let (ciphertext, tag) = call.reference(key).unwrap();
            call.decrypt = true;
            call.input = ciphertext;
            call.tag = tag;
            if rng.below(3) == 0 {
                match (&mut call.tag, call.input.len()) {
                    (Some(tag), _) if rng.below(2) == 0 => tag[0] ^= 0x01,
                    (Some(_), _) => call.aad.push(0),
                    (None, n) if n > 0 => call.input[n - 1] ^= 0x01,
                    (None, _) => {}
                }
            }
        }
        call
    }

    #[test]
    fn pooled_contexts_give_what_a_fresh_context_gives_across_interleaved_calls() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let (mut failed, mut decrypted) = (0, 0);
        for len in KEY_LENS {
            let key_bytes = rng.bytes(len);
            let key = AesKey::new(&key_bytes).unwrap();
            for i in 0..600 {
                let call = random_call(&mut rng, &key_bytes);
                let want = call.reference(&key_bytes);
                let got = call.pooled(&key);
                assert_eq!(
                    got, want,
                    "call {i}: {:?}/{:?} decrypt {} key {len}",
                    call.mode, call.padding, call.decrypt
                );
                failed += usize::from(got.is_err());
                decrypted += usize::from(call.decrypt && got.is_ok());
            }
            // Every (mode, direction) was used; each pool stays bounded.
            assert!((1..=POOLS * POOLED_PER_USE).contains(&key.idle()), "{}", key.idle());
        }
        // The sequence did exercise failures between successes.
        assert!(failed > 100 && decrypted > 300, "{failed} failed, {decrypted} decrypted");
    }

    #[test]
    fn a_context_that_failed_is_freed_and_the_next_call_succeeds() {
        let key = AesKey::new(&key(32)).unwrap();
        let gcm = AesParams { iv: Some(&[7u8; 12]), aad: b"aad", ..AesParams::new(Mode::Gcm, Padding::None) };
        let enc = key.encrypt(&gcm, b"sixteen bytes!!!").unwrap();
        let tag = enc.tag.unwrap();
        assert_eq!(&key.decrypt(&gcm, &enc.ciphertext, Some(&tag)).unwrap()[..], b"sixteen bytes!!!");
        assert_eq!(key.idle(), 2, "one encrypting and one decrypting context pooled");
        let mut bad = tag.clone();
        bad[15] ^= 0x80;
        assert_eq!(key.decrypt(&gcm, &enc.ciphertext, Some(&bad)).unwrap_err(), CryptoError::AuthenticationFailed);
        assert_eq!(key.idle(), 1, "the context that saw the bad tag is not pooled");
        assert_eq!(&key.decrypt(&gcm, &enc.ciphertext, Some(&tag)).unwrap()[..], b"sixteen bytes!!!");

        let cbc = AesParams { iv: Some(&[9u8; 16]), ..AesParams::new(Mode::Cbc, Padding::Pkcs7) };
        let enc = key.encrypt(&cbc, &[0xabu8; 16]).unwrap();
        let mut tampered = enc.ciphertext.clone();
        tampered[15] ^= 0x01;
        assert_eq!(key.decrypt(&cbc, &enc.ciphertext, None).unwrap()[..], [0xabu8; 16]);
        let before = key.idle();
        assert_eq!(key.decrypt(&cbc, &tampered, None).unwrap_err(), CryptoError::AuthenticationFailed);
        assert_eq!(key.idle(), before - 1);
        assert_eq!(key.decrypt(&cbc, &enc.ciphertext, None).unwrap()[..], [0xabu8; 16]);
        // The same context without padding: the pad block comes back as data.
        let raw = AesParams { padding: Padding::None, ..cbc };
        let plain = key.decrypt(&raw, &enc.ciphertext, None).unwrap();
        assert_eq!((plain.len(), plain[31]), (32, 0x10));
        assert_eq!(key.decrypt(&cbc, &enc.ciphertext, None).unwrap()[..], [0xabu8; 16]);
    }

    #[test]
    fn pools_are_bounded_under_concurrent_use_and_every_answer_is_right() {
        let mut rng = Rng(0x0bad_cafe_f00d_0001);
        let key_bytes = rng.bytes(32);
        let key = AesKey::new(&key_bytes).unwrap();
        std::thread::scope(|scope| {
            for t in 0..8u64 {
                let (key, key_bytes) = (&key, &key_bytes);
                scope.spawn(move || {
                    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t + 1));
                    for i in 0..300 {
                        let call = random_call(&mut rng, key_bytes);
                        assert_eq!(call.pooled(key), call.reference(key_bytes), "thread {t} call {i}");
                    }
                });
            }
        });
        let idle = key.idle();
        assert!((1..=POOLS * POOLED_PER_USE).contains(&idle), "{idle}");
    }

    #[test]
    fn a_one_off_call_pools_nothing() {
        let key = AesKey::one_off(&key(16)).unwrap();
        let params = AesParams { iv: Some(&[1u8; 16]), ..AesParams::new(Mode::Cbc, Padding::Pkcs7) };
        let enc = key.encrypt(&params, b"once").unwrap();
        assert_eq!(&key.decrypt(&params, &enc.ciphertext, None).unwrap()[..], b"once");
        assert_eq!(key.idle(), 0);
    }

    #[test]
    fn an_aes_key_refuses_bad_lengths_and_prints_no_key_byte() {
        assert_eq!(
            AesKey::new(&[0u8; 20]).unwrap_err(),
            CryptoError::InvalidKeyLength { expected: "16, 24 or 32 bytes", actual: 20 }
        );
        let key = AesKey::new(&[0xc7u8; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "AesKey(AES-256, ..)");
    }
}
