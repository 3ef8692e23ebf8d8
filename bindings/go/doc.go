// Package hwinst tells where a Huawei Cloud ROMA Connect, API Gateway (APIG, dedicated
// edition) or Cloud DC instance is in its provisioning lifecycle, and waits until it is
// ready. It is the Go binding of the hwinst C library (a Rust library with a C ABI), linked
// statically through cgo.
//
// # Clients
//
// A [Client] is made from a [Config] (or from the environment with [NewClientFromEnv], or
// from the JSON configuration file the hwinst command line reads, with
// [NewClientFromJSON]). It is safe for concurrent use by any number of goroutines, which
// share one connection pool. [Client.Close] releases it; a finalizer does so too for a client
// that is dropped without Close, but Close is the reliable way.
//
//	client, err := hwinst.NewClient(hwinst.Config{
//		Region:      "cn-north-4",
//		ProjectID:   "0a1b2c3d4e5f",
//		Credentials: hwinst.TokenCredentials(os.Getenv("HWINST_TOKEN")),
//	})
//	if err != nil {
//		return err
//	}
//	defer client.Close()
//
// # Credentials
//
// [Config].Credentials gives them ([TokenCredentials], [AKSKCredentials],
// [IAMPasswordCredentials]) or names the one source to read them from
// ([EnvironmentCredentials], [ProfileFileCredentials], [KoocliProfileCredentials],
// [PodIdentityCredentials], [MetadataCredentials]). Left zero, the default credential chain
// finds them where the host keeps them, in this order: the environment
// (HUAWEICLOUD_SDK_AK/SK/SECURITY_TOKEN or HWINST_TOKEN), the official SDKs' profile file
// ($HUAWEICLOUD_SDK_CREDENTIALS_FILE or ~/.huaweicloud/credentials), a KooCLI profile
// (~/.hcloud/config.json, $HWINST_PROFILE), the CCE
// pod-identity endpoint, and the ECS metadata service of a VM with a cloud service agency
// ([Endpoints].Metadata or $HWINST_METADATA_ENDPOINT, "none" to skip it). [NewClientFromEnv]
// falls back to the same chain. When no source has credentials, the [ErrConfig] error lists
// each source and why it did not apply. Temporary credentials renew themselves.
//
// # Results
//
// Each service call returns a typed struct decoded from the library's JSON document:
// [RomaCreationProgress], [ApigCreationProgress], [RomaInstance], [RomaInstancePage] and
// [ClouddcInstanceStatus]. [Client.Lifecycle] and [Client.Wait] return a [Lifecycle]: one
// [Phase] for every service, with progress, whether the phase is settled, and the service's
// own status word and error.
//
// In the service structs, absent fields stay zero: strings are "" and slices nil when the
// service did not send them, while numbers and booleans are pointers (nil when absent),
// because their zero values mean something (billing mode 0 is pay-per-use, progress 0 is
// "just started"). Times are Unix milliseconds, as the services send them. Status words are
// kept exactly as the service spelt them. Every struct keeps the document it was decoded
// from in its Raw field, so fields this version does not know are still there.
//
// # Errors
//
// Every error from the library is an [*Error] with the library's [Code], the HTTP status,
// the service's own error code and message, and the request ID. Each code has a sentinel
// for [errors.Is] ([ErrNotFound], [ErrUnauthorized], [ErrTimeout], ...); [errors.As] gives
// the details:
//
//	_, err := client.ApigCreationProgress(id)
//	var e *hwinst.Error
//	if errors.Is(err, hwinst.ErrNotFound) && errors.As(err, &e) {
//		log.Printf("no such instance (request %s)", e.RequestID)
//	}
//
// A closed client's methods return [ErrClosed]. No error, and no fmt output of a [Config]
// or [Credentials], ever contains a credential.
//
// # Waiting
//
// [Client.Wait] polls until the instance reaches a target phase, calling a function on
// every change. It honours its context: when the context is cancelled or its deadline
// passes, Wait returns ctx.Err() at once, even while a request is in flight; the request is
// abandoned in the background and the function is never called after Wait has returned.
//
// # Linking
//
// Inside the hwinst repository the package links ../../target/release/libhwinst.a, so
// `cargo build --release --lib` followed by `go test ./...` in bindings/go works. With the
// build tag hwinst_custom it names no library and the build gives CGO_CFLAGS and
// CGO_LDFLAGS (see the README).
package hwinst
