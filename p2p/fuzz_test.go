package p2p

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"testing"
)

// FuzzReadBlocks feeds arbitrary bytes to the requester's decoder: it
// must never panic, and whatever it accepts must satisfy the protocol.
func FuzzReadBlocks(f *testing.F) {
	var ok bytes.Buffer
	for h := uint64(5); h <= 7; h++ {
		_ = writeFrame(&ok, kindBlock, blockHeader(h, []byte("blk")), []byte("blk"), []byte("cert"))
	}
	_ = writeFrame(&ok, kindEnd)
	f.Add(ok.Bytes(), uint64(5), uint16(2))
	var e bytes.Buffer
	_ = writeFrame(&e, kindError, encodeError(codeUnavailable, "height is 3"))
	f.Add(e.Bytes(), uint64(5), uint16(0))
	f.Add([]byte{0, 0, 0, 1, kindEnd}, uint64(0), uint16(10))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff}, uint64(1), uint16(1))

	f.Fuzz(func(t *testing.T, data []byte, from uint64, span uint16) {
		to := from + uint64(span)
		if to < from {
			to = ^uint64(0)
		}
		const budget = 1 << 16
		blocks, err := readBlocks(bytes.NewReader(data), from, to, budget)
		if err != nil {
			return
		}
		if len(blocks) == 0 || len(blocks) > MaxSyncBlocks || uint64(len(blocks))-1 > to-from {
			t.Fatalf("accepted %d blocks for %d..%d", len(blocks), from, to)
		}
		for i, b := range blocks {
			if b.Height != from+uint64(i) || len(b.Block) == 0 {
				t.Fatalf("block %d: height %d, %d bytes", i, b.Height, len(b.Block))
			}
		}
	})
}

// FuzzServeRequest feeds arbitrary request bytes to the server: it must
// never panic, and every answer it writes must decode on the requesting
// side as blocks, a status, or one of the sentinel errors — never as
// malformed.
func FuzzServeRequest(f *testing.F) {
	req := func(kind byte, body []byte) []byte {
		var b bytes.Buffer
		_ = writeFrame(&b, kind, body)
		return b.Bytes()
	}
	f.Add(req(kindStatusReq, nil))
	f.Add(req(kindBlocksReq, encodeRange(1, 10)))
	f.Add(req(kindBlocksReq, encodeRange(250, 400)))
	f.Add(req(kindBlocksReq, encodeRange(9, 3)))
	f.Add(req(kindBlocksReq, []byte("short")))
	f.Add(req(0x42, nil))
	f.Add([]byte{0, 0, 0})

	h := &Host{cfg: Config{syncBudget: 1 << 16}}
	h.sync.init(&fakeSource{height: 300, blockSize: 1000, gaps: map[uint64]bool{100: true}})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		if err := h.handleRequest(bytes.NewReader(in), &out, log); err != nil {
			return // unreadable request: the stream is reset
		}
		kind, body, _, err := readFrame(bytes.NewReader(in), maxRequestFrame)
		if err != nil {
			t.Fatalf("served a request the reader refuses: %v", err)
		}
		switch kind {
		case kindBlocksReq:
			from, to, derr := decodeRange(body)
			if derr != nil {
				from, to = 0, 0
			}
			_, err = readBlocks(&out, from, to, h.syncBudget())
		default:
			_, err = readStatus(&out)
		}
		if errors.Is(err, ErrMalformed) {
			t.Fatalf("server answer is malformed: %v", err)
		}
	})
}
