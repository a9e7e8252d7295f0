// Small static helpers that make kwok's fake pods behave like containers (see testcluster/README.md).
module gatehouse.local/testcluster/pod

go 1.26.0

require golang.org/x/sys v0.49.0
