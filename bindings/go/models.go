package hwinst

import "encoding/json"

// The service documents, as the C library returns them: it has already decoded the
// services' quirks (numbers sent as strings, lists sent as JSON text inside a string), so
// every field here has one type. Absent fields are zero: "" for strings, nil for slices,
// pointers to numbers and booleans, and nested structs. Times are Unix milliseconds unless
// a field says otherwise. Every struct keeps its document in Raw, fields unknown to this
// version included.

// ---------------------------------------------------------------------------------------
// ROMA Connect creation progress (GET /v2/{project_id}/instances/{instance_id}/process)
// ---------------------------------------------------------------------------------------

// RomaCreationProgress is how far the creation of a ROMA Connect instance has got, overall
// and per sub-service (GET /v2/{project_id}/instances/{instance_id}/process).
type RomaCreationProgress struct {
	// Instance is the instance being created.
	Instance *RomaProgressInstance `json:"instance,omitempty"`
	// CurrentTime is the server's current time.
	CurrentTime *int64 `json:"currentTime,omitempty"`
	// InstanceID is the instance ID.
	InstanceID string `json:"instance_id,omitempty"`
	// Name is the instance name.
	Name string `json:"name,omitempty"`
	// StartTime is when creation started.
	StartTime *int64 `json:"start_time,omitempty"`
	// TakenTime is the time taken so far (whole minutes, as the service counts it).
	TakenTime *int64 `json:"taken_time,omitempty"`
	// EndTime is when creation ended (0 while under way).
	EndTime *int64 `json:"end_time,omitempty"`
	// Progress is the overall progress in percent.
	Progress *int64 `json:"progress,omitempty"`
	// Status is the overall status: CREATING, RUNNING or CREATE_FAILED, in the case the
	// service sent.
	Status string `json:"status,omitempty"`
	// Item is the progress of each sub-service (mqs, lvs, ...).
	Item []RomaProgressItem `json:"item,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *RomaCreationProgress) UnmarshalJSON(data []byte) error {
	type plain RomaCreationProgress
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// RomaProgressItem is the creation progress of one sub-service of a ROMA Connect instance.
type RomaProgressItem struct {
	// Name is the sub-service, e.g. "mqs".
	Name string `json:"name,omitempty"`
	// StartTime is when its creation started (0 before).
	StartTime *int64 `json:"start_time,omitempty"`
	// EndTime is when its creation ended (0 before).
	EndTime *int64 `json:"end_time,omitempty"`
	// Status is its status (CREATING, RUNNING, CREATE_FAILED).
	Status string `json:"status,omitempty"`
	// TakenTime is the time taken so far.
	TakenTime *int64 `json:"taken_time,omitempty"`
	// Progress is its progress in percent.
	Progress *int64 `json:"progress,omitempty"`
	// ErrorMsg is why it failed, for people.
	ErrorMsg string `json:"error_msg,omitempty"`
	// ErrorCode is why it failed.
	ErrorCode string `json:"error_code,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *RomaProgressItem) UnmarshalJSON(data []byte) error {
	type plain RomaProgressItem
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// RomaProgressInstance is the instance inside a [RomaCreationProgress] (the service sends it
// in camelCase). Fields the API documents as deprecated or "ignore, invalid" are kept too.
type RomaProgressInstance struct {
	// InstanceID is the instance ID.
	InstanceID string `json:"instanceId,omitempty"`
	// Name is the instance name.
	Name string `json:"name,omitempty"`
	// Status is CREATING, RUNNING or CREATE_FAILED.
	Status string `json:"status,omitempty"`
	// ConnectAddress is the connection address.
	ConnectAddress string `json:"connectAddress,omitempty"`
	// ConnectAddressWithPP is the address with source address transparent transmission
	// (next-generation APIC only).
	ConnectAddressWithPP string `json:"connectAddressWithPP,omitempty"`
	// MgmtConnectAddress is the management-plane address of the data plane (next
	// generation only).
	MgmtConnectAddress string `json:"mgmtConnectAddress,omitempty"`
	// MgmtExtraConnectAddress is the management-plane address of the data plane
	// (next-generation FDI only).
	MgmtExtraConnectAddress string `json:"mgmtExtraConnectAddress,omitempty"`
	// Port is the port (deprecated; a string, as documented).
	Port string `json:"port,omitempty"`
	// ConAmount is the number of connections (connection-pool mode only; a string).
	ConAmount string `json:"conAmount,omitempty"`
	// Type is the instance type.
	Type string `json:"type,omitempty"`
	// Location is the location (deprecated).
	Location string `json:"location,omitempty"`
	// ProductID is the product ID.
	ProductID string `json:"productId,omitempty"`
	// Engine is the engine (deprecated).
	Engine string `json:"engine,omitempty"`
	// EngineVersion is the engine version (deprecated).
	EngineVersion string `json:"engineVersion,omitempty"`
	// ChargingMode is the billing mode.
	ChargingMode *int64 `json:"chargingMode,omitempty"`
	// Description is the description.
	Description string `json:"description,omitempty"`
	// ErrorCode is why creation failed.
	ErrorCode string `json:"errorCode,omitempty"`
	// ErrorMessage is why creation failed, for people.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// ResTenantID is the resource set ID of the resource tenant.
	ResTenantID string `json:"resTenantId,omitempty"`
	// ResDomainID is the domain ID of the resource tenant.
	ResDomainID string `json:"resDomainId,omitempty"`
	// ResVpcID is the VPC ID of the resource tenant.
	ResVpcID string `json:"resVpcId,omitempty"`
	// ResSubnetID is the subnet ID of the resource tenant.
	ResSubnetID string `json:"resSubnetId,omitempty"`
	// ResSecurityGroupID is the security group ID of the resource tenant.
	ResSecurityGroupID string `json:"resSecurityGroupId,omitempty"`
	// TenantID is the tenant resource set ID.
	TenantID string `json:"tenantId,omitempty"`
	// TenantVpcID is the tenant VPC ID.
	TenantVpcID string `json:"tenantVpcId,omitempty"`
	// TenantSubnetID is the tenant subnet ID.
	TenantSubnetID string `json:"tenantSubnetId,omitempty"`
	// TenantSecurityGroupID is the tenant security group ID.
	TenantSecurityGroupID string `json:"tenantSecurityGroupId,omitempty"`
	// UserID is the user ID.
	UserID string `json:"userId,omitempty"`
	// UserName is the username.
	UserName string `json:"userName,omitempty"`
	// DomainID is the domain ID.
	DomainID string `json:"domainId,omitempty"`
	// VirtualRouterID is the virtual route ID.
	VirtualRouterID string `json:"virtualRouterId,omitempty"`
	// OrderID is the order ID.
	OrderID string `json:"orderId,omitempty"`
	// CreatedAt is the creation time.
	CreatedAt *int64 `json:"createdAt,omitempty"`
	// UpdatedAt is the update time.
	UpdatedAt *int64 `json:"updatedAt,omitempty"`
	// DeletedAt is the deletion time (as the service sent it).
	DeletedAt string `json:"deletedAt,omitempty"`
	// AvailableZones are the AZs.
	AvailableZones []string `json:"availableZones,omitempty"`
	// MaintainBegin is the start of the maintenance window.
	MaintainBegin string `json:"maintainBegin,omitempty"`
	// MaintainEnd is the end of the maintenance window.
	MaintainEnd string `json:"maintainEnd,omitempty"`
	// TaskStatus is the task status.
	TaskStatus string `json:"taskStatus,omitempty"`
	// NoPasswordAccess tells whether access without password is enabled.
	NoPasswordAccess *bool `json:"noPasswordAccess,omitempty"`
	// AccessUser is the access user.
	AccessUser string `json:"accessUser,omitempty"`
	// PublicipID is the public IP address ID.
	PublicipID string `json:"publicipId,omitempty"`
	// PublicipAddr is the public IP address.
	PublicipAddr string `json:"publicipAddr,omitempty"`
	// PublicipBounded tells whether a public IP address is bound.
	PublicipBounded *bool `json:"publicipBounded,omitempty"`
	// OutZones: ignore (documented as an invalid field).
	OutZones string `json:"outZones,omitempty"`
	// ResourceList is the resource list.
	ResourceList string `json:"resourceList,omitempty"`
	// NameLike: ignore (documented as an invalid field).
	NameLike string `json:"nameLike,omitempty"`
	// InstanceIDLike: ignore (documented as an invalid field).
	InstanceIDLike string `json:"instanceIdLike,omitempty"`
	// SpecCode is the specification code.
	SpecCode string `json:"specCode,omitempty"`
	// StatusIncluded: ignore (documented as an invalid field).
	StatusIncluded string `json:"statusIncluded,omitempty"`
	// EpID is the enterprise project ID.
	EpID string `json:"epId,omitempty"`
	// ResLeakStatus is the residual resource status.
	ResLeakStatus string `json:"resLeakStatus,omitempty"`
	// TagEntries are the tags.
	TagEntries string `json:"tagEntries,omitempty"`
	// EpIDs are the system tags.
	EpIDs string `json:"epIds,omitempty"`
	// TypeExcluded: ignore (documented as an invalid field).
	TypeExcluded string `json:"typeExcluded,omitempty"`
	// IPv6Enable tells whether IPv6 is enabled.
	IPv6Enable *bool `json:"ipv6Enable,omitempty"`
	// IPv6ConnectAddress is the IPv6 connection address.
	IPv6ConnectAddress string `json:"ipv6ConnectAddress,omitempty"`
	// Bandwidths is the bandwidth.
	Bandwidths *int64 `json:"bandwidths,omitempty"`
	// IngressBandwidthSize is the ingress bandwidth (next generation; as sent).
	IngressBandwidthSize string `json:"ingressBandwidthSize,omitempty"`
	// ResInstanceClusterID is the ID of the cluster the instance is in.
	ResInstanceClusterID string `json:"resInstanceClusterId,omitempty"`
	// Scope is the region scope (center or edge).
	Scope string `json:"scope,omitempty"`
	// CPUArch is the CPU architecture (x86_64, aarch64, x86 or arm).
	CPUArch string `json:"cpuArch,omitempty"`
	// CryptoType is the encryption type.
	CryptoType string `json:"cryptoType,omitempty"`
	// RocketmqEnable tells whether RocketMQ is enabled.
	RocketmqEnable *bool `json:"rocketmqEnable,omitempty"`
	// ExternalElbEnable tells whether the external ELB is enabled.
	ExternalElbEnable *bool `json:"externalElbEnable,omitempty"`
	// LtsLogGroupID is the LTS log group ID.
	LtsLogGroupID string `json:"ltsLogGroupId,omitempty"`
	// DemondPay tells whether billing is pay-per-use (the service's spelling).
	DemondPay *bool `json:"demondPay,omitempty"`
	// PrePay tells whether the instance is prepaid.
	PrePay *bool `json:"prePay,omitempty"`
	// EpIDOrDefault is the enterprise project ID, or the default one.
	EpIDOrDefault string `json:"epIdOrDefault,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *RomaProgressInstance) UnmarshalJSON(data []byte) error {
	type plain RomaProgressInstance
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// ---------------------------------------------------------------------------------------
// ROMA Connect instance details (GET /v2/{project_id}/apic/instances/{instance_id})
// ---------------------------------------------------------------------------------------

// RomaInstance is the details of a ROMA Connect instance
// (GET /v2/{project_id}/apic/instances/{instance_id}).
type RomaInstance struct {
	// ID is the instance ID.
	ID string `json:"id,omitempty"`
	// ProjectID is the project the instance belongs to.
	ProjectID string `json:"project_id,omitempty"`
	// InstanceName is the instance name.
	InstanceName string `json:"instance_name,omitempty"`
	// Status is the status word (34 documented values, e.g. Creating, Running, CreateFail).
	Status string `json:"status,omitempty"`
	// InstanceStatus is the status number (1-41).
	InstanceStatus *int64 `json:"instance_status,omitempty"`
	// Type is the instance type.
	Type string `json:"type,omitempty"`
	// Spec is the edition (ROMA_BASIC, ROMA_PROFESSIONAL, ROMA_ENTERPRISE, ROMA_PLATINUM, ...).
	Spec string `json:"spec,omitempty"`
	// CreateTime is the creation time.
	CreateTime *int64 `json:"create_time,omitempty"`
	// EnterpriseProjectID is the enterprise project ID.
	EnterpriseProjectID string `json:"enterprise_project_id,omitempty"`
	// EipAddress is the EIP bound to the instance.
	EipAddress string `json:"eip_address,omitempty"`
	// ChargingMode is the billing mode: 0 pay-per-use, 1 yearly/monthly.
	ChargingMode *int64 `json:"charging_mode,omitempty"`
	// CbcMetadata is the order ID for yearly/monthly billing.
	CbcMetadata string `json:"cbc_metadata,omitempty"`
	// CbcOperationLocks are the cloud operation locks.
	CbcOperationLocks []CbcOperationLock `json:"cbc_operation_locks,omitempty"`
	// Description is the description.
	Description string `json:"description,omitempty"`
	// VpcID is the VPC ID.
	VpcID string `json:"vpc_id,omitempty"`
	// SubnetID is the subnet ID.
	SubnetID string `json:"subnet_id,omitempty"`
	// SecurityGroupID is the security group ID.
	SecurityGroupID string `json:"security_group_id,omitempty"`
	// MaintainBegin is the start of the maintenance window (xx:00:00).
	MaintainBegin string `json:"maintain_begin,omitempty"`
	// MaintainEnd is the end of the maintenance window (xx:00:00).
	MaintainEnd string `json:"maintain_end,omitempty"`
	// IngressIP is the VPC inbound address.
	IngressIP string `json:"ingress_ip,omitempty"`
	// UserID is the ID of the user the instance belongs to.
	UserID string `json:"user_id,omitempty"`
	// NatEipIPv6Cidr is the CIDR block for public outbound access (IPv6).
	NatEipIPv6Cidr string `json:"nat_eip_ipv6_cidr,omitempty"`
	// EipIPv6Address is the EIP (IPv6).
	EipIPv6Address string `json:"eip_ipv6_address,omitempty"`
	// NatEipAddress is the IP address for public outbound access.
	NatEipAddress string `json:"nat_eip_address,omitempty"`
	// BandwidthSize is the bandwidth.
	BandwidthSize *int64 `json:"bandwidth_size,omitempty"`
	// AvailableZoneIDs are the AZs.
	AvailableZoneIDs []string `json:"available_zone_ids,omitempty"`
	// InstanceVersion is the instance version.
	InstanceVersion string `json:"instance_version,omitempty"`
	// VirsubnetID is the subnet ID.
	VirsubnetID string `json:"virsubnet_id,omitempty"`
	// RomaEipAddress is the ROMA EIP.
	RomaEipAddress string `json:"roma_eip_address,omitempty"`
	// Listeners are the instance's listeners.
	Listeners []Listener `json:"listeners,omitempty"`
	// SupportedFeatures are the supported features.
	SupportedFeatures []string `json:"supported_features,omitempty"`
	// IngressIPv6 is the instance entry (IPv6).
	IngressIPv6 string `json:"ingress_ip_v6,omitempty"`
	// NodeIPs are the internal IP addresses of the nodes.
	NodeIPs *NodeIPs `json:"node_ips,omitempty"`
	// IngressIPs are the inbound IP addresses for multiple instances.
	IngressIPs string `json:"ingress_ips,omitempty"`
	// CipherType is the cryptographic algorithms: generalCipher, SMCompatible or SMOnly.
	CipherType string `json:"cipher_type,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *RomaInstance) UnmarshalJSON(data []byte) error {
	type plain RomaInstance
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// CbcOperationLock is a cloud operation lock of a [RomaInstance].
type CbcOperationLock struct {
	// LockScene is why operations are locked (TO_PERIOD_LOCK, SPEC_CHG_LOCK).
	LockScene string `json:"lock_scene,omitempty"`
	// LockSourceID is the ID of the object that locked them.
	LockSourceID string `json:"lock_source_id,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *CbcOperationLock) UnmarshalJSON(data []byte) error {
	type plain CbcOperationLock
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// Listener is a listener of a [RomaInstance].
type Listener struct {
	// Name is the listener name.
	Name string `json:"name,omitempty"`
	// Port is the port the listener serves on.
	Port *int64 `json:"port,omitempty"`
	// Backend is the backend service.
	Backend *Backend `json:"backend,omitempty"`
	// IPVersion is the IP protocol version of the load balancer.
	IPVersion *int64 `json:"ip_version,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *Listener) UnmarshalJSON(data []byte) error {
	type plain Listener
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// Backend is the backend of a [Listener].
type Backend struct {
	// IP are the backend host addresses.
	IP []string `json:"ip,omitempty"`
	// Port is the backend port (the listener's when absent).
	Port *int64 `json:"port,omitempty"`
	// HealthCheck is the health check settings.
	HealthCheck *HealthCheck `json:"health_check,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *Backend) UnmarshalJSON(data []byte) error {
	type plain Backend
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// HealthCheck is the health check settings of a [Backend].
type HealthCheck struct {
	// Protocol is the protocol (LVS supports only TCP_CHECK).
	Protocol string `json:"protocol,omitempty"`
	// Port is the health check port.
	Port *int64 `json:"port,omitempty"`
	// Unhealthy is how many consecutive failures make the backend unhealthy.
	Unhealthy *int64 `json:"unhealthy,omitempty"`
	// Timeout is the timeout of one check, in seconds.
	Timeout *int64 `json:"timeout,omitempty"`
	// Interval is the interval between checks, in seconds.
	Interval *int64 `json:"interval,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *HealthCheck) UnmarshalJSON(data []byte) error {
	type plain HealthCheck
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// NodeIPs are the internal IP addresses of a [RomaInstance]'s nodes.
type NodeIPs struct {
	// Livedata are the LiveData component nodes.
	Livedata []string `json:"livedata,omitempty"`
	// Shubao are the API gateway (Shubao) component nodes.
	Shubao []string `json:"shubao,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *NodeIPs) UnmarshalJSON(data []byte) error {
	type plain NodeIPs
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// ---------------------------------------------------------------------------------------
// ROMA Connect instance list (GET /v2/{project_id}/instances)
// ---------------------------------------------------------------------------------------

// RomaListQuery chooses which ROMA Connect instances to list, and which page. The zero
// value lists every instance from the service's first page.
type RomaListQuery struct {
	// Status keeps only instances in this status (e.g. "RUNNING"; any word is passed on).
	// "" keeps every status.
	Status string
	// Offset skips this many instances (0: none).
	Offset int
	// Limit is the most instances on one page; 0 is the service's default (for
	// [Client.RomaListAllInstances], the page size, default 50).
	Limit int
}

// RomaInstancePage is one page of ROMA Connect instances (GET /v2/{project_id}/instances).
type RomaInstancePage struct {
	// Total is how many instances match in all, as the service counts them.
	Total *int64 `json:"total,omitempty"`
	// Size is how many instances are on this page.
	Size *int64 `json:"size,omitempty"`
	// Instances are the instances on this page.
	Instances []RomaInstanceSummary `json:"instances"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *RomaInstancePage) UnmarshalJSON(data []byte) error {
	type plain RomaInstancePage
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// RomaInstanceSummary is a ROMA Connect instance as the list API describes it.
type RomaInstanceSummary struct {
	// ID is the instance ID.
	ID string `json:"id,omitempty"`
	// Name is the instance name.
	Name string `json:"name,omitempty"`
	// Description is the description.
	Description string `json:"description,omitempty"`
	// FlavorID is the specification ID.
	FlavorID string `json:"flavor_id,omitempty"`
	// FlavorType is the specification type (Basic, Professional, Enterprise, Platinum,
	// Platinumx8, in any case).
	FlavorType string `json:"flavor_type,omitempty"`
	// CPUArch is the CPU architecture (x86_64 or aarch64).
	CPUArch string `json:"cpu_arch,omitempty"`
	// VpcID is the VPC ID.
	VpcID string `json:"vpc_id,omitempty"`
	// SubnetID is the VPC subnet ID.
	SubnetID string `json:"subnet_id,omitempty"`
	// SecurityGroupID is the security group ID.
	SecurityGroupID string `json:"security_group_id,omitempty"`
	// PublicipEnable tells whether public network access is enabled.
	PublicipEnable *bool `json:"publicip_enable,omitempty"`
	// PublicipID is the ID of the bound EIP.
	PublicipID string `json:"publicip_id,omitempty"`
	// PublicipAddress is the bound EIP.
	PublicipAddress string `json:"publicip_address,omitempty"`
	// Status is the running status (CREATING, RUNNING, DELETING, DELETED, ERROR,
	// CREATE_FAILED, DELETE_FAILED, SOFT_DELETED, FREEZING, FROZEN, ...).
	Status string `json:"status,omitempty"`
	// ErrorCode is the error code of a failure.
	ErrorCode string `json:"error_code,omitempty"`
	// ErrorMsg is the error message of a failure.
	ErrorMsg string `json:"error_msg,omitempty"`
	// ChargeType is the billing mode (prePaid or postPaid).
	ChargeType string `json:"charge_type,omitempty"`
	// ProjectID is the project ID.
	ProjectID string `json:"project_id,omitempty"`
	// CreateTime is the creation time (an ISO 8601 string in this API).
	CreateTime string `json:"create_time,omitempty"`
	// UpdateTime is the update time (an ISO 8601 string in this API).
	UpdateTime string `json:"update_time,omitempty"`
	// MaintainBegin is the start of the O&M window.
	MaintainBegin string `json:"maintain_begin,omitempty"`
	// MaintainEnd is the end of the O&M window.
	MaintainEnd string `json:"maintain_end,omitempty"`
	// AvailableZoneIDs are the AZs.
	AvailableZoneIDs []string `json:"available_zone_ids,omitempty"`
	// EnterpriseProjectID is the enterprise project ID.
	EnterpriseProjectID string `json:"enterprise_project_id,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *RomaInstanceSummary) UnmarshalJSON(data []byte) error {
	type plain RomaInstanceSummary
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// allRomaInstances is the document of hwinst_roma_list_all_instances.
type allRomaInstances struct {
	Total     int                   `json:"total"`
	Instances []RomaInstanceSummary `json:"instances"`
}

// ---------------------------------------------------------------------------------------
// APIG creation progress (GET /v2/{project_id}/apigw/instances/{instance_id}/progress)
// ---------------------------------------------------------------------------------------

// ApigCreationProgress is how far the creation of a dedicated APIG instance has got
// (GET /v2/{project_id}/apigw/instances/{instance_id}/progress).
type ApigCreationProgress struct {
	// Progress is the progress in percent: 30, 50, 80, 90 or 100.
	Progress *int64 `json:"progress,omitempty"`
	// Status is creating, success or failed (as the service spelt it).
	Status string `json:"status,omitempty"`
	// ErrorCode is why creation failed.
	ErrorCode string `json:"error_code,omitempty"`
	// ErrorMsg is why creation failed, for people.
	ErrorMsg string `json:"error_msg,omitempty"`
	// StartTime is when creation started.
	StartTime *int64 `json:"start_time,omitempty"`
	// EndTime is when creation ended.
	EndTime *int64 `json:"end_time,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *ApigCreationProgress) UnmarshalJSON(data []byte) error {
	type plain ApigCreationProgress
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// ---------------------------------------------------------------------------------------
// Cloud DC instance status (GET /v1/{project_id}/instances/{id}/status)
// ---------------------------------------------------------------------------------------

// ClouddcInstanceStatus is the state of a Cloud DC instance
// (GET /v1/{project_id}/instances/{id}/status).
type ClouddcInstanceStatus struct {
	// State is the instance state: pending, running, stopped, shutting_down (or
	// shutting-down), terminated, error, and the older SDKs' stopping, reinstalling,
	// failed, modifyIping, switch-installing.
	State string `json:"state,omitempty"`
	// OperationState is the operation under way and how it went, e.g.
	// install-processing, install-succeed, install-failed.
	OperationState string `json:"operation_state,omitempty"`
	// Error is set when an operation failed.
	Error *ClouddcError `json:"error,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *ClouddcInstanceStatus) UnmarshalJSON(data []byte) error {
	type plain ClouddcInstanceStatus
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// ClouddcError is why a Cloud DC operation failed.
type ClouddcError struct {
	// ErrorCode is the error code.
	ErrorCode string `json:"error_code,omitempty"`
	// ErrorMsg is the error description.
	ErrorMsg string `json:"error_msg,omitempty"`
	// ErrorType is which operation failed (create_instance_error, delete_instance_error,
	// reinstall_error, modify_ip_error, verify_server_error, delete_server_error).
	ErrorType string `json:"error_type,omitempty"`
	// Raw is the document this was decoded from.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the document and keeps it in Raw.
func (v *ClouddcError) UnmarshalJSON(data []byte) error {
	type plain ClouddcError
	return decodeKeeping(data, (*plain)(v), &v.Raw)
}

// decodeKeeping decodes data into v (a type without this UnmarshalJSON, so that it does not
// recurse) and keeps a copy of data in raw.
func decodeKeeping(data []byte, v any, raw *json.RawMessage) error {
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	*raw = keepRaw(data)
	return nil
}
