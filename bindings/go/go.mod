module github.com/hwinst/hwinst/bindings/go

go 1.22
