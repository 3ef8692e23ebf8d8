//! Response bodies: each API's answer for an instance at a step, with every field of its
//! document's example, and the services' documented error bodies.
//!
//! By default every field has the JSON type its document's table gives (a `String` AZ list is a
//! string, an `Integer` a number). An instance with `undocumented_shapes` answers in the shapes
//! real servers are known to vary in (`docs/apis.md`, What real answers look like), for
//! tolerance tests: numbers as strings, an AZ list as a JSON array where the document types it
//! String, lower-case `/process` status words.

use super::instances::{Instance, Moment};
use super::script::{Script, APIG_ERROR, CLOUDDC_ERROR, ROMA_ERROR};
use super::world::unix_ms;
use serde::Serialize;
use serde_json::{json, Value};

/// What every body may mention besides the instance.
pub(crate) struct Context<'a> {
    pub project_id: &'a str,
    pub region: &'a str,
    pub now_ms: u64,
}

/// A number, or its text in the undocumented shapes.
fn number(value: u64, undocumented_shapes: bool) -> Value {
    if undocumented_shapes {
        Value::String(value.to_string())
    } else {
        Value::from(value)
    }
}

/// `(error_code, error_msg)` when the instance's current step is a failure.
fn failure(script: Script, index: usize) -> Option<(&'static str, &'static str)> {
    (script.phase(index) == crate::lifecycle::Phase::Failed).then_some(match script {
        Script::Apig(_) => APIG_ERROR,
        Script::Roma(_) => ROMA_ERROR,
        Script::Clouddc(_) => (CLOUDDC_ERROR.0, CLOUDDC_ERROR.1),
    })
}

/// The AZs the instance lives in.
fn zones(context: &Context) -> [String; 2] {
    [
        format!("{}a", context.region),
        format!("{}b", context.region),
    ]
}

/// APIG creation progress.
pub(crate) fn apig_progress(instance: &Instance, moment: &Moment) -> Value {
    let Script::Apig(steps) = instance.script() else {
        return Value::Null;
    };
    let step = &steps[moment.index];
    let error = failure(instance.script(), moment.index);
    json!({
        "end_time": moment.ended_ms.unwrap_or(0),
        "error_code": error.map(|e| e.0),
        "error_msg": error.map(|e| e.1),
        "progress": number(u64::from(step.progress), instance.undocumented_shapes),
        "start_time": instance.added_ms,
        "status": step.status,
    })
}

/// ROMA Connect creation progress: snake_case top level, camelCase `instance`.
pub(crate) fn roma_process(instance: &Instance, moment: &Moment, context: &Context) -> Value {
    let Script::Roma(steps) = instance.script() else {
        return Value::Null;
    };
    let step = &steps[moment.index];
    let error = failure(instance.script(), moment.index);
    let variant = instance.undocumented_shapes;
    let status = if variant {
        Value::from(step.process.to_ascii_lowercase())
    } else {
        Value::from(step.process)
    };
    let end_time = moment.ended_ms.unwrap_or(0);
    // Whole minutes, rounded up: the example shows 1 after half a minute.
    let taken_time = moment
        .ended_ms
        .unwrap_or(context.now_ms)
        .saturating_sub(instance.added_ms)
        .div_ceil(60_000);
    let zones = zones(context);
    // Documented as a String; the example holds a JSON array inside it (`"[\"az0.dc0\"]"`).
    let available_zones = if variant {
        json!(zones)
    } else {
        Value::from(json!(zones).to_string())
    };
    let item = |name: &str| {
        json!({
            "name": name,
            "start_time": instance.added_ms,
            "end_time": end_time,
            "status": status,
            "taken_time": taken_time,
            "progress": step.progress,
            "error_msg": "",
            "error_code": "",
        })
    };
    // Two halves: one `json!` of every field would exceed the macro recursion limit.
    let mut nested = json!({
        "instanceId": instance.id,
        "name": instance.name,
        "status": step.process,
        "connectAddress": null,
        "connectAddressWithPP": null,
        "mgmtConnectAddress": null,
        "mgmtExtraConnectAddress": null,
        "port": null,
        "conAmount": "25",
        "type": "basic",
        "location": null,
        "productId": "00300-30101-0--0",
        "engine": "ROMA",
        "engineVersion": "1.0.0",
        "chargingMode": 1,
        "description": null,
        "errorCode": error.map(|e| e.0),
        "errorMessage": error.map(|e| e.1),
        "resTenantId": "#",
        "resDomainId": "#",
        "resVpcId": "#",
        "resSubnetId": "#",
        "resSecurityGroupId": "#",
        "tenantId": context.project_id,
        "tenantVpcId": "f33728c1-e774-4a9b-a0bb-30b840645628",
        "tenantSubnetId": "f65009c8-7009-403c-abdf-3100f9817762",
        "tenantSecurityGroupId": "272338c9-b3ee-41ae-a2b6-3942f31030da",
        "userId": "9167977213674566b8d89570083e2ba0",
        "userName": "sim-user",
        "domainId": null,
        "virtualRouterId": null,
        "orderId": null,
        "createdAt": instance.added_ms,
        "updatedAt": moment.since_ms,
        "deletedAt": null,
    });
    let rest = json!({
        "availableZones": available_zones,
        "maintainBegin": "22:00:00",
        "maintainEnd": "02:00:00",
        "taskStatus": null,
        "noPasswordAccess": false,
        "accessUser": null,
        "publicipId": null,
        "publicipAddr": null,
        "publicipBounded": false,
        "outZones": null,
        "resourceList": null,
        "nameLike": null,
        "instanceIdLike": null,
        "specCode": "roma.basic.001",
        "statusIncluded": null,
        "epId": "0",
        "resLeakStatus": null,
        "tagEntries": null,
        "epIds": null,
        "typeExcluded": null,
        "ipv6Enable": false,
        "ipv6ConnectAddress": null,
        "bandwidths": 0,
        "ingressBandwidthSize": null,
        "resInstanceClusterId": "#",
        "scope": "center",
        "cpuArch": "x86_64",
        "cryptoType": null,
        "rocketmqEnable": false,
        "externalElbEnable": false,
        "ltsLogGroupId": null,
        "demondPay": true,
        "prePay": false,
        "epIdOrDefault": "0",
    });
    if let (Some(nested), Value::Object(rest)) = (nested.as_object_mut(), rest) {
        nested.extend(rest);
    }
    json!({
        "instance": nested,
        "currentTime": context.now_ms,
        "instance_id": instance.id,
        "name": instance.name,
        "start_time": instance.added_ms,
        "taken_time": taken_time,
        "end_time": end_time,
        "progress": step.progress,
        "status": status,
        "item": [item("mqs"), item("lvs")],
    })
}

/// ROMA Connect instance details: every documented field.
pub(crate) fn roma_details(instance: &Instance, moment: &Moment, context: &Context) -> Value {
    let Script::Roma(steps) = instance.script() else {
        return Value::Null;
    };
    let step = &steps[moment.index];
    let variant = instance.undocumented_shapes;
    let [az1, az2] = zones(context);
    let available_zone_ids = if variant {
        json!([az1, az2])
    } else {
        // Documented as a String, written as the example writes it: `"[region01, region02]"`.
        Value::from(format!("[{az1}, {az2}]"))
    };
    json!({
        "id": instance.id,
        "project_id": context.project_id,
        "instance_name": instance.name,
        "status": step.details,
        "instance_status": number(step.code, variant),
        "type": "apic",
        "spec": "ROMA_PROFESSIONAL",
        "create_time": instance.added_ms,
        "enterprise_project_id": "0",
        "eip_address": "192.0.2.10",
        "charging_mode": 0,
        "cbc_metadata": null,
        "cbc_operation_locks": [],
        "description": "simulated instance",
        "vpc_id": "0957108c-257c-4ce0-9e93-527d279ce763",
        "subnet_id": "a938121c-11c4-4c91-b983-bc9acd347bb5",
        "security_group_id": "36d0ec18-bd10-4da7-86f3-ad7a5ddc55d7",
        "maintain_begin": "22:00:00",
        "maintain_end": "02:00:00",
        "ingress_ip": "192.168.0.5",
        "user_id": "9167977213674566b8d89570083e2ba0",
        "nat_eip_ipv6_cidr": null,
        "eip_ipv6_address": null,
        "nat_eip_address": "192.0.2.11",
        "bandwidth_size": number(5, variant),
        "available_zone_ids": available_zone_ids,
        "instance_version": "2.3.0",
        "virsubnet_id": null,
        "roma_eip_address": null,
        "listeners": [],
        "supported_features": ["gateway_responses", "ratelimit"],
        "ingress_ip_v6": null,
        "node_ips": { "livedata": ["192.168.0.30"], "shubao": ["192.168.0.31", "192.168.0.32"] },
        "ingress_ips": "192.168.0.5",
        "cipher_type": "generalCipher",
    })
}

/// One entry of the ROMA Connect instance list, fields in the document's order. A
/// struct rather than `json!`: pages of hundreds are built often, and this avoids a map per
/// entry.
#[derive(Serialize)]
pub(crate) struct Summary<'a> {
    id: &'a str,
    name: &'a str,
    description: &'static str,
    flavor_id: &'static str,
    flavor_type: &'static str,
    cpu_arch: &'static str,
    vpc_id: &'static str,
    subnet_id: &'static str,
    security_group_id: &'static str,
    publicip_enable: bool,
    publicip_id: &'static str,
    publicip_address: &'static str,
    status: &'static str,
    error_code: Option<&'static str>,
    error_msg: Option<&'static str>,
    charge_type: &'static str,
    project_id: &'a str,
    create_time: String,
    update_time: String,
    maintain_begin: &'static str,
    maintain_end: &'static str,
    available_zone_ids: [String; 2],
    enterprise_project_id: &'static str,
}

/// The list entry of an instance (`None` for an instance of another service).
pub(crate) fn roma_summary<'a>(
    instance: &'a Instance,
    moment: &Moment,
    context: &Context<'a>,
) -> Option<Summary<'a>> {
    let Script::Roma(steps) = instance.script() else {
        return None;
    };
    let error = failure(instance.script(), moment.index);
    Some(Summary {
        id: &instance.id,
        name: &instance.name,
        description: "simulated instance",
        flavor_id: "00400-30101-0--0",
        flavor_type: "professional",
        cpu_arch: "x86_64",
        vpc_id: "0957108c-257c-4ce0-9e93-527d279ce763",
        subnet_id: "a938121c-11c4-4c91-b983-bc9acd347bb5",
        security_group_id: "36d0ec18-bd10-4da7-86f3-ad7a5ddc55d7",
        publicip_enable: true,
        publicip_id: "55a6ef1b-498d-42fb-bbc7-d01ba1652bfc",
        publicip_address: "192.0.2.10",
        status: steps[moment.index].list,
        error_code: error.map(|e| e.0),
        error_msg: error.map(|e| e.1),
        charge_type: "postPaid",
        project_id: context.project_id,
        create_time: rfc3339(instance.added_ms),
        update_time: rfc3339(moment.since_ms),
        maintain_begin: "22:00:00",
        maintain_end: "02:00:00",
        available_zone_ids: zones(context),
        enterprise_project_id: "0",
    })
}

/// Cloud DC instance status; `error` only once it failed.
pub(crate) fn clouddc_status(instance: &Instance, moment: &Moment) -> Value {
    let Script::Clouddc(steps) = instance.script() else {
        return Value::Null;
    };
    let step = &steps[moment.index];
    let mut body = json!({ "state": step.state, "operation_state": step.operation_state });
    if failure(instance.script(), moment.index).is_some() {
        body["error"] = json!({
            "error_code": CLOUDDC_ERROR.0,
            "error_msg": CLOUDDC_ERROR.1,
            "error_type": CLOUDDC_ERROR.2,
        });
    }
    body
}

/// Which error body shape an answer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// ROMA `/process` and details, APIG: `{"error_code","error_msg"}` with `APIC.*` codes.
    Apic,
    /// ROMA list: `{"error_code","error_msg","error_details","request_id"}`.
    RomaList,
    /// Cloud DC: `{"error_code","error_msg"}` (`CLOUDDC.0<status>`), an empty 429.
    Clouddc,
    /// IAM: `{"error":{"code","message","title"}}`.
    Iam,
    /// A path the simulator does not serve.
    Unserved,
    /// The ECS metadata service and the CCE pod-identity endpoint:
    /// `{"error_code":"SIM.0NNN","error_msg"}` (no document gives their error bodies).
    Credentials,
}

/// The reason phrase of a status the simulator answers.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// The simulator's own code for a status no document names a code for.
fn own_code(status: u16) -> String {
    format!("SIM.{status:04}")
}

/// The error body of `family` for `status` (`None`: an empty body). `details` says what went
/// wrong: ROMA's `error_details`, IAM's message, or the message of an unserved path.
pub(crate) fn error_body(
    family: Family,
    status: u16,
    request_id: &str,
    details: &str,
) -> Option<Value> {
    match family {
        Family::Apic => {
            let (code, message) = match status {
                401 => (
                    "APIC.7102".into(),
                    "Incorrect token or token resolution failed",
                ),
                403 => (
                    "APIC.7106".into(),
                    "No permissions to request for the method",
                ),
                404 => ("APIC.7302".into(), "Instance not found"),
                500 => ("APIC.9000".into(), "Failed to request internal service"),
                _ => (own_code(status), reason(status)),
            };
            Some(json!({ "error_code": code, "error_msg": message }))
        }
        Family::RomaList => {
            let (code, message) = match status {
                400 => (
                    "ROMA.00013000".into(),
                    "Invalid parameter value. Please refer to the support documentation",
                ),
                401 => (
                    "ROMA.00012000".into(),
                    "Incorrect token or token resolution failed",
                ),
                403 => (
                    "ROMA.00012000".into(),
                    "No permissions to request this method",
                ),
                500 => ("ROMA.00011000".into(), "System error"),
                _ => (own_code(status), reason(status)),
            };
            Some(json!({
                "error_code": code,
                "error_msg": message,
                "error_details": if details.is_empty() { reason(status) } else { details },
                "request_id": request_id,
            }))
        }
        Family::Clouddc if status == 429 => None,
        Family::Clouddc => {
            let message = match status {
                401 => "The request is not authenticated",
                403 => "No permission to access the instance",
                404 => "Instance not found",
                500 => "Internal server error",
                _ => reason(status),
            };
            Some(json!({ "error_code": format!("CLOUDDC.{status:04}"), "error_msg": message }))
        }
        Family::Iam => {
            let message = match status {
                _ if !details.is_empty() => details,
                401 => "The request you have made requires authentication.",
                _ => reason(status),
            };
            Some(
                json!({ "error": { "code": status, "message": message, "title": reason(status) } }),
            )
        }
        Family::Unserved => Some(json!({ "error_code": own_code(status), "error_msg": details })),
        Family::Credentials => Some(json!({
            "error_code": own_code(status),
            "error_msg": if details.is_empty() { reason(status) } else { details },
        })),
    }
}

/// The 401 of the API gateway in front of the services when it refuses a signature itself
/// (a signature too old or new, an expired security token): `APIGW.0301` with `message` (and
/// the gateway's `request_id`) for ROMA and APIG, `message` in the family's own shape for
/// Cloud DC and IAM.
pub(crate) fn gateway_unauthorized(family: Family, request_id: &str, message: &str) -> Value {
    match family {
        Family::Apic => json!({
            "error_code": "APIGW.0301",
            "error_msg": message,
            "request_id": request_id,
        }),
        Family::RomaList => {
            let mut body = error_body(family, 401, request_id, message).unwrap_or_default();
            body["error_code"] = Value::from("APIGW.0301");
            body["error_msg"] = Value::from(message);
            body
        }
        Family::Clouddc => {
            let mut body = error_body(family, 401, request_id, message).unwrap_or_default();
            body["error_msg"] = Value::from(message);
            body
        }
        _ => error_body(family, 401, request_id, message).unwrap_or_default(),
    }
}

/// IAM's time format: RFC 3339 with microseconds (`2026-11-23T10:15:00.000000Z`).
pub(crate) fn iam_time(at: std::time::SystemTime) -> String {
    rfc3339(unix_ms(at)).replace('Z', ".000000Z")
}

/// Unix milliseconds as RFC 3339 in UTC, to the second (`2019-12-06T06:49:04Z`).
pub(crate) fn rfc3339(ms: u64) -> String {
    let seconds = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        // Past the year 9999, which no simulated clock reaches.
        .unwrap_or_else(|| "9999-12-31T23:59:59Z".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(1_575_614_944_000), "2019-12-06T06:49:04Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn iam_times_have_microseconds() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_428_900);
        assert_eq!(iam_time(at), "2026-11-23T10:15:00.000000Z");
    }

    #[test]
    fn error_bodies_follow_the_documents() {
        let body = error_body(Family::Apic, 404, "r", "").unwrap();
        assert_eq!(body["error_code"], "APIC.7302");
        let body = error_body(Family::RomaList, 401, "rid", "why").unwrap();
        assert_eq!(body["error_code"], "ROMA.00012000");
        assert_eq!(body["request_id"], "rid");
        assert_eq!(body["error_details"], "why");
        assert!(error_body(Family::Clouddc, 429, "r", "").is_none());
        let body = error_body(Family::Clouddc, 401, "r", "").unwrap();
        assert_eq!(body["error_code"], "CLOUDDC.0401");
        let body = error_body(Family::Apic, 503, "r", "").unwrap();
        assert_eq!(body["error_code"], "SIM.0503");
    }

    #[test]
    fn gateway_refusals_keep_each_familys_shape() {
        let message = "Incorrect IAM authentication information: the security token has expired";
        let body = gateway_unauthorized(Family::Apic, "rid", message);
        assert_eq!(
            body,
            json!({"error_code": "APIGW.0301", "error_msg": message, "request_id": "rid"})
        );
        let body = gateway_unauthorized(Family::RomaList, "rid", message);
        assert_eq!(body["error_code"], "APIGW.0301");
        assert_eq!(body["error_msg"], message);
        assert_eq!(body["request_id"], "rid");
        let body = gateway_unauthorized(Family::Clouddc, "rid", message);
        assert_eq!(body["error_code"], "CLOUDDC.0401");
        assert_eq!(body["error_msg"], message);
        let body = gateway_unauthorized(Family::Iam, "rid", message);
        assert_eq!(body["error"]["message"], message);
        assert_eq!(body["error"]["code"], 401);
    }
}
