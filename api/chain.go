package api

// The chain reads a light client, a relayer, a checkpoint producer and a
// side → main release need: they read blocks, certificates, receipts and
// validator sets rather than module state, so every node serves them
// whatever its profile.
//
//	accord_getRawBlock(height)            {height, hash, header, cert, receipts}: 0x RLP of types.Header, types.CommitCert (empty until the node has one), each types.Receipt
//	accord_getBlockHashes(start, end)     ["0x…"]: the hashes of blocks start..end (at most MaxHashSpan); served from headers, so pruned bodies do not matter
//	accord_getBurnProof(tx[, start, end]) views.BurnProof: a burn's receipt and header; with the covering checkpoint's range, the full proof
//	accord_getValidators(height)          views.Validators: the set that finalizes that block (up to head + 1)

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rlp"
)

// The chain-read method names.
const (
	MethodRawBlock    = "accord_getRawBlock"
	MethodBlockHashes = "accord_getBlockHashes"
	MethodBurnProof   = "accord_getBurnProof"
	MethodValidators  = "accord_getValidators"
)

// MaxHashSpan bounds one accord_getBlockHashes answer (32 bytes a hash:
// 2 MiB of hex at most); a longer checkpoint is read in pieces.
const MaxHashSpan = 1 << 16

func (s *Server) registerChain() {
	s.Register(MethodRawBlock, s.getRawBlock)
	s.Register(MethodBlockHashes, s.getBlockHashes)
	s.Register(MethodBurnProof, s.getBurnProof)
	s.Register(MethodValidators, s.getValidators)
}

// ledgerErr maps an absent (or pruned) record to CodeNotFound.
func ledgerErr(err error) error {
	if errors.Is(err, ledger.ErrNotFound) {
		return NotFound(err)
	}
	return err
}

func (s *Server) getRawBlock(p json.RawMessage) (any, error) {
	var h uint64
	if err := Params(p, 1, &h); err != nil {
		return nil, err
	}
	l := s.b.Ledger()
	blk, err := l.Block(h)
	if err != nil {
		return nil, ledgerErr(err)
	}
	rs, err := l.Receipts(h)
	if err != nil {
		return nil, ledgerErr(err)
	}
	hdr, err := rlp.EncodeToBytes(&blk.Header)
	if err != nil {
		return nil, err
	}
	out := views.RawBlock{Height: h, Hash: blk.Hash(), Header: hdr, Receipts: make([]hexutil.Bytes, len(rs))}
	// A block synced as the head has no certificate until the next block
	// brings it (or the node's own commit); the rest is still the block.
	switch cert, err := l.Cert(h); {
	case err == nil:
		out.Cert = cert.Encode()
	case !errors.Is(err, ledger.ErrNotFound):
		return nil, err
	default:
		out.Cert = hexutil.Bytes{}
	}
	for i, r := range rs {
		if out.Receipts[i], err = rlp.EncodeToBytes(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// blockHashes returns the hashes of blocks start..end, read from their
// headers (which pruning keeps).
func blockHashes(l *ledger.Ledger, start, end uint64) ([]types.Hash, error) {
	if start == 0 || end < start || end-start >= MaxHashSpan {
		return nil, InvalidParams(fmt.Errorf("range [%d, %d]: want 1 ≤ start ≤ end, at most %d blocks", start, end, MaxHashSpan))
	}
	if last := l.Last().Height; end > last {
		return nil, NotFound(fmt.Errorf("block %d not committed (head is %d)", end, last))
	}
	out := make([]types.Hash, 0, end-start+1)
	for h := start; h <= end; h++ {
		hdr, err := l.Header(h)
		if err != nil {
			return nil, ledgerErr(err)
		}
		out = append(out, hdr.Hash())
	}
	return out, nil
}

func (s *Server) getBlockHashes(p json.RawMessage) (any, error) {
	var start, end uint64
	if err := Params(p, 2, &start, &end); err != nil {
		return nil, err
	}
	return blockHashes(s.b.Ledger(), start, end)
}

func (s *Server) getBurnProof(p json.RawMessage) (any, error) {
	var txs string
	var start, end uint64
	if err := Params(p, 1, &txs, &start, &end); err != nil {
		return nil, err
	}
	hash, err := types.ParseHash(txs)
	if err != nil {
		return nil, InvalidParams(err)
	}
	return BurnProof(s.b.Ledger(), hash, start, end)
}

// BurnProof builds accord_getBurnProof's answer for the burn in
// transaction tx (its first bridge.burned event); start and end (both or
// neither) are the covering checkpoint's range.
func BurnProof(l *ledger.Ledger, tx types.Hash, start, end uint64) (*views.BurnProof, error) {
	if (start == 0) != (end == 0) {
		return nil, InvalidParams(errors.New("give both start and end of the covering checkpoint, or neither"))
	}
	height, idx, err := l.TxLocation(tx)
	if err != nil {
		return nil, ledgerErr(err)
	}
	blk, err := l.Block(height)
	if err != nil {
		return nil, ledgerErr(err)
	}
	rs, err := l.Receipts(height)
	if err != nil {
		return nil, ledgerErr(err)
	}
	if idx >= len(rs) {
		return nil, fmt.Errorf("block %d has %d receipts, tx %s is at %d", height, len(rs), tx.Hex(), idx)
	}
	rc := rs[idx]
	if rc.Status != types.StatusOK {
		return nil, InvalidParams(fmt.Errorf("tx %s failed: nothing was burned", tx.Hex()))
	}
	ev := -1
	var burned *bridge.BurnedEvent
	for i, e := range rc.Events {
		if e.Type == bridge.EventBurned {
			if burned, err = bridge.DecodeBurned(e); err != nil {
				return nil, err
			}
			ev = i
			break
		}
	}
	if ev < 0 {
		return nil, InvalidParams(fmt.Errorf("tx %s emitted no %s event", tx.Hex(), bridge.EventBurned))
	}
	chain := l.ChainID()
	v := &views.BurnProof{ChainID: chain, Tx: tx, Height: height, ReceiptIndex: uint64(idx), EventIndex: uint64(ev),
		BurnID: proof.BurnID(chain, height, uint64(idx), uint64(ev)), Recipient: burned.Recipient, Amount: burned.Amount}
	if start == 0 {
		return v, nil
	}
	if height < start || height > end {
		return nil, InvalidParams(fmt.Errorf("burn at height %d is outside [%d, %d]", height, start, end))
	}
	hashes, err := blockHashes(l, start, end)
	if err != nil {
		return nil, err
	}
	rp, err := proof.ProveReceipt(rs, idx)
	if err != nil {
		return nil, err
	}
	path, err := proof.HeaderPath(hashes, int(height-start))
	if err != nil {
		return nil, err
	}
	bp := proof.BurnProof{Header: blk.Header, Receipt: *rp, HeaderPath: path, EventIndex: uint64(ev)}
	root := proof.BlocksRoot(hashes)
	// Check what main will check, so a wrong range fails here, readably.
	if _, _, err := bp.Verify(proof.Span{ChainID: chain, Start: start, End: end, BlocksRoot: root}); err != nil {
		return nil, fmt.Errorf("burn proof: %w", err)
	}
	v.Start, v.End, v.BlocksRoot, v.Proof = start, end, &root, bp.Encode()
	return v, nil
}

func (s *Server) getValidators(p json.RawMessage) (any, error) {
	var h uint64
	if err := Params(p, 1, &h); err != nil {
		return nil, err
	}
	l := s.b.Ledger()
	if last := l.Last().Height; h == 0 || h > last+1 {
		return nil, NotFound(fmt.Errorf("validators of block %d: head is %d", h, last))
	}
	vs, err := l.ValidatorSet(h)
	if err != nil {
		return nil, ledgerErr(err)
	}
	return views.Validators{Height: h, Hash: vs.Hash(), Validators: vs.Validators}, nil
}
