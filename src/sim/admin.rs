//! The admin API under `/_sim/` (no authentication: the simulator is loopback only). JSON in
//! and out; a bad request is 400 `{"error": "..."}` naming what is wrong.

use super::bodies::iam_time;
use super::error::decode;
use super::error::SimError;
use super::fault::Fault;
use super::reply::Reply;
use super::scenario::{
    check_clock_skew, check_lifetime, ClockSkewDocument, InstanceSpec, RateLimitsDocument,
    Scenario, DEFAULT_ID_TOKEN_LIFETIME_S,
};
use super::shared::Shared;
use super::world::World;
use crate::endpoint::Service;
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// Whether `path` belongs to the admin API.
pub(crate) fn is_admin(path: &str) -> bool {
    path == "/_sim" || path.starts_with("/_sim/")
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, &json!({ "error": message }))
}

fn invalid(e: SimError) -> Reply {
    error(400, &e.to_string())
}

/// The body as text, or the 400 that says it is not.
fn text(body: &[u8]) -> Result<&str, Reply> {
    std::str::from_utf8(body).map_err(|_| error(400, "the request body is not UTF-8 text"))
}

/// `{"token": "..."}`. Not `Debug`: it holds the token.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenDocument {
    token: String,
}

/// Answers an admin request.
pub(crate) fn handle(shared: &Shared, method: &str, path: &str, body: &[u8]) -> Reply {
    let route = path.trim_start_matches("/_sim").trim_start_matches('/');
    let result = match (method, route) {
        ("GET", "config") => Ok(Reply::json(
            200,
            &shared.world().config_document(&shared.base_url),
        )),
        ("GET", "instances") => {
            let world = shared.world();
            let views = world.views();
            Ok(Reply::json(200, &json!({ "instances": views })))
        }
        ("POST", "instances") => add_instance(shared, body),
        ("DELETE", "faults") => {
            shared.world().faults.clear();
            Ok(Reply::empty(204))
        }
        ("POST", "faults") => add_fault(shared, body),
        ("POST", "tokens") => add_token(shared, body),
        ("POST", "id_tokens") => issue_id_token(shared, body),
        ("POST", "scenario") => load_scenario(shared, body),
        ("POST", "advance") => advance(shared, body),
        ("GET", "rate_limits") => Ok(Reply::json(200, &rate_limits(&shared.world()))),
        ("POST", "rate_limits") => set_rate_limits(shared, body),
        ("GET", "clock_skew") => Ok(Reply::json(200, &clock_skew(&shared.world()))),
        ("POST", "clock_skew") => set_clock_skew(shared, body),
        ("GET", "requests") => {
            let requests = shared.world().log.all();
            Ok(Reply::json(200, &json!({ "requests": requests })))
        }
        ("DELETE", "requests") => {
            shared.world().log.clear();
            Ok(Reply::empty(204))
        }
        ("DELETE", route) if route.starts_with("instances/") => {
            Ok(remove_instance(shared, &route["instances/".len()..]))
        }
        ("DELETE", route) if route.starts_with("faults/") => {
            Ok(remove_fault(shared, &route["faults/".len()..]))
        }
        (_, route) if route.starts_with("instances/") || route.starts_with("faults/") => {
            Ok(wrong_method(method, "DELETE"))
        }
        (_, route) => Ok(match allowed(route) {
            Some(allow) => wrong_method(method, allow),
            None => error(404, &format!("the admin API has no route {path:?}")),
        }),
    };
    result.unwrap_or_else(|reply| reply)
}

/// The methods a known route takes.
fn allowed(route: &str) -> Option<&'static str> {
    match route {
        "config" => Some("GET"),
        "instances" => Some("GET, POST"),
        "faults" => Some("POST, DELETE"),
        "tokens" | "id_tokens" | "scenario" | "advance" => Some("POST"),
        "rate_limits" | "clock_skew" => Some("GET, POST"),
        "requests" => Some("GET, DELETE"),
        _ => None,
    }
}

fn wrong_method(method: &str, allow: &'static str) -> Reply {
    error(405, &format!("this route takes {allow}, not {method}")).header("allow", allow)
}

fn add_instance(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let spec = InstanceSpec::from_json(text(body)?).map_err(invalid)?;
    let mut world = shared.world();
    let id = world
        .add_instance(&spec)
        .map_err(|m| error(400, &format!("instance: {m}")))?;
    let view = world.view(&id);
    Ok(Reply::json(201, &json!(view)))
}

fn remove_instance(shared: &Shared, id: &str) -> Reply {
    let id = percent_decode_str(id).decode_utf8_lossy();
    if shared.world().instances.remove(&id) {
        Reply::empty(204)
    } else {
        error(404, &format!("no instance has the ID {id:?}"))
    }
}

fn remove_fault(shared: &Shared, id: &str) -> Reply {
    match id.parse::<u64>() {
        Ok(n) if shared.world().faults.remove(n) => Reply::empty(204),
        Ok(n) => error(404, &format!("no fault has the ID {n}")),
        Err(_) => error(400, &format!("fault ID {id:?} is not a number")),
    }
}

fn add_fault(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let fault = Fault::from_json(text(body)?).map_err(invalid)?;
    let id = shared
        .world()
        .faults
        .add(fault)
        .map_err(|m| error(400, &format!("fault: {m}")))?;
    Ok(Reply::json(201, &json!({ "id": id })))
}

fn add_token(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let text = text(body)?;
    // A mistyped document must not echo the token back.
    let secret = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("token")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    let doc: TokenDocument = decode("token", text, &[secret.as_str()]).map_err(invalid)?;
    shared
        .world()
        .keys
        .add_token(&doc.token)
        .map_err(|m| error(400, &format!("token: {m}")))?;
    Ok(Reply::empty(204))
}

/// `{"lifetime_s": N}` (optional).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdTokenDocument {
    lifetime_s: Option<u64>,
}

/// A new ID token of the OIDC identity provider: `{"idp_id","id_token","expires_at"}`, 201.
fn issue_id_token(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let text = text(body)?;
    let doc: IdTokenDocument = if text.trim().is_empty() {
        IdTokenDocument { lifetime_s: None }
    } else {
        decode("id_tokens", text, &[]).map_err(invalid)?
    };
    let lifetime = Duration::from_secs(doc.lifetime_s.unwrap_or(DEFAULT_ID_TOKEN_LIFETIME_S));
    check_lifetime("id_tokens: lifetime_s", lifetime).map_err(|m| error(400, &m))?;
    let mut world = shared.world();
    let now = world.calendar();
    let (token, expires) = world
        .keys
        .issue_id_token(now, lifetime)
        .map_err(|m| error(404, &m))?;
    let idp_id = world.keys.oidc.as_ref().map(|o| o.idp_id.clone());
    Ok(Reply::json(
        201,
        &json!({ "idp_id": idp_id, "id_token": token, "expires_at": iam_time(expires) }),
    ))
}

/// `{"ms": N}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceDocument {
    ms: u64,
}

fn advance(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let doc: AdvanceDocument = decode("advance", text(body)?, &[]).map_err(invalid)?;
    shared
        .world()
        .instances
        .advance(Duration::from_millis(doc.ms));
    Ok(Reply::empty(204))
}

fn load_scenario(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let scenario = Scenario::from_json(text(body)?).map_err(invalid)?;
    let mut world = shared.world();
    *world = World::new(&scenario, world.clock()).map_err(invalid)?;
    Ok(Reply::empty(204))
}

/// `{"clock_skew_s": 1200, "time": "2026-11-23T10:35:00Z"}`: the skew and the simulator's
/// calendar time with it.
fn clock_skew(world: &World) -> serde_json::Value {
    json!({
        "clock_skew_s": world.clock_skew_s(),
        "time": super::bodies::rfc3339(super::world::unix_ms(world.calendar())),
    })
}

/// `{"clock_skew_s": N}`: sets the skew.
fn set_clock_skew(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let doc: ClockSkewDocument = decode("clock_skew", text(body)?, &[]).map_err(invalid)?;
    check_clock_skew(doc.clock_skew_s).map_err(|m| error(400, &format!("clock_skew: {m}")))?;
    let mut world = shared.world();
    world.set_clock_skew(doc.clock_skew_s);
    Ok(Reply::json(200, &clock_skew(&world)))
}

/// `{"roma": null, "apig": 20, "clouddc": null}`: each service's requests per second.
fn rate_limits(world: &World) -> serde_json::Value {
    let mut limits = serde_json::Map::new();
    for service in Service::ALL {
        limits.insert(service.name().into(), json!(world.rate_limits.get(service)));
    }
    serde_json::Value::Object(limits)
}

/// Replaces every limit: a service left out (or null) has none.
fn set_rate_limits(shared: &Shared, body: &[u8]) -> Result<Reply, Reply> {
    let limits = RateLimitsDocument::from_json("rate_limits", text(body)?).map_err(invalid)?;
    let mut world = shared.world();
    for service in Service::ALL {
        let rate = limits.iter().find(|(s, _)| *s == service).map(|(_, r)| *r);
        world.rate_limits.set(service, rate);
    }
    Ok(Reply::json(200, &rate_limits(&world)))
}
