package consensus

import (
	"bytes"
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// withTxs gives the fixture's block b n signed transactions (fixing the
// header's count and root).
func withTxs(t *testing.T, b *types.Block, n int) *types.Block {
	t.Helper()
	c := *b
	c.Txs = nil
	for i := range n {
		tx, err := types.SignTx(&types.Tx{ChainID: testChain, Nonce: uint64(i), Type: 1, Payload: []byte{byte(i)}, Fee: 1}, testKey(1))
		if err != nil {
			t.Fatal(err)
		}
		c.Txs = append(c.Txs, tx)
	}
	c.Header.TxCount = uint32(n)
	c.Header.TxRoot = types.TxRoot(c.Txs)
	return &c
}

// receive decodes raw as a peer's gossip decoder does and checks the
// signature.
func receive(t *testing.T, raw []byte) *Message {
	t.Helper()
	m, err := DecodeMessage(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.VerifySignature(testChain); err != nil {
		t.Fatalf("compact proposal signature: %v", err)
	}
	return m
}

func TestCompactProposalIsRebuiltIntoTheSignedProposal(t *testing.T) {
	fx := newFixture(t, 4)
	b := withTxs(t, fx.block(fx.primary(0), "a"), 20)
	full := fx.proposal(fx.primary(0), 0, b)
	raw := full.EncodeCompact()
	if len(raw) >= len(full.Encode()) {
		t.Fatalf("compact proposal %d bytes, whole %d", len(raw), len(full.Encode()))
	}
	m := receive(t, raw)
	if !m.Incomplete() || m.Block != nil || m.Compact.Hash() != b.Hash() {
		t.Fatal("decoded compact proposal is not incomplete with the block's header")
	}
	if !bytes.Equal(m.Encode(), raw) {
		t.Fatal("compact proposal re-encodes differently")
	}

	// The engine refuses it until the block is attached.
	if err := fx.step(m); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("incomplete proposal: err = %v, want ErrIncomplete", err)
	}
	if n := fx.app.validated[b.Hash()]; n != 0 {
		t.Fatalf("incomplete proposal was validated %d times", n)
	}

	// Rebuilt from bodies decoded elsewhere (a peer's mempool).
	txs := make([]*types.Tx, len(b.Txs))
	for i, tx := range b.Txs {
		if txs[i], _ = types.DecodeTx(tx.Encode()); txs[i] == nil {
			t.Fatal("decode tx")
		}
	}
	rb, err := m.Compact.Rebuild(txs)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := m.WithBlock(rb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(whole.Encode(), full.Encode()) || whole.Digest(testChain) != full.Digest(testChain) {
		t.Fatal("rebuilt proposal differs from the signed one")
	}
	if err := fx.step(whole); err != nil {
		t.Fatalf("rebuilt proposal refused: %v", err)
	}
	if n := fx.app.validated[b.Hash()]; n != 1 {
		t.Fatalf("rebuilt block validated %d times, want 1", n)
	}
	if len(actionsOf[Broadcast](fx.out)) == 0 {
		t.Fatal("no PREPARE for the rebuilt proposal")
	}
}

func TestCompactEncodingLeavesOtherMessagesAlone(t *testing.T) {
	for _, m := range sampleMessages(t) {
		if m.Type == MsgProposal {
			continue
		}
		if !bytes.Equal(m.EncodeCompact(), m.Encode()) {
			t.Fatalf("%s: compact encoding differs", m.Type)
		}
	}
}

func TestCompactProposalShapeIsChecked(t *testing.T) {
	fx := newFixture(t, 4)
	b := withTxs(t, fx.block(fx.primary(0), "a"), 3)
	other := withTxs(t, fx.block(fx.primary(0), "b"), 3)
	good := fx.proposal(fx.primary(0), 0, b)
	m := receive(t, good.EncodeCompact())

	// A block that is not the named one cannot be attached.
	if _, err := m.WithBlock(other); !errors.Is(err, ErrMalformed) {
		t.Fatalf("attach another block: err = %v, want ErrMalformed", err)
	}
	if _, err := good.WithBlock(b); !errors.Is(err, ErrMalformed) {
		t.Fatalf("attach to a whole proposal: err = %v, want ErrMalformed", err)
	}

	cases := []struct {
		name string
		m    *Message
	}{
		{"compact block of another block", signMsg(&Message{Type: MsgProposal, Height: b.Height(), BlockHash: b.Hash(), Compact: other.Compact()}, fx.keys[fx.primary(0)])},
		{"compact and whole block", signMsg(&Message{Type: MsgProposal, Height: b.Height(), BlockHash: b.Hash(), Block: b, Compact: b.Compact()}, fx.keys[fx.primary(0)])},
		{"compact block on a PREPARE", signMsg(&Message{Type: MsgPrepare, Height: b.Height(), BlockHash: b.Hash(), Compact: b.Compact()}, fx.keys[1])},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.m.ValidateBasic(); !errors.Is(err, ErrMalformed) {
				t.Fatalf("ValidateBasic: err = %v, want ErrMalformed", err)
			}
		})
	}
	// On the wire, a message carrying both forms is refused by the decoder.
	w := wireMessage{Type: uint8(MsgProposal), Height: b.Height(), BlockHash: b.Hash(), Block: b.Encode(), Compact: b.Compact().Encode(), Sig: good.Sig}
	raw := encodeWire(t, &w)
	if _, err := DecodeMessage(raw); !errors.Is(err, ErrMalformed) {
		t.Fatalf("both forms on the wire: err = %v, want ErrMalformed", err)
	}
}

func encodeWire(t *testing.T, w *wireMessage) []byte {
	t.Helper()
	raw, err := rlp.EncodeToBytes(w)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
