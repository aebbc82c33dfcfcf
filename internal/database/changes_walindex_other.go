//go:build !unix

package database

import "errors"

// walIndex is not mapped where there is no mmap: every look asks `PRAGMA data_version`.
type walIndex struct{}

const walIndexHeaderWords = 2 * 48 / 4

type walIndexHeader [walIndexHeaderWords]uint32

func mapWALIndex(string) (*walIndex, error) {
	return nil, errors.New("the WAL index is read through SQLite on this system")
}

func (*walIndex) header() walIndexHeader { return walIndexHeader{} }

func (*walIndex) unmap() {}
