package hwinst

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config configures a [Client]. Only Region (or every endpoint) and the project (or AK/SK or
// IAM credentials, which look it up) are needed; every zero field means the library's
// default. The zero Credentials mean the default credential chain: the library finds them
// where the host keeps them (see [Credentials]).
//
// Printing a Config with fmt (%v, %+v, %#v, ...) never shows a credential, nor the password
// of a proxy or endpoint URL.
type Config struct {
	// Region, e.g. "cn-north-4": it gives each service its endpoint.
	Region string
	// ProjectID is the project the instances belong to. Without it, AK/SK and IAM
	// credentials look the project up from IAM by Region on first use.
	ProjectID string
	// Credentials: [TokenCredentials], [AKSKCredentials], [IAMPasswordCredentials] or
	// [OIDCCredentials], or
	// one source to find them in ([EnvironmentCredentials], [ProfileFileCredentials],
	// [KoocliProfileCredentials], [PodIdentityCredentials], [MetadataCredentials]). The
	// zero value is the default chain, which tries those sources in that order.
	Credentials Credentials
	// Endpoints replaces the region's endpoint of each service given ("" keeps it), and
	// names the ECS metadata service.
	Endpoints Endpoints
	// ConnectTimeout is the longest a connection may take to set up (0: the library's
	// default, 10 s). Rounded up to whole milliseconds.
	ConnectTimeout time.Duration
	// RequestTimeout is the longest one call may take, retries included (0: the library's
	// default, 30 s). Rounded up to whole milliseconds.
	RequestTimeout time.Duration
	// Retry is how throttled (429), failed (5xx) and timed-out requests are retried; the
	// zero value is the library's default policy.
	Retry RetryPolicy
	// Proxy is the HTTP proxy's URL; "" uses the proxy environment variables
	// (HTTPS_PROXY, ...), "none" ignores them.
	Proxy string
	// CAFile is a PEM bundle of certificates added to the trusted roots.
	CAFile string
	// AllowHTTP allows plain http:// endpoints (for tests and simulators).
	AllowHTTP bool
	// UserAgent replaces the User-Agent header ("": the library's).
	UserAgent string
	// MaxResponseBytes is the largest response body accepted (0: the library's default).
	MaxResponseBytes int64
}

// Endpoints are base URLs that replace the region's, one per service.
type Endpoints struct {
	// Roma is ROMA Connect's base URL.
	Roma string
	// Apig is API Gateway's base URL.
	Apig string
	// Clouddc is Cloud DC's base URL.
	Clouddc string
	// IAM is IAM's base URL (for IAM password credentials and project look-ups).
	IAM string
	// Metadata is the ECS metadata service's base URL, where [MetadataCredentials] and the
	// default chain ask for temporary credentials ("": $HWINST_METADATA_ENDPOINT, else
	// http://169.254.169.254; "none" skips the metadata service in the chain).
	Metadata string
}

// RetryPolicy is how requests are retried. Zero fields are the library's defaults;
// RetryPolicy{MaxAttempts: 1} disables retries.
type RetryPolicy struct {
	// MaxAttempts is the most attempts per call, the first included.
	MaxAttempts int
	// BaseDelay is the pause before the first retry; later pauses double, with jitter.
	BaseDelay time.Duration
	// MaxDelay is the longest pause between attempts.
	MaxDelay time.Duration
}

// Credentials are how a [Client] authenticates. Give them with [TokenCredentials],
// [AKSKCredentials], [IAMPasswordCredentials] or [OIDCCredentials], or name the one source
// the library reads
// them from when the client is made: [EnvironmentCredentials], [ProfileFileCredentials],
// [KoocliProfileCredentials], [PodIdentityCredentials] or [MetadataCredentials].
//
// The zero value is the default credential chain: the library tries those five sources in
// that order and uses the first that has credentials (and its project and region, where
// the Config sets none). They are
//
//   - the environment: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and
//     HUAWEICLOUD_SDK_SECURITY_TOKEN, or HWINST_TOKEN, or a federated OIDC identity
//     (HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE, which win over AK/SK);
//   - the official SDKs' profile file: $HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
//     ~/.huaweicloud/credentials, section [basic] (ak, sk, security_token, project_id,
//     iam_endpoint; or idp_id and id_token_file, which win over ak and sk);
//   - a KooCLI profile of ~/.hcloud/config.json: the one $HWINST_PROFILE names, else
//     KooCLI's current one (AKSK mode only);
//   - the CCE pod-identity endpoint, when HC_CONTAINER_CREDENTIALS_FULL_URI and
//     HC_CONTAINER_AUTHORIZATION_TOKEN_FILE are set;
//   - the ECS metadata service of a VM with a cloud service agency ([Endpoints].Metadata,
//     $HWINST_METADATA_ENDPOINT, else http://169.254.169.254; asked with a 1 s connect
//     timeout, and skipped when set to "none").
//
// A source that is not there is passed over; one that is there but broken (a [basic]
// section without sk, a KooCLI profile in another mode, ...) is an [ErrConfig] naming it.
// When no source has credentials, [NewClient] fails with [ErrConfig], whose message lists
// each source and why it did not apply. Temporary credentials (pod identity, metadata,
// OIDC) renew themselves. The sources are read each time a client is made, never later.
//
// Their secrets cannot be read back, and fmt prints only the kind of credentials or the
// source's name.
type Credentials struct {
	kind          credentialKind
	path          string // the profile file (ProfileFileCredentials), "" for the default
	profile       string // the KooCLI profile (KoocliProfileCredentials)
	idpID         string // the identity provider (OIDCCredentials)
	idTokenFile   string // the ID token's file (OIDCCredentials)
	token         string
	ak            string
	sk            string
	securityToken string
	user          string
	password      string
	domain        string
}

type credentialKind int

const (
	defaultChain credentialKind = iota
	tokenCredentials
	akskCredentials
	iamPasswordCredentials
	oidcCredentials
	environmentSource
	profileFileSource
	koocliProfileSource
	podIdentitySource
	metadataSource
)

// TokenCredentials authenticates with an IAM token (the X-Auth-Token header).
func TokenCredentials(token string) Credentials {
	return Credentials{kind: tokenCredentials, token: token}
}

// AKSKCredentials authenticates by signing each request with an access key (AK) and its
// secret key (SK); securityToken is for temporary credentials ("" for permanent ones).
func AKSKCredentials(ak, sk, securityToken string) Credentials {
	return Credentials{kind: akskCredentials, ak: ak, sk: sk, securityToken: securityToken}
}

// IAMPasswordCredentials authenticates as an IAM user: the library exchanges the password
// for a token (and renews it) at the IAM endpoint.
func IAMPasswordCredentials(user, password, domain string) Credentials {
	return Credentials{kind: iamPasswordCredentials, user: user, password: password, domain: domain}
}

// OIDCCredentials authenticates as a federated OIDC identity (a CI job's, or a CCE
// workload's): the library reads the ID token in idTokenFile and exchanges it with IAM
// ([Endpoints].IAM) for temporary AK/SK, which it renews 40 minutes before they expire,
// reading the file again each time (CI systems rotate it). idpID is the identity provider's
// ID in IAM. The ID token, IAM's token and the temporary keys are never shown.
func OIDCCredentials(idpID, idTokenFile string) Credentials {
	return Credentials{kind: oidcCredentials, idpID: idpID, idTokenFile: idTokenFile}
}

// EnvironmentCredentials reads the credentials from the environment alone, when the client
// is made: HWINST_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (with
// HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary ones).
func EnvironmentCredentials() Credentials {
	return Credentials{kind: environmentSource}
}

// ProfileFileCredentials reads the credentials from the [basic] section of the official
// SDKs' profile file (ak, sk, security_token, project_id) alone, when the client is made:
// path, or when path is "", $HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
// ~/.huaweicloud/credentials.
func ProfileFileCredentials(path string) Credentials {
	return Credentials{kind: profileFileSource, path: path}
}

// KoocliProfileCredentials reads the credentials from the KooCLI profile called name in
// ~/.hcloud/config.json alone, when the client is made (its accessKeyId, secretAccessKey,
// securityToken, region and projectId; AKSK mode only). The name must not be empty:
// KooCLI's current profile is the one the default chain (the zero Credentials) reads.
func KoocliProfileCredentials(name string) Credentials {
	return Credentials{kind: koocliProfileSource, profile: name}
}

// PodIdentityCredentials asks the CCE pod-identity endpoint alone
// (HC_CONTAINER_CREDENTIALS_FULL_URI, with the content of
// HC_CONTAINER_AUTHORIZATION_TOKEN_FILE): temporary credentials, renewed before they expire.
func PodIdentityCredentials() Credentials {
	return Credentials{kind: podIdentitySource}
}

// MetadataCredentials asks the ECS metadata service alone ([Endpoints].Metadata,
// $HWINST_METADATA_ENDPOINT, else http://169.254.169.254), for the temporary credentials
// of the VM's cloud service agency, renewed before they expire.
func MetadataCredentials() Credentials {
	return Credentials{kind: metadataSource}
}

// String names the kind of credentials or their source, never a secret, e.g. "token
// credentials", "the profile file" or "the default credential chain".
func (c Credentials) String() string {
	switch c.kind {
	case tokenCredentials:
		return "token credentials"
	case akskCredentials:
		if c.securityToken != "" {
			return "AK/SK credentials (temporary)"
		}
		return "AK/SK credentials"
	case iamPasswordCredentials:
		return "IAM password credentials"
	case oidcCredentials:
		return "OIDC identity credentials"
	case environmentSource:
		return "credentials from the environment"
	case profileFileSource:
		return "credentials from the profile file"
	case koocliProfileSource:
		return "credentials from a KooCLI profile"
	case podIdentitySource:
		return "credentials from the CCE pod-identity endpoint"
	case metadataSource:
		return "credentials from the ECS metadata service"
	default:
		return "the default credential chain"
	}
}

// GoString is the %#v form: the kind of credentials, never their secrets.
func (c Credentials) GoString() string {
	return "hwinst.Credentials(" + c.String() + ")"
}

// Format prints the credentials' kind for every verb: fmt never shows a secret, whatever
// the verb or flags (%v, %+v, %#v, %s, %q, %x, ...).
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, c.GoString())
		return
	}
	fmt.Fprint(f, "{"+c.String()+"}")
}

// MarshalJSON writes the kind of credentials as a JSON string, e.g. "token credentials"
// (for loggers that encode values as JSON): never their secrets.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(c.String())
}

// shown is c as it may be shown: URLs without passwords. Its credentials show themselves
// as their kind.
func (c Config) shown() Config {
	shown := c
	shown.Proxy = redactURL(c.Proxy)
	shown.Endpoints = Endpoints{
		Roma:     redactURL(c.Endpoints.Roma),
		Apig:     redactURL(c.Endpoints.Apig),
		Clouddc:  redactURL(c.Endpoints.Clouddc),
		IAM:      redactURL(c.Endpoints.IAM),
		Metadata: redactURL(c.Endpoints.Metadata),
	}
	return shown
}

// Format prints the configuration with fmt, with its credentials replaced by their kind
// and the password of any URL masked.
func (c Config) Format(f fmt.State, verb rune) {
	type plain Config // without this method, so that fmt prints its fields
	text := fmt.Sprintf(fmt.FormatString(f, verb), plain(c.shown()))
	if verb == 'v' && f.Flag('#') {
		text = "hwinst.Config" + strings.TrimPrefix(text, "hwinst.plain")
	}
	fmt.Fprint(f, text)
}

// MarshalJSON encodes the configuration as Format shows it, for loggers that encode values
// as JSON: credentials as their kind, URLs without passwords. It is not the library's
// configuration document (see [NewClientFromJSON]).
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config // without this method
	return json.Marshal(plain(c.shown()))
}

// redactURL masks the password of a URL with user information ("http://u:xxxxx@host").
// Text that is not such a URL is returned as it is.
func redactURL(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	u, err := url.Parse(text)
	if err != nil {
		// Unparsable yet holding an '@': it may be a URL with a secret, so none of it.
		return "(unparsable URL, hidden)"
	}
	return u.Redacted()
}

// configDocument is the C library's configuration document (see hwinst_client_new).
type configDocument struct {
	Region           string               `json:"region,omitempty"`
	ProjectID        string               `json:"project_id,omitempty"`
	Credentials      *credentialsDocument `json:"credentials,omitempty"`
	Endpoints        *endpointsDocument   `json:"endpoints,omitempty"`
	TimeoutsMs       *timeoutsDocument    `json:"timeouts_ms,omitempty"`
	Retry            *retryDocument       `json:"retry,omitempty"`
	Proxy            string               `json:"proxy,omitempty"`
	CAFile           string               `json:"ca_file,omitempty"`
	AllowHTTP        bool                 `json:"allow_http,omitempty"`
	UserAgent        string               `json:"user_agent,omitempty"`
	MaxResponseBytes int64                `json:"max_response_bytes,omitempty"`
}

type credentialsDocument struct {
	Token         string               `json:"token,omitempty"`
	AK            string               `json:"ak,omitempty"`
	SK            string               `json:"sk,omitempty"`
	SecurityToken string               `json:"security_token,omitempty"`
	IAMPassword   *iamPasswordDocument `json:"iam_password,omitempty"`
	OIDC          *oidcDocument        `json:"oidc,omitempty"`
	// One source, named alone.
	Environment *struct{}            `json:"environment,omitempty"`
	ProfileFile *profileFileDocument `json:"profile_file,omitempty"`
	Profile     *string              `json:"profile,omitempty"`
	PodIdentity *struct{}            `json:"pod_identity,omitempty"`
	Metadata    *struct{}            `json:"metadata,omitempty"`
}

type oidcDocument struct {
	IdpID       string `json:"idp_id"`
	IDTokenFile string `json:"id_token_file"`
}

type profileFileDocument struct {
	Path string `json:"path,omitempty"`
}

type iamPasswordDocument struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Domain   string `json:"domain"`
}

type endpointsDocument struct {
	Roma     string `json:"roma,omitempty"`
	Apig     string `json:"apig,omitempty"`
	Clouddc  string `json:"clouddc,omitempty"`
	IAM      string `json:"iam,omitempty"`
	Metadata string `json:"metadata,omitempty"`
}

type timeoutsDocument struct {
	Connect int64 `json:"connect,omitempty"`
	Request int64 `json:"request,omitempty"`
}

type retryDocument struct {
	MaxAttempts int   `json:"max_attempts,omitempty"`
	BaseDelayMs int64 `json:"base_delay_ms,omitempty"`
	MaxDelayMs  int64 `json:"max_delay_ms,omitempty"`
}

// document checks c and writes the configuration document. Errors name the field, never
// its value.
func (c Config) document() ([]byte, error) {
	strs := []struct{ name, value string }{
		{"Region", c.Region}, {"ProjectID", c.ProjectID},
		{"Endpoints.Roma", c.Endpoints.Roma}, {"Endpoints.Apig", c.Endpoints.Apig},
		{"Endpoints.Clouddc", c.Endpoints.Clouddc}, {"Endpoints.IAM", c.Endpoints.IAM},
		{"Endpoints.Metadata", c.Endpoints.Metadata},
		{"Proxy", c.Proxy}, {"CAFile", c.CAFile}, {"UserAgent", c.UserAgent},
		{"Credentials (token)", c.Credentials.token}, {"Credentials (AK)", c.Credentials.ak},
		{"Credentials (SK)", c.Credentials.sk},
		{"Credentials (security token)", c.Credentials.securityToken},
		{"Credentials (IAM user)", c.Credentials.user},
		{"Credentials (IAM password)", c.Credentials.password},
		{"Credentials (IAM domain)", c.Credentials.domain},
		{"Credentials (profile file path)", c.Credentials.path},
		{"Credentials (KooCLI profile)", c.Credentials.profile},
		{"Credentials (OIDC identity provider)", c.Credentials.idpID},
		{"Credentials (OIDC ID token file)", c.Credentials.idTokenFile},
	}
	for _, s := range strs {
		if strings.IndexByte(s.value, 0) >= 0 {
			return nil, invalidArgument("Config." + s.name + " contains a NUL byte")
		}
	}
	doc := configDocument{
		Region:    c.Region,
		ProjectID: c.ProjectID,
		Proxy:     c.Proxy,
		CAFile:    c.CAFile,
		AllowHTTP: c.AllowHTTP,
		UserAgent: c.UserAgent,
	}
	switch cr := c.Credentials; cr.kind {
	case tokenCredentials:
		doc.Credentials = &credentialsDocument{Token: cr.token}
	case akskCredentials:
		doc.Credentials = &credentialsDocument{AK: cr.ak, SK: cr.sk, SecurityToken: cr.securityToken}
	case iamPasswordCredentials:
		doc.Credentials = &credentialsDocument{IAMPassword: &iamPasswordDocument{
			User: cr.user, Password: cr.password, Domain: cr.domain,
		}}
	case oidcCredentials:
		doc.Credentials = &credentialsDocument{OIDC: &oidcDocument{
			IdpID: cr.idpID, IDTokenFile: cr.idTokenFile,
		}}
	case environmentSource:
		doc.Credentials = &credentialsDocument{Environment: &struct{}{}}
	case profileFileSource:
		doc.Credentials = &credentialsDocument{ProfileFile: &profileFileDocument{Path: cr.path}}
	case koocliProfileSource:
		name := cr.profile
		doc.Credentials = &credentialsDocument{Profile: &name}
	case podIdentitySource:
		doc.Credentials = &credentialsDocument{PodIdentity: &struct{}{}}
	case metadataSource:
		doc.Credentials = &credentialsDocument{Metadata: &struct{}{}}
	}
	// defaultChain: no "credentials" at all, which is the library's default chain.
	if e := c.Endpoints; e != (Endpoints{}) {
		doc.Endpoints = &endpointsDocument{
			Roma: e.Roma, Apig: e.Apig, Clouddc: e.Clouddc, IAM: e.IAM, Metadata: e.Metadata,
		}
	}
	connect, err := millis("Config.ConnectTimeout", c.ConnectTimeout, configError)
	if err != nil {
		return nil, err
	}
	request, err := millis("Config.RequestTimeout", c.RequestTimeout, configError)
	if err != nil {
		return nil, err
	}
	if connect != 0 || request != 0 {
		doc.TimeoutsMs = &timeoutsDocument{Connect: connect, Request: request}
	}
	if c.Retry != (RetryPolicy{}) {
		if c.Retry.MaxAttempts < 0 {
			return nil, configError("Config.Retry.MaxAttempts is negative")
		}
		base, err := millis("Config.Retry.BaseDelay", c.Retry.BaseDelay, configError)
		if err != nil {
			return nil, err
		}
		longest, err := millis("Config.Retry.MaxDelay", c.Retry.MaxDelay, configError)
		if err != nil {
			return nil, err
		}
		doc.Retry = &retryDocument{MaxAttempts: c.Retry.MaxAttempts, BaseDelayMs: base, MaxDelayMs: longest}
	}
	if c.MaxResponseBytes < 0 {
		return nil, configError("Config.MaxResponseBytes is negative")
	}
	doc.MaxResponseBytes = c.MaxResponseBytes
	// Strings only, so Marshal cannot fail; its errors would hold no value anyway.
	return json.Marshal(doc)
}

// millis converts a duration to whole milliseconds, rounding up so that a positive
// duration never becomes 0 ("the default"); a negative one is refused with refuse's kind.
func millis(name string, d time.Duration, refuse func(string) *Error) (int64, error) {
	if d < 0 {
		return 0, refuse(name + " is negative")
	}
	ms := d / time.Millisecond
	if d%time.Millisecond != 0 {
		ms++
	}
	return int64(ms), nil
}
