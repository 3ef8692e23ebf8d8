// scripts/dist's tool that writes the Go binding's release into a file-system module proxy.
module github.com/hwinst/hwinst/scripts/dist-go

go 1.22

require golang.org/x/mod v0.20.0
