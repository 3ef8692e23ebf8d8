//! Where a client's default credential chain finds temporary credentials on real hosts: the
//! ECS metadata service (a session token, then the security key of the VM's agency) and the
//! CCE pod-identity endpoint. Both issue temporary AK/SK/security tokens that the services
//! accept until they expire in simulator time (`docs/simulator.md`, Temporary credentials).

use super::bodies::iam_time;
use super::bodies::Family;
use super::reply::{refusal, Reply};
use super::scenario::MAX_SESSION_TOKEN_TTL;
use super::secret::same;
use super::verify::{self, Received};
use super::world::World;
use serde_json::{json, Value};
use std::time::Duration;

/// What the metadata service says when the VM has no cloud service agency.
pub(crate) const NO_AGENCY: &str = "Please configure Cloud Service Agency first";

/// What it says when the session token is missing (and required), unknown or expired: a
/// client fetches a new one and tries again.
pub(crate) const BAD_SESSION_TOKEN: &str =
    "The metadata session token (X-Metadata-Token) is missing, unknown or expired";

/// `PUT /meta-data/latest/api/token` with `X-Metadata-Token-Ttl-Seconds: N`: a session token
/// valid N seconds (simulator time), as `text/plain`.
pub(crate) fn metadata_token(world: &mut World, request: &Received, request_id: &str) -> Reply {
    if !world.keys.metadata.session_tokens {
        return refusal(
            Family::Credentials,
            404,
            request_id,
            "this VM's metadata service has no session tokens (scenario \
             metadata.session_tokens is false)",
        );
    }
    let max = MAX_SESSION_TOKEN_TTL.as_secs();
    let ttl = verify::single(request.headers, "x-metadata-token-ttl-seconds")
        .ok()
        .and_then(|value| value.trim().parse::<u64>().ok())
        .filter(|ttl| (1..=max).contains(ttl));
    let Some(ttl) = ttl else {
        let why =
            format!("X-Metadata-Token-Ttl-Seconds must be a number of seconds from 1 to {max}");
        return refusal(Family::Credentials, 400, request_id, &why);
    };
    let now = world.calendar();
    let token = world
        .keys
        .issue_session_token(now, Duration::from_secs(ttl));
    Reply::bytes(200, "text/plain", token.into_bytes())
}

/// `GET /openstack/latest/securitykey`: the agency's temporary credentials.
pub(crate) fn metadata_security_key(
    world: &mut World,
    request: &Received,
    request_id: &str,
) -> Reply {
    if world.keys.metadata.session_tokens {
        let sent = request.headers.contains_key("x-metadata-token");
        let valid = verify::single(request.headers, "x-metadata-token")
            .ok()
            .is_some_and(|token| world.keys.session_token_valid(token, world.calendar()));
        if (sent && !valid) || (!sent && world.keys.metadata.require_session_token) {
            return refusal(Family::Credentials, 401, request_id, BAD_SESSION_TOKEN);
        }
    }
    if !world.keys.metadata.agency {
        return refusal(Family::Credentials, 401, request_id, NO_AGENCY);
    }
    let lifetime = world.keys.metadata.lifetime;
    Reply::json(200, &issue_credential(world, lifetime))
}

/// `POST /pod-identity/credentials` with the pod's token as `Authorization`: the pod's
/// temporary credentials.
pub(crate) fn pod_identity(world: &mut World, request: &Received, request_id: &str) -> Reply {
    let Some(pod) = world.keys.pod_identity.clone() else {
        return refusal(
            Family::Credentials,
            404,
            request_id,
            "no pod identity is simulated (scenario pod_identity)",
        );
    };
    if !request.headers.contains_key("authorization") {
        return refusal(
            Family::Credentials,
            401,
            request_id,
            "the request has no Authorization header (the pod's token)",
        );
    }
    let authorized = verify::single(request.headers, "authorization")
        .ok()
        .is_some_and(|sent| same(sent.as_bytes(), pod.token.expose().as_bytes()));
    if !authorized {
        return refusal(
            Family::Credentials,
            401,
            request_id,
            "the Authorization header is not the pod's token",
        );
    }
    Reply::json(200, &issue_credential(world, pod.lifetime))
}

/// Fresh temporary credentials valid `lifetime`, in the shape the metadata service, the
/// pod-identity endpoint and IAM's `securitytokens` share.
pub(crate) fn issue_credential(world: &mut World, lifetime: Duration) -> Value {
    let now = world.calendar();
    let (ak, sk, security_token, expires) = world.keys.issue_temporary_key(now, lifetime);
    json!({ "credential": {
        "access": ak,
        "secret": sk.expose(),
        "securitytoken": security_token.expose(),
        "expires_at": iam_time(expires),
    } })
}
