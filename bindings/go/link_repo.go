//go:build !hwinst_custom

package hwinst

// Linking inside the hwinst repository: the header from include/ and the static library
// that cargo leaves in target/debug (`cargo build`) or, when there is none, target/release
// (`cargo build --release`), so that
//
//	cargo build --features cli && cd bindings/go && go test ./...
//
// works with no environment set (the tests find the hwinst binary for their simulator the
// same way). The libraries after libhwinst.a are the ones Rust's standard
// library needs when linked statically (scripts/install.sh's Libs.private).
//
// Build with the tag hwinst_custom to drop these directives and give CGO_CFLAGS and
// CGO_LDFLAGS yourself (an installed prefix, pkg-config, another build profile).

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../target/debug -L${SRCDIR}/../../target/release -l:libhwinst.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
import "C"
