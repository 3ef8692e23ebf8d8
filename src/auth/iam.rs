//! Identity and Access Management: tokens from an IAM user's password, cached per client, and
//! the project ID of a region.
//!
//! Asking IAM for a token, dropping one after a 401 and looking up a project are logged
//! (target `hwinst`, level info); no token or password ever is.

use crate::auth::{self, credential_header, Authenticate, Secret};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::http::decode;
use crate::http::transport::{Call, Transport};
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use ureq::http::{header, HeaderValue, Method, Request};

/// IAM's endpoint when none is configured (`iam.{region}.myhuaweicloud.com` serves too).
pub const DEFAULT_IAM_ENDPOINT: &str = "https://iam.myhuaweicloud.com";

/// What the token is for: IAM tokens are scoped to a project.
#[derive(Debug, Clone)]
pub(crate) enum Scope {
    /// `{"project":{"id":...}}`.
    ProjectId(String),
    /// `{"project":{"name":REGION}}`: the region's default project, when its ID is unknown.
    ProjectName(String),
}

/// How IAM password credentials reach IAM.
pub(crate) struct IamSetup {
    pub transport: Arc<Transport>,
    pub endpoint: Endpoint,
    pub scope: Scope,
}

/// `X-Auth-Token` with a token IAM issued for a user's password. One token per client,
/// fetched when first needed, renewed before it expires and after a 401. Threads that need
/// one at the same time wait for the one request that fetches it.
pub(crate) struct IamAuth {
    transport: Arc<Transport>,
    tokens_url: String,
    /// The request body; it holds the password.
    body: Secret,
    password: Secret,
    token: Mutex<Option<Token>>,
}

struct Token {
    value: Secret,
    header: HeaderValue,
    renew_at: SystemTime,
}

impl IamAuth {
    pub(crate) fn new(
        setup: IamSetup,
        user: &str,
        password: Secret,
        domain: &str,
    ) -> Result<IamAuth> {
        for (what, value) in [("IAM user", user), ("IAM domain", domain)] {
            if value.trim().is_empty() {
                return Err(Error::Config(format!("the {what} is empty")));
            }
        }
        if password.expose().is_empty() {
            return Err(Error::Config("the IAM password is empty".into()));
        }
        crate::auth::long_enough("IAM password", password.expose())?;
        let scope = match &setup.scope {
            Scope::ProjectId(id) => serde_json::json!({ "project": { "id": id } }),
            Scope::ProjectName(name) => serde_json::json!({ "project": { "name": name } }),
        };
        let body = serde_json::json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": { "user": {
                        "name": user,
                        "password": password.expose(),
                        "domain": { "name": domain },
                    } },
                },
                "scope": scope,
            }
        });
        Ok(IamAuth {
            transport: setup.transport,
            tokens_url: setup.endpoint.url("/v3/auth/tokens", ""),
            body: Secret::new(body.to_string()),
            password,
            token: Mutex::new(None),
        })
    }

    /// The current token's header, fetching a token first when there is none or it is due
    /// for renewal.
    fn token_header(&self, call: &Call) -> Result<HeaderValue> {
        // Held while fetching: concurrent callers wait for that one request.
        let mut token = self.token.lock().unwrap_or_else(|e| e.into_inner());
        let now = self.transport.clock().wall_time();
        if let Some(current) = token.as_ref().filter(|t| now < t.renew_at) {
            return Ok(current.header.clone());
        }
        let why = match token.as_ref() {
            Some(_) => "renewing the token",
            None => "no token held",
        };
        log::info!(target: "hwinst", "asking IAM for a token ({why}): POST {}", self.tokens_url);
        let fresh = self.fetch(call)?;
        log::debug!(
            target: "hwinst",
            "IAM issued a token; it is renewed after {}",
            httpdate::fmt_http_date(fresh.renew_at)
        );
        let header = fresh.header.clone();
        *token = Some(fresh);
        Ok(header)
    }

    /// `POST /v3/auth/tokens`: the token is the `X-Subject-Token` header of the answer.
    fn fetch(&self, call: &Call) -> Result<Token> {
        let reply = self.transport.send(
            || {
                let mut request = self
                    .transport
                    .request(
                        Method::POST,
                        &self.tokens_url,
                        self.body.expose().as_bytes().to_vec(),
                    )
                    .map_err(|e| Error::Config(format!("cannot build the IAM request: {e}")))?;
                request
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, auth::JSON_UTF8.clone());
                Ok(request)
            },
            call,
        )?;
        if !reply.is_success() {
            return Err(reply.error(&[self.password.expose()]));
        }
        let value = reply
            .header("x-subject-token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::Decode {
                what: "IAM token",
                message: "the answer has no X-Subject-Token header".into(),
            })?
            .to_owned();
        let header = credential_header("IAM token", &value)?;
        let issued = self.transport.clock().wall_time();
        let expires_at = serde_json::from_slice::<TokenDocument>(&reply.body)
            .ok()
            .and_then(|d| d.token?.expires_at)
            .and_then(|at| auth::parse_time(&at));
        Ok(Token {
            value: Secret::new(value),
            header,
            renew_at: auth::renewal_time(issued, expires_at),
        })
    }
}

impl Authenticate for IamAuth {
    fn authenticate(&self, request: &mut Request<()>, _: Option<&str>, call: &Call) -> Result<()> {
        let header = self.token_header(call)?;
        request.headers_mut().insert(&auth::X_AUTH_TOKEN, header);
        Ok(())
    }

    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.password.expose().to_owned()];
        let token = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(token) = token.as_ref() {
            secrets.push(token.value.expose().to_owned());
        }
        secrets
    }

    fn recover(&self, _: &crate::http::transport::Reply, _: Option<&str>) -> bool {
        log::info!(
            target: "hwinst",
            "the service answered 401: dropping the IAM token, and asking IAM for a new one"
        );
        *self.token.lock().unwrap_or_else(|e| e.into_inner()) = None;
        true
    }
}

#[derive(Deserialize)]
struct TokenDocument {
    token: Option<TokenBody>,
}

#[derive(Deserialize)]
struct TokenBody {
    expires_at: Option<String>,
}

#[derive(Deserialize)]
struct ProjectsDocument {
    #[serde(default)]
    projects: Vec<ProjectEntry>,
}

#[derive(Deserialize)]
struct ProjectEntry {
    id: Option<String>,
    name: Option<String>,
}

/// `GET {iam}/v3/projects?name={region}`, authenticated by `auth`: the ID of the region's
/// project. None or several is a configuration error: the caller must say which.
pub(crate) fn look_up_project(
    transport: &Transport,
    iam: &Endpoint,
    region: &str,
    auth: &dyn Authenticate,
    call: &Call,
) -> Result<String> {
    let url = iam.url(
        "/v3/projects",
        &crate::id::query_string(&[("name", region.to_owned())]),
    );
    log::info!(target: "hwinst", "looking up the project of region {region} from IAM: GET {url}");
    let reply = auth::get(transport, auth, &url, None, call, &|| {})?;
    let document: ProjectsDocument =
        decode::json_reply(&reply, || auth.secrets(), "IAM project list")?;
    let ids: Vec<String> = document
        .projects
        .into_iter()
        .filter(|p| p.name.as_deref() == Some(region))
        .filter_map(|p| p.id)
        .collect();
    match ids.as_slice() {
        [id] => {
            log::info!(target: "hwinst", "region {region} is project {id}");
            Ok(id.clone())
        }
        [] => Err(Error::Config(format!(
            "IAM has no project named {region:?} for these credentials; set project_id"
        ))),
        several => Err(Error::Config(format!(
            "IAM has {} projects named {region:?}; set project_id to the one to use",
            several.len()
        ))),
    }
}
