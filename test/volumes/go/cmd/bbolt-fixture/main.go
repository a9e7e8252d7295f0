// bbolt-fixture writes a bbolt database that exercises every page shape a reader must handle:
// inline and nested buckets, overflow values, multi-level branch pages, binary and empty values.
// Usage: bbolt-fixture PATH SHAPE (SHAPE: mixed | wide | snapshot-loop)
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bbolt-fixture PATH mixed|wide")
		os.Exit(2)
	}
	db, err := bolt.Open(os.Args[1], 0o600, nil)
	if err != nil {
		fail(err)
	}
	defer db.Close()
	switch os.Args[2] {
	case "mixed":
		err = mixed(db)
	case "wide":
		err = wide(db)
	case "snapshot-loop":
		err = snapshotLoop(db)
	default:
		err = fmt.Errorf("unknown shape %q", os.Args[2])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func mixed(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		small, err := tx.CreateBucket([]byte("small"))
		if err != nil {
			return err
		}
		for _, kv := range [][2]string{{"a", "1"}, {"b", ""}, {"c", "three"}} {
			if err := small.Put([]byte(kv[0]), []byte(kv[1])); err != nil {
				return err
			}
		}
		outer, err := tx.CreateBucket([]byte("outer"))
		if err != nil {
			return err
		}
		if err := outer.Put([]byte("plain"), []byte("value beside buckets")); err != nil {
			return err
		}
		inner, err := outer.CreateBucket([]byte("inner"))
		if err != nil {
			return err
		}
		deeper, err := inner.CreateBucket([]byte("deeper"))
		if err != nil {
			return err
		}
		if err := deeper.Put([]byte("leaf"), []byte{0, 1, 2, 255}); err != nil {
			return err
		}
		if _, err := outer.CreateBucket([]byte("empty")); err != nil {
			return err
		}
		large, err := tx.CreateBucket([]byte("large"))
		if err != nil {
			return err
		}
		for i, size := range []int{5000, 9000, 70000, 300000} {
			value := bytes.Repeat([]byte{byte('A' + i)}, size)
			copy(value, fmt.Sprintf("value %d of %d bytes", i, size))
			if err := large.Put([]byte(fmt.Sprintf("big-%d", i)), value); err != nil {
				return err
			}
		}
		return large.Put([]byte("tiny"), []byte("t"))
	})
}

// wide makes enough keys that the bucket's tree has branch pages above branch pages.
func wide(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		many, err := tx.CreateBucket([]byte("many"))
		if err != nil {
			return err
		}
		for i := 0; i < 60000; i++ {
			key := make([]byte, 8)
			binary.BigEndian.PutUint64(key, uint64(i)*7919)
			if err := many.Put(key, []byte(fmt.Sprintf("row %d", i))); err != nil {
				return err
			}
		}
		for i := 0; i < 300; i++ {
			child, err := many.CreateBucket([]byte(fmt.Sprintf("sub-%03d", i)))
			if err != nil {
				return err
			}
			if err := child.Put([]byte("n"), []byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	})
}

// snapshotLoop is an overlayfs snapshotter database whose parent chain comes back on itself.
func snapshotLoop(db *bolt.DB) error {
	return db.Update(func(tx *bolt.Tx) error {
		v1, err := tx.CreateBucket([]byte("v1"))
		if err != nil {
			return err
		}
		snapshots, err := v1.CreateBucket([]byte("snapshots"))
		if err != nil {
			return err
		}
		for i, link := range [][2]string{{"k8s.io/1/a", "k8s.io/2/b"}, {"k8s.io/2/b", "k8s.io/3/c"}, {"k8s.io/3/c", "k8s.io/2/b"}} {
			record, err := snapshots.CreateBucket([]byte(link[0]))
			if err != nil {
				return err
			}
			id := binary.AppendUvarint(nil, uint64(i+1))
			for key, value := range map[string][]byte{"id": id, "kind": {2}, "parent": []byte(link[1])} {
				if err := record.Put([]byte(key), value); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
