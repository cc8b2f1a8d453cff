//! The stand-in's RSA signing key (kept in the database so every instance and every restart
//! signs with the same key) and compact JWS signing, including the deliberately broken forms
//! the fault modes need.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use rsa::{
    RsaPrivateKey, RsaPublicKey,
    pkcs1v15::{Signature, SigningKey, VerifyingKey},
    pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding},
    signature::{SignatureEncoding, Signer, Verifier},
    traits::PublicKeyParts,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, QueryOrder};
use sha2::{Digest, Sha256};

use crate::entities::dev_idp_keys;

/// The stand-in's key pair with its key id.
#[derive(Clone)]
pub struct SigningKeyPair {
    /// `kid` in the JWKS and in token headers.
    pub kid: String,
    private: RsaPrivateKey,
}

impl SigningKeyPair {
    /// Loads the kept key, or generates and keeps one at first start.
    pub async fn load_or_create(db: &DatabaseConnection) -> anyhow::Result<Self> {
        if let Some(row) = dev_idp_keys::Entity::find()
            .order_by_asc(dev_idp_keys::Column::CreatedAt)
            .one(db)
            .await?
        {
            return Ok(Self {
                kid: row.kid,
                private: RsaPrivateKey::from_pkcs8_pem(&row.private_key_pem)?,
            });
        }
        let private =
            tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand::thread_rng(), 2048))
                .await??;
        let pem = private.to_pkcs8_pem(LineEnding::LF)?.to_string();
        let public = private.to_public_key();
        let kid = crate::platform::crypto::hex(&Sha256::digest(public.n().to_bytes_be())[..8]);
        dev_idp_keys::ActiveModel {
            kid: Set(kid.clone()),
            private_key_pem: Set(pem),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
        Ok(Self { kid, private })
    }

    /// A throwaway key with the same `kid`, for the "bad signature" fault.
    pub fn impostor(&self) -> anyhow::Result<Self> {
        Ok(Self {
            kid: self.kid.clone(),
            private: RsaPrivateKey::new(&mut rand::thread_rng(), 1024)?,
        })
    }

    /// The public key as a JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        let public = self.private.to_public_key();
        serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": self.kid,
                "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
            }]
        })
    }

    /// Signs `claims` as an RS256 JWT with header `kid`.
    pub fn sign(&self, kid: &str, claims: &serde_json::Value) -> String {
        let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": kid});
        let input = format!("{}.{}", b64_json(&header), b64_json(claims));
        let signature = SigningKey::<Sha256>::new(self.private.clone()).sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }

    /// Verifies a JWT this key signed and returns its claims (for the userinfo endpoint).
    pub fn verify(&self, jwt: &str) -> Option<serde_json::Value> {
        let (input, signature) = jwt.rsplit_once('.')?;
        let signature =
            Signature::try_from(URL_SAFE_NO_PAD.decode(signature).ok()?.as_slice()).ok()?;
        let public: RsaPublicKey = self.private.to_public_key();
        VerifyingKey::<Sha256>::new(public)
            .verify(input.as_bytes(), &signature)
            .ok()?;
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(input.split('.').nth(1)?).ok()?).ok()?;
        let exp = claims.get("exp")?.as_i64()?;
        (exp > Utc::now().timestamp()).then_some(claims)
    }
}

/// An unsigned JWT (`alg: none`), for the fault mode that must be refused.
pub fn unsigned(claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"alg": "none", "typ": "JWT"});
    format!("{}.{}.", b64_json(&header), b64_json(claims))
}

fn b64_json(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}
