//go:build !hwinst_custom

package hwinst

// Linking inside the hwinst repository: the header from include/ and the static library
// that `cargo build --release --lib` leaves in target/release, so that
//
//	cargo build --release --lib && cd bindings/go && go test ./...
//
// works with no environment set. The libraries after libhwinst.a are the ones Rust's standard
// library needs when linked statically (scripts/install.sh's Libs.private).
//
// Build with the tag hwinst_custom to drop these directives and give CGO_CFLAGS and
// CGO_LDFLAGS yourself (an installed prefix, pkg-config, another build profile).

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: ${SRCDIR}/../../target/release/libhwinst.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
import "C"
