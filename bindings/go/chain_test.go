package hwinst_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

// The default credential chain and the sources named alone, against the simulator. Every
// test here runs in an isolated host (isolateChain): a temporary HOME, none of the chain's
// variables, and the ECS metadata service turned off unless the test points it at the
// simulator — no test ever asks 169.254.169.254.

// chainVariables are every variable the chain (and NewClientFromEnv) reads.
var chainVariables = []string{
	"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HWINST_TOKEN",
	"HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION", "HUAWEICLOUD_SDK_IAM_ENDPOINT",
	"HUAWEICLOUD_SDK_REGION_ROMA_CN_NORTH_4", "HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4",
	"HUAWEICLOUD_SDK_REGION_CLOUDDC_CN_NORTH_4",
	"HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HWINST_PROFILE",
	"HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE",
	"HC_CONTAINER_CREDENTIALS_FULL_URI", "HC_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"HWINST_METADATA_ENDPOINT",
}

// isolateChain gives t a host of its own for the chain: HOME a new temporary directory
// (returned), the chain's variables unset, and HWINST_METADATA_ENDPOINT=none. Everything is
// put back when t ends (t.Setenv, which also keeps t from running in parallel).
func isolateChain(t *testing.T) (home string) {
	t.Helper()
	for _, name := range chainVariables {
		t.Setenv(name, "") // registers the restore
		if err := os.Unsetenv(name); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HWINST_METADATA_ENDPOINT", "none")
	home = t.TempDir()
	t.Setenv("HOME", home)
	return home
}

// writeFile writes text to path, making its directory.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The access keys the simulator is loaded with: only these sign a request it accepts (its
// default sim-ak is dropped), so a call that succeeds proves which source gave the key.
const (
	profileAK = "PROFILEAK00000000001"
	profileSK = "profile-sk-s3cr3t-0001"
	koocliAK  = "KOOCLIAK000000000002"
	koocliSK  = "koocli-sk-s3cr3t-0002"
)

// chainSim is a simulator that knows profileAK and koocliAK, the token sim-token, and the
// APIG instance "chain-gw" (30% for an hour).
func chainSim(t *testing.T) *simulator {
	t.Helper()
	s := startSim(t)
	s.admin(t, "POST", "/_sim/scenario", map[string]any{
		"tokens": []string{simToken},
		"access_keys": []map[string]any{
			{"ak": profileAK, "sk": profileSK},
			{"ak": koocliAK, "sk": koocliSK},
		},
		"instances": []map[string]any{{"service": "apig", "id": "chain-gw", "step_ms": hour}},
	}, 204, nil)
	return s
}

// signedRequests counts the simulator's requests by what authenticated them, and by
// operation.
func requestLog(t *testing.T, s *simulator) (auth map[string]int, ops map[string]int) {
	t.Helper()
	var log struct {
		Requests []struct {
			Operation *string `json:"operation"`
			Auth      string  `json:"auth"`
		} `json:"requests"`
	}
	s.admin(t, "GET", "/_sim/requests", nil, 200, &log)
	auth, ops = map[string]int{}, map[string]int{}
	for _, r := range log.Requests {
		auth[r.Auth]++
		if r.Operation != nil {
			ops[*r.Operation]++
		}
	}
	return auth, ops
}

// checkProgress asks for chain-gw's progress with c, which must work.
func checkProgress(t *testing.T, c *hwinst.Client) {
	t.Helper()
	p, err := c.ApigCreationProgress("chain-gw")
	if err != nil {
		t.Fatalf("ApigCreationProgress: %v", err)
	}
	if deref(p.Progress) != int64(30) {
		t.Fatalf("progress %+v", p)
	}
}

// newClient is hwinst.NewClient, closed when t ends.
func newClient(t *testing.T, cfg hwinst.Config) *hwinst.Client {
	t.Helper()
	c, err := hwinst.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// The zero Credentials are the default chain: the profile file in HOME gives the key, and
// its project (the Config has none).
func TestTheChainFindsTheProfileFile(t *testing.T) {
	home := isolateChain(t)
	s := chainSim(t)
	writeFile(t, filepath.Join(home, ".huaweicloud", "credentials"),
		"[basic]\nak = "+profileAK+"\nsk = "+profileSK+"\nproject_id = 0a1b2c3d4e5f\n")
	cfg := s.config(t)
	cfg.Credentials = hwinst.Credentials{}
	cfg.ProjectID = ""
	checkProgress(t, newClient(t, cfg))
	if auth, _ := requestLog(t, s); auth["aksk"] != 1 || len(auth) != 1 {
		t.Errorf("requests by authentication: %v (want one AK/SK-signed)", auth)
	}

	// The same file named alone, elsewhere than HOME.
	elsewhere := filepath.Join(t.TempDir(), "creds.ini")
	writeFile(t, elsewhere, "[basic]\nak = "+profileAK+"\nsk = "+profileSK+"\n")
	cfg = s.config(t)
	cfg.Credentials = hwinst.ProfileFileCredentials(elsewhere)
	checkProgress(t, newClient(t, cfg))
	// "" is the default path (HOME's file, here).
	cfg.Credentials = hwinst.ProfileFileCredentials("")
	checkProgress(t, newClient(t, cfg))

	// A file that is not there, named alone: an error naming it.
	cfg.Credentials = hwinst.ProfileFileCredentials(filepath.Join(home, "missing.ini"))
	_, err := hwinst.NewClient(cfg)
	if e := asError(t, err, hwinst.ErrConfig); !strings.Contains(e.Message, "missing.ini: no such file") {
		t.Errorf("%v", e)
	}
	// A broken [basic] section (no sk) is an error naming the file, not a skip to the next
	// source, and shows no secret.
	writeFile(t, filepath.Join(home, ".huaweicloud", "credentials"), "[basic]\nak = "+profileAK+"\n")
	cfg.Credentials = hwinst.Credentials{}
	_, err = hwinst.NewClient(cfg)
	if e := asError(t, err, hwinst.ErrConfig); !strings.Contains(e.Message, ".huaweicloud/credentials") ||
		strings.Contains(e.Message, profileSK) {
		t.Errorf("%v", e)
	}
}

// A KooCLI profile named alone, which is not KooCLI's current one.
func TestKoocliProfileCredentials(t *testing.T) {
	home := isolateChain(t)
	s := chainSim(t)
	writeFile(t, filepath.Join(home, ".hcloud", "config.json"), `{"current":"ops","profiles":[
		{"name":"dev","mode":"AKSK","accessKeyId":"`+koocliAK+`","secretAccessKey":"`+koocliSK+`",
		 "region":"cn-north-4","projectId":"0a1b2c3d4e5f"},
		{"name":"ops","mode":"AKSK","accessKeyId":"UNKNOWNAK00000000003","secretAccessKey":"ops-sk-s3cr3t",
		 "region":"cn-north-4","projectId":"0a1b2c3d4e5f"}]}`)
	cfg := s.config(t)
	cfg.Credentials = hwinst.KoocliProfileCredentials("dev")
	cfg.ProjectID = "" // from the profile
	checkProgress(t, newClient(t, cfg))

	// The chain reads the current profile, whose key the simulator does not know: made,
	// then refused on the first call.
	cfg.Credentials = hwinst.Credentials{}
	c := newClient(t, cfg)
	if _, err := c.ApigCreationProgress("chain-gw"); !errors.Is(err, hwinst.ErrUnauthorized) {
		t.Errorf("the current profile's unknown key: %v", err)
	}
	// HWINST_PROFILE picks the profile for the chain.
	t.Setenv("HWINST_PROFILE", "dev")
	checkProgress(t, newClient(t, cfg))

	// A profile that does not exist is an error naming it; an empty name is refused.
	for _, name := range []string{"nope", ""} {
		cfg.Credentials = hwinst.KoocliProfileCredentials(name)
		_, err := hwinst.NewClient(cfg)
		if e := asError(t, err, hwinst.ErrConfig); strings.Contains(e.Message, "s3cr3t") ||
			(name != "" && !strings.Contains(e.Message, name)) {
			t.Errorf("%q: %v", name, e)
		}
	}
}

// The ECS metadata service named alone, at Endpoints.Metadata (which wins over
// HWINST_METADATA_ENDPOINT=none): the simulator's temporary credentials sign the call.
func TestMetadataCredentials(t *testing.T) {
	isolateChain(t)
	s := chainSim(t)
	cfg := s.config(t)
	cfg.Credentials = hwinst.MetadataCredentials()
	cfg.Endpoints.Metadata = s.url
	checkProgress(t, newClient(t, cfg))
	auth, ops := requestLog(t, s)
	if ops["metadata_securitykey"] != 1 || auth["aksk"] != 1 {
		t.Errorf("requests by operation %v, by authentication %v", ops, auth)
	}

	// The default chain ends there too when nothing else has credentials.
	cfg.Credentials = hwinst.Credentials{}
	checkProgress(t, newClient(t, cfg))
	if _, ops := requestLog(t, s); ops["metadata_securitykey"] != 2 {
		t.Errorf("requests by operation %v", ops)
	}

	// Without Endpoints.Metadata, HWINST_METADATA_ENDPOINT=none turns it off: named alone,
	// that is an error saying so.
	cfg.Credentials = hwinst.MetadataCredentials()
	cfg.Endpoints.Metadata = ""
	_, err := hwinst.NewClient(cfg)
	if e := asError(t, err, hwinst.ErrConfig); !strings.Contains(e.Message, "HWINST_METADATA_ENDPOINT=none") {
		t.Errorf("%v", e)
	}
}

// Each source named alone that has nothing: ErrConfig naming that source.
func TestASourceNamedAloneWithNothing(t *testing.T) {
	isolateChain(t)
	s := startSim(t)
	for _, c := range []struct {
		creds hwinst.Credentials
		want  string
	}{
		{hwinst.EnvironmentCredentials(), "HUAWEICLOUD_SDK_AK"},
		{hwinst.ProfileFileCredentials(""), ".huaweicloud/credentials: no such file"},
		{hwinst.PodIdentityCredentials(), "HC_CONTAINER_CREDENTIALS_FULL_URI"},
		{hwinst.MetadataCredentials(), "HWINST_METADATA_ENDPOINT=none"},
	} {
		cfg := s.config(t)
		cfg.Credentials = c.creds
		_, err := hwinst.NewClient(cfg)
		if e := asError(t, err, hwinst.ErrConfig); !strings.Contains(e.Message, "no credentials from") ||
			!strings.Contains(e.Message, c.want) {
			t.Errorf("%v: %v", c.creds, e)
		}
	}
	// The environment named alone, with a token there.
	t.Setenv("HWINST_TOKEN", simToken)
	cfg := s.config(t)
	cfg.Credentials = hwinst.EnvironmentCredentials()
	c := newClient(t, cfg)
	s.instance(t, map[string]any{"service": "apig", "id": "env-alone", "step_ms": hour})
	if _, err := c.ApigCreationProgress("env-alone"); err != nil {
		t.Error(err)
	}
}

// NewClientFromEnv without credentials in the environment falls back to the chain: here
// the metadata service at HWINST_METADATA_ENDPOINT, then (with the variable "none") the
// profile file; with neither, ErrConfig lists every source.
func TestNewClientFromEnvFallsBackToTheChain(t *testing.T) {
	home := isolateChain(t)
	s := chainSim(t)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", "0a1b2c3d4e5f")
	t.Setenv("HUAWEICLOUD_SDK_REGION", "cn-north-4")
	t.Setenv("HUAWEICLOUD_SDK_REGION_APIG_CN_NORTH_4", s.url)
	t.Setenv("HWINST_METADATA_ENDPOINT", s.url)
	fromEnv := func() *hwinst.Client {
		t.Helper()
		c, err := hwinst.NewClientFromEnv()
		if err != nil {
			t.Fatalf("NewClientFromEnv: %v", err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	checkProgress(t, fromEnv())
	if _, ops := requestLog(t, s); ops["metadata_securitykey"] != 1 {
		t.Errorf("requests by operation %v", ops)
	}

	t.Setenv("HWINST_METADATA_ENDPOINT", "none")
	_, err := hwinst.NewClientFromEnv()
	e := asError(t, err, hwinst.ErrConfig)
	for _, want := range []string{"HUAWEICLOUD_SDK_AK", ".huaweicloud/credentials: no such file",
		".hcloud/config.json", "HC_CONTAINER_CREDENTIALS_FULL_URI", "HWINST_METADATA_ENDPOINT=none"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("the error does not say %q: %v", want, e)
		}
	}

	writeFile(t, filepath.Join(home, ".huaweicloud", "credentials"),
		"[basic]\nak = "+profileAK+"\nsk = "+profileSK+"\n")
	checkProgress(t, fromEnv())
}

// OIDCCredentials: the ID token in the file is exchanged with the simulator's IAM for
// temporary keys that its services accept; a token IAM refuses is an error naming the
// identity provider, never the token; String shows the kind alone.
func TestOIDCCredentials(t *testing.T) {
	home := isolateChain(t)
	s := chainSim(t)
	var issued struct {
		IdpID   string `json:"idp_id"`
		IDToken string `json:"id_token"`
	}
	s.admin(t, "POST", "/_sim/id_tokens", map[string]any{"lifetime_s": 3600}, 201, &issued)
	tokenFile := filepath.Join(home, "id-token")
	writeFile(t, tokenFile, issued.IDToken+"\n")
	cfg := s.config(t)
	cfg.Credentials = hwinst.OIDCCredentials(issued.IdpID, tokenFile)
	if shown := cfg.Credentials.String(); shown != "OIDC identity credentials" {
		t.Errorf("String() = %q", shown)
	}
	checkProgress(t, newClient(t, cfg))
	if _, ops := requestLog(t, s); ops["iam_id_token"] != 1 || ops["iam_securitytokens"] != 1 {
		t.Errorf("requests by operation: %v", ops)
	}

	writeFile(t, tokenFile, "forged-id-token-s3cr3t")
	_, err := hwinst.NewClient(cfg)
	if !errors.Is(err, hwinst.ErrUnauthorized) || !strings.Contains(err.Error(), issued.IdpID) ||
		strings.Contains(err.Error(), "forged-id-token-s3cr3t") {
		t.Errorf("a refused token: %v", err)
	}
}
