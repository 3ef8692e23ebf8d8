//go:build !hwinst_custom

package hwinst

// The released module (scripts/dist in the hwinst repository) carries the C header and the
// static library built for linux/amd64 against glibc 2.17, so that `go get` and `go build`
// need only a C compiler: include/hwinst.h and lib/linux_amd64/libhwinst.a, next to this
// file. The libraries after libhwinst.a are the ones Rust's standard library needs when linked
// statically (hwinst.pc's Libs.private). The _linux_amd64 file name is this file's build
// constraint, as wasmtime-go selects its prebuilt libraries; link_unsupported.go stops other
// platforms with a message.
//
// Build with the tag hwinst_custom to drop these directives and link a build of your own
// through CGO_CFLAGS and CGO_LDFLAGS (see link_custom.go).

// #cgo CFLAGS: -I${SRCDIR}/include
// #cgo LDFLAGS: ${SRCDIR}/lib/linux_amd64/libhwinst.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
import "C"
