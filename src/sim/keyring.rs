//! The credentials the simulator accepts and those it issued: the scenario's tokens, access
//! keys and users, IAM tokens, temporary keys (ECS metadata, CCE pod identity, IAM's
//! `securitytokens`), metadata session tokens, and the OIDC identity provider's ID tokens.
//! Every check and issue takes the simulator's calendar time (`now`) from its caller.

use super::random::{hex_digits, random_text, ALPHANUMERIC, TOKEN_CHARACTERS, UPPER_ALPHANUMERIC};
use super::scenario::{
    header_safe, AccessKey, MetadataSpec, OidcSpec, PodIdentity, Scenario, User,
};
use super::secret::same;
use crate::auth::{Credentials, Secret};
use std::collections::{HashMap, HashSet};
use std::time::{Duration, SystemTime};

/// How long an IAM token is valid.
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How many IAM-issued tokens are remembered before expired ones are dropped.
const ISSUED_TOKENS_SOFT_LIMIT: usize = 10_000;

/// How many temporary access keys (and, apart, metadata session tokens) are remembered: past
/// it, expired ones are dropped, then those that expire soonest.
pub(crate) const ISSUED_KEYS_LIMIT: usize = 10_000;

/// Temporary credentials the metadata service or the pod-identity endpoint issued.
pub(crate) struct TemporaryKey {
    pub sk: Secret,
    pub security_token: Secret,
    pub expires: SystemTime,
}

/// What a signature's access key gives the verifier.
pub(crate) struct SigningKey<'a> {
    pub sk: &'a Secret,
    pub security_token: Option<&'a Secret>,
    /// When a temporary key stops working (simulator calendar time).
    pub expires: Option<SystemTime>,
}

/// The OIDC identity provider IAM trusts, and the ID tokens it accepts.
pub(crate) struct Oidc {
    pub idp_id: String,
    /// The scenario's ID tokens, which never expire.
    lasting: Vec<Secret>,
    /// ID tokens issued since, and when they expire (simulator calendar time).
    issued: HashMap<String, SystemTime>,
}

impl Oidc {
    fn new(spec: &OidcSpec) -> Oidc {
        Oidc {
            idp_id: spec.idp_id.clone(),
            lasting: spec.id_tokens.clone(),
            issued: HashMap::new(),
        }
    }
}

/// Why an ID token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdTokenRefusal {
    /// No identity provider has the IdP ID sent.
    NoSuchProvider,
    /// The provider did not issue the ID token.
    Unknown,
    /// The provider issued it, but it has expired.
    Expired,
}

/// What is accepted and what was issued. Not `Debug`: it holds credentials.
pub(crate) struct Keyring {
    pub metadata: MetadataSpec,
    pub pod_identity: Option<PodIdentity>,
    pub oidc: Option<Oidc>,
    /// Temporary keys by AK.
    temporary: HashMap<String, TemporaryKey>,
    /// How many temporary keys were issued in all.
    temporary_issued: usize,
    /// Metadata session tokens and when they expire.
    session_tokens: HashMap<String, SystemTime>,
    /// The scenario's tokens, in order (the first one goes into client configurations).
    scenario_tokens: Vec<Secret>,
    /// Every token accepted besides IAM's: the scenario's and those added since.
    tokens: HashSet<String>,
    access_keys: Vec<AccessKey>,
    users: Vec<User>,
    /// IAM-issued tokens and when they expire.
    issued: HashMap<String, SystemTime>,
}

impl Keyring {
    /// The credentials `scenario` names, none issued yet.
    pub(crate) fn new(scenario: &Scenario) -> Keyring {
        Keyring {
            metadata: scenario.metadata.clone(),
            pod_identity: scenario.pod_identity.clone(),
            oidc: scenario.oidc.as_ref().map(Oidc::new),
            temporary: HashMap::new(),
            temporary_issued: 0,
            session_tokens: HashMap::new(),
            scenario_tokens: scenario.tokens.clone(),
            tokens: scenario
                .tokens
                .iter()
                .map(|t| t.expose().to_owned())
                .collect(),
            access_keys: scenario.access_keys.clone(),
            users: scenario.users.clone(),
            issued: HashMap::new(),
        }
    }

    /// Issues temporary credentials valid `lifetime` from `now` (simulator calendar time): the
    /// AK, SK, security token and expiry.
    pub(crate) fn issue_temporary_key(
        &mut self,
        now: SystemTime,
        lifetime: Duration,
    ) -> (String, Secret, Secret, SystemTime) {
        make_room(&mut self.temporary, now, |key| key.expires);
        let ak = loop {
            let ak = random_text(20, UPPER_ALPHANUMERIC);
            if !self.temporary.contains_key(&ak) && self.access_key(&ak).is_none() {
                break ak;
            }
        };
        let sk = Secret::new(random_text(40, ALPHANUMERIC));
        // Real security tokens are long opaque strings (hundreds of characters).
        let security_token = Secret::new(format!("sim-{}", random_text(252, TOKEN_CHARACTERS)));
        let expires = now + lifetime;
        self.temporary.insert(
            ak.clone(),
            TemporaryKey {
                sk: sk.clone(),
                security_token: security_token.clone(),
                expires,
            },
        );
        self.temporary_issued += 1;
        (ak, sk, security_token, expires)
    }

    /// The secret keys and security tokens of the temporary keys still remembered, the
    /// metadata session tokens, the IAM tokens issued, and the OIDC ID tokens accepted.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let id_tokens = self.oidc.iter().flat_map(|oidc| {
            oidc.lasting
                .iter()
                .map(|t| t.expose().to_owned())
                .chain(oidc.issued.keys().cloned())
        });
        self.temporary
            .values()
            .flat_map(|key| {
                [
                    key.sk.expose().to_owned(),
                    key.security_token.expose().to_owned(),
                ]
            })
            .chain(self.session_tokens.keys().cloned())
            .chain(self.issued.keys().cloned())
            .chain(id_tokens)
            .collect()
    }

    /// How many temporary keys were issued since the world was made.
    pub(crate) fn temporary_issued(&self) -> usize {
        self.temporary_issued
    }

    /// A new metadata session token valid `ttl` from `now` (simulator calendar time).
    pub(crate) fn issue_session_token(&mut self, now: SystemTime, ttl: Duration) -> String {
        make_room(&mut self.session_tokens, now, |expires| *expires);
        let token = format!("sim-meta-{}", random_text(48, TOKEN_CHARACTERS));
        self.session_tokens.insert(token.clone(), now + ttl);
        token
    }

    /// Whether the metadata session token `token` is known and not expired at `now`.
    pub(crate) fn session_token_valid(&self, token: &str, now: SystemTime) -> bool {
        self.session_tokens
            .get(token)
            .is_some_and(|expires| now < *expires)
    }

    /// A new ID token of the OIDC identity provider, valid `lifetime` from `now` (simulator
    /// calendar time), and its expiry; `Err` when no provider is simulated.
    pub(crate) fn issue_id_token(
        &mut self,
        now: SystemTime,
        lifetime: Duration,
    ) -> Result<(String, SystemTime), String> {
        let Some(oidc) = &mut self.oidc else {
            return Err("no OIDC identity provider is simulated (scenario oidc)".into());
        };
        make_room(&mut oidc.issued, now, |expires| *expires);
        // Opaque, as a client must treat it (real ones are JWTs).
        let token = format!("sim-idt-{}", random_text(96, TOKEN_CHARACTERS));
        let expires = now + lifetime;
        oidc.issued.insert(token.clone(), expires);
        Ok((token, expires))
    }

    /// Whether the identity provider `idp_id` accepts the ID token `token` at `now`.
    pub(crate) fn check_id_token(
        &self,
        idp_id: &str,
        token: &str,
        now: SystemTime,
    ) -> Result<(), IdTokenRefusal> {
        let oidc = self
            .oidc
            .as_ref()
            .filter(|oidc| oidc.idp_id == idp_id)
            .ok_or(IdTokenRefusal::NoSuchProvider)?;
        let lasting = oidc
            .lasting
            .iter()
            .any(|t| same(t.expose().as_bytes(), token.as_bytes()));
        if lasting {
            return Ok(());
        }
        match oidc.issued.get(token) {
            Some(expires) if now < *expires => Ok(()),
            Some(_) => Err(IdTokenRefusal::Expired),
            None => Err(IdTokenRefusal::Unknown),
        }
    }

    /// Accepts another token.
    pub(crate) fn add_token(&mut self, token: &str) -> Result<(), String> {
        if !header_safe(token) {
            return Err(
                "the token must be 1 or more visible ASCII characters (it is sent in a header)"
                    .into(),
            );
        }
        self.tokens.insert(token.to_owned());
        Ok(())
    }

    /// Whether `token` is accepted at `now`.
    pub(crate) fn token_valid(&self, token: &str, now: SystemTime) -> bool {
        self.tokens.contains(token) || self.issued.get(token).is_some_and(|expiry| now < *expiry)
    }

    /// A new IAM token, valid for [`TOKEN_LIFETIME`] from `now`.
    pub(crate) fn issue_token(&mut self, now: SystemTime) -> (String, SystemTime) {
        if self.issued.len() >= ISSUED_TOKENS_SOFT_LIMIT {
            self.issued.retain(|_, expiry| now < *expiry);
        }
        let token = format!("sim-iam-{}", hex_digits(32));
        let expiry = now + TOKEN_LIFETIME;
        self.issued.insert(token.clone(), expiry);
        (token, expiry)
    }

    fn access_key(&self, ak: &str) -> Option<&AccessKey> {
        self.access_keys.iter().find(|k| k.ak == ak)
    }

    /// The key signatures by `ak` are checked with: a scenario's access key, or a temporary
    /// one issued (expired or not).
    pub(crate) fn signing_key(&self, ak: &str) -> Option<SigningKey<'_>> {
        if let Some(key) = self.access_key(ak) {
            return Some(SigningKey {
                sk: &key.sk,
                security_token: key.security_token.as_ref(),
                expires: None,
            });
        }
        self.temporary.get(ak).map(|key| SigningKey {
            sk: &key.sk,
            security_token: Some(&key.security_token),
            expires: Some(key.expires),
        })
    }

    /// The user of this name and domain, if the password is right.
    pub(crate) fn user(&self, name: &str, password: &str, domain: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.user == name && u.domain == domain && u.password.expose() == password)
    }

    /// The credentials handed to clients: the first token, else the first access key, else
    /// the first IAM user.
    pub(crate) fn client_credentials(&self) -> Option<Credentials> {
        if let Some(token) = self.scenario_tokens.first() {
            return Some(Credentials::Token(token.clone()));
        }
        if let Some(key) = self.access_keys.first() {
            return Some(Credentials::AkSk {
                ak: key.ak.clone(),
                sk: key.sk.clone(),
                security_token: key.security_token.clone(),
            });
        }
        self.users.first().map(|u| {
            Credentials::iam_password(u.user.clone(), u.password.clone(), u.domain.clone())
        })
    }
}

/// Keeps `map` under [`ISSUED_KEYS_LIMIT`] entries before one is added: drops what expired by
/// `now`, then, if it is still full, the entries that expire soonest.
fn make_room<V>(map: &mut HashMap<String, V>, now: SystemTime, expiry: impl Fn(&V) -> SystemTime) {
    if map.len() < ISSUED_KEYS_LIMIT {
        return;
    }
    map.retain(|_, v| now < expiry(v));
    if map.len() < ISSUED_KEYS_LIMIT {
        return;
    }
    let mut by_expiry: Vec<(SystemTime, String)> =
        map.iter().map(|(k, v)| (expiry(v), k.clone())).collect();
    by_expiry.sort();
    // Down to nine tenths, so that the next issues do not sort again.
    let excess = map.len() + 1 - ISSUED_KEYS_LIMIT * 9 / 10;
    for (_, key) in by_expiry.into_iter().take(excess) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{Clock, ManualClock};

    #[test]
    fn temporary_keys_expire_and_stay_bounded() {
        let now = ManualClock::new().wall_time();
        let mut keys = Keyring::new(&Scenario::default());
        let (ak, sk, token, expires) = keys.issue_temporary_key(now, Duration::from_secs(60));
        assert_eq!(ak.len(), 20);
        assert!(ak.bytes().all(|b| UPPER_ALPHANUMERIC.contains(&b)));
        assert_eq!(sk.expose().len(), 40);
        assert!(token.expose().len() >= 200);
        assert_eq!(expires, now + Duration::from_secs(60));
        let key = keys.signing_key(&ak).unwrap();
        assert_eq!(key.sk, &sk);
        assert_eq!(key.security_token, Some(&token));
        for _ in 0..ISSUED_KEYS_LIMIT + 10 {
            keys.issue_temporary_key(now, Duration::from_secs(3600));
        }
        assert!(keys.temporary.len() <= ISSUED_KEYS_LIMIT);
        assert_eq!(keys.temporary_issued(), ISSUED_KEYS_LIMIT + 11);
        // The first key expired first, so it went first.
        assert!(keys.signing_key(&ak).is_none());
        assert!(keys
            .signing_key("sim-ak")
            .is_some_and(|k| k.expires.is_none()));
    }

    #[test]
    fn session_tokens_expire() {
        let now = ManualClock::new().wall_time();
        let mut keys = Keyring::new(&Scenario::default());
        let token = keys.issue_session_token(now, Duration::from_secs(10));
        assert!(keys.session_token_valid(&token, now));
        assert!(!keys.session_token_valid("other", now));
        assert!(!keys.session_token_valid(&token, now + Duration::from_secs(10)));
    }

    #[test]
    fn id_tokens_by_provider_and_expiry() {
        let now = ManualClock::new().wall_time();
        let mut keys = Keyring::new(&Scenario::default());
        assert_eq!(keys.check_id_token("sim-idp", "sim-id-token", now), Ok(()));
        let later = now + Duration::from_secs(1_000_000_000);
        assert_eq!(
            keys.check_id_token("sim-idp", "sim-id-token", later),
            Ok(())
        );
        assert_eq!(
            keys.check_id_token("other", "sim-id-token", now),
            Err(IdTokenRefusal::NoSuchProvider)
        );
        assert_eq!(
            keys.check_id_token("sim-idp", "sim-id-tokem", now),
            Err(IdTokenRefusal::Unknown)
        );
        let (token, expires) = keys.issue_id_token(now, Duration::from_secs(60)).unwrap();
        assert_eq!(expires, now + Duration::from_secs(60));
        assert_eq!(keys.check_id_token("sim-idp", &token, now), Ok(()));
        assert_eq!(
            keys.check_id_token("sim-idp", &token, expires),
            Err(IdTokenRefusal::Expired)
        );
        let mut none = Keyring::new(&Scenario::default().oidc(None));
        assert!(none.issue_id_token(now, Duration::from_secs(60)).is_err());
    }
}
