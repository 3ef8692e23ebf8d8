//! Cloud DC: the model of its instance status (`GET /v1/{project_id}/instances/{id}/status`;
//! `docs/apis.md`).

use crate::model::fields::model;
use crate::model::vocab::{vocabulary, OpenEnum};

vocabulary! {
    /// A Cloud DC instance state. The document's state machine, the newest SDK's spelling
    /// (`shutting-down`) and the older SDKs' extra states.
    pub enum ClouddcState {
        /// `pending`: being created.
        Pending = "pending",
        /// `running`.
        Running = "running",
        /// `stopped`: powered off (also the state between provisioning steps).
        Stopped = "stopped",
        /// `shutting_down` / `shutting-down`: being deleted.
        ShuttingDown = "shutting_down" | "shutting-down",
        /// `terminated`: deleted.
        Terminated = "terminated",
        /// `error`: creation, provisioning or deletion failed.
        Error = "error",
        /// `stopping` (older SDKs).
        Stopping = "stopping",
        /// `reinstalling` (older SDKs).
        Reinstalling = "reinstalling",
        /// `failed` (older SDKs).
        Failed = "failed",
        /// `modifyIping`: changing IP address (older SDKs).
        ModifyingIp = "modifyIping",
        /// `switch-installing` (older SDKs).
        SwitchInstalling = "switch-installing",
    }
}

vocabulary! {
    /// What kind of operation a Cloud DC error came from (`error.error_type`).
    pub enum ClouddcErrorType {
        /// `create_instance_error`.
        CreateInstance = "create_instance_error",
        /// `delete_instance_error`.
        DeleteInstance = "delete_instance_error",
        /// `reinstall_error`.
        Reinstall = "reinstall_error",
        /// `modify_ip_error`.
        ModifyIp = "modify_ip_error",
        /// `verify_server_error`.
        VerifyServer = "verify_server_error",
        /// `delete_server_error`.
        DeleteServer = "delete_server_error",
    }
}

model! {
    /// The status of a Cloud DC instance.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct ClouddcInstanceStatus {
        /// The instance state.
        pub state: Option<OpenEnum<ClouddcState>>,
        /// The operation under way and how it went, e.g. `install-processing`,
        /// `install-succeed`, `install-failed` (prefixes `install`, `reinstall`,
        /// `switch-install`, `modify-ip`, `uninstall`).
        pub operation_state: Option<String>,
        /// Set when an operation failed.
        pub error: Option<ClouddcError>,
    }
}

model! {
    /// Why a Cloud DC operation failed (`ErrorStatus`).
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct ClouddcError {
        /// Error code.
        pub error_code: Option<String>,
        /// Error description.
        pub error_msg: Option<String>,
        /// Which operation failed.
        pub error_type: Option<OpenEnum<ClouddcErrorType>>,
    }
}
