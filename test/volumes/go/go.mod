// Test helpers for node-volume forensics: the bbolt command (an oracle) and a database generator.
module gatehouse.local/test/volumes

go 1.26.0

require go.etcd.io/bbolt v1.4.3

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/cobra v1.8.1 // indirect
	github.com/spf13/pflag v1.0.6 // indirect
	golang.org/x/sys v0.29.0 // indirect
)
