//go:build hwinst_custom

package hwinst

// With the build tag hwinst_custom the package names no header directory and no library:
// the build gives them in CGO_CFLAGS and CGO_LDFLAGS. For a prefix installed by
// scripts/install.sh, statically:
//
//	export PKG_CONFIG_PATH=/opt/hwinst/lib/pkgconfig
//	CGO_CFLAGS="$(pkg-config --cflags hwinst)" \
//	CGO_LDFLAGS="$(pkg-config --static --libs hwinst | sed 's/-lhwinst/-l:libhwinst.a/')" \
//	go build -tags hwinst_custom ./...
//
// (plain `pkg-config --libs hwinst` links libhwinst.so instead, which must then be found at
// run time), or for a library in a cargo target directory:
//
//	CGO_CFLAGS=-I/src/hwinst/include \
//	CGO_LDFLAGS="/src/hwinst/target/debug/libhwinst.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc" \
//	go test -tags hwinst_custom ./...
