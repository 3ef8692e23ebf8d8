//! IAM's APIs: a token for a password (`POST /v3/auth/tokens`) and the project look-up
//! (`GET /v3/projects`).

use super::bodies::{iam_time, Family};
use super::reply::{refusal, Reply};
use super::world::World;
use serde_json::{json, Value};
use std::time::SystemTime;

/// `POST /v3/auth/tokens`: a token for a user's password.
pub(crate) fn tokens(world: &mut World, body: &[u8], now: SystemTime, request_id: &str) -> Reply {
    let bad = |why: &str| refusal(Family::Iam, 400, request_id, why);
    let Ok(document) = serde_json::from_slice::<Value>(body) else {
        return bad("the body is not a JSON document");
    };
    let identity = &document["auth"]["identity"];
    let password_method = identity["methods"]
        .as_array()
        .is_some_and(|methods| methods.iter().any(|m| m == "password"));
    if !password_method {
        return bad("auth.identity.methods must include \"password\"");
    }
    let user = &identity["password"]["user"];
    let (Some(name), Some(password), Some(domain)) = (
        user["name"].as_str(),
        user["password"].as_str(),
        user["domain"]["name"].as_str(),
    ) else {
        return bad("auth.identity.password.user needs name, password and domain.name");
    };
    let Some(user) = world.user(name, password, domain) else {
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
    let (token, expires) = world.issue_token(now);
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
