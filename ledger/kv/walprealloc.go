package kv

import "github.com/cockroachdb/pebble/v2/vfs"

// walPreallocBytes bounds each preallocation pebble asks of a file. Pebble
// reserves a write-ahead log 1.1 × MemTableSize at a time and opens a new
// log at every memtable switch, while its memtables start at 256 KiB and
// double: with a 64 MiB memtable an idle node held several 70 MiB logs,
// each nearly empty. With the cap a log takes about the disk it holds, so
// the memtable can be sized for load (flushes and compactions) without
// costing idle nodes disk. The price is that a log growing past the cap
// extends its file, and the next fdatasync also writes the inode's size,
// once per block.
const walPreallocBytes = 4 << 20

// preallocCapFS is an FS whose files preallocate at most max bytes per call.
type preallocCapFS struct {
	vfs.FS
	max int64
}

func capPreallocation(fs vfs.FS, max int64) vfs.FS {
	if fs == nil {
		fs = vfs.Default
	}
	return preallocCapFS{FS: fs, max: max}
}

func (fs preallocCapFS) wrap(f vfs.File, err error) (vfs.File, error) {
	if err != nil {
		return nil, err
	}
	return preallocCapFile{File: f, max: fs.max}, nil
}

func (fs preallocCapFS) Create(name string, c vfs.DiskWriteCategory) (vfs.File, error) {
	return fs.wrap(fs.FS.Create(name, c))
}

func (fs preallocCapFS) ReuseForWrite(oldname, newname string, c vfs.DiskWriteCategory) (vfs.File, error) {
	return fs.wrap(fs.FS.ReuseForWrite(oldname, newname, c))
}

func (fs preallocCapFS) Unwrap() vfs.FS { return fs.FS }

type preallocCapFile struct {
	vfs.File
	max int64
}

func (f preallocCapFile) Preallocate(offset, length int64) error {
	return f.File.Preallocate(offset, min(length, f.max))
}
