package p2p

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/accordnet/accord/types"
)

// Block-sync wire format. Every message is a frame:
//
//	length uint32 big-endian (1 ≤ length ≤ limit) | kind byte | body (length-1 bytes)
//
// A requester writes one request frame and closes its write side; the
// server answers with a status frame, or with block frames followed by an
// end frame, or with one error frame. Bodies:
//
//	status request   (empty)
//	blocks request   from uint64 | to uint64
//	status           height uint64
//	block            height uint64 | block length uint32 | block | cert
//	end              (empty)
//	error            code byte | message (UTF-8, at most 256 bytes)
const (
	kindStatusReq byte = 0x01
	kindBlocksReq byte = 0x02
	kindStatus    byte = 0x11
	kindBlock     byte = 0x12
	kindEnd       byte = 0x13
	kindError     byte = 0x1f
)

// Error codes of an error frame.
const (
	codeBadRequest  byte = 1
	codeUnavailable byte = 2
	codeBusy        byte = 3
	codeInternal    byte = 4
)

// Sync limits. A response carries at most MaxSyncBlocks blocks and, unless
// it is a single block, at most MaxSyncResponseBytes of frames; the
// requester asks again from where a response stopped.
const (
	MaxSyncBlocks        = 256
	MaxSyncResponseBytes = 32 << 20
	// MaxSyncFrame bounds one frame: the largest block types accepts plus
	// room for its commit certificate.
	MaxSyncFrame = types.MaxBlockSize + 4<<20

	maxRequestFrame  = 64
	maxErrorMessage  = 256
	blockFrameHeader = 1 + 8 + 4 // kind, height, block length
)

// writeFrame writes one frame made of kind and the concatenated parts.
func writeFrame(w io.Writer, kind byte, parts ...[]byte) error {
	n := 1
	for _, p := range parts {
		n += len(p)
	}
	var hdr [5]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(n))
	hdr[4] = kind
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// readFrame reads one frame of at most limit bytes (kind included) and
// returns its kind, body and length. A stream that ends cleanly before a
// frame yields io.EOF; every other defect is ErrMalformed.
func readFrame(r io.Reader, limit int) (kind byte, body []byte, n int, err error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, 0, fmt.Errorf("%w: truncated frame header", ErrMalformed)
		}
		return 0, nil, 0, err
	}
	size := binary.BigEndian.Uint32(hdr[:])
	if size == 0 {
		return 0, nil, 0, fmt.Errorf("%w: empty frame", ErrMalformed)
	}
	if uint64(size) > uint64(limit) {
		return 0, nil, 0, fmt.Errorf("%w: %w: %d bytes, limit %d", ErrMalformed, ErrFrameTooLarge, size, limit)
	}
	// The buffer grows with the bytes that actually arrive, so a peer
	// announcing a large frame and sending little costs little memory.
	var buf bytes.Buffer
	buf.Grow(int(min(size, 64<<10)))
	if _, err := io.CopyN(&buf, r, int64(size)); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, nil, 0, fmt.Errorf("%w: truncated frame (%d bytes announced, %d sent)", ErrMalformed, size, buf.Len())
		}
		return 0, nil, 0, err
	}
	b := buf.Bytes()
	return b[0], b[1:], int(size), nil
}

func encodeRange(from, to uint64) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[:8], from)
	binary.BigEndian.PutUint64(b[8:], to)
	return b
}

func decodeRange(body []byte) (from, to uint64, err error) {
	if len(body) != 16 {
		return 0, 0, fmt.Errorf("%w: blocks request of %d bytes", ErrMalformed, len(body))
	}
	return binary.BigEndian.Uint64(body[:8]), binary.BigEndian.Uint64(body[8:]), nil
}

func encodeUint64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func decodeStatus(body []byte) (uint64, error) {
	if len(body) != 8 {
		return 0, fmt.Errorf("%w: status of %d bytes", ErrMalformed, len(body))
	}
	return binary.BigEndian.Uint64(body), nil
}

func blockHeader(height uint64, block []byte) []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint64(b[:8], height)
	binary.BigEndian.PutUint32(b[8:], uint32(len(block)))
	return b
}

// decodeBlock splits a block frame body. The slices alias body.
func decodeBlock(body []byte) (SyncedBlock, error) {
	if len(body) < 12 {
		return SyncedBlock{}, fmt.Errorf("%w: block frame of %d bytes", ErrMalformed, len(body))
	}
	height := binary.BigEndian.Uint64(body[:8])
	bl := binary.BigEndian.Uint32(body[8:12])
	rest := body[12:]
	if uint64(bl) > uint64(len(rest)) {
		return SyncedBlock{}, fmt.Errorf("%w: block length %d exceeds frame", ErrMalformed, bl)
	}
	if bl == 0 {
		return SyncedBlock{}, fmt.Errorf("%w: empty block at height %d", ErrMalformed, height)
	}
	return SyncedBlock{Height: height, Block: rest[:bl:bl], Cert: rest[bl:]}, nil
}

func encodeError(code byte, msg string) []byte {
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage]
	}
	return append([]byte{code}, msg...)
}

// decodeError turns an error frame into the matching sentinel error.
func decodeError(body []byte) error {
	if len(body) < 1 || len(body) > 1+maxErrorMessage || !utf8.Valid(body[1:]) {
		return fmt.Errorf("%w: error frame of %d bytes", ErrMalformed, len(body))
	}
	msg := string(body[1:])
	switch body[0] {
	case codeBadRequest:
		return fmt.Errorf("%w: %s", ErrBadRequest, msg)
	case codeUnavailable:
		return fmt.Errorf("%w: %s", ErrUnavailable, msg)
	case codeBusy:
		return fmt.Errorf("%w: %s", ErrBusy, msg)
	case codeInternal:
		return fmt.Errorf("%w: %s", ErrRemote, msg)
	}
	return fmt.Errorf("%w: code %d: %s", ErrRemote, body[0], msg)
}
