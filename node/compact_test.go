package node

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// fakeFetcher serves bodies per peer; a peer's forge map replaces the body
// it serves for a hash.
type fakeFetcher struct {
	mu     sync.Mutex
	peers  []types.Address
	held   map[types.Address]map[types.Hash][]byte
	forge  map[types.Address]map[types.Hash][]byte
	asked  []types.Address
	hashes [][]types.Hash
}

func (f *fakeFetcher) FetchTxs(_ context.Context, peer types.Address, hs []types.Hash) ([][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, peer)
	f.hashes = append(f.hashes, slices.Clone(hs))
	out := make([][]byte, len(hs))
	for i, h := range hs {
		if b, ok := f.forge[peer][h]; ok {
			out[i] = b
		} else {
			out[i] = f.held[peer][h]
		}
	}
	return out, nil
}

func (f *fakeFetcher) FetchPeers() []types.Address { return f.peers }

type rebuildEnv struct {
	r         *rebuilder
	pool      map[types.Hash]*types.Tx
	fetch     *fakeFetcher
	delivered chan *consensus.Message
	mu        sync.Mutex
	results   []string
}

func newRebuildEnv(t *testing.T) *rebuildEnv {
	e := &rebuildEnv{pool: make(map[types.Hash]*types.Tx), delivered: make(chan *consensus.Message, 4),
		fetch: &fakeFetcher{held: make(map[types.Address]map[types.Hash][]byte), forge: make(map[types.Address]map[types.Hash][]byte)}}
	lookup := func(hs []types.Hash, out []*types.Tx) int {
		e.mu.Lock()
		defer e.mu.Unlock()
		n := 0
		for i, h := range hs {
			if out[i] == nil && e.pool[h] != nil {
				out[i] = e.pool[h]
				n++
			}
		}
		return n
	}
	count := func(r string) { e.mu.Lock(); e.results = append(e.results, r); e.mu.Unlock() }
	e.r = newRebuilder(context.Background(), lookup, &recentBlocks{}, e.fetch, func() uint64 { return 0 },
		func(m *consensus.Message) { e.delivered <- m }, slog.New(slog.DiscardHandler), count)
	e.r.grace = 0 // fetch at once unless a test waits for gossip
	t.Cleanup(e.r.close)
	return e
}

func (e *rebuildEnv) outcomes() []string {
	e.r.wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.results)
}

var (
	proposerAddr = types.Address{0xa1}
	otherPeer    = types.Address{0xb2}
)

// compactProposal makes a height-1 block of n transactions and its
// proposal as a peer decodes it (compact).
func compactProposal(t *testing.T, n int) (*types.Block, *consensus.Message) {
	t.Helper()
	key, _ := crypto.GenerateKey()
	var txs []*types.Tx
	for i := range n {
		tx, err := types.SignTx(&types.Tx{ChainID: "c", Nonce: uint64(i), Type: 1, Payload: []byte{byte(i)}, Fee: 1}, key)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	b := &types.Block{Header: types.Header{ChainID: "c", Height: 1, Time: 5, TxRoot: types.TxRoot(txs), TxCount: uint32(n), Proposer: proposerAddr}, Txs: txs}
	m := &consensus.Message{Type: consensus.MsgProposal, Height: 1, BlockHash: b.Hash(), Compact: b.Compact(), From: proposerAddr, Sig: make([]byte, 65)}
	return b, m
}

// copyOf decodes tx again: a body held or fetched by another node.
func copyOf(t *testing.T, tx *types.Tx) *types.Tx {
	c, err := types.DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *rebuildEnv) hold(peer types.Address, txs ...*types.Tx) {
	if e.fetch.held[peer] == nil {
		e.fetch.held[peer] = make(map[types.Hash][]byte)
	}
	for _, tx := range txs {
		e.fetch.held[peer][tx.Hash()] = tx.Encode()
	}
}

func waitRebuilt(t *testing.T, e *rebuildEnv, b *types.Block) {
	t.Helper()
	select {
	case m := <-e.delivered:
		if m.Incomplete() || m.Block == nil || m.Block.Hash() != b.Hash() || string(m.Block.Encode()) != string(b.Encode()) {
			t.Fatal("delivered proposal is not the whole block")
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("proposal not delivered; outcomes %v", e.outcomes())
	}
}

func TestRebuildFromTheMempoolAlone(t *testing.T) {
	e := newRebuildEnv(t)
	b, m := compactProposal(t, 50)
	for _, tx := range b.Txs {
		e.pool[tx.Hash()] = copyOf(t, tx)
	}
	e.r.offer(m)
	waitRebuilt(t, e, b)
	if got := e.outcomes(); !slices.Equal(got, []string{"mempool"}) || len(e.fetch.asked) != 0 {
		t.Fatalf("outcomes %v, fetches %v", got, e.fetch.asked)
	}
	// The re-broadcast is completed from the kept block.
	e.r.offer(m)
	waitRebuilt(t, e, b)
	if got := e.outcomes(); !slices.Equal(got, []string{"mempool", "recent"}) {
		t.Fatalf("outcomes %v", got)
	}
}

func TestRebuildFetchesOnlyWhatIsMissing(t *testing.T) {
	e := newRebuildEnv(t)
	b, m := compactProposal(t, 40)
	var missing []types.Hash
	for i, tx := range b.Txs {
		if i%4 == 0 {
			missing = append(missing, tx.Hash())
			continue
		}
		e.pool[tx.Hash()] = copyOf(t, tx)
	}
	e.hold(proposerAddr, b.Txs...)
	e.fetch.peers = []types.Address{otherPeer, proposerAddr}
	e.r.offer(m)
	waitRebuilt(t, e, b)
	if got := e.outcomes(); !slices.Equal(got, []string{"fetched"}) {
		t.Fatalf("outcomes %v", got)
	}
	if !slices.Equal(e.fetch.asked, []types.Address{proposerAddr}) || !slices.Equal(e.fetch.hashes[0], missing) {
		t.Fatalf("asked %v for %d hashes, want the proposer for the %d missing", e.fetch.asked, len(e.fetch.hashes[0]), len(missing))
	}
}

func TestRebuildRefusesAWrongBodyAndAsksAnotherPeer(t *testing.T) {
	e := newRebuildEnv(t)
	b, m := compactProposal(t, 10)
	for _, tx := range b.Txs[1:] {
		e.pool[tx.Hash()] = copyOf(t, tx)
	}
	// The proposer answers tx 0 with tx 1's body; the other peer is honest.
	e.fetch.forge[proposerAddr] = map[types.Hash][]byte{b.Txs[0].Hash(): b.Txs[1].Encode()}
	e.hold(otherPeer, b.Txs[0])
	e.fetch.peers = []types.Address{otherPeer}
	e.r.offer(m)
	waitRebuilt(t, e, b)
	if !slices.Equal(e.fetch.asked, []types.Address{proposerAddr, otherPeer}) {
		t.Fatalf("asked %v", e.fetch.asked)
	}

	// With nobody honest the proposal is dropped, never delivered.
	e2 := newRebuildEnv(t)
	e2.fetch.forge[proposerAddr] = map[types.Hash][]byte{b.Txs[0].Hash(): b.Txs[1].Encode()}
	for _, tx := range b.Txs[1:] {
		e2.pool[tx.Hash()] = copyOf(t, tx)
	}
	e2.r.offer(m)
	if got := e2.outcomes(); !slices.Equal(got, []string{"fetch_failed"}) {
		t.Fatalf("outcomes %v", got)
	}
	if len(e2.delivered) != 0 {
		t.Fatal("a proposal with a forged body was delivered")
	}
}

func TestRebuildDropsWhatItMustNotFetch(t *testing.T) {
	t.Run("more missing than the bound", func(t *testing.T) {
		e := newRebuildEnv(t)
		hs := make([]types.Hash, maxRebuildMissing+1)
		for i := range hs {
			hs[i] = types.Keccak([]byte{byte(i), byte(i >> 8), byte(i >> 16)})
		}
		c := &types.CompactBlock{Header: types.Header{ChainID: "c", Height: 1, Time: 5, TxRoot: types.MerkleRoot(hs), TxCount: uint32(len(hs))}, TxHashes: hs}
		if err := c.CheckStructure(); err != nil {
			t.Fatal(err)
		}
		m := &consensus.Message{Type: consensus.MsgProposal, Height: 1, BlockHash: c.Hash(), Compact: c, From: proposerAddr, Sig: make([]byte, 65)}
		e.r.offer(m)
		if got := e.outcomes(); !slices.Equal(got, []string{"too_many_missing"}) || len(e.fetch.asked) != 0 {
			t.Fatalf("outcomes %v, fetches %v", got, e.fetch.asked)
		}
	})
	t.Run("a height the engine is not deciding", func(t *testing.T) {
		e := newRebuildEnv(t)
		e.r.head = func() uint64 { return 5 }
		_, m := compactProposal(t, 3)
		e.r.offer(m)
		if got := e.outcomes(); !slices.Equal(got, []string{"height"}) || len(e.fetch.asked) != 0 {
			t.Fatalf("outcomes %v, fetches %v", got, e.fetch.asked)
		}
	})
	t.Run("after close", func(t *testing.T) {
		e := newRebuildEnv(t)
		b, m := compactProposal(t, 3)
		e.hold(proposerAddr, b.Txs...)
		e.r.close()
		e.r.offer(m)
		if got := e.outcomes(); len(got) != 0 || len(e.fetch.asked) != 0 || len(e.delivered) != 0 {
			t.Fatalf("outcomes %v, fetches %v after close", got, e.fetch.asked)
		}
	})
	t.Run("a fetch for the same block is under way", func(t *testing.T) {
		e := newRebuildEnv(t)
		b, m := compactProposal(t, 3)
		e.hold(proposerAddr, b.Txs...)
		e.r.inflight[m.BlockHash] = true // as if the first copy were being fetched
		e.r.offer(m)
		if got := e.outcomes(); !slices.Equal(got, []string{"in_flight"}) || len(e.fetch.asked) != 0 {
			t.Fatalf("outcomes %v, fetches %v", got, e.fetch.asked)
		}
	})
}

func TestTxSourceServesPoolAndRecentBlocks(t *testing.T) {
	b, _ := compactProposal(t, 3)
	r := &recentBlocks{}
	r.add(b)
	out := make([]*types.Tx, 4)
	hs := []types.Hash{b.Txs[2].Hash(), {0x01}, b.Txs[0].Hash(), b.Txs[1].Hash()}
	if n := r.fill(hs, out); n != 3 || out[0] != b.Txs[2] || out[1] != nil || out[3] != b.Txs[1] {
		t.Fatalf("fill = %d, %v", n, out)
	}
	if r.block(b.Hash()) != b || r.block(types.Hash{}) != nil {
		t.Fatal("block lookup")
	}
	// Older blocks give way to newer ones.
	for i := range recentBlockKeep {
		nb := &types.Block{Header: types.Header{ChainID: "c", Height: uint64(10 + i), TxRoot: types.TxRoot(nil)}}
		r.add(nb)
	}
	if r.block(b.Hash()) != nil {
		t.Fatal("the oldest block was kept past the bound")
	}
}

func TestRebuildWaitsBrieflyForGossipBeforeFetching(t *testing.T) {
	e := newRebuildEnv(t)
	e.r.grace = 20 * time.Second // generous: the batch is admitted long before
	adm := newAdmissions()
	e.r.admitting = adm.state
	b, m := compactProposal(t, 8)
	for _, tx := range b.Txs[:4] {
		e.pool[tx.Hash()] = copyOf(t, tx)
	}
	e.hold(proposerAddr, b.Txs...)
	adm.begin() // the batch holding the rest is being admitted
	e.r.offer(m)
	e.mu.Lock()
	for _, tx := range b.Txs[4:] {
		e.pool[tx.Hash()] = copyOf(t, tx)
	}
	e.mu.Unlock()
	adm.end()
	waitRebuilt(t, e, b)
	if got := e.outcomes(); !slices.Equal(got, []string{"gossip"}) || len(e.fetch.asked) != 0 {
		t.Fatalf("outcomes %v, fetches %v", got, e.fetch.asked)
	}
}
