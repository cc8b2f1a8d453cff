//! The chain's hash and the checkpoint's signature: the two formats verification recomputes.

use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{entities::audit_checkpoints, entities::audit_events, platform::crypto::hex};

/// The chain hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(hasher: &mut Sha256, value: &[u8]) {
    // Length-prefixed, so no two different rows encode to the same bytes.
    hasher.update((value.len() as u64).to_be_bytes());
    hasher.update(value);
}

/// The chain hash at `position`: the previous hash, the position and every column of the event.
pub fn chain_hash(previous: &str, position: i64, event: &audit_events::Model) -> String {
    let mut hasher = Sha256::new();
    field(&mut hasher, b"inzage/audit/v2");
    field(&mut hasher, previous.as_bytes());
    field(&mut hasher, &position.to_be_bytes());
    field(&mut hasher, &event.id.to_be_bytes());
    field(
        &mut hasher,
        &event.occurred_at.timestamp_micros().to_be_bytes(),
    );
    field(&mut hasher, event.actor.as_bytes());
    field(&mut hasher, event.action.as_bytes());
    field(
        &mut hasher,
        event
            .citizen_id
            .map(|id| id.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(&mut hasher, event.details.as_bytes());
    hex(&hasher.finalize())
}

/// The key checkpoints are signed with (`secrets.audit_signing_key`).
#[derive(Clone)]
pub struct AuditKey {
    signing: SigningKey,
}

impl AuditKey {
    /// The key from its 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The public half, base64, for the exported checkpoint and Toezicht.
    pub fn public_key(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.signing.verifying_key().as_bytes())
    }

    /// Names the key: the first 16 hex digits of the SHA-256 of its public half.
    pub fn key_id(&self) -> String {
        key_id(&self.signing.verifying_key())
    }

    pub(super) fn sign(&self, statement: &Statement) -> String {
        base64::engine::general_purpose::STANDARD
            .encode(self.signing.sign(&statement.bytes()).to_bytes())
    }

    pub(super) fn verifies(&self, statement: &Statement, signature: &str) -> bool {
        verifies(&self.signing.verifying_key(), statement, signature)
    }
}

fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.as_bytes()))[..16].to_owned()
}

fn verifies(key: &VerifyingKey, statement: &Statement, signature: &str) -> bool {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature) else {
        return false;
    };
    let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    key.verify(&statement.bytes(), &Signature::from_bytes(&bytes))
        .is_ok()
}

/// What a checkpoint signs: its sequence number, the number of events, the head and the time.
pub(super) struct Statement<'a> {
    pub sequence: i64,
    pub events: i64,
    pub head: &'a str,
    pub sealed_at: DateTime<Utc>,
}

impl Statement<'_> {
    fn bytes(&self) -> Vec<u8> {
        let mut out = b"inzage/audit/checkpoint/v1\n".to_vec();
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.events.to_be_bytes());
        out.extend_from_slice(self.head.as_bytes());
        out.extend_from_slice(&self.sealed_at.timestamp_micros().to_be_bytes());
        out
    }
}

impl<'a> From<&'a audit_checkpoints::Model> for Statement<'a> {
    fn from(row: &'a audit_checkpoints::Model) -> Self {
        Statement {
            sequence: row.id,
            events: row.events,
            head: &row.head,
            sealed_at: row.sealed_at,
        }
    }
}

/// A signed checkpoint, as Toezicht shows it.
pub type Checkpoint = audit_checkpoints::Model;

/// A checkpoint as a privacy officer keeps it outside the portal: everything needed to check
/// it, including the public key, as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct CheckpointFile {
    /// Always `inzage-audit-checkpoint/1`.
    pub format: String,
    /// The checkpoint's sequence number.
    pub sequence: i64,
    /// How many events the chain held.
    pub events: i64,
    /// The chain hash after the last of them (hex).
    pub head: String,
    /// When it was sealed.
    pub sealed_at: DateTime<Utc>,
    /// The signing key's id.
    pub key_id: String,
    /// The signing key's public half (Ed25519, base64).
    pub public_key: String,
    /// The signature over the statement (Ed25519, base64).
    pub signature: String,
}

/// The format name of [`CheckpointFile`].
pub const FILE_FORMAT: &str = "inzage-audit-checkpoint/1";

impl CheckpointFile {
    /// The file for `checkpoint`, signed by `key`.
    pub fn new(checkpoint: &Checkpoint, key: &AuditKey) -> Self {
        Self {
            format: FILE_FORMAT.to_owned(),
            sequence: checkpoint.id,
            events: checkpoint.events,
            head: checkpoint.head.clone(),
            sealed_at: checkpoint.sealed_at,
            key_id: checkpoint.key_id.clone(),
            public_key: key.public_key(),
            signature: checkpoint.signature.clone(),
        }
    }

    /// Whether the file's own signature holds under the public key it names.
    pub fn signature_holds(&self) -> bool {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&self.public_key) else {
            return false;
        };
        let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(&bytes) else {
            return false;
        };
        self.format == FILE_FORMAT
            && key_id(&key) == self.key_id
            && verifies(
                &key,
                &Statement {
                    sequence: self.sequence,
                    events: self.events,
                    head: &self.head,
                    sealed_at: self.sealed_at,
                },
                &self.signature,
            )
    }
}
