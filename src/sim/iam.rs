//! IAM's APIs: a token for a password (`POST /v3/auth/tokens`), the project look-up (`GET
//! /v3/projects`), and federated OIDC identities: a token for an ID token (`POST
//! /v3.0/OS-AUTH/id-token/tokens`), temporary AK/SK for a token (`POST
//! /v3.0/OS-CREDENTIAL/securitytokens`). Errors take IAM's shape
//! (`{"error":{"code","message","title"}}`) and never quote a token.

use super::bodies::{iam_time, Family};
use super::credentials;
use super::keyring::IdTokenRefusal;
use super::reply::{refusal, Reply};
use super::verify::{self, Received};
use super::world::World;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// The shortest and longest temporary credentials IAM issues for a token, and the default.
pub(crate) const SECURITY_TOKEN_DURATION_S: std::ops::RangeInclusive<u64> = 900..=86_400;
const DEFAULT_SECURITY_TOKEN_DURATION_S: u64 = 900;

/// `POST /v3/auth/tokens`: a token for a user's password.
pub(crate) fn tokens(world: &mut World, body: &[u8], now: SystemTime, request_id: &str) -> Reply {
    let bad = |why: &str| refusal(Family::Iam, 400, request_id, why);
    let document = match with_method(body, "password") {
        Ok(document) => document,
        Err(why) => return bad(&why),
    };
    let identity = &document["auth"]["identity"];
    let user = &identity["password"]["user"];
    let (Some(name), Some(password), Some(domain)) = (
        user["name"].as_str(),
        user["password"].as_str(),
        user["domain"]["name"].as_str(),
    ) else {
        return bad("auth.identity.password.user needs name, password and domain.name");
    };
    let Some(user) = world.keys.user(name, password, domain) else {
        return refusal(
            Family::Iam,
            401,
            request_id,
            "The username or password is wrong.",
        );
    };
    let (user_name, domain_name) = (user.user.clone(), user.domain.clone());
    let project = &document["auth"]["scope"]["project"];
    let in_scope = match (project["id"].as_str(), project["name"].as_str()) {
        (Some(id), _) => id == world.project_id,
        (None, Some(name)) => name == world.region,
        (None, None) => project.is_null(),
    };
    if !in_scope {
        let why = format!(
            "auth.scope.project names no project of this account (the simulator's is {:?}, \
             named {:?})",
            world.project_id, world.region
        );
        return bad(&why);
    }
    let (token, expires) = world.keys.issue_token(now);
    let body = json!({ "token": {
        "expires_at": iam_time(expires),
        "issued_at": iam_time(now),
        "methods": ["password"],
        "project": { "id": world.project_id, "name": world.region, "domain": { "name": domain_name } },
        "user": { "name": user_name, "domain": { "name": domain_name } },
        "catalog": [],
    } });
    Reply::json(201, &body).header("x-subject-token", &token)
}

/// `GET /v3/projects?name=`: the simulator's one project, when the name matches.
pub(crate) fn projects(world: &World, name: Option<&str>) -> Reply {
    let projects = if name.is_none_or(|n| n == world.region) {
        vec![json!({
            "id": world.project_id,
            "name": world.region,
            "domain_id": "sim-domain-id",
            "enabled": true,
            "is_domain": false,
            "parent_id": "sim-domain-id",
            "description": "",
        })]
    } else {
        Vec::new()
    };
    Reply::json(200, &json!({ "projects": projects }))
}

/// `POST /v3.0/OS-AUTH/id-token/tokens` with `X-Idp-Id` and `{"auth":{"id_token":{"id":...}}}`:
/// an IAM token (`X-Subject-Token`, 201) for an ID token the identity provider issued.
pub(crate) fn id_token(
    world: &mut World,
    request: &Received,
    now: SystemTime,
    request_id: &str,
) -> Reply {
    let bad = |why: &str| refusal(Family::Iam, 400, request_id, why);
    let idp_id = match verify::single(request.headers, "X-Idp-Id") {
        Ok(idp_id) => idp_id.trim().to_owned(),
        Err(why) => return bad(&format!("{why} (the identity provider's ID)")),
    };
    let Ok(document) = serde_json::from_slice::<Value>(request.body) else {
        return bad("the body is not a JSON document");
    };
    let Some(id_token) = document["auth"]["id_token"]["id"].as_str() else {
        return bad("the body needs auth.id_token.id, the ID token (a string)");
    };
    let refused = match world.keys.check_id_token(&idp_id, id_token, now) {
        Ok(()) => None,
        Err(IdTokenRefusal::NoSuchProvider) => {
            Some((404, format!("Could not find Identity Provider: {idp_id}")))
        }
        Err(IdTokenRefusal::Unknown) => Some((
            401,
            format!("The ID token was not issued by the identity provider {idp_id}."),
        )),
        Err(IdTokenRefusal::Expired) => {
            Some((401, "The ID token has expired (simulator time).".to_owned()))
        }
    };
    if let Some((status, why)) = refused {
        return refusal(Family::Iam, status, request_id, &why);
    }
    let (token, expires) = world.keys.issue_token(now);
    let body = json!({ "token": {
        "expires_at": iam_time(expires),
        "issued_at": iam_time(now),
        "methods": ["mapped"],
        "user": {
            "id": "sim-federated-user-id",
            "name": "sim-federated-user",
            "domain": { "id": "sim-domain-id", "name": "sim-domain" },
            "OS-FEDERATION": {
                "identity_provider": { "id": idp_id },
                "protocol": { "id": "oidc" },
                "groups": [],
            },
        },
    } });
    Reply::json(201, &body).header("x-subject-token", &token)
}

/// `POST /v3.0/OS-CREDENTIAL/securitytokens` with `{"auth":{"identity":{"methods":["token"],
/// "token":{"id":...,"duration_seconds":N}}}}` (the token may also come as `X-Auth-Token`):
/// temporary AK/SK valid N seconds (default 900, 900 to 86 400), 201.
pub(crate) fn security_tokens(
    world: &mut World,
    request: &Received,
    now: SystemTime,
    request_id: &str,
) -> Reply {
    let bad = |why: &str| refusal(Family::Iam, 400, request_id, why);
    let document = match with_method(request.body, "token") {
        Ok(document) => document,
        Err(why) => return bad(&why),
    };
    let identity = &document["auth"]["identity"];
    let in_body = &identity["token"]["id"];
    let token = match in_body {
        Value::String(token) => token.clone(),
        Value::Null => match verify::single(request.headers, "x-auth-token") {
            Ok(token) => token.to_owned(),
            Err(_) => {
                return bad(
                    "the token is neither auth.identity.token.id nor an X-Auth-Token header",
                )
            }
        },
        _ => return bad("auth.identity.token.id must be a string"),
    };
    let duration = match &identity["token"]["duration_seconds"] {
        Value::Null => Some(DEFAULT_SECURITY_TOKEN_DURATION_S),
        value => value
            .as_u64()
            .filter(|s| SECURITY_TOKEN_DURATION_S.contains(s)),
    };
    let Some(duration) = duration else {
        return bad(&format!(
            "auth.identity.token.duration_seconds must be an integer from {} to {}",
            SECURITY_TOKEN_DURATION_S.start(),
            SECURITY_TOKEN_DURATION_S.end()
        ));
    };
    if !world.keys.token_valid(&token, now) {
        return refusal(
            Family::Iam,
            401,
            request_id,
            "The request you have made requires authentication (the token is unknown or \
             expired).",
        );
    }
    let credential = credentials::issue_credential(world, Duration::from_secs(duration));
    Reply::json(201, &credential)
}

/// An IAM request body whose `auth.identity.methods` include `method`, or why it is refused
/// (400).
fn with_method(body: &[u8], method: &str) -> Result<Value, String> {
    let Ok(document) = serde_json::from_slice::<Value>(body) else {
        return Err("the body is not a JSON document".to_owned());
    };
    let has_method = document["auth"]["identity"]["methods"]
        .as_array()
        .is_some_and(|methods| methods.iter().any(|m| m == method));
    if !has_method {
        return Err(format!("auth.identity.methods must include \"{method}\""));
    }
    Ok(document)
}
