package consensus

import (
	"crypto/ecdsa"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/accordnet/accord/sigcache"
	"github.com/accordnet/accord/types"
)

// acceptAll is an App whose blocks are always valid, so benchmarks measure
// the engine alone.
type acceptAll struct{ vals *types.ValidatorSet }

func (a acceptAll) ValidatorSet(uint64) (*types.ValidatorSet, error) { return a.vals, nil }
func (a acceptAll) ValidateBlock(*types.Block) error                 { return nil }

// benchHeight is the traffic validator 0 sees at one height: the primary's
// proposal (or, when 0 is the primary, the block it proposes) and every
// other validator's PREPARE and COMMIT.
type benchHeight struct {
	own  *types.Block
	msgs []*Message
}

func benchChain(n, heights int) ([]*ecdsa.PrivateKey, *types.ValidatorSet, []benchHeight) {
	_, keys := staticVals(n)
	addrs := make([]types.Address, n)
	for i, k := range keys {
		addrs[i] = types.PubkeyAddress(k)
	}
	vals, _ := types.NewValidatorSet(addrs)
	var out []benchHeight
	var parent types.Hash
	var cert *types.CommitCert
	t := uint64(genesisTime)
	for h := uint64(1); h <= uint64(heights); h++ {
		t++
		p := vals.Index(vals.Primary(h, 0))
		b := &types.Block{Header: types.Header{ChainID: testChain, Height: h, Time: t, ParentHash: parent, TxRoot: types.TxRoot(nil),
			ValidatorsHash: vals.Hash(), Proposer: addrs[p]}, LastCert: cert}
		if cert != nil {
			b.Header.LastCertHash = cert.Hash()
		}
		var bh benchHeight
		if p == 0 {
			bh.own = b
		} else {
			bh.msgs = append(bh.msgs, signMsg(&Message{Type: MsgProposal, Height: h, BlockHash: b.Hash(), Block: b}, keys[p]))
		}
		for _, kind := range []MsgType{MsgPrepare, MsgCommit} {
			for i := 1; i < n; i++ {
				bh.msgs = append(bh.msgs, signMsg(&Message{Type: kind, Height: h, BlockHash: b.Hash()}, keys[i]))
			}
		}
		cert = &types.CommitCert{Height: h, BlockHash: b.Hash()}
		for _, m := range bh.msgs {
			if m.Type == MsgCommit && len(cert.Sigs) < vals.Quorum() {
				cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(vals.Index(m.From)), Sig: m.Sig})
			}
		}
		parent = b.Hash()
		out = append(out, bh)
	}
	return keys, vals, out
}

// BenchmarkStep measures messages processed per second by one engine (a
// validator of n, with its own PREPARE/COMMIT signing and an in-memory WAL).
// "verify" recovers every signature; "precheckedSigs" shares a signature
// cache with a gossip validator that already checked them, which leaves the
// engine's own work.
func BenchmarkStep(b *testing.B) {
	for _, n := range []int{4, 7, 16} {
		keys, vals, chain := benchChain(n, 64)
		for _, cached := range []bool{false, true} {
			name := fmt.Sprintf("n=%d/verify", n)
			if cached {
				name = fmt.Sprintf("n=%d/precheckedSigs", n)
			}
			b.Run(name, func(b *testing.B) {
				var shared *sigcache.Cache
				if cached {
					shared = sigcache.New(1 << 16)
					for _, bh := range chain {
						for _, m := range bh.msgs {
							shared.Recover(m.Digest(testChain), m.Sig)
						}
					}
				}
				var eng *Engine
				next := len(chain)
				msgs := 0
				b.ResetTimer()
				for b.Loop() {
					if next == len(chain) {
						b.StopTimer()
						cfg := Config{ChainID: testChain, SigCache: shared}
						if shared == nil {
							cfg.SigCache = sigcache.New(1 << 16)
						}
						var err error
						eng, err = New(cfg, newKeySigner(keys[0]), acceptAll{vals}, NewMemWAL(), LastCommitted{Time: genesisTime})
						if err != nil {
							b.Fatal(err)
						}
						eng.Start()
						next = 0
						b.StartTimer()
					}
					bh := chain[next]
					next++
					if bh.own != nil {
						if _, err := eng.Propose(bh.own); err != nil {
							b.Fatal(err)
						}
					}
					for _, m := range bh.msgs {
						eng.Step(m)
						msgs++
					}
					if eng.Height() != bh.msgs[0].Height+1 {
						b.Fatalf("height %d not finalized", bh.msgs[0].Height)
					}
				}
				b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "heights/s")
			})
		}
	}
}

// BenchmarkCommitCert reports the encoded size of a commit certificate
// (quorum signatures of 65 bytes plus index, height, view and block hash)
// and the cost of verifying one.
func BenchmarkCommitCert(b *testing.B) {
	for _, n := range []int{1, 4, 7, 16, 64} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			_, keys := staticVals(n)
			addrs := make([]types.Address, n)
			for i, k := range keys {
				addrs[i] = types.PubkeyAddress(k)
			}
			vals, _ := types.NewValidatorSet(addrs)
			h := types.Keccak([]byte("block"))
			c := &types.CommitCert{Height: 1_000_000, View: 2, BlockHash: h}
			for i := range vals.Quorum() {
				sig, _ := types.SignDigest(types.CommitDigest(testChain, c.Height, c.View, h), keys[i])
				c.Sigs = append(c.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
			}
			size := len(c.Encode())
			for b.Loop() {
				if err := c.Verify(testChain, vals); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size), "bytes/cert")
			b.ReportMetric(float64(len(c.Sigs)), "sigs/cert")
		})
	}
}

// BenchmarkFileWALAppend is the fsync'ed append the engine does once per
// call that signs something.
func BenchmarkFileWALAppend(b *testing.B) {
	w, err := NewFileWAL(filepath.Join(b.TempDir(), "cs.wal"))
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	rec := make([]byte, 300)
	for b.Loop() {
		if err := w.Append(1, rec); err != nil {
			b.Fatal(err)
		}
	}
}
