// Command wait waits until an instance reaches a phase (running by default), printing each
// change, and stops cleanly on Ctrl-C or SIGTERM.
//
//	go run ./examples/wait -config config.json apig eddc4d25480b4cd6b512f270a1b8b341
//	go run ./examples/wait -until running,stopped -timeout 10m clouddc 5f1b...
//
// SOURCE is roma, roma-details, apig or clouddc. The configuration is the JSON file the
// hwinst command line reads (-config, else $HWINST_CONFIG); without one, it comes from the
// environment (HWINST_TOKEN or HUAWEICLOUD_SDK_AK/SK, HUAWEICLOUD_SDK_REGION, ...), and the
// credentials, when the environment has none, from the default chain (the profile file
// ~/.huaweicloud/credentials, a KooCLI profile, CCE pod identity, the ECS metadata service).
//
// Exit status: 0 with the final lifecycle document on stdout; 1 for a usage error; 2 if
// the configuration is refused; 3 if the wait fails (the instance failed, the deadline
// passed, the call was refused, ...); 130 when interrupted. Changes and errors go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

func main() {
	os.Exit(run())
}

func run() int {
	configPath := flag.String("config", os.Getenv("HWINST_CONFIG"), "the JSON configuration `file` (default $HWINST_CONFIG; none: the environment)")
	until := flag.String("until", "running", "the target `phases`, comma-separated")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up after this `duration`")
	interval := flag.Duration("interval", 0, "the first pause between polls (0: the library's, 2s)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [flags] SOURCE INSTANCE_ID\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		return 1
	}
	source, id := hwinst.Source(flag.Arg(0)), flag.Arg(1)

	client, err := newClient(*configPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	// Close waits for a wait abandoned by Ctrl-C to let go of its request.
	defer client.Close()

	// Ctrl-C or SIGTERM cancels ctx: Wait returns at once, even in the middle of a request.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := hwinst.WaitOptions{Timeout: *timeout, InitialInterval: *interval}
	for _, phase := range strings.Split(*until, ",") {
		opts.Until = append(opts.Until, hwinst.Phase(strings.TrimSpace(phase)))
	}
	if *interval > 30*time.Second {
		opts.MaxInterval = *interval // the longest pause may not be shorter than the first
	}

	final, err := client.Wait(ctx, source, id, opts, func(l hwinst.Lifecycle) {
		progress := ""
		if l.Progress != nil {
			progress = fmt.Sprintf(" %d%%", *l.Progress)
		}
		fmt.Fprintf(os.Stderr, "%s: %s%s (%s)\n", l.InstanceID, l.Phase, progress, l.Status)
	})
	var e *hwinst.Error
	switch {
	case err == nil:
		fmt.Println(string(final.Raw))
		return 0
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "interrupted")
		return 130
	case errors.As(err, &e) && e.Code == hwinst.CodeInstanceFailed:
		fmt.Fprintf(os.Stderr, "%s failed: %s %s\n", id, e.ServiceCode, e.ServiceMessage)
		return 3
	default:
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
}

// newClient reads the configuration file, or the environment when there is none.
func newClient(path string) (*hwinst.Client, error) {
	if path == "" {
		return hwinst.NewClientFromEnv()
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return hwinst.NewClientFromJSON(doc)
}
