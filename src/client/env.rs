//! The environment: the variables the official SDKs read, plus `HUAWEICLOUD_SDK_REGION` and
//! `HWINST_TOKEN`, turned into a [`ClientBuilder`].

use super::credential_source::CredentialSource;
use super::ClientBuilder;
use crate::auth::Credentials;
use crate::endpoint::Service;
use crate::error::{Error, Result};

/// The variables [`ClientBuilder::from_env`] reads (besides the per-service endpoint
/// overrides `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}`).
pub const ENV_VARS: [&str; 9] = [
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "HUAWEICLOUD_SDK_SECURITY_TOKEN",
    "HUAWEICLOUD_SDK_IDP_ID",
    "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
    "HUAWEICLOUD_SDK_PROJECT_ID",
    "HUAWEICLOUD_SDK_REGION",
    "HUAWEICLOUD_SDK_IAM_ENDPOINT",
    "HWINST_TOKEN",
];

impl ClientBuilder {
    /// A builder configured from the environment:
    ///
    /// | variable | setting |
    /// |---|---|
    /// | `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK` | AK/SK credentials |
    /// | `HUAWEICLOUD_SDK_SECURITY_TOKEN` | their security token (temporary credentials) |
    /// | `HUAWEICLOUD_SDK_IDP_ID`, `HUAWEICLOUD_SDK_ID_TOKEN_FILE` | a federated OIDC identity instead ([`Credentials::Oidc`]); wins over AK/SK |
    /// | `HWINST_TOKEN` | an IAM token instead |
    /// | `HUAWEICLOUD_SDK_PROJECT_ID` | the project (else looked up by region, with AK/SK) |
    /// | `HUAWEICLOUD_SDK_REGION` | the region |
    /// | `HUAWEICLOUD_SDK_IAM_ENDPOINT` | IAM's endpoint |
    /// | `HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION}` | one service's endpoint in that region, e.g. `HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4` |
    ///
    /// Empty variables count as unset. Settings made on the builder afterwards win over the
    /// environment. Both a token and AK/SK, an AK without its SK (or the reverse), or a
    /// security token without AK/SK is a [`Config`](crate::ErrorKind::Config) error rather
    /// than a guess; so is a variable that is not UTF-8.
    pub fn from_env() -> Result<ClientBuilder> {
        from_vars(process_var)
    }
}

/// A variable of the process's environment; one that is not UTF-8 is an error.
pub(crate) fn process_var(name: &str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::Config(format!(
            "the environment variable {name} is not valid UTF-8"
        ))),
    }
}

/// The credentials the environment holds, and the variable that gave them: `HWINST_TOKEN`, or
/// `HUAWEICLOUD_SDK_AK`/`SK` (with `HUAWEICLOUD_SDK_SECURITY_TOKEN`), or a federated identity
/// (`HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE`, which win over AK/SK as in
/// the official SDKs). `get` reads a variable, empty counting as unset. A token with anything
/// else, or half a pair, is an error.
pub(crate) fn credentials(
    get: &dyn Fn(&str) -> Result<Option<String>>,
) -> Result<Option<(Credentials, &'static str)>> {
    match (
        get("HUAWEICLOUD_SDK_IDP_ID")?,
        get("HUAWEICLOUD_SDK_ID_TOKEN_FILE")?,
    ) {
        (Some(idp_id), Some(file)) => {
            if get("HWINST_TOKEN")?.is_some() {
                return Err(Error::Config(
                    "both HWINST_TOKEN and HUAWEICLOUD_SDK_IDP_ID are set: unset one of them"
                        .into(),
                ));
            }
            return Ok(Some((
                Credentials::oidc(idp_id, file),
                "HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE",
            )));
        }
        (None, None) => {}
        _ => {
            return Err(Error::Config(
                "HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE must be set together"
                    .into(),
            ))
        }
    }
    let token = get("HWINST_TOKEN")?;
    let ak = get("HUAWEICLOUD_SDK_AK")?;
    let sk = get("HUAWEICLOUD_SDK_SK")?;
    let security_token = get("HUAWEICLOUD_SDK_SECURITY_TOKEN")?;
    let aksk = ak.is_some() || sk.is_some() || security_token.is_some();
    match (token, aksk) {
        (Some(_), true) => Err(Error::Config(
            "both HWINST_TOKEN and HUAWEICLOUD_SDK_AK/SK are set: unset one of them".into(),
        )),
        (Some(token), false) => Ok(Some((Credentials::Token(token.into()), "HWINST_TOKEN"))),
        (None, true) => match (ak, sk) {
            (Some(ak), Some(sk)) => Ok(Some(match security_token {
                Some(token) => (
                    Credentials::temporary_ak_sk(ak, sk, token),
                    "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN",
                ),
                None => (
                    Credentials::ak_sk(ak, sk),
                    "HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK",
                ),
            })),
            _ => Err(Error::Config(
                "HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must be set together \
                 (HUAWEICLOUD_SDK_SECURITY_TOKEN only with them)"
                    .into(),
            )),
        },
        (None, false) => Ok(None),
    }
}

/// [`ClientBuilder::from_env`] with `var` standing for the environment.
pub(crate) fn from_vars(var: impl Fn(&str) -> Result<Option<String>>) -> Result<ClientBuilder> {
    let get =
        |name: &str| -> Result<Option<String>> { Ok(var(name)?.filter(|value| !value.is_empty())) };
    let mut builder = ClientBuilder::default();
    // Checked now (a conflict is an error here), read again when the client is built, so that
    // the client says they came from the environment. Without any, the default chain runs.
    if credentials(&get)?.is_some() {
        builder = builder.credential_source(CredentialSource::Environment);
    }
    if let Some(project_id) = get("HUAWEICLOUD_SDK_PROJECT_ID")? {
        builder = builder.project_id(project_id);
    }
    if let Some(url) = get("HUAWEICLOUD_SDK_IAM_ENDPOINT")? {
        builder = builder.iam_endpoint(url);
    }
    if let Some(region) = get("HUAWEICLOUD_SDK_REGION")? {
        let suffix = region.to_ascii_uppercase().replace('-', "_");
        for service in Service::ALL {
            let name = format!(
                "HUAWEICLOUD_SDK_REGION_{}_{suffix}",
                service.name().to_ascii_uppercase()
            );
            if let Some(url) = get(&name)? {
                builder = builder.endpoint(service, url);
            }
        }
        builder = builder.region(region);
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use std::collections::HashMap;

    fn build(vars: &[(&str, &str)]) -> Result<crate::Client> {
        let mut vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert("HWINST_METADATA_ENDPOINT".into(), "none".into());
        let var = |name: &str| Ok(vars.get(name).cloned());
        let host = super::super::chain::Host {
            var: &var,
            home: None,
        };
        from_vars(var)?.build_on(&host)
    }

    #[test]
    fn token_and_ak_sk_clients() {
        let client = build(&[
            ("HWINST_TOKEN", "t0k3n-123"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p1"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            (
                "HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4",
                "https://apig.example.com",
            ),
            (
                "HUAWEICLOUD_SDK_REGION_ROMA_CN_EAST_3",
                "https://other-region.example.com",
            ),
        ])
        .unwrap();
        assert_eq!(
            client.endpoint(Service::Apig),
            Some("https://apig.example.com")
        );
        assert_eq!(
            client.endpoint(Service::Roma),
            Some("https://roma.cn-north-4.myhuaweicloud.com")
        );
        for vars in [
            &[
                ("HUAWEICLOUD_SDK_AK", "AK"),
                ("HUAWEICLOUD_SDK_SK", "SK-s3cr3t"),
                ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            ][..],
            &[
                ("HUAWEICLOUD_SDK_AK", "AK"),
                ("HUAWEICLOUD_SDK_SK", "SK-s3cr3t"),
                ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST-s3cr3t"),
                ("HUAWEICLOUD_SDK_PROJECT_ID", "p1"),
                ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
                ("HWINST_TOKEN", ""),
            ][..],
        ] {
            assert!(build(vars).is_ok(), "{vars:?}");
        }
    }

    #[test]
    fn conflicts_and_gaps_are_errors() {
        for (vars, expected) in [
            (
                &[
                    ("HWINST_TOKEN", "t"),
                    ("HUAWEICLOUD_SDK_AK", "AK"),
                    ("HUAWEICLOUD_SDK_SK", "SK-s3cr3t"),
                ][..],
                "both",
            ),
            (&[("HUAWEICLOUD_SDK_AK", "AK")][..], "together"),
            (&[("HUAWEICLOUD_SDK_SK", "s3cr3t")][..], "together"),
            (
                &[("HUAWEICLOUD_SDK_SECURITY_TOKEN", "s3cr3t")][..],
                "together",
            ),
            (
                &[("HUAWEICLOUD_SDK_REGION", "cn-north-4")][..],
                "credentials",
            ),
        ] {
            let err = build(vars).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{vars:?}");
            assert!(err.to_string().contains(expected), "{vars:?}: {err}");
            assert!(!err.to_string().contains("s3cr3t"));
        }
        let err = from_vars(|name| {
            if name == "HUAWEICLOUD_SDK_REGION" {
                Err(Error::Config(format!("{name} is not valid UTF-8")))
            } else {
                Ok(None)
            }
        })
        .unwrap_err();
        assert!(err.to_string().contains("HUAWEICLOUD_SDK_REGION"));
    }
}
