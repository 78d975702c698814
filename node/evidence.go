package node

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// storedEvidence is how an equivocation is kept in the ledger database:
// both conflicting votes as signed, so anyone can check them again.
type storedEvidence struct {
	Validator     types.Address
	Height, View  uint64
	Kind          uint8
	First, Second []byte
}

// recordEvidence stores an equivocation durably (once per validator,
// height, view and vote kind). Putting it on chain and slashing are future
// work; today it is logged, counted in accord_equivocations_total, kept
// across restarts and served by accord_getEvidence.
func (n *Node) recordEvidence(e consensus.Evidence) {
	rec := storedEvidence{Validator: e.Validator, Height: e.Height, View: e.View, Kind: uint8(e.Kind),
		First: e.First.Encode(), Second: e.Second.Encode()}
	raw, err := rlp.EncodeToBytes(&rec)
	if err != nil {
		n.log.Error("encode evidence", "err", err)
		return
	}
	id := append(binary.BigEndian.AppendUint64(e.Validator.Bytes(), e.View), uint8(e.Kind))
	if _, err := n.ledger.SaveEvidence(e.Height, id, raw); err != nil {
		n.log.Error("store evidence", "err", err)
	}
}

// maxEvidenceList bounds one Evidence answer.
const maxEvidenceList = 1000

// Evidence returns the equivocations this node has recorded at or above
// height from, oldest first (at most 1000).
func (n *Node) Evidence(from uint64) ([]consensus.Evidence, error) {
	recs, err := n.ledger.Evidence(from, maxEvidenceList)
	if err != nil {
		return nil, err
	}
	out := make([]consensus.Evidence, 0, len(recs))
	for _, r := range recs {
		var s storedEvidence
		if err := rlp.DecodeBytes(r.Raw, &s); err != nil {
			return nil, fmt.Errorf("evidence at height %d: %w", r.Height, err)
		}
		first, err := consensus.DecodeMessage(s.First)
		if err != nil {
			return nil, fmt.Errorf("evidence at height %d: %w", r.Height, err)
		}
		second, err := consensus.DecodeMessage(s.Second)
		if err != nil {
			return nil, fmt.Errorf("evidence at height %d: %w", r.Height, err)
		}
		out = append(out, consensus.Evidence{Validator: s.Validator, Height: s.Height, View: s.View,
			Kind: consensus.MsgType(s.Kind), First: first, Second: second})
	}
	return out, nil
}

// rpcEvidence serves accord_getEvidence([fromHeight]).
func (n *Node) rpcEvidence(p json.RawMessage) (any, error) {
	var from uint64
	if err := api.Params(p, 0, &from); err != nil {
		return nil, err
	}
	evs, err := n.Evidence(from)
	if err != nil {
		return nil, err
	}
	out := make([]views.Evidence, len(evs))
	for i, e := range evs {
		out[i] = views.Evidence{Validator: e.Validator.Hex(), Height: e.Height, View: e.View, Kind: e.Kind.String(),
			First: views.Hex0x(e.First.Encode()), Second: views.Hex0x(e.Second.Encode())}
	}
	return out, nil
}
