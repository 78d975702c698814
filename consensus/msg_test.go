package consensus

import (
	"bytes"
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
)

// sampleMessages returns one valid message of every kind.
func sampleMessages(t testing.TB) []*Message {
	fx := newFixture(t.(*testing.T), 4)
	a := fx.block(fx.primary(0), "a")
	p := fx.preparedCert(0, a.Hash(), 0, 1, 3)
	cert := &types.CommitCert{Height: 1, BlockHash: a.Hash()}
	for _, i := range []int{1, 2, 3} {
		cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(i), Sig: fx.vote(MsgCommit, i, 0, a.Hash()).Sig})
	}
	return []*Message{
		fx.proposal(fx.primary(0), 0, a),
		fx.vote(MsgPrepare, 1, 0, a.Hash()),
		fx.vote(MsgCommit, 2, 0, a.Hash()),
		fx.viewChange(1, 1, nil, nil),
		fx.viewChange(1, 1, p, a),
		fx.proposal(fx.primary(1), 1, a, fx.viewChange(1, 1, p, nil), fx.viewChange(2, 1, nil, nil), fx.viewChange(3, 1, nil, nil)),
		signMsg(&Message{Type: MsgDecision, Height: 1, BlockHash: a.Hash(), Block: a, Cert: cert}, fx.keys[1]),
	}
}

func TestMessageEncodingRoundTrip(t *testing.T) {
	for _, m := range sampleMessages(t) {
		raw := m.Encode()
		got, err := DecodeMessage(raw)
		if err != nil {
			t.Fatalf("%s: %v", m.Type, err)
		}
		if !bytes.Equal(got.Encode(), raw) {
			t.Fatalf("%s: re-encoding differs", m.Type)
		}
		if got.Digest(testChain) != m.Digest(testChain) {
			t.Fatalf("%s: digest changed", m.Type)
		}
		from, err := got.VerifySignature(testChain)
		if err != nil || from != m.From {
			t.Fatalf("%s: signature after decoding: %v", m.Type, err)
		}
		if _, err := got.VerifySignature("another-chain"); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("%s: a message for this chain verified on another: %v", m.Type, err)
		}
	}
}

func TestDecodeMessageRefusesGarbage(t *testing.T) {
	m := sampleMessages(t)[0]
	raw := m.Encode()
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"not a list", []byte{0x05}},
		{"truncated", raw[:len(raw)-3]},
		{"trailing bytes", append(bytes.Clone(raw), 0x00)},
		{"unknown type", (&Message{Type: 9, Height: 1, Sig: make([]byte, 65)}).Encode()},
		{"short signature", (&Message{Type: MsgPrepare, Height: 1, Sig: make([]byte, 3)}).Encode()},
	} {
		if _, err := DecodeMessage(tc.raw); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %v", tc.name, err)
		}
	}
}

func TestVoteSignaturesAreReusedInCertificates(t *testing.T) {
	fx := newFixture(t, 4)
	h := types.Hash{1}
	m := fx.vote(MsgCommit, 1, 2, h)
	if m.Digest(testChain) != types.CommitDigest(testChain, 1, 2, h) {
		t.Fatal("COMMIT digest is not the certificate digest")
	}
	p := fx.vote(MsgPrepare, 1, 2, h)
	if p.Digest(testChain) != types.VoteDigest(types.VotePrepare, testChain, 1, 2, h) {
		t.Fatal("PREPARE digest is not the prepared-certificate digest")
	}
	if p.Digest(testChain) == m.Digest(testChain) {
		t.Fatal("a PREPARE could be replayed as a COMMIT")
	}
}
