//! [`CredentialSource`]: which source a client's credentials come from. Apart from the chain
//! that reads them (`chain.rs`) because reading the environment (`env.rs`) names a source too,
//! and the chain reads the environment.

use std::fmt;
use std::path::PathBuf;

/// Where a client's credentials come from when none are given
/// ([`ClientBuilder::credential_source`](crate::ClientBuilder::credential_source)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CredentialSource {
    /// The first of these that has credentials: the environment, the profile file, a KooCLI
    /// profile, the CCE pod-identity endpoint (when its variables are set), the ECS metadata
    /// service. The default.
    #[default]
    Chain,
    /// `HWINST_TOKEN`, or `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (with
    /// `HUAWEICLOUD_SDK_SECURITY_TOKEN` for temporary ones), or a federated OIDC identity
    /// (`HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE`, which win over AK/SK).
    Environment,
    /// The `[basic]` section of the official SDKs' profile file: this one, else the one
    /// `HUAWEICLOUD_SDK_CREDENTIALS_FILE` names, else `~/.huaweicloud/credentials`.
    ProfileFile(Option<PathBuf>),
    /// A KooCLI profile of `~/.hcloud/config.json`: this one, else the one `HWINST_PROFILE`
    /// names, else KooCLI's current profile.
    Koocli(Option<String>),
    /// The CCE pod-identity endpoint (`HC_CONTAINER_CREDENTIALS_FULL_URI` and
    /// `HC_CONTAINER_AUTHORIZATION_TOKEN_FILE`): temporary credentials, renewed.
    PodIdentity,
    /// The ECS metadata service of a VM with a cloud service agency: temporary credentials,
    /// renewed.
    Metadata,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialSource::Chain => "the default credential chain",
            CredentialSource::Environment => "the environment",
            CredentialSource::ProfileFile(_) => "the profile file",
            CredentialSource::Koocli(_) => "a KooCLI profile",
            CredentialSource::PodIdentity => "the CCE pod-identity endpoint",
            CredentialSource::Metadata => "the ECS metadata service",
        })
    }
}
