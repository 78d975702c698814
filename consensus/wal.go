package consensus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// WAL is the engine's write-ahead log of its own votes. The engine appends
// every message it signs (with the prepared certificate and block that a
// COMMIT vouches for) before it returns the action that sends it, and reads
// the log back in New, so a restarted validator never signs two different
// things for one (height, view).
type WAL interface {
	// Append stores one record for height; it must be durable (fsync'ed)
	// before it returns.
	Append(height uint64, rec []byte) error
	// ReadAll returns every record still stored, in append order.
	ReadAll() ([][]byte, error)
	// TruncateBefore allows the WAL to drop records for heights below
	// height. It may keep them (the engine skips records it no longer needs).
	TruncateBefore(height uint64) error
}

// ErrCorruptWAL is returned when a WAL file is damaged before its last record.
var ErrCorruptWAL = errors.New("corrupt WAL")

// frame: | len uint32 | crc32c uint32 | height uint64 | data (len bytes) |,
// little-endian; the CRC covers height and data.
const (
	frameHeader         = 16
	maxFrameData        = 2 * MaxMessageSize
	defaultCompactBytes = 1 << 20 // rewrite the file once this many bytes are droppable
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type frameInfo struct {
	height     uint64
	start, end int64
}

// FileWAL is an append-only file with a CRC per record. A torn last record
// (a crash in the middle of a write) is cut off when the file is opened;
// damage anywhere else is reported as ErrCorruptWAL. It is safe for
// concurrent use.
type FileWAL struct {
	mu           sync.Mutex
	path         string
	f            *os.File
	frames       []frameInfo
	size         int64
	compactBytes int64
}

// NewFileWAL opens (creating if needed) the WAL at path.
func NewFileWAL(path string) (*FileWAL, error) {
	w := &FileWAL{path: path, compactBytes: defaultCompactBytes}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *FileWAL) open() error {
	_, statErr := os.Stat(w.path)
	f, err := os.OpenFile(w.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open wal: %w", err)
	}
	if os.IsNotExist(statErr) {
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			f.Close()
			return err
		}
	}
	raw, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("read wal: %w", err)
	}
	frames, good, err := scanFrames(raw)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", w.path, err)
	}
	if good < int64(len(raw)) {
		// A torn tail: drop it so the next append starts on a frame boundary.
		if err := f.Truncate(good); err != nil {
			f.Close()
			return fmt.Errorf("truncate torn wal tail: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return fmt.Errorf("sync wal: %w", err)
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("seek wal: %w", err)
	}
	w.f, w.frames, w.size = f, frames, good
	return nil
}

// scanFrames parses raw into frames and returns how many bytes are intact.
// An incomplete or damaged final frame is a torn write and is not an error.
func scanFrames(raw []byte) ([]frameInfo, int64, error) {
	var frames []frameInfo
	off := int64(0)
	for off < int64(len(raw)) {
		rest := raw[off:]
		if len(rest) < frameHeader {
			return frames, off, nil
		}
		n := int64(binary.LittleEndian.Uint32(rest[0:4]))
		if n > maxFrameData || int64(len(rest)) < frameHeader+n {
			return frames, off, nil
		}
		end := off + frameHeader + n
		if crc32.Checksum(rest[8:frameHeader+n], crcTable) != binary.LittleEndian.Uint32(rest[4:8]) {
			if end == int64(len(raw)) || allZero(rest) {
				// The last write was torn, or the file system extended
				// the file with zeros that were never written.
				return frames, off, nil
			}
			return nil, 0, fmt.Errorf("%w: bad checksum at offset %d", ErrCorruptWAL, off)
		}
		frames = append(frames, frameInfo{height: binary.LittleEndian.Uint64(rest[8:16]), start: off, end: end})
		off = end
	}
	return frames, off, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func encodeFrame(height uint64, rec []byte) []byte {
	buf := make([]byte, frameHeader+len(rec))
	binary.LittleEndian.PutUint32(buf[0:4], uint32(len(rec)))
	binary.LittleEndian.PutUint64(buf[8:16], height)
	copy(buf[frameHeader:], rec)
	binary.LittleEndian.PutUint32(buf[4:8], crc32.Checksum(buf[8:], crcTable))
	return buf
}

// Append writes and fsyncs one record.
func (w *FileWAL) Append(height uint64, rec []byte) error {
	if len(rec) > maxFrameData {
		return fmt.Errorf("wal record of %d bytes is too large", len(rec))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return errors.New("wal is closed")
	}
	buf := encodeFrame(height, rec)
	if _, err := w.f.Write(buf); err != nil {
		return fmt.Errorf("append wal: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync wal: %w", err)
	}
	w.frames = append(w.frames, frameInfo{height: height, start: w.size, end: w.size + int64(len(buf))})
	w.size += int64(len(buf))
	return nil
}

// ReadAll returns all records in append order.
func (w *FileWAL) ReadAll() ([][]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	raw, err := os.ReadFile(w.path)
	if err != nil {
		return nil, fmt.Errorf("read wal: %w", err)
	}
	out := make([][]byte, 0, len(w.frames))
	for _, fr := range w.frames {
		if fr.end > int64(len(raw)) {
			return nil, fmt.Errorf("%w: file shorter than its index", ErrCorruptWAL)
		}
		out = append(out, bytes.Clone(raw[fr.start+frameHeader:fr.end]))
	}
	return out, nil
}

// TruncateBefore rewrites the file without the records below height once
// they amount to at least the compaction threshold (1 MiB); the rewrite is
// atomic (temporary file, fsync, rename, fsync of the directory).
func (w *FileWAL) TruncateBefore(height uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var drop int64
	for _, fr := range w.frames {
		if fr.height < height {
			drop += fr.end - fr.start
		}
	}
	if drop == 0 || drop < w.compactBytes {
		return nil
	}
	raw, err := os.ReadFile(w.path)
	if err != nil {
		return fmt.Errorf("read wal: %w", err)
	}
	var keep bytes.Buffer
	for _, fr := range w.frames {
		if fr.height >= height {
			keep.Write(raw[fr.start:fr.end])
		}
	}
	tmp := w.path + ".tmp"
	if err := writeFileSync(tmp, keep.Bytes()); err != nil {
		return err
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("close wal: %w", err)
	}
	w.f = nil
	if err := os.Rename(tmp, w.path); err != nil {
		return fmt.Errorf("replace wal: %w", err)
	}
	if err := syncDir(filepath.Dir(w.path)); err != nil {
		return err
	}
	return w.open()
}

// Close closes the file.
func (w *FileWAL) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open dir %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// MemWAL is an in-memory WAL for tests and simulation. Records survive as
// long as the value does, which models a disk that survives a crash.
type MemWAL struct {
	mu      sync.Mutex
	heights []uint64
	recs    [][]byte
	// Fail, when non-nil, is returned by Append (to test the halt path).
	Fail error
}

// NewMemWAL returns an empty in-memory WAL.
func NewMemWAL() *MemWAL { return &MemWAL{} }

// Append stores a copy of rec.
func (w *MemWAL) Append(height uint64, rec []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.Fail != nil {
		return w.Fail
	}
	w.heights = append(w.heights, height)
	w.recs = append(w.recs, bytes.Clone(rec))
	return nil
}

// ReadAll returns copies of the records.
func (w *MemWAL) ReadAll() ([][]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([][]byte, len(w.recs))
	for i, r := range w.recs {
		out[i] = bytes.Clone(r)
	}
	return out, nil
}

// TruncateBefore drops records below height.
func (w *MemWAL) TruncateBefore(height uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var hs []uint64
	var rs [][]byte
	for i, h := range w.heights {
		if h >= height {
			hs = append(hs, h)
			rs = append(rs, w.recs[i])
		}
	}
	w.heights, w.recs = hs, rs
	return nil
}

// Len is the number of stored records.
func (w *MemWAL) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.recs)
}

// walEntry is one message this node signed. For a COMMIT it also holds the
// prepared certificate the vote rests on and, unless an earlier entry of
// the height already holds it, the block, so that after a restart the node
// still reports (and can re-propose) what it prepared.
type walEntry struct {
	Msg      *Message
	Prepared *PreparedCert
	Block    *types.Block
}

type wireEntry struct {
	Msg      []byte
	Prepared []wirePrepared
	Block    []byte
}

// encodeWALRecord encodes the entries one engine call produced; they are
// appended as one record, so one fsync covers them.
func encodeWALRecord(entries []*walEntry) []byte {
	ws := make([]wireEntry, len(entries))
	for i, e := range entries {
		ws[i].Msg = e.Msg.Encode()
		if p := e.Prepared; p != nil {
			ws[i].Prepared = []wirePrepared{{View: p.View, BlockHash: p.BlockHash, Sigs: p.Sigs}}
		}
		if e.Block != nil {
			ws[i].Block = e.Block.Encode()
		}
	}
	out, err := rlp.EncodeToBytes(ws)
	if err != nil {
		panic(fmt.Sprintf("encode wal record: %v", err))
	}
	return out
}

func decodeWALRecord(raw []byte) ([]*walEntry, error) {
	var ws []wireEntry
	if err := rlp.DecodeBytes(raw, &ws); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptWAL, err)
	}
	out := make([]*walEntry, len(ws))
	for i, w := range ws {
		m, err := DecodeMessage(w.Msg)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrCorruptWAL, i, err)
		}
		e := &walEntry{Msg: m}
		if len(w.Prepared) == 1 {
			p := w.Prepared[0]
			e.Prepared = &PreparedCert{Height: m.Height, View: p.View, BlockHash: p.BlockHash, Sigs: p.Sigs}
		}
		if len(w.Block) > 0 {
			b, err := types.DecodeBlock(w.Block)
			if err != nil {
				return nil, fmt.Errorf("%w: entry %d: %w", ErrCorruptWAL, i, err)
			}
			e.Block = b
		}
		out[i] = e
	}
	return out, nil
}
