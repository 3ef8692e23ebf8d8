//! ROMA Connect: the models of its instance creation progress, instance details and instance
//! list APIs (`docs/apis.md`).

use crate::error::{Error, Result};
use crate::model::fields::model;
use crate::model::lenient::{self, Number};
use crate::model::vocab::{vocabulary, OpenEnum};
use serde::{Deserialize, Serialize};

/// Which ROMA Connect instances to list, and which page. Every part is optional; the service
/// chooses the defaults.
///
/// Deserialises from `{"status":"RUNNING","offset":0,"limit":50}`; unknown keys and negative
/// numbers are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RomaListQuery {
    pub(crate) status: Option<String>,
    pub(crate) offset: Option<u32>,
    pub(crate) limit: Option<u32>,
}

impl RomaListQuery {
    /// Every instance, the service's first page.
    pub fn new() -> RomaListQuery {
        RomaListQuery::default()
    }

    /// Only instances in this status (see [`RomaListStatus`]; any word is passed on).
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> RomaListQuery {
        self.status = Some(status.into());
        self
    }

    /// Skip this many instances.
    #[must_use]
    pub fn offset(mut self, offset: u32) -> RomaListQuery {
        self.offset = Some(offset);
        self
    }

    /// At most this many instances on the page (at least 1: a call with 0 is refused).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> RomaListQuery {
        self.limit = Some(limit);
        self
    }

    /// The query parameters, checked.
    pub(crate) fn pairs(&self) -> Result<Vec<(&'static str, String)>> {
        let mut pairs = Vec::new();
        if let Some(status) = &self.status {
            if status.trim().is_empty() || status.chars().any(char::is_control) || status.len() > 64
            {
                return Err(Error::InvalidArgument(format!(
                    "status {status:?} must be a non-empty word of at most 64 bytes without control characters"
                )));
            }
            pairs.push(("status", status.clone()));
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset", offset.to_string()));
        }
        if let Some(limit) = self.limit {
            // The service answers 0 with HTTP 400, and paging by 0 would never end.
            if limit == 0 {
                return Err(Error::InvalidArgument(
                    "limit must be at least 1 (instances per page)".into(),
                ));
            }
            pairs.push(("limit", limit.to_string()));
        }
        Ok(pairs)
    }
}

// ---------------------------------------------------------------------------------------------
// Creation progress (`GET /v2/{project_id}/instances/{instance_id}/process`)
// ---------------------------------------------------------------------------------------------

vocabulary! {
    /// The status words of the creation-progress API (`CREATING|RUNNING|CREATE_FAILED`, sent
    /// in any case, e.g. `creating`).
    pub enum RomaCreationStatus {
        /// Being created.
        Creating = "CREATING",
        /// Created and running.
        Running = "RUNNING",
        /// Creation failed.
        CreateFailed = "CREATE_FAILED",
    }
}

model! {
    /// Creation progress of a ROMA Connect instance. Its top level is snake_case (but
    /// `currentTime`), its nested `instance` camelCase, as the service sends them.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct RomaCreationProgress {
        /// The instance being created.
        pub instance: Option<RomaProgressInstance>,
        /// The server's current time (Unix time, milliseconds).
        #[serde(rename = "currentTime")]
        pub current_time: Option<Number>,
        /// Instance ID.
        pub instance_id: Option<String>,
        /// Instance name.
        pub name: Option<String>,
        /// When creation started (Unix time, milliseconds).
        pub start_time: Option<Number>,
        /// Time taken so far.
        pub taken_time: Option<Number>,
        /// When creation ended (Unix time, milliseconds; 0 while under way).
        pub end_time: Option<Number>,
        /// Overall progress in percent.
        pub progress: Option<Number>,
        /// Overall status.
        pub status: Option<OpenEnum<RomaCreationStatus>>,
        /// Progress of each sub-service (`mqs`, `lvs`, ...).
        pub item: Option<Vec<RomaProgressItem>>,
    }
}

model! {
    /// Creation progress of one sub-service of a ROMA Connect instance.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct RomaProgressItem {
        /// Sub-service name, e.g. `mqs`.
        pub name: Option<String>,
        /// When its creation started (Unix time, milliseconds; 0 before).
        pub start_time: Option<Number>,
        /// When its creation ended (Unix time, milliseconds; 0 before).
        pub end_time: Option<Number>,
        /// Its status.
        pub status: Option<OpenEnum<RomaCreationStatus>>,
        /// Time taken so far.
        pub taken_time: Option<Number>,
        /// Its progress in percent.
        pub progress: Option<Number>,
        /// Why it failed, for people.
        pub error_msg: Option<String>,
        /// Why it failed.
        pub error_code: Option<String>,
    }
}

vocabulary! {
    /// CPU architecture (`x86_64`/`aarch64` in the list API, `x86`/`arm` elsewhere).
    pub enum CpuArch {
        /// x86-64.
        X86_64 = "x86_64" | "x86",
        /// 64-bit Arm.
        Aarch64 = "aarch64" | "arm",
    }
}

model! {
    /// The instance inside [`RomaCreationProgress`] (camelCase, as sent). Fields the document
    /// marks deprecated or "ignore, invalid" are kept too.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct RomaProgressInstance {
        /// Instance ID.
        #[serde(rename = "instanceId")]
        pub instance_id: Option<String>,
        /// Instance name.
        pub name: Option<String>,
        /// `CREATING`, `RUNNING` or `CREATE_FAILED`.
        pub status: Option<OpenEnum<RomaCreationStatus>>,
        /// Connection address.
        #[serde(rename = "connectAddress")]
        pub connect_address: Option<String>,
        /// Source address transparent transmission (next-generation APIC only).
        #[serde(rename = "connectAddressWithPP")]
        pub connect_address_with_pp: Option<String>,
        /// Management-plane address of the data plane (next generation only).
        #[serde(rename = "mgmtConnectAddress")]
        pub mgmt_connect_address: Option<String>,
        /// Management-plane address of the data plane (next-generation FDI only).
        #[serde(rename = "mgmtExtraConnectAddress")]
        pub mgmt_extra_connect_address: Option<String>,
        /// Port (deprecated; a string).
        #[decode(lenient::text)]
        pub port: Option<String>,
        /// Number of connections (connection-pool mode only; a string).
        #[serde(rename = "conAmount")]
        #[decode(lenient::text)]
        pub con_amount: Option<String>,
        /// Instance type.
        #[serde(rename = "type")]
        pub instance_type: Option<String>,
        /// Location (deprecated).
        pub location: Option<String>,
        /// Product ID.
        #[serde(rename = "productId")]
        pub product_id: Option<String>,
        /// Engine (deprecated).
        pub engine: Option<String>,
        /// Engine version (deprecated).
        #[serde(rename = "engineVersion")]
        pub engine_version: Option<String>,
        /// Billing mode.
        #[serde(rename = "chargingMode")]
        pub charging_mode: Option<Number>,
        /// Description.
        pub description: Option<String>,
        /// Error code.
        #[serde(rename = "errorCode")]
        pub error_code: Option<String>,
        /// Error information.
        #[serde(rename = "errorMessage")]
        pub error_message: Option<String>,
        /// Resource set ID of the resource tenant.
        #[serde(rename = "resTenantId")]
        pub res_tenant_id: Option<String>,
        /// Domain ID of the resource tenant.
        #[serde(rename = "resDomainId")]
        pub res_domain_id: Option<String>,
        /// VPC ID of the resource tenant.
        #[serde(rename = "resVpcId")]
        pub res_vpc_id: Option<String>,
        /// Subnet ID of the resource tenant.
        #[serde(rename = "resSubnetId")]
        pub res_subnet_id: Option<String>,
        /// Security group ID of the resource tenant.
        #[serde(rename = "resSecurityGroupId")]
        pub res_security_group_id: Option<String>,
        /// Tenant resource set ID.
        #[serde(rename = "tenantId")]
        pub tenant_id: Option<String>,
        /// Tenant VPC ID.
        #[serde(rename = "tenantVpcId")]
        pub tenant_vpc_id: Option<String>,
        /// Tenant subnet ID.
        #[serde(rename = "tenantSubnetId")]
        pub tenant_subnet_id: Option<String>,
        /// Tenant security group ID.
        #[serde(rename = "tenantSecurityGroupId")]
        pub tenant_security_group_id: Option<String>,
        /// User ID.
        #[serde(rename = "userId")]
        pub user_id: Option<String>,
        /// Username.
        #[serde(rename = "userName")]
        pub user_name: Option<String>,
        /// Domain ID.
        #[serde(rename = "domainId")]
        pub domain_id: Option<String>,
        /// Virtual route ID.
        #[serde(rename = "virtualRouterId")]
        pub virtual_router_id: Option<String>,
        /// Order ID.
        #[serde(rename = "orderId")]
        pub order_id: Option<String>,
        /// Creation time (Unix time, milliseconds).
        #[serde(rename = "createdAt")]
        pub created_at: Option<Number>,
        /// Update time (Unix time, milliseconds).
        #[serde(rename = "updatedAt")]
        pub updated_at: Option<Number>,
        /// Deletion time.
        #[serde(rename = "deletedAt")]
        #[decode(lenient::text)]
        pub deleted_at: Option<String>,
        /// AZs (sent as a JSON array inside a string, e.g. `"[\"az0.dc0\"]"`).
        #[serde(rename = "availableZones")]
        #[decode(lenient::list)]
        pub available_zones: Option<Vec<String>>,
        /// Start of the maintenance window.
        #[serde(rename = "maintainBegin")]
        pub maintain_begin: Option<String>,
        /// End of the maintenance window.
        #[serde(rename = "maintainEnd")]
        pub maintain_end: Option<String>,
        /// Task status.
        #[serde(rename = "taskStatus")]
        pub task_status: Option<String>,
        /// Access without password.
        #[serde(rename = "noPasswordAccess")]
        #[decode(lenient::boolean)]
        pub no_password_access: Option<bool>,
        /// Access user.
        #[serde(rename = "accessUser")]
        pub access_user: Option<String>,
        /// Public IP address ID.
        #[serde(rename = "publicipId")]
        pub publicip_id: Option<String>,
        /// Public IP address.
        #[serde(rename = "publicipAddr")]
        pub publicip_addr: Option<String>,
        /// Whether a public IP address is bound.
        #[serde(rename = "publicipBounded")]
        #[decode(lenient::boolean)]
        pub publicip_bounded: Option<bool>,
        /// Ignore (invalid field).
        #[serde(rename = "outZones")]
        pub out_zones: Option<String>,
        /// Resource list.
        #[serde(rename = "resourceList")]
        pub resource_list: Option<String>,
        /// Ignore (invalid field).
        #[serde(rename = "nameLike")]
        pub name_like: Option<String>,
        /// Ignore (invalid field).
        #[serde(rename = "instanceIdLike")]
        pub instance_id_like: Option<String>,
        /// Specification code.
        #[serde(rename = "specCode")]
        pub spec_code: Option<String>,
        /// Ignore (invalid field).
        #[serde(rename = "statusIncluded")]
        pub status_included: Option<String>,
        /// Enterprise project ID.
        #[serde(rename = "epId")]
        pub ep_id: Option<String>,
        /// Residual resource status.
        #[serde(rename = "resLeakStatus")]
        pub res_leak_status: Option<String>,
        /// Tags.
        #[serde(rename = "tagEntries")]
        pub tag_entries: Option<String>,
        /// System tags.
        #[serde(rename = "epIds")]
        pub ep_ids: Option<String>,
        /// Ignore (invalid field).
        #[serde(rename = "typeExcluded")]
        pub type_excluded: Option<String>,
        /// IPv6 enabled.
        #[serde(rename = "ipv6Enable")]
        #[decode(lenient::boolean)]
        pub ipv6_enable: Option<bool>,
        /// IPv6 connection address.
        #[serde(rename = "ipv6ConnectAddress")]
        pub ipv6_connect_address: Option<String>,
        /// Bandwidth.
        pub bandwidths: Option<Number>,
        /// Ingress bandwidth (next generation).
        #[serde(rename = "ingressBandwidthSize")]
        #[decode(lenient::text)]
        pub ingress_bandwidth_size: Option<String>,
        /// ID of the cluster the instance is in.
        #[serde(rename = "resInstanceClusterId")]
        pub res_instance_cluster_id: Option<String>,
        /// Region scope (`center`/`edge`).
        pub scope: Option<String>,
        /// CPU architecture.
        #[serde(rename = "cpuArch")]
        pub cpu_arch: Option<OpenEnum<CpuArch>>,
        /// Encryption type.
        #[serde(rename = "cryptoType")]
        pub crypto_type: Option<String>,
        /// Whether RocketMQ is enabled.
        #[serde(rename = "rocketmqEnable")]
        #[decode(lenient::boolean)]
        pub rocketmq_enable: Option<bool>,
        /// Whether the external ELB is enabled.
        #[serde(rename = "externalElbEnable")]
        #[decode(lenient::boolean)]
        pub external_elb_enable: Option<bool>,
        /// LTS log group ID.
        #[serde(rename = "ltsLogGroupId")]
        pub lts_log_group_id: Option<String>,
        /// Pay-per-use billing (the service's spelling).
        #[serde(rename = "demondPay")]
        #[decode(lenient::boolean)]
        pub demond_pay: Option<bool>,
        /// Prepaid.
        #[serde(rename = "prePay")]
        #[decode(lenient::boolean)]
        pub pre_pay: Option<bool>,
        /// Enterprise project ID.
        #[serde(rename = "epIdOrDefault")]
        pub ep_id_or_default: Option<String>,
    }
}

// ---------------------------------------------------------------------------------------------
// Instance details (`GET /v2/{project_id}/apic/instances/{instance_id}`)
// ---------------------------------------------------------------------------------------------

vocabulary! {
    /// The 34 documented statuses of a ROMA Connect instance (`status` of
    /// [`RomaInstance`]). Each also has a number, sent as `instance_status`
    /// (see [`code`](Self::code)).
    pub enum RomaInstanceStatus {
        /// `Creating` (1).
        Creating = "Creating",
        /// `CreateSuccess` (2).
        CreateSuccess = "CreateSuccess",
        /// `CreateFail` (3).
        CreateFail = "CreateFail",
        /// `Initing` (4).
        Initing = "Initing",
        /// `Registering` (5).
        Registering = "Registering",
        /// `Running` (6).
        Running = "Running",
        /// `InitingFailed` (7).
        InitingFailed = "InitingFailed",
        /// `RegisterFailed` (8).
        RegisterFailed = "RegisterFailed",
        /// `Installing` (10).
        Installing = "Installing",
        /// `InstallFailed` (11).
        InstallFailed = "InstallFailed",
        /// `Updating` (12, upgrading).
        Updating = "Updating",
        /// `UpdateFailed` (13).
        UpdateFailed = "UpdateFailed",
        /// `Rollbacking` (20).
        Rollbacking = "Rollbacking",
        /// `RollbackSuccess` (21).
        RollbackSuccess = "RollbackSuccess",
        /// `RollbackFailed` (22).
        RollbackFailed = "RollbackFailed",
        /// `Deleting` (23).
        Deleting = "Deleting",
        /// `DeleteFailed` (24).
        DeleteFailed = "DeleteFailed",
        /// `Unregistering` (25).
        Unregistering = "Unregistering",
        /// `UnRegisterFailed` (26).
        UnregisterFailed = "UnRegisterFailed",
        /// `CreateTimeout` (27).
        CreateTimeout = "CreateTimeout",
        /// `InitTimeout` (28).
        InitTimeout = "InitTimeout",
        /// `RegisterTimeout` (29).
        RegisterTimeout = "RegisterTimeout",
        /// `InstallTimeout` (30).
        InstallTimeout = "InstallTimeout",
        /// `UpdateTimeout` (31).
        UpdateTimeout = "UpdateTimeout",
        /// `RollbackTimeout` (32).
        RollbackTimeout = "RollbackTimeout",
        /// `DeleteTimeout` (33).
        DeleteTimeout = "DeleteTimeout",
        /// `UnregisterTimeout` (34).
        UnregisterTimeout = "UnregisterTimeout",
        /// `Starting` (35).
        Starting = "Starting",
        /// `Freezing` (36).
        Freezing = "Freezing",
        /// `Frozen` (37).
        Frozen = "Frozen",
        /// `Restarting` (38).
        Restarting = "Restarting",
        /// `RestartFail` (39).
        RestartFail = "RestartFail",
        /// `Unhealthy` (40, "instance exception").
        Unhealthy = "Unhealthy",
        /// `RestartTimeout` (41).
        RestartTimeout = "RestartTimeout",
    }
}

/// `instance_status` numbers and the statuses they stand for, in the document's order.
const ROMA_STATUS_CODES: [(i64, RomaInstanceStatus); 34] = {
    use RomaInstanceStatus as S;
    [
        (1, S::Creating),
        (2, S::CreateSuccess),
        (3, S::CreateFail),
        (4, S::Initing),
        (5, S::Registering),
        (6, S::Running),
        (7, S::InitingFailed),
        (8, S::RegisterFailed),
        (10, S::Installing),
        (11, S::InstallFailed),
        (12, S::Updating),
        (13, S::UpdateFailed),
        (20, S::Rollbacking),
        (21, S::RollbackSuccess),
        (22, S::RollbackFailed),
        (23, S::Deleting),
        (24, S::DeleteFailed),
        (25, S::Unregistering),
        (26, S::UnregisterFailed),
        (27, S::CreateTimeout),
        (28, S::InitTimeout),
        (29, S::RegisterTimeout),
        (30, S::InstallTimeout),
        (31, S::UpdateTimeout),
        (32, S::RollbackTimeout),
        (33, S::DeleteTimeout),
        (34, S::UnregisterTimeout),
        (35, S::Starting),
        (36, S::Freezing),
        (37, S::Frozen),
        (38, S::Restarting),
        (39, S::RestartFail),
        (40, S::Unhealthy),
        (41, S::RestartTimeout),
    ]
};

impl RomaInstanceStatus {
    /// The status an `instance_status` number stands for.
    ///
    /// ```
    /// use hwinst::RomaInstanceStatus;
    /// assert_eq!(RomaInstanceStatus::from_code(6), Some(RomaInstanceStatus::Running));
    /// assert_eq!(RomaInstanceStatus::from_code(9), None);
    /// ```
    pub fn from_code(code: i64) -> Option<RomaInstanceStatus> {
        ROMA_STATUS_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, status)| *status)
    }

    /// The `instance_status` number of this status.
    pub fn code(self) -> i64 {
        ROMA_STATUS_CODES
            .iter()
            .find(|(_, status)| *status == self)
            .map(|(code, _)| *code)
            .expect("every status has a code")
    }
}

vocabulary! {
    /// The edition of a ROMA Connect instance (`spec`); also seen: `ROMA_BASIC_IPV6`,
    /// `ROMASITE_BASIC`, kept as sent.
    pub enum RomaSpec {
        /// `ROMA_BASIC`.
        Basic = "ROMA_BASIC",
        /// `ROMA_PROFESSIONAL`.
        Professional = "ROMA_PROFESSIONAL",
        /// `ROMA_ENTERPRISE`.
        Enterprise = "ROMA_ENTERPRISE",
        /// `ROMA_PLATINUM`.
        Platinum = "ROMA_PLATINUM",
    }
}

vocabulary! {
    /// The cryptographic algorithms of an instance (`cipher_type`).
    pub enum RomaCipherType {
        /// `generalCipher`: general algorithms.
        General = "generalCipher",
        /// `SMCompatible`: compatible with the SM series.
        SmCompatible = "SMCompatible",
        /// `SMOnly`: SM series only.
        SmOnly = "SMOnly",
    }
}

vocabulary! {
    /// Why cloud operations on an instance are locked (`lock_scene`).
    pub enum CbcLockScene {
        /// `TO_PERIOD_LOCK`: changing from pay-per-use to yearly/monthly.
        ToPeriod = "TO_PERIOD_LOCK",
        /// `SPEC_CHG_LOCK`: changing the specification of a yearly/monthly instance.
        SpecChange = "SPEC_CHG_LOCK",
    }
}

model! {
    /// The details of a ROMA Connect instance.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct RomaInstance {
        /// Instance ID.
        pub id: Option<String>,
        /// Project the instance belongs to.
        pub project_id: Option<String>,
        /// Instance name.
        pub instance_name: Option<String>,
        /// Status word (34 documented values).
        pub status: Option<OpenEnum<RomaInstanceStatus>>,
        /// Status number (1–41); see [`RomaInstance::status_from_code`].
        pub instance_status: Option<Number>,
        /// Instance type (not supported yet by the service).
        #[serde(rename = "type")]
        pub instance_type: Option<String>,
        /// Edition.
        pub spec: Option<OpenEnum<RomaSpec>>,
        /// Creation time (Unix time, milliseconds).
        pub create_time: Option<Number>,
        /// Enterprise project ID.
        pub enterprise_project_id: Option<String>,
        /// EIP bound to the instance.
        pub eip_address: Option<String>,
        /// Billing mode: 0 pay-per-use, 1 yearly/monthly.
        pub charging_mode: Option<Number>,
        /// Order ID for yearly/monthly billing.
        pub cbc_metadata: Option<String>,
        /// Cloud operation locks (not supported yet by the service).
        pub cbc_operation_locks: Option<Vec<CbcOperationLock>>,
        /// Description.
        pub description: Option<String>,
        /// VPC ID.
        pub vpc_id: Option<String>,
        /// Subnet ID.
        pub subnet_id: Option<String>,
        /// Security group ID.
        pub security_group_id: Option<String>,
        /// Start of the maintenance window (`xx:00:00`).
        pub maintain_begin: Option<String>,
        /// End of the maintenance window (`xx:00:00`).
        pub maintain_end: Option<String>,
        /// VPC inbound address.
        pub ingress_ip: Option<String>,
        /// ID of the user the instance belongs to.
        pub user_id: Option<String>,
        /// CIDR block for public outbound access (IPv6).
        pub nat_eip_ipv6_cidr: Option<String>,
        /// EIP (IPv6).
        pub eip_ipv6_address: Option<String>,
        /// IP address for public outbound access.
        pub nat_eip_address: Option<String>,
        /// Bandwidth.
        pub bandwidth_size: Option<Number>,
        /// AZs (a string such as `"[region01, region02]"` in this API; decoded to a list).
        #[decode(lenient::list)]
        pub available_zone_ids: Option<Vec<String>>,
        /// Instance version.
        pub instance_version: Option<String>,
        /// Subnet ID (not supported yet by the service).
        pub virsubnet_id: Option<String>,
        /// ROMA EIP (not supported yet by the service).
        pub roma_eip_address: Option<String>,
        /// Listeners (not supported yet by the service).
        pub listeners: Option<Vec<Listener>>,
        /// Supported features.
        pub supported_features: Option<Vec<String>>,
        /// Instance entry (IPv6).
        pub ingress_ip_v6: Option<String>,
        /// Internal IP addresses of the nodes.
        pub node_ips: Option<NodeIps>,
        /// Inbound IP addresses for multiple instances.
        pub ingress_ips: Option<String>,
        /// Cryptographic algorithms.
        pub cipher_type: Option<OpenEnum<RomaCipherType>>,
    }
}

impl RomaInstance {
    /// The status `instance_status` stands for, when it is a documented number. It may
    /// disagree with `status`; which to believe is the lifecycle's decision.
    pub fn status_from_code(&self) -> Option<RomaInstanceStatus> {
        self.instance_status()
            .and_then(RomaInstanceStatus::from_code)
    }
}

model! {
    /// A cloud operation lock (`CbcOperationLock`).
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct CbcOperationLock {
        /// Why operations are locked.
        pub lock_scene: Option<OpenEnum<CbcLockScene>>,
        /// ID of the object that locked them.
        pub lock_source_id: Option<String>,
    }
}

model! {
    /// A listener of a ROMA Connect instance.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct Listener {
        /// Listener name.
        pub name: Option<String>,
        /// Port the listener serves on.
        pub port: Option<Number>,
        /// Backend service.
        pub backend: Option<Backend>,
        /// IP protocol version of the load balancer.
        pub ip_version: Option<Number>,
    }
}

model! {
    /// The backend of a [`Listener`].
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct Backend {
        /// Backend host addresses.
        pub ip: Option<Vec<String>>,
        /// Backend port (the listener's when absent).
        pub port: Option<Number>,
        /// Health check settings.
        pub health_check: Option<HealthCheck>,
    }
}

model! {
    /// Health check settings of a [`Backend`].
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct HealthCheck {
        /// Protocol (LVS supports only `TCP_CHECK`).
        pub protocol: Option<String>,
        /// Health check port.
        pub port: Option<Number>,
        /// Consecutive failures before the backend is unhealthy.
        pub unhealthy: Option<Number>,
        /// Timeout of one check, in seconds.
        pub timeout: Option<Number>,
        /// Interval between checks, in seconds.
        pub interval: Option<Number>,
    }
}

model! {
    /// Internal IP addresses of an instance's nodes.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct NodeIps {
        /// LiveData component nodes.
        pub livedata: Option<Vec<String>>,
        /// API gateway (Shubao) component nodes.
        pub shubao: Option<Vec<String>>,
    }
}

// ---------------------------------------------------------------------------------------------
// Instance list (`GET /v2/{project_id}/instances`)
// ---------------------------------------------------------------------------------------------

vocabulary! {
    /// Statuses of the instance-list API: the documented ones, those the SDKs add, and the
    /// misspelling `DELETE_FALIED` some servers send for `DELETE_FAILED`.
    pub enum RomaListStatus {
        /// `CREATING`.
        Creating = "CREATING",
        /// `RUNNING`.
        Running = "RUNNING",
        /// `DELETING`.
        Deleting = "DELETING",
        /// `DELETED`.
        Deleted = "DELETED",
        /// `ERROR`.
        Error = "ERROR",
        /// `CREATE_FAILED`.
        CreateFailed = "CREATE_FAILED",
        /// `DELETE_FAILED` (also spelt `DELETE_FALIED`).
        DeleteFailed = "DELETE_FAILED" | "DELETE_FALIED",
        /// `SOFT_DELETED`.
        SoftDeleted = "SOFT_DELETED",
        /// `FREEZING`.
        Freezing = "FREEZING",
        /// `FROZEN`.
        Frozen = "FROZEN",
    }
}

vocabulary! {
    /// Instance specification type (`flavor_type`), in any case.
    pub enum RomaFlavorType {
        /// Basic.
        Basic = "Basic",
        /// Professional.
        Professional = "Professional",
        /// Enterprise.
        Enterprise = "Enterprise",
        /// Platinum.
        Platinum = "Platinum",
        /// Platinum x8.
        Platinumx8 = "Platinumx8",
    }
}

vocabulary! {
    /// Billing mode (`charge_type`).
    pub enum ChargeType {
        /// `prePaid`: yearly/monthly.
        PrePaid = "prePaid",
        /// `postPaid`: pay-per-use.
        PostPaid = "postPaid",
    }
}

model! {
    /// One page of ROMA Connect instances.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct RomaInstancePage {
        /// How many instances match in all.
        pub total: Option<Number>,
        /// How many instances are on this page.
        pub size: Option<Number>,
        /// The instances on this page (empty when the service sent none).
        pub instances: Vec<RomaInstanceSummary>,
    }
}

model! {
    /// A ROMA Connect instance as the list API describes it.
    #[derive(Debug, Clone, PartialEq)]
    #[non_exhaustive]
    pub struct RomaInstanceSummary {
        /// Instance ID.
        pub id: Option<String>,
        /// Instance name.
        pub name: Option<String>,
        /// Description.
        pub description: Option<String>,
        /// Specification ID.
        pub flavor_id: Option<String>,
        /// Specification type.
        pub flavor_type: Option<OpenEnum<RomaFlavorType>>,
        /// CPU architecture.
        pub cpu_arch: Option<OpenEnum<CpuArch>>,
        /// VPC ID.
        pub vpc_id: Option<String>,
        /// VPC subnet ID.
        pub subnet_id: Option<String>,
        /// Security group ID.
        pub security_group_id: Option<String>,
        /// Whether public network access is enabled.
        #[decode(lenient::boolean)]
        pub publicip_enable: Option<bool>,
        /// ID of the bound EIP.
        pub publicip_id: Option<String>,
        /// The bound EIP.
        pub publicip_address: Option<String>,
        /// Running status.
        pub status: Option<OpenEnum<RomaListStatus>>,
        /// Error code.
        pub error_code: Option<String>,
        /// Error message.
        pub error_msg: Option<String>,
        /// Billing mode.
        pub charge_type: Option<OpenEnum<ChargeType>>,
        /// Project ID.
        pub project_id: Option<String>,
        /// Creation time (an ISO 8601 string in this API).
        #[decode(lenient::text)]
        pub create_time: Option<String>,
        /// Update time (an ISO 8601 string in this API).
        #[decode(lenient::text)]
        pub update_time: Option<String>,
        /// O&M window start.
        pub maintain_begin: Option<String>,
        /// O&M window end.
        pub maintain_end: Option<String>,
        /// AZs.
        #[decode(lenient::list)]
        pub available_zone_ids: Option<Vec<String>>,
        /// Enterprise project ID.
        pub enterprise_project_id: Option<String>,
    }
}

// Each model's number fields as integers.
crate::model::lenient::number_values!(RomaCreationProgress {
    current_time,
    start_time,
    taken_time,
    end_time,
    progress
});
crate::model::lenient::number_values!(RomaProgressItem {
    start_time,
    end_time,
    taken_time,
    progress
});
crate::model::lenient::number_values!(RomaProgressInstance {
    charging_mode,
    created_at,
    updated_at,
    bandwidths
});
crate::model::lenient::number_values!(RomaInstance {
    instance_status,
    create_time,
    charging_mode,
    bandwidth_size
});
crate::model::lenient::number_values!(Listener { port, ip_version });
crate::model::lenient::number_values!(Backend { port });
crate::model::lenient::number_values!(HealthCheck {
    port,
    unhealthy,
    timeout,
    interval
});
crate::model::lenient::number_values!(RomaInstancePage { total, size });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::vocab::Vocabulary;

    #[test]
    fn every_status_has_one_code_and_back() {
        let mut seen = std::collections::HashSet::new();
        for (code, status) in ROMA_STATUS_CODES {
            assert_eq!(RomaInstanceStatus::from_code(code), Some(status));
            assert_eq!(status.code(), code);
            assert!(seen.insert(status));
            assert_eq!(RomaInstanceStatus::from_word(status.word()), Some(status));
        }
        assert_eq!(seen.len(), RomaInstanceStatus::WORDS.len());
        for gap in [0, 9, 14, 19, 42, -1] {
            assert_eq!(RomaInstanceStatus::from_code(gap), None);
        }
    }

    #[test]
    fn query_pairs() {
        let q = RomaListQuery::new().status("RUNNING").offset(10).limit(5);
        assert_eq!(
            q.pairs().unwrap(),
            [
                ("status", "RUNNING".to_owned()),
                ("offset", "10".into()),
                ("limit", "5".into())
            ]
        );
        assert!(RomaListQuery::new().pairs().unwrap().is_empty());
        for bad in ["", " ", "A\nB"] {
            assert!(matches!(
                RomaListQuery::new().status(bad).pairs(),
                Err(Error::InvalidArgument(_))
            ));
        }
    }

    #[test]
    fn query_from_json_refuses_negatives_and_unknown_keys() {
        let q: RomaListQuery = serde_json::from_str(r#"{"status":"RUNNING","limit":50}"#).unwrap();
        assert_eq!(q, RomaListQuery::new().status("RUNNING").limit(50));
        for bad in [r#"{"offset":-1}"#, r#"{"limit":-5}"#, r#"{"limt":5}"#] {
            assert!(serde_json::from_str::<RomaListQuery>(bad).is_err(), "{bad}");
        }
    }
}
