package hwinst_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

// A client for one region and project, authenticated with an IAM token.
func ExampleNewClient() {
	client, err := hwinst.NewClient(hwinst.Config{
		Region:         "cn-north-4",
		ProjectID:      "0a1b2c3d4e5f",
		Credentials:    hwinst.TokenCredentials(os.Getenv("HWINST_TOKEN")),
		RequestTimeout: 10 * time.Second,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	progress, err := client.ApigCreationProgress("eddc4d25480b4cd6b512f270a1b8b341")
	if err != nil {
		log.Fatal(err)
	}
	if progress.Progress != nil {
		fmt.Printf("%s %d%%\n", progress.Status, *progress.Progress)
	}
}

// The configuration file the hwinst command line reads (--config, HWINST_CONFIG).
func ExampleNewClientFromJSON() {
	doc, err := os.ReadFile(os.Getenv("HWINST_CONFIG"))
	if err != nil {
		log.Fatal(err)
	}
	client, err := hwinst.NewClientFromJSON(doc)
	if err != nil {
		log.Fatal(err) // ErrConfig names an unknown key, never a credential
	}
	defer client.Close()
}

// One lifecycle for every service: the phase, progress and the service's own word.
func ExampleClient_Lifecycle() {
	client, err := hwinst.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	l, err := client.Lifecycle(hwinst.SourceClouddc, "5f1b4ea4-4d0c-4a8b-9a37-0c3d5d1b2e7a")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Phase, l.Status, l.Terminal)
	if l.Phase == hwinst.PhaseFailed && l.Error != nil {
		fmt.Println("failed:", l.Error.ErrorCode, l.Error.ErrorMsg)
	}
}

// Waiting with a deadline, stopped early by Ctrl-C, printing each change.
func ExampleClient_Wait() {
	client, err := hwinst.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()

	ready, err := client.Wait(ctx, hwinst.SourceApig, "eddc4d25480b4cd6b512f270a1b8b341",
		hwinst.WaitOptions{}, func(l hwinst.Lifecycle) {
			if l.Progress != nil {
				fmt.Printf("%s %d%%\n", l.Phase, *l.Progress)
			}
		})
	var e *hwinst.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		log.Fatal("gave up: ", err)
	case errors.Is(err, hwinst.ErrInstanceFailed) && errors.As(err, &e):
		log.Fatalf("the instance failed: %s %s", e.ServiceCode, e.ServiceMessage)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println("ready:", ready.Status)
}

// Errors match a sentinel per code with errors.Is, and give their details with errors.As.
func ExampleError() {
	client, err := hwinst.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	_, err = client.RomaInstance("eddc4d25480b4cd6b512f270a1b8b341")
	var e *hwinst.Error
	switch {
	case errors.Is(err, hwinst.ErrNotFound):
		fmt.Println("no such instance")
	case errors.Is(err, hwinst.ErrThrottled), errors.Is(err, hwinst.ErrServer):
		fmt.Println("try again later")
	case errors.As(err, &e):
		fmt.Println(e.Code, e.HTTPStatus, e.ServiceCode, e.RequestID)
	}
}

// Credentials print as their kind, never their secret.
func ExampleTokenCredentials() {
	cfg := hwinst.Config{Region: "cn-north-4", Credentials: hwinst.TokenCredentials("MIIT0k3n-s3cr3t")}
	fmt.Println(cfg.Credentials)
	fmt.Printf("%+v\n", hwinst.AKSKCredentials("AKID", "s3cr3t", ""))
	// Output:
	// {token credentials}
	// {AK/SK credentials}
}

// Without Credentials, the default chain finds them when the client is made: the
// environment, ~/.huaweicloud/credentials, ~/.hcloud/config.json, CCE pod identity, the ECS
// metadata service. A constructor names one source alone.
func ExampleMetadataCredentials() {
	chain := hwinst.Config{Region: "cn-north-4"}
	fmt.Println(chain.Credentials)
	onVM := hwinst.Config{Region: "cn-north-4", Credentials: hwinst.MetadataCredentials()}
	fmt.Println(onVM.Credentials)
	fmt.Println(hwinst.KoocliProfileCredentials("dev"))
	// Output:
	// {the default credential chain}
	// {credentials from the ECS metadata service}
	// {credentials from a KooCLI profile}
}
