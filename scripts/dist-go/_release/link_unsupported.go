//go:build !hwinst_custom && !(linux && amd64)

package hwinst

// This release carries a prebuilt library for linux/amd64 only. Elsewhere, build the hwinst
// library from source (cargo build --release --lib in the hwinst repository) and link it with
// the tag hwinst_custom and CGO_CFLAGS/CGO_LDFLAGS (see link_custom.go). The undefined name
// below is the compiler's message.
var _ = hwinst_has_no_prebuilt_library_for_this_platform_build_with_tag_hwinst_custom
