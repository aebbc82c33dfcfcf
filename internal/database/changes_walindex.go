//go:build unix

package database

import (
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// walIndex maps the head of a SQLite database's WAL index (its "-shm" file) to read the
// index header, which every commit rewrites (https://sqlite.org/walformat.html#the_wal_index_file_format):
// two copies of 48 bytes, each holding among others the size of the WAL in frames, the
// WAL's salts and checksums, and iChange, a counter that every commit increments. The
// header's bytes therefore differ after any commit from what they were before it — by this
// process's connections, another process's, the sqlite3 shell's — and a writer rewrites
// them before its commit returns. SQLite's own readers read it the same way, without a
// lock: two copies read at once that disagree mean a writer is at work, and count as a
// change here (a look more, never a change missed).
//
// Reading it costs a few memory loads, where `PRAGMA data_version` begins and ends a read
// transaction (two fcntl system calls for the WAL read lock, and the driver's statement):
// 14% of the server's CPU for a front-cached page in stop 25's profile
// (docs/performance.md, section 16).
type walIndex struct {
	mem []byte
}

// walIndexHeaderWords is the length of the two header copies, in 32-bit words.
const walIndexHeaderWords = 2 * 48 / 4

// walIndexHeader is the two copies of the header as last read.
type walIndexHeader [walIndexHeaderWords]uint32

// mapWALIndex maps path's first page read-only. The -shm file must be held open by a
// connection of this process for as long as the mapping lives (the watch's own): SQLite
// truncates it only when the first connection of all opens it.
func mapWALIndex(path string) (*walIndex, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the WAL index: %w", err)
	}
	defer f.Close() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("the WAL index: %w", err)
	}
	if st.Size() < 4*walIndexHeaderWords {
		return nil, fmt.Errorf("the WAL index %s holds %d bytes, not yet a header", path, st.Size())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map the WAL index: %w", err)
	}
	return &walIndex{mem: mem}, nil
}

// header reads both copies of the header, a word at a time as atomic loads: SQLite's
// writers store them from other processes, with a memory barrier between the copies.
func (x *walIndex) header() (h walIndexHeader) {
	base := unsafe.Pointer(unsafe.SliceData(x.mem))
	for i := range h {
		h[i] = atomic.LoadUint32((*uint32)(unsafe.Add(base, 4*i)))
	}
	return h
}

// unmap releases the mapping; header must not be called after it.
func (x *walIndex) unmap() { _ = syscall.Munmap(x.mem) }
