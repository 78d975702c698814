package node

// The node-level JSON-RPC methods the two-chain system needs beyond the
// modules' queries, because they read blocks, certificates and receipts
// rather than module state: what the relayer carries between the chains
// and the proof a side → main release needs.
//
//	accord_getRawBlock(height)            {height, header, cert, receipts}: 0x RLP of types.Header, types.CommitCert, []types.Receipt each
//	accord_getBlockHashes(start, end)     ["0x…"]: the hashes of blocks start..end (at most maxHashSpan)
//	accord_getBurnProof(tx[, start, end]) BurnProofView: a burn's receipt and header; with the covering checkpoint's range, the full proof

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rlp"
)

// RPC method names.
const (
	MethodRawBlock    = "accord_getRawBlock"
	MethodBlockHashes = "accord_getBlockHashes"
	MethodBurnProof   = "accord_getBurnProof"
)

// maxHashSpan bounds one accord_getBlockHashes answer (32 bytes a hash:
// 2 MiB of hex at most); a longer checkpoint is read in pieces.
const maxHashSpan = 1 << 16

// RawBlock is accord_getRawBlock's answer (views.RawBlock, where the SDK
// can decode it too).
type RawBlock = views.RawBlock

// BurnProofView is accord_getBurnProof's answer (views.BurnProof).
type BurnProofView = views.BurnProof

// nodeMethods are the node-level JSON-RPC methods beyond the modules'
// queries: they read blocks, certificates, receipts and evidence.
func (n *Node) nodeMethods() map[string]api.Method {
	ms := map[string]api.Method{
		"accord_getEvidence": n.rpcEvidence,
		MethodRawBlock:       n.rpcRawBlock,
		MethodBlockHashes:    n.rpcBlockHashes,
		MethodBurnProof:      n.rpcBurnProof,
	}
	// The raw records the bridge signer, relayer and checkpointer read
	// (sidechain/rpcchain).
	var l *ledger.Ledger
	if n != nil {
		l = n.ledger
	}
	maps.Copy(ms, rpcchain.Methods(l))
	return ms
}

func ledgerErr(err error) error {
	if errors.Is(err, ledger.ErrNotFound) {
		return api.NotFound(err)
	}
	return err
}

func (n *Node) rpcRawBlock(p json.RawMessage) (any, error) {
	var h uint64
	if err := api.Params(p, 1, &h); err != nil {
		return nil, err
	}
	blk, err := n.ledger.Block(h)
	if err != nil {
		return nil, ledgerErr(err)
	}
	cert, err := n.ledger.Cert(h)
	if err != nil {
		return nil, ledgerErr(err)
	}
	rs, err := n.ledger.Receipts(h)
	if err != nil {
		return nil, ledgerErr(err)
	}
	hdr, err := rlp.EncodeToBytes(&blk.Header)
	if err != nil {
		return nil, err
	}
	out := RawBlock{Height: h, Hash: blk.Hash(), Header: hdr, Cert: cert.Encode(), Receipts: make([]hexutil.Bytes, len(rs))}
	for i, r := range rs {
		if out.Receipts[i], err = rlp.EncodeToBytes(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// blockHashes returns the hashes of blocks start..end.
func (n *Node) blockHashes(start, end uint64) ([]types.Hash, error) {
	if start == 0 || end < start || end-start >= maxHashSpan {
		return nil, api.InvalidParams(fmt.Errorf("range [%d, %d]: want 1 ≤ start ≤ end, at most %d blocks", start, end, maxHashSpan))
	}
	if last := n.ledger.Last().Height; end > last {
		return nil, api.NotFound(fmt.Errorf("block %d not committed (head is %d)", end, last))
	}
	out := make([]types.Hash, 0, end-start+1)
	for h := start; h <= end; h++ {
		b, err := n.ledger.Block(h)
		if err != nil {
			return nil, ledgerErr(err)
		}
		out = append(out, b.Hash())
	}
	return out, nil
}

func (n *Node) rpcBlockHashes(p json.RawMessage) (any, error) {
	var start, end uint64
	if err := api.Params(p, 2, &start, &end); err != nil {
		return nil, err
	}
	return n.blockHashes(start, end)
}

func (n *Node) rpcBurnProof(p json.RawMessage) (any, error) {
	var txs string
	var start, end uint64
	if err := api.Params(p, 1, &txs, &start, &end); err != nil {
		return nil, err
	}
	hash, err := types.ParseHash(txs)
	if err != nil {
		return nil, api.InvalidParams(err)
	}
	return n.BurnProof(hash, start, end)
}

// BurnProof builds accord_getBurnProof's answer for the burn in
// transaction tx (its first bridge.burned event); start and end (both or
// neither) are the covering checkpoint's range.
func (n *Node) BurnProof(tx types.Hash, start, end uint64) (*BurnProofView, error) {
	if (start == 0) != (end == 0) {
		return nil, api.InvalidParams(errors.New("give both start and end of the covering checkpoint, or neither"))
	}
	height, idx, err := n.ledger.TxLocation(tx)
	if err != nil {
		return nil, ledgerErr(err)
	}
	blk, err := n.ledger.Block(height)
	if err != nil {
		return nil, ledgerErr(err)
	}
	rs, err := n.ledger.Receipts(height)
	if err != nil {
		return nil, ledgerErr(err)
	}
	if idx >= len(rs) {
		return nil, fmt.Errorf("block %d has %d receipts, tx %s is at %d", height, len(rs), tx.Hex(), idx)
	}
	rc := rs[idx]
	if rc.Status != types.StatusOK {
		return nil, api.InvalidParams(fmt.Errorf("tx %s failed: nothing was burned", tx.Hex()))
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
		return nil, api.InvalidParams(fmt.Errorf("tx %s emitted no %s event", tx.Hex(), bridge.EventBurned))
	}
	chain := n.ledger.ChainID()
	v := &BurnProofView{ChainID: chain, Tx: tx, Height: height, ReceiptIndex: uint64(idx), EventIndex: uint64(ev),
		BurnID: proof.BurnID(chain, height, uint64(idx), uint64(ev)), Recipient: burned.Recipient, Amount: burned.Amount}
	if start == 0 {
		return v, nil
	}
	if height < start || height > end {
		return nil, api.InvalidParams(fmt.Errorf("burn at height %d is outside [%d, %d]", height, start, end))
	}
	hashes, err := n.blockHashes(start, end)
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
