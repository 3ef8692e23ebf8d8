package hwinst

// ModuleVersion is this module's version without the "v": the hwinst crate's (Cargo.toml's),
// which the release of this module carries as v<ModuleVersion>. The library it links reports
// the same through [Version] (a test checks both, and one in the repository checks it against
// Cargo.toml).
const ModuleVersion = "0.1.0"
