//go:build tools

// Keeps the bbolt command's module requirements in go.mod so `go build go.etcd.io/bbolt/cmd/bbolt` works.
package tools

import _ "go.etcd.io/bbolt/cmd/bbolt"
