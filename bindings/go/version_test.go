package hwinst

import "testing"

// The module and the library it links are one release: scripts/dist builds both from one
// Cargo.toml version.
func TestModuleVersionIsTheLibrarys(t *testing.T) {
	if got := Version(); got != ModuleVersion {
		t.Fatalf("linked library %q, module %q: link the library of this module's release", got, ModuleVersion)
	}
}
