//! The five service APIs and IAM: which API a request calls, then its answer — fault, then
//! authentication, project, and the instance's body — and its line in the request log.

use super::bodies::{self, error_body, Context, Family};
use super::credentials;
use super::fault::Hit;
use super::fault::{FaultKind, Operation};
use super::iam;
use super::log::RequestRecord;
use super::reply::{refusal, Reply};
use super::verify::{self, Received};
use super::world::{unix_ms, World};
use crate::endpoint::Service;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The largest page (`limit`) the ROMA list serves. Seed 003 documents no range; this and
/// [`DEFAULT_LIST_LIMIT`] are those of the ROMA Connect APIs that document theirs.
pub const MAX_LIST_LIMIT: usize = 500;
/// The page size of the ROMA list when the query has no `limit`.
pub const DEFAULT_LIST_LIMIT: usize = 20;

/// What a request's method and path call.
pub(crate) enum Target {
    /// One of the APIs served, with the (decoded) project and instance its path names.
    Api {
        operation: Operation,
        project: Option<String>,
        instance: Option<String>,
    },
    /// A served path with another method.
    WrongMethod {
        operation: Operation,
        allow: &'static str,
    },
    /// Nothing served here.
    Unserved,
}

impl Target {
    fn operation(&self) -> Option<Operation> {
        match self {
            Target::Api { operation, .. } | Target::WrongMethod { operation, .. } => {
                Some(*operation)
            }
            Target::Unserved => None,
        }
    }

    fn instance(&self) -> Option<&str> {
        match self {
            Target::Api { instance, .. } => instance.as_deref(),
            _ => None,
        }
    }
}

/// A path segment percent-decoded (bytes that are not UTF-8 become U+FFFD).
fn decoded(segment: &str) -> String {
    percent_decode_str(segment).decode_utf8_lossy().into_owned()
}

/// The API `method path` calls. The path is split as received, so an encoded `/` stays
/// inside its segment and an empty segment is an empty ID.
pub(crate) fn target(method: &str, path: &str) -> Target {
    let segments: Vec<&str> = path.split('/').collect();
    let (operation, project, instance) = match segments.as_slice() {
        ["", "v2", p, "instances", id, "process"] => (Operation::RomaProcess, Some(p), Some(id)),
        ["", "v2", p, "apigw", "instances", id, "progress"] => {
            (Operation::ApigProgress, Some(p), Some(id))
        }
        ["", "v2", p, "apic", "instances", id] => (Operation::RomaInstance, Some(p), Some(id)),
        ["", "v2", p, "instances"] => (Operation::RomaList, Some(p), None),
        ["", "v1", p, "instances", id, "status"] => (Operation::ClouddcStatus, Some(p), Some(id)),
        ["", "v3", "auth", "tokens"] => (Operation::IamTokens, None, None),
        ["", "v3", "projects"] => (Operation::IamProjects, None, None),
        ["", "meta-data", "latest", "api", "token"] => (Operation::MetadataToken, None, None),
        ["", "openstack", "latest", "securitykey"] => (Operation::MetadataSecurityKey, None, None),
        ["", "pod-identity", "credentials"] => (Operation::PodIdentity, None, None),
        ["", "v3.0", "OS-AUTH", "id-token", "tokens"] => (Operation::IamIdToken, None, None),
        ["", "v3.0", "OS-CREDENTIAL", "securitytokens"] => {
            (Operation::IamSecurityTokens, None, None)
        }
        _ => return Target::Unserved,
    };
    let allow = match operation {
        Operation::IamTokens
        | Operation::PodIdentity
        | Operation::IamIdToken
        | Operation::IamSecurityTokens => "POST",
        Operation::MetadataToken => "PUT",
        _ => "GET",
    };
    if method != allow {
        return Target::WrongMethod { operation, allow };
    }
    Target::Api {
        operation,
        project: project.map(|p| decoded(p)),
        instance: instance.map(|i| decoded(i)),
    }
}

/// The fault that hits a request for `target`, if any (counted as hit).
pub(crate) fn take_fault(world: &mut World, target: &Target) -> Option<Hit> {
    match target {
        Target::Api {
            operation,
            instance,
            ..
        } => world.faults.take(*operation, instance.as_deref()),
        _ => None,
    }
}

fn family(operation: Operation) -> Family {
    match operation {
        Operation::RomaProcess | Operation::RomaInstance | Operation::ApigProgress => Family::Apic,
        Operation::RomaList => Family::RomaList,
        Operation::ClouddcStatus => Family::Clouddc,
        Operation::IamTokens
        | Operation::IamProjects
        | Operation::IamIdToken
        | Operation::IamSecurityTokens => Family::Iam,
        Operation::MetadataToken | Operation::MetadataSecurityKey | Operation::PodIdentity => {
            Family::Credentials
        }
    }
}

/// The service whose instances `operation` reads.
fn service(operation: Operation) -> Option<Service> {
    match operation {
        Operation::RomaProcess | Operation::RomaInstance | Operation::RomaList => {
            Some(Service::Roma)
        }
        Operation::ApigProgress => Some(Service::Apig),
        Operation::ClouddcStatus => Some(Service::Clouddc),
        Operation::IamTokens
        | Operation::IamProjects
        | Operation::MetadataToken
        | Operation::MetadataSecurityKey
        | Operation::PodIdentity
        | Operation::IamIdToken
        | Operation::IamSecurityTokens => None,
    }
}

/// Answers a service or IAM request (after any `slow` fault's delay) and logs it. `hit` is
/// the fault that hit it.
pub(crate) fn answer(
    world: &mut World,
    target: &Target,
    request: &Received,
    request_id: &str,
    hit: Option<Hit>,
) -> Reply {
    let over_limit = match (target, hit) {
        (Target::Api { operation, .. }, None) => service(*operation).and_then(|service| {
            // On the simulator's clock, so that a test on a manual clock refills the bucket
            // by advancing it rather than by sleeping.
            let now = world.now();
            let wait = world.rate_limits.take(service, now).err()?;
            Some((service, wait))
        }),
        _ => None,
    };
    let mut reply = match over_limit {
        Some((service, wait)) => rate_limited(world, service, wait, request_id),
        None => respond(world, target, request, request_id, hit),
    };
    if matches!(
        hit,
        Some(Hit {
            kind: FaultKind::Truncated,
            ..
        })
    ) {
        reply.truncated = true;
    }
    world.log.record(RequestRecord {
        method: request.method.to_owned(),
        path: request.path.to_owned(),
        query: request.query.to_owned(),
        operation: target.operation(),
        instance_id: target.instance().map(str::to_owned),
        auth: verify::presented(request.headers),
        status: reply.status,
        rate_limited: over_limit.is_some(),
    });
    reply
}

/// The gateway's 429 past a service's rate limit: APIG's throttling error (every service is
/// behind it), with `Retry-After` in whole seconds (at least 1) until the next request is
/// allowed.
fn rate_limited(world: &World, service: Service, wait: Duration, request_id: &str) -> Reply {
    let rate = world.rate_limits.get(service).unwrap_or_default();
    let body = json!({
        "error_code": "APIGW.0308",
        "error_msg": format!(
            "The throttling threshold has been reached: policy user over ratelimit,limit:{rate},time:1 second"
        ),
        "request_id": request_id,
    });
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    Reply::json(429, &body)
        .header("retry-after", &seconds.to_string())
        .header(
            "x-sim-reason",
            &format!("over the simulator's rate limit of {rate} requests per second for {service}"),
        )
}

fn respond(
    world: &mut World,
    target: &Target,
    request: &Received,
    request_id: &str,
    hit: Option<Hit>,
) -> Reply {
    let (operation, project, instance) = match target {
        Target::Api {
            operation,
            project,
            instance,
        } => (*operation, project.as_deref(), instance.as_deref()),
        Target::WrongMethod { allow, .. } => {
            let why = format!("this API takes {allow}, not {}", request.method);
            return refusal(Family::Unserved, 405, request_id, &why).header("allow", allow);
        }
        Target::Unserved => {
            let why = format!(
                "the simulator serves no API at {} {}",
                request.method, request.path
            );
            return refusal(Family::Unserved, 404, request_id, &why);
        }
    };
    let family = family(operation);
    match hit.map(|h| (h.kind, h.retry_after_s)) {
        Some((FaultKind::Status(status), retry_after)) => {
            let reply = refusal(family, status, request_id, "a status fault");
            return match retry_after {
                Some(seconds) => reply.header("retry-after", &seconds.to_string()),
                None => reply,
            };
        }
        Some((FaultKind::Malformed, _)) => {
            return Reply::bytes(200, "application/json;charset=UTF-8", MALFORMED.to_vec());
        }
        _ => {}
    }
    let now = world.calendar();
    match operation {
        Operation::IamTokens => return iam::tokens(world, request.body, now, request_id),
        Operation::MetadataToken => return credentials::metadata_token(world, request, request_id),
        Operation::MetadataSecurityKey => {
            return credentials::metadata_security_key(world, request, request_id)
        }
        Operation::PodIdentity => return credentials::pod_identity(world, request, request_id),
        // IAM's two unsigned federation calls: an ID token, then a token, are the credentials.
        Operation::IamIdToken => return iam::id_token(world, request, now, request_id),
        Operation::IamSecurityTokens => {
            return iam::security_tokens(world, request, now, request_id)
        }
        _ => {}
    }
    if let Err(refused) = verify::authenticate(world, request, now) {
        return match refused.gateway_message {
            Some(message) => Reply::json(
                401,
                &bodies::gateway_unauthorized(family, request_id, &message),
            )
            .header("x-sim-reason", &refused.why),
            None => refusal(family, 401, request_id, &refused.why),
        };
    }
    if operation == Operation::IamProjects {
        let name = query_pairs(request.query)
            .find(|(key, _)| key == "name")
            .map(|(_, v)| v);
        return iam::projects(world, name.as_deref());
    }
    if let Some(why) = project_problem(world, project, request) {
        return refusal(family, 403, request_id, &why);
    }
    let context = Context {
        project_id: &world.project_id,
        region: &world.region,
        now_ms: unix_ms(now),
    };
    let instant = world.now();
    if operation == Operation::RomaList {
        let lying_total = match hit {
            Some(Hit {
                kind: FaultKind::LyingTotal(total),
                ..
            }) => Some(total),
            _ => None,
        };
        return roma_list(
            world,
            &context,
            request.query,
            request_id,
            instant,
            lying_total,
        );
    }
    let id = instance.unwrap_or_default();
    let found = service(operation)
        .filter(|_| crate::id::id_problem(id).is_none())
        .and_then(|service| world.instances.get(service, id));
    let Some(found) = found else {
        let why = format!(
            "no {} instance has the ID {id:?}",
            operation_service_name(operation)
        );
        return refusal(family, 404, request_id, &why);
    };
    let moment = found.moment(instant, world.speed);
    let body = match operation {
        Operation::RomaProcess => bodies::roma_process(found, &moment, &context),
        Operation::RomaInstance => bodies::roma_details(found, &moment, &context),
        Operation::ApigProgress => bodies::apig_progress(found, &moment),
        _ => bodies::clouddc_status(found, &moment),
    };
    Reply::json(200, &body)
}

fn operation_service_name(operation: Operation) -> &'static str {
    service(operation).map_or("IAM", Service::name)
}

/// The body of a `malformed` fault: not JSON, though it says so.
const MALFORMED: &[u8] = b"{\"progress\": 30, \"status\": <simulated malformed body>";

/// Why the request may not read the project it names, if it may not.
fn project_problem(world: &World, project: Option<&str>, request: &Received) -> Option<String> {
    let project = project.unwrap_or_default();
    if project != world.project_id {
        return Some(format!(
            "the path names the project {project:?}, not the simulator's {:?}",
            world.project_id
        ));
    }
    let header = request.headers.get("x-project-id")?;
    match header.to_str() {
        Ok(value) if value.trim() == world.project_id => None,
        _ => Some(format!(
            "X-Project-Id is not the simulator's project {:?}",
            world.project_id
        )),
    }
}

/// The decoded `key=value` pairs of a query as received.
fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decoded(key), decoded(value))
    })
}

/// `GET /v2/{project_id}/instances?status=&offset=&limit=`: the ROMA Connect instance list.
fn roma_list(
    world: &World,
    context: &Context,
    query: &str,
    request_id: &str,
    now: Instant,
    lying_total: Option<u64>,
) -> Reply {
    let mut status = None;
    let mut offset = 0usize;
    let mut limit = DEFAULT_LIST_LIMIT;
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "status" if value.is_empty() => status = None,
            "status" => status = Some(value),
            "offset" => match value.parse::<usize>() {
                Ok(n) => offset = n,
                Err(_) => {
                    return bad_parameter(
                        "offset",
                        "offset must be an integer of at least 0",
                        request_id,
                    )
                }
            },
            "limit" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_LIST_LIMIT).contains(&n) => limit = n,
                _ => {
                    let why = format!("limit must be an integer from 1 to {MAX_LIST_LIMIT}");
                    return bad_parameter("limit", &why, request_id);
                }
            },
            // Other parameters are ignored, as services ignore what they do not know.
            _ => {}
        }
    }
    let (total, page) =
        world
            .instances
            .roma_page(status.as_deref(), offset, limit, now, world.speed);
    let instances: Vec<bodies::Summary> = page
        .iter()
        .filter_map(|(instance, moment)| bodies::roma_summary(instance, moment, context))
        .collect();
    #[derive(serde::Serialize)]
    struct Page<'a> {
        total: u64,
        size: usize,
        instances: Vec<bodies::Summary<'a>>,
    }
    Reply::serialized(
        200,
        &Page {
            total: lying_total.unwrap_or(total as u64),
            size: instances.len(),
            instances,
        },
    )
}

/// ROMA's 400 for a bad query parameter.
fn bad_parameter(name: &str, why: &str, request_id: &str) -> Reply {
    let mut body = error_body(Family::RomaList, 400, request_id, why).unwrap_or_default();
    body["error_msg"] = Value::from(format!(
        "Invalid parameter value,parameterName:{name}. Please refer to the support documentation"
    ));
    Reply::json(400, &body).header("x-sim-reason", why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str) -> Option<(Operation, Option<String>, Option<String>)> {
        match target(method, path) {
            Target::Api {
                operation,
                project,
                instance,
            } => Some((operation, project, instance)),
            _ => None,
        }
    }

    #[test]
    fn paths_route_to_their_operation() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            op("GET", "/v2/p/instances/i/process"),
            Some((Operation::RomaProcess, s("p"), s("i")))
        );
        assert_eq!(
            op("GET", "/v2/p/apigw/instances/a%3Ab/progress"),
            Some((Operation::ApigProgress, s("p"), s("a:b")))
        );
        assert_eq!(
            op("GET", "/v2/p/instances"),
            Some((Operation::RomaList, s("p"), None))
        );
        assert_eq!(
            op("GET", "/v2/p/instances//process"),
            Some((Operation::RomaProcess, s("p"), s("")))
        );
        assert_eq!(
            op("GET", "/v2/p/instances/a%2Fb/process"),
            Some((Operation::RomaProcess, s("p"), s("a/b")))
        );
        assert!(matches!(
            target("GET", "/v2/p/instances/"),
            Target::Unserved
        ));
        assert!(matches!(target("GET", "/"), Target::Unserved));
        assert!(matches!(
            target("GET", "/v3/auth/tokens"),
            Target::WrongMethod { allow: "POST", .. }
        ));
        assert!(matches!(
            target("POST", "/v1/p/instances/i/status"),
            Target::WrongMethod { allow: "GET", .. }
        ));
        assert_eq!(
            op("PUT", "/meta-data/latest/api/token"),
            Some((Operation::MetadataToken, None, None))
        );
        assert_eq!(
            op("GET", "/openstack/latest/securitykey"),
            Some((Operation::MetadataSecurityKey, None, None))
        );
        assert_eq!(
            op("POST", "/pod-identity/credentials"),
            Some((Operation::PodIdentity, None, None))
        );
        assert!(matches!(
            target("GET", "/meta-data/latest/api/token"),
            Target::WrongMethod { allow: "PUT", .. }
        ));
        assert!(matches!(
            target("GET", "/pod-identity/credentials"),
            Target::WrongMethod { allow: "POST", .. }
        ));
        assert_eq!(
            op("POST", "/v3.0/OS-AUTH/id-token/tokens"),
            Some((Operation::IamIdToken, None, None))
        );
        assert_eq!(
            op("POST", "/v3.0/OS-CREDENTIAL/securitytokens"),
            Some((Operation::IamSecurityTokens, None, None))
        );
        assert!(matches!(
            target("GET", "/v3.0/OS-CREDENTIAL/securitytokens"),
            Target::WrongMethod { allow: "POST", .. }
        ));
    }
}
