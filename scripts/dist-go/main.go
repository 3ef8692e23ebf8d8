// Command dist-go writes one release of a Go module into a file-system module proxy, the
// layout GOPROXY=file://DIR reads:
//
//	DIR/<module>/@v/list           the versions, one a line
//	DIR/<module>/@v/<version>.info {"Version": ..., "Time": ...}
//	DIR/<module>/@v/<version>.mod  the module's go.mod
//	DIR/<module>/@v/<version>.zip  the module's files, under <module>@<version>/
//
// The zip is made by golang.org/x/mod/zip, the code the go command itself uses, so that it
// meets the go command's rules (file names, sizes, no nested modules) and its hash is the one
// `go mod download` computes. scripts/dist stages the module's files in a directory first (the
// repository's bindings/go with the release's link files and prebuilt library).
//
//	go run . -dir STAGED -version v0.1.0 -time 2026-12-07T06:00:00Z -proxy target/dist/goproxy
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

func main() {
	dir := flag.String("dir", "", "the module's files, staged (go.mod at the top)")
	version := flag.String("version", "", "the release's version, e.g. v0.1.0")
	when := flag.String("time", "", "the release's time, RFC 3339 (the .info file's)")
	proxy := flag.String("proxy", "", "the module proxy's directory (made if missing)")
	flag.Parse()
	if err := run(*dir, *version, *when, *proxy); err != nil {
		fmt.Fprintln(os.Stderr, "dist-go:", err)
		os.Exit(1)
	}
}

func run(dir, version, when, proxy string) error {
	if dir == "" || version == "" || when == "" || proxy == "" {
		return errors.New("-dir, -version, -time and -proxy are all needed")
	}
	released, err := time.Parse(time.RFC3339, when)
	if err != nil {
		return fmt.Errorf("-time: %w", err)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	path := modfile.ModulePath(gomod)
	if path == "" {
		return fmt.Errorf("%s/go.mod names no module", dir)
	}
	mod := module.Version{Path: path, Version: version}
	// A canonical semantic version, and one the path allows (no /v2 suffix needed below v2).
	if err := module.Check(path, version); err != nil {
		return err
	}
	escaped, err := module.EscapePath(path)
	if err != nil {
		return err
	}
	at := filepath.Join(proxy, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return err
	}

	zipPath := filepath.Join(at, version+".zip")
	out, err := os.Create(zipPath)
	if err != nil {
		return err
	}
	if err := modzip.CreateFromDir(out, mod, dir); err != nil {
		out.Close()
		return fmt.Errorf("zip of %s: %w", mod, err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	// CreateFromDir leaves out what the go command would: check that the prebuilt files made it.
	files, err := modzip.CheckZip(mod, zipPath)
	if err != nil {
		return fmt.Errorf("%s: %w", zipPath, err)
	}
	if len(files.Omitted) > 0 || len(files.Invalid) > 0 {
		return fmt.Errorf("%s: files left out: %v %v", zipPath, files.Omitted, files.Invalid)
	}

	if err := os.WriteFile(filepath.Join(at, version+".mod"), gomod, 0o644); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, released.UTC()})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(at, version+".info"), append(info, '\n'), 0o644); err != nil {
		return err
	}

	// The list keeps the versions already released into this proxy.
	listPath := filepath.Join(at, "list")
	var versions []string
	if old, err := os.ReadFile(listPath); err == nil {
		versions = strings.Fields(string(old))
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	if err := os.WriteFile(listPath, []byte(strings.Join(versions, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Println(zipPath)
	return nil
}
