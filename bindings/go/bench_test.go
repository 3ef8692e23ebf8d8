package hwinst_test

import (
	"testing"

	hwinst "github.com/hwinst/hwinst/bindings/go"
)

// The cost of one call through cgo against the simulator (a release build of the simulator
// and library makes these comparable with `cargo bench --features sim`'s numbers):
//
//	cargo build --release --features cli   # target/release/libhwinst.a and hwinst
//	cd bindings/go && HWINST_BIN=../../target/release/hwinst go test -run '^$' -bench . -benchtime 2000x
func BenchmarkApigCreationProgress(b *testing.B) {
	s := startSim(b)
	s.instance(b, map[string]any{"service": "apig", "id": "bench", "outcome": "steady"})
	client := s.client(b)
	defer client.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.ApigCreationProgress("bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// The same call from every P at once, on one shared client.
func BenchmarkApigCreationProgressParallel(b *testing.B) {
	s := startSim(b)
	s.instance(b, map[string]any{"service": "apig", "id": "bench", "outcome": "steady"})
	client := s.client(b)
	defer client.Close()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.ApigCreationProgress("bench"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Creating and closing a client: what a tool that makes one per call pays.
func BenchmarkNewClientClose(b *testing.B) {
	s := startSim(b)
	cfg := s.config(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		client, err := hwinst.NewClient(cfg)
		if err != nil {
			b.Fatal(err)
		}
		client.Close()
	}
}
