package node

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
)

// joinChain is a four-validator chain with enough accounts for a
// multi-chunk snapshot, and the snapshot at its head.
type joinChain struct {
	vals    []*ecdsa.PrivateKey
	set     *types.ValidatorSet
	genesis []byte
	l       *ledger.Ledger
	m       *ledger.SnapshotManifest
	chunks  [][]byte
}

// sharedJoinChain is built once: the tests only read it.
var sharedJoinChain struct {
	once sync.Once
	jc   *joinChain
}

func newJoinChain(t *testing.T) *joinChain {
	t.Helper()
	sharedJoinChain.once.Do(func() { sharedJoinChain.jc = buildJoinChain(t, 6) })
	if sharedJoinChain.jc == nil {
		t.Fatal("join chain fixture failed")
	}
	return sharedJoinChain.jc
}

func buildJoinChain(t *testing.T, blocks int) *joinChain {
	t.Helper()
	jc := &joinChain{}
	var addrs []string
	for i := range 4 {
		k := banktest.DeterministicKey(1<<41 + uint64(i))
		jc.vals = append(jc.vals, k)
		addrs = append(addrs, types.PubkeyAddress(k).Hex())
	}
	senders := []*ecdsa.PrivateKey{banktest.DeterministicKey(1), banktest.DeterministicKey(2)}
	var g ledger.Genesis
	if err := json.Unmarshal(banktest.Genesis(jc.vals[0], senders, "1000", bank.ModuleAddress("treasury")), &g); err != nil {
		t.Fatal(err)
	}
	var bg bank.Genesis
	if err := json.Unmarshal(g.AppState["bank"], &bg); err != nil {
		t.Fatal(err)
	}
	for i := range 30_000 { // two chunks of state
		h := types.Keccak(binary.BigEndian.AppendUint64(nil, uint64(i)))
		var a types.Address
		copy(a[:], h[:])
		bg.Accounts = append(bg.Accounts, bank.GenesisAccount{Address: a.Hex(), Balance: "1"})
	}
	g.AppState["bank"], _ = json.Marshal(bg)
	g.Validators = addrs
	jc.genesis, _ = json.Marshal(g)
	jc.set, _ = g.ValidatorSet()
	l, err := ledger.New(kv.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	jc.l = l
	router := banktest.NewRouter()
	if err := l.InitGenesis(jc.genesis, router); err != nil {
		t.Fatal(err)
	}
	held := l.SnapshotEvery(uint64(blocks), nil)
	for h := 1; h <= blocks; h++ {
		last := l.Last()
		tmpl := ledger.Template{Time: last.Time + 1000, Proposer: jc.set.Validators[0]}
		if last.Height > 0 {
			tmpl.LastCert, _ = l.Cert(last.Height)
		}
		txs := []*types.Tx{banktest.Transfer(senders[0], uint64(h-1), types.PubkeyAddress(senders[1]), 7)}
		x, _, err := l.Build(tmpl, txs, router)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Commit(x, jc.cert(x.Block, 3)); err != nil {
			t.Fatal(err)
		}
	}
	s := <-held
	defer s.Close()
	var sink chunkList
	if jc.m, err = l.WriteSnapshot(s, &sink); err != nil {
		t.Fatal(err)
	}
	jc.chunks = sink
	if len(jc.chunks) < 2 {
		t.Fatalf("snapshot of %d chunks; the test wants several", len(jc.chunks))
	}
	return jc
}

type chunkList [][]byte

func (c *chunkList) WriteChunk(_ int, data []byte) error {
	*c = append(*c, bytes.Clone(data))
	return nil
}

// cert is a commit certificate by the first n validators.
func (jc *joinChain) cert(b *types.Block, n int) *types.CommitCert {
	c := &types.CommitCert{Height: b.Height(), BlockHash: b.Hash()}
	d := types.CommitDigest(banktest.ChainID, b.Height(), 0, b.Hash())
	for i := range n {
		sig, _ := types.SignDigest(d, jc.vals[i])
		c.Sigs = append(c.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
	}
	return c
}

// sign is key's vote for manifest m.
func sign(m *ledger.SnapshotManifest, key *ecdsa.PrivateKey) []byte {
	sig, _ := types.SignDigest(ledger.SnapshotVoteDigest(m.ChainID, m.Height, m.Hash()), key)
	return sig
}

// fakePeer is one peer of fakeSnapshotNet.
type fakePeer struct {
	manifest []byte
	sig      []byte
	chunks   [][]byte
	corrupt  map[int]bool // chunks it serves altered
	down     bool         // every chunk request fails
	block    []byte
	cert     []byte
}

type fakeSnapshotNet struct {
	mu     sync.Mutex
	peers  map[types.Address]*fakePeer
	order  []types.Address
	chunkQ map[types.Address]int
}

func newFakeSnapshotNet() *fakeSnapshotNet {
	return &fakeSnapshotNet{peers: map[types.Address]*fakePeer{}, chunkQ: map[types.Address]int{}}
}

func (f *fakeSnapshotNet) add(a types.Address, p *fakePeer) {
	f.peers[a] = p
	f.order = append(f.order, a)
}

func (f *fakeSnapshotNet) Peers() []types.Address { return f.order }

func (f *fakeSnapshotNet) SnapshotOffer(_ context.Context, a types.Address) ([]byte, []byte, error) {
	p := f.peers[a]
	if p.manifest == nil {
		return nil, nil, p2p.ErrUnavailable
	}
	return p.manifest, p.sig, nil
}

func (f *fakeSnapshotNet) SnapshotChunk(_ context.Context, a types.Address, _ uint64, i uint32) ([]byte, error) {
	f.mu.Lock()
	f.chunkQ[a]++
	f.mu.Unlock()
	p := f.peers[a]
	if p.down || int(i) >= len(p.chunks) {
		return nil, p2p.ErrUnavailable
	}
	data := bytes.Clone(p.chunks[i])
	if p.corrupt[int(i)] {
		data[len(data)/3] ^= 0x40
	}
	return data, nil
}

func (f *fakeSnapshotNet) FetchBlocks(_ context.Context, a types.Address, from, _ uint64) ([]p2p.SyncedBlock, error) {
	p := f.peers[a]
	if p.block == nil {
		return nil, p2p.ErrUnavailable
	}
	return []p2p.SyncedBlock{{Height: from, Block: p.block, Cert: p.cert}}, nil
}

func (jc *joinChain) honestPeer(signer int) *fakePeer {
	blk, _ := jc.l.BlockRaw(jc.m.Height)
	cert, _ := jc.l.Cert(jc.m.Height)
	p := &fakePeer{manifest: jc.m.Encode(), chunks: jc.chunks, block: blk, cert: cert.Encode()}
	if signer >= 0 {
		p.sig = sign(jc.m, jc.vals[signer])
	}
	return p
}

func peerAddr(i int) types.Address { return types.Address{0xee, byte(i)} }

func sameLedgerState(t *testing.T, a, b *ledger.Ledger) {
	t.Helper()
	var ea, eb [][2][]byte
	for _, x := range []struct {
		l   *ledger.Ledger
		out *[][2][]byte
	}{{a, &ea}, {b, &eb}} {
		x.l.ReadState().Iterate(nil, nil, false, func(k, v []byte) bool {
			*x.out = append(*x.out, [2][]byte{k, v})
			return true
		})
	}
	if len(ea) != len(eb) {
		t.Fatalf("%d state entries vs %d", len(ea), len(eb))
	}
	for i := range ea {
		if !bytes.Equal(ea[i][0], eb[i][0]) || !bytes.Equal(ea[i][1], eb[i][1]) {
			t.Fatalf("state entry %d differs: %q vs %q", i, ea[i][0], eb[i][0])
		}
	}
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestJoinBySnapshotRefetchesABadChunkElsewhere(t *testing.T) {
	jc := newJoinChain(t)
	net := newFakeSnapshotNet()
	liar := jc.honestPeer(0)
	liar.corrupt = map[int]bool{0: true}
	net.add(peerAddr(0), liar)
	net.add(peerAddr(1), jc.honestPeer(1))
	down := jc.honestPeer(2)
	down.down = true
	net.add(peerAddr(2), down)

	fresh, _ := ledger.New(kv.NewMemory())
	res, err := restoreFromPeers(context.Background(), fresh, jc.genesis, banktest.ChainID, jc.set, net, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if res.Height != 6 || res.Chunks != len(jc.chunks) || res.Refused != 1 {
		t.Fatalf("join result %+v; want height 6, %d chunks, 1 refused", res, len(jc.chunks))
	}
	sameLedgerState(t, jc.l, fresh)
	if got := fresh.Last(); got.Height != 6 || got.AppHash != jc.m.AppHash {
		t.Fatalf("joined at %+v", got)
	}
	// The peer that sent a bad chunk was asked for at most the chunks of
	// the window it was in, never after.
	if q := net.chunkQ[peerAddr(0)]; q > snapshotWindow {
		t.Fatalf("the lying peer was asked for %d chunks after lying", q)
	}
}

func TestJoinBySnapshotTrustsOnlyMoreThanAThirdOfTheValidators(t *testing.T) {
	jc := newJoinChain(t)
	// A forged manifest: a higher height and one chunk of made-up state.
	forgedChunk := []byte("\x05hello\x05world")
	forged := &ledger.SnapshotManifest{ChainID: jc.m.ChainID, Height: 99, BlockHash: jc.m.BlockHash, AppHash: jc.m.AppHash,
		Time: jc.m.Time, Keys: 1, Chunks: []types.Hash{types.Keccak(forgedChunk)}}
	outsider := banktest.DeterministicKey(777)
	forgedPeer := func(key *ecdsa.PrivateKey) *fakePeer {
		return &fakePeer{manifest: forged.Encode(), sig: sign(forged, key), chunks: [][]byte{forgedChunk}}
	}
	cases := []struct {
		name    string
		peers   []*fakePeer
		want    uint64 // joined height; 0: ErrNoTrustedSnapshot
		wantErr error
	}{
		{"two validators' signatures are enough", []*fakePeer{jc.honestPeer(0), jc.honestPeer(3)}, 6, nil},
		{"one validator is not", []*fakePeer{jc.honestPeer(0), jc.honestPeer(-1)}, 0, ErrNoTrustedSnapshot},
		{"the same validator twice is one", []*fakePeer{jc.honestPeer(2), jc.honestPeer(2)}, 0, ErrNoTrustedSnapshot},
		{"a higher forgery by one validator loses to the trusted one",
			[]*fakePeer{forgedPeer(jc.vals[3]), jc.honestPeer(0), jc.honestPeer(1)}, 6, nil},
		{"outsiders' signatures do not count",
			[]*fakePeer{forgedPeer(outsider), forgedPeer(banktest.DeterministicKey(778)), jc.honestPeer(0)}, 0, ErrNoTrustedSnapshot},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			net := newFakeSnapshotNet()
			for i, p := range tc.peers {
				net.add(peerAddr(i), p)
			}
			fresh, _ := ledger.New(kv.NewMemory())
			res, err := restoreFromPeers(context.Background(), fresh, jc.genesis, banktest.ChainID, jc.set, net, quietLog())
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
				if fresh.Initialized() || fresh.Restoring() {
					t.Fatal("a refused join wrote to the ledger")
				}
				return
			}
			if err != nil || res.Height != tc.want {
				t.Fatalf("joined %+v, %v; want height %d", res, err, tc.want)
			}
			sameLedgerState(t, jc.l, fresh)
		})
	}
}

// A snapshot whose block certificate does not verify (too few validators
// signed it) is not finished.
func TestJoinBySnapshotChecksTheBlockCertificate(t *testing.T) {
	jc := newJoinChain(t)
	blk, _ := jc.l.Block(jc.m.Height)
	net := newFakeSnapshotNet()
	for i := range 2 {
		p := jc.honestPeer(i)
		p.cert = jc.cert(blk, 2).Encode() // 2 of 4: no quorum
		net.add(peerAddr(i), p)
	}
	fresh, _ := ledger.New(kv.NewMemory())
	_, err := restoreFromPeers(context.Background(), fresh, jc.genesis, banktest.ChainID, jc.set, net, quietLog())
	if !errors.Is(err, types.ErrNoQuorum) {
		t.Fatalf("err %v, want ErrNoQuorum", err)
	}
	if fresh.Initialized() {
		t.Fatal("joined on an uncertified block")
	}
}

// A chain whose validators changed since genesis: its snapshot is signed
// by validators genesis does not name. The joiner counts them only when
// its operator trusts that set (JoinOptions.Trust), and then no longer
// counts genesis validators outside it.
func TestJoinBySnapshotTrustsTheGivenSet(t *testing.T) {
	jc := newJoinChain(t)
	newKeys := []*ecdsa.PrivateKey{banktest.DeterministicKey(901), banktest.DeterministicKey(902), banktest.DeterministicKey(903)}
	var newAddrs []types.Address
	for _, k := range newKeys {
		newAddrs = append(newAddrs, types.PubkeyAddress(k))
	}
	signedBy := func(key *ecdsa.PrivateKey) *fakePeer {
		p := jc.honestPeer(-1)
		p.sig = sign(jc.m, key)
		return p
	}
	newSetPeers := []*fakePeer{signedBy(newKeys[0]), signedBy(newKeys[2])}
	oldSetPeers := []*fakePeer{jc.honestPeer(0), jc.honestPeer(1)}
	cases := []struct {
		name  string
		trust []types.Address
		peers []*fakePeer
		join  bool
	}{
		{"genesis trusted: the new set's signatures do not count", nil, newSetPeers, false},
		{"the new set trusted: two of its three are enough", newAddrs, newSetPeers, true},
		{"the new set trusted: genesis signatures no longer count", newAddrs, oldSetPeers, false},
		{"genesis trusted: genesis signatures count", nil, oldSetPeers, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			trusted, allow, err := joinTrust(jc.set, tc.trust)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range append(slices.Clone(jc.set.Validators), tc.trust...) {
				if !slices.Contains(allow, a) {
					t.Errorf("%s may not serve the joiner", a.Hex())
				}
			}
			if len(allow) != len(jc.set.Validators)+len(tc.trust) {
				t.Errorf("allow-list %d long, want %d", len(allow), len(jc.set.Validators)+len(tc.trust))
			}
			net := newFakeSnapshotNet()
			for i, p := range tc.peers {
				net.add(peerAddr(i), p)
			}
			fresh, _ := ledger.New(kv.NewMemory())
			res, err := restoreFromPeers(context.Background(), fresh, jc.genesis, banktest.ChainID, trusted, net, quietLog())
			if !tc.join {
				if !errors.Is(err, ErrNoTrustedSnapshot) || fresh.Initialized() || fresh.Restoring() {
					t.Fatalf("err %v, initialized %v; want ErrNoTrustedSnapshot and nothing written", err, fresh.Initialized())
				}
				return
			}
			if err != nil || res.Height != jc.m.Height {
				t.Fatalf("joined %+v, %v; want height %d", res, err, jc.m.Height)
			}
			sameLedgerState(t, jc.l, fresh)
		})
	}
	if _, _, err := joinTrust(jc.set, []types.Address{newAddrs[0], newAddrs[0]}); err == nil {
		t.Error("a trusted set naming one validator twice was taken")
	}
}
