package consensus

import (
	"crypto/ecdsa"
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
)

// fixture is one engine under test (validator 0 of n) plus the keys of the
// other validators, used to craft their messages by hand.
type fixture struct {
	t    *testing.T
	n    int
	keys []*ecdsa.PrivateKey
	vals *types.ValidatorSet
	app  *chainApp
	wal  *MemWAL
	cfg  Config
	eng  *Engine
	out  []Action // actions of the last call
}

func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	valsFn, keys := staticVals(n)
	fx := &fixture{t: t, n: n, keys: keys, vals: valsFn(1), app: newChainApp(valsFn), wal: NewMemWAL(),
		cfg: Config{ChainID: testChain, BaseTimeoutTicks: 10, MaxTimeoutTicks: 80, RebroadcastTicks: 1000, SyncRetryTicks: 5}}
	fx.restart()
	return fx
}

// restart builds a new engine from the fixture's WAL and ledger, as after a crash.
func (fx *fixture) restart() {
	fx.t.Helper()
	eng, err := New(fx.cfg, newKeySigner(fx.keys[0]), fx.app, fx.wal, fx.app.last())
	if err != nil {
		fx.t.Fatalf("New: %v", err)
	}
	fx.eng = eng
	fx.out = eng.Start()
}

func (fx *fixture) addr(i int) types.Address { return types.PubkeyAddress(fx.keys[i]) }

// step feeds m and applies any Commit to the ledger.
func (fx *fixture) step(m *Message) error {
	fx.t.Helper()
	acts, err := fx.eng.Step(m)
	fx.out = acts
	fx.applyCommits()
	return err
}

func (fx *fixture) tick(n int) {
	fx.out = nil
	for range n {
		fx.out = append(fx.out, fx.eng.Tick()...)
	}
	fx.applyCommits()
}

func (fx *fixture) applyCommits() {
	for _, c := range actionsOf[Commit](fx.out) {
		if err := fx.app.apply(c.Block, c.Cert); err != nil {
			fx.t.Fatalf("apply: %v", err)
		}
	}
}

// block builds a valid block for the engine's current height proposed by
// validator i (the proposer field; who signs is up to the caller).
func (fx *fixture) block(i int, payload string) *types.Block {
	e := fx.eng
	req := RequestProposal{Height: e.hs.height, Parent: e.last.Hash, ParentTime: e.last.Time, LastCert: e.last.Cert, ValidatorsHash: fx.vals.Hash()}
	if e.hs.height == 1 {
		req.LastCert = nil
	}
	return fx.app.build(req, fx.addr(i), types.Keccak([]byte(payload)), 0)
}

func (fx *fixture) primary(v uint64) int {
	return fx.vals.Index(fx.vals.Primary(fx.eng.hs.height, v))
}

func (fx *fixture) proposal(signer int, v uint64, b *types.Block, just ...*Message) *Message {
	return signMsg(&Message{Type: MsgProposal, Height: b.Height(), View: v, BlockHash: b.Hash(), Block: b, Justification: just}, fx.keys[signer])
}

func (fx *fixture) vote(t MsgType, signer int, v uint64, hash types.Hash) *Message {
	return signMsg(&Message{Type: t, Height: fx.eng.hs.height, View: v, BlockHash: hash}, fx.keys[signer])
}

// preparedCert signs PREPAREs for hash at view v by the given validators.
func (fx *fixture) preparedCert(v uint64, hash types.Hash, signers ...int) *PreparedCert {
	p := &PreparedCert{Height: fx.eng.hs.height, View: v, BlockHash: hash}
	for _, i := range signers {
		p.Sigs = append(p.Sigs, types.CommitSig{Index: uint32(i), Sig: fx.vote(MsgPrepare, i, v, hash).Sig})
	}
	return p
}

func (fx *fixture) viewChange(signer int, v uint64, p *PreparedCert, body *types.Block) *Message {
	return signMsg(&Message{Type: MsgViewChange, Height: fx.eng.hs.height, View: v, Prepared: p, Block: body}, fx.keys[signer])
}

// finalize drives the current height to a commit with block b at view 0
// (the engine is a backup).
func (fx *fixture) finalize(b *types.Block) {
	fx.t.Helper()
	p := fx.primary(0)
	if err := fx.step(fx.proposal(p, 0, b)); err != nil {
		fx.t.Fatalf("proposal: %v", err)
	}
	for i := 1; i < fx.n; i++ {
		fx.step(fx.vote(MsgPrepare, i, 0, b.Hash()))
	}
	h := fx.eng.hs.height
	for i := 1; i < fx.n && fx.eng.hs.height == h; i++ {
		fx.step(fx.vote(MsgCommit, i, 0, b.Hash()))
	}
	if fx.app.height() != h {
		fx.t.Fatalf("height %d not finalized", h)
	}
}

func sentOf(acts []Action, t MsgType) []*Message {
	var out []*Message
	for _, b := range actionsOf[Broadcast](acts) {
		if b.Msg.Type == t {
			out = append(out, b.Msg)
		}
	}
	return out
}

func TestSingleValidatorFinalizesWithinOnePropose(t *testing.T) {
	fx := newFixture(t, 1)
	reqs := actionsOf[RequestProposal](fx.out)
	if len(reqs) != 1 || reqs[0].Height != 1 || reqs[0].View != 0 || reqs[0].LastCert != nil {
		t.Fatalf("start: want one RequestProposal for 1/0, got %v", fx.out)
	}
	for h := uint64(1); h <= 3; h++ {
		b := fx.app.build(actionsOf[RequestProposal](fx.out)[0], fx.addr(0), types.Keccak([]byte{byte(h)}), 0)
		acts, err := fx.eng.Propose(b)
		if err != nil {
			t.Fatalf("propose %d: %v", h, err)
		}
		fx.out = acts
		commits := actionsOf[Commit](acts)
		if len(commits) != 1 || commits[0].Block.Hash() != b.Hash() {
			t.Fatalf("height %d: want the block committed in the same call, got %v", h, acts)
		}
		if err := commits[0].Cert.Verify(testChain, fx.vals); err != nil {
			t.Fatalf("certificate: %v", err)
		}
		fx.applyCommits()
		next := actionsOf[RequestProposal](acts)
		if len(next) != 1 || next[0].Height != h+1 || next[0].Parent != b.Hash() || next[0].LastCert != commits[0].Cert {
			t.Fatalf("want a RequestProposal for %d on top of the new block, got %v", h+1, acts)
		}
		if len(sentOf(acts, MsgProposal)) != 1 || len(sentOf(acts, MsgPrepare)) != 1 || len(sentOf(acts, MsgCommit)) != 1 {
			t.Fatalf("want proposal, prepare and commit broadcast, got %v", acts)
		}
	}
	// One record (one fsync) per height; at height 4 only the record of
	// height 3 is kept (the ledger might not have applied block 3 yet).
	if got := fx.wal.Len(); got != 1 {
		t.Fatalf("want the WAL to keep only the previous height's record, got %d", got)
	}
}

func TestFourValidatorsAgreeOverHeights(t *testing.T) {
	valsFn, keys := staticVals(4)
	cfg := Config{ChainID: testChain, BaseTimeoutTicks: 50}
	var engs []*Engine
	var apps []*chainApp
	type env struct {
		to  int
		msg *Message
	}
	var queue []env
	var reqs []RequestProposal
	var reqFrom []int
	var run func(i int, acts []Action)
	run = func(i int, acts []Action) {
		for _, a := range acts {
			switch a := a.(type) {
			case Broadcast:
				for j := range engs {
					if j != i {
						queue = append(queue, env{j, a.Msg})
					}
				}
			case Commit:
				if err := apps[i].apply(a.Block, a.Cert); err != nil {
					t.Fatal(err)
				}
				if a.Block.Height() > 1 {
					// The parent's certificate in the block verifies against the parent's set.
					if err := a.Block.LastCert.Verify(testChain, valsFn(a.Block.Height()-1)); err != nil {
						t.Fatalf("LastCert: %v", err)
					}
				}
			case RequestProposal:
				reqs, reqFrom = append(reqs, a), append(reqFrom, i)
			case Halted, Evidence:
				t.Fatalf("unexpected %v", a)
			}
		}
	}
	for i := range 4 {
		apps = append(apps, newChainApp(valsFn))
		e, err := New(cfg, newKeySigner(keys[i]), apps[i], NewMemWAL(), apps[i].last())
		if err != nil {
			t.Fatal(err)
		}
		engs = append(engs, e)
	}
	for i, e := range engs {
		run(i, e.Start())
	}
	for round := 0; round < 1000 && apps[0].height() < 10; round++ {
		for len(reqs) > 0 {
			r, i := reqs[0], reqFrom[0]
			reqs, reqFrom = reqs[1:], reqFrom[1:]
			acts, err := engs[i].Propose(apps[i].build(r, engs[i].self, types.Keccak([]byte{byte(r.Height)}), 0))
			if err != nil {
				t.Fatal(err)
			}
			run(i, acts)
		}
		for len(queue) > 0 {
			ev := queue[0]
			queue = queue[1:]
			acts, err := engs[ev.to].Step(ev.msg)
			if err != nil && !errors.Is(err, ErrFutureHeight) && !errors.Is(err, ErrOldHeight) {
				t.Fatalf("node %d: %v", ev.to, err)
			}
			run(ev.to, acts)
		}
		for i, e := range engs {
			run(i, e.Tick())
		}
	}
	for i, a := range apps {
		if a.height() < 10 {
			t.Fatalf("node %d at height %d", i, a.height())
		}
		for h := range 10 {
			if a.blocks[h].Hash() != apps[0].blocks[h].Hash() {
				t.Fatalf("node %d disagrees at %d", i, h+1)
			}
		}
		for hash, n := range a.validated {
			if n > 1 {
				t.Fatalf("node %d validated %s %d times", i, hash.Hex(), n)
			}
		}
	}
}

func TestBackupVotesThenCommits(t *testing.T) {
	fx := newFixture(t, 4)
	b := fx.block(fx.primary(0), "a")
	if err := fx.step(fx.proposal(fx.primary(0), 0, b)); err != nil {
		t.Fatal(err)
	}
	if p := sentOf(fx.out, MsgPrepare); len(p) != 1 || p[0].BlockHash != b.Hash() {
		t.Fatalf("want PREPARE for the proposal, got %v", fx.out)
	}
	fx.step(fx.vote(MsgPrepare, 1, 0, b.Hash()))
	if len(sentOf(fx.out, MsgCommit)) != 0 {
		t.Fatal("COMMIT before a quorum of PREPAREs")
	}
	fx.step(fx.vote(MsgPrepare, 2, 0, b.Hash()))
	if c := sentOf(fx.out, MsgCommit); len(c) != 1 {
		t.Fatalf("want COMMIT once 3 of 4 prepared, got %v", fx.out)
	}
	fx.step(fx.vote(MsgCommit, 1, 0, b.Hash()))
	fx.step(fx.vote(MsgCommit, 2, 0, b.Hash()))
	c := actionsOf[Commit](fx.out)
	if len(c) != 1 || c[0].Block.Hash() != b.Hash() {
		t.Fatalf("want Commit with 3 of 4 COMMITs, got %v", fx.out)
	}
	if err := c[0].Cert.Verify(testChain, fx.vals); err != nil {
		t.Fatal(err)
	}
	if fx.eng.Height() != 2 {
		t.Fatalf("engine at %d, want 2", fx.eng.Height())
	}
	// COMMITs that arrive after the certificate is formed are ignored.
	if err := fx.step(fx.vote2(MsgCommit, 3, 1, 0, b.Hash())); !errors.Is(err, ErrOldHeight) {
		t.Fatalf("late COMMIT: %v", err)
	}
}

func (fx *fixture) vote2(t MsgType, signer int, h, v uint64, hash types.Hash) *Message {
	return signMsg(&Message{Type: t, Height: h, View: v, BlockHash: hash}, fx.keys[signer])
}

func TestRestartNeverSignsAConflictingVote(t *testing.T) {
	fx := newFixture(t, 4)
	p := fx.primary(0)
	a := fx.block(p, "a")
	if err := fx.step(fx.proposal(p, 0, a)); err != nil {
		t.Fatal(err)
	}
	fx.restart()
	// The reloaded PREPARE is sent again at once (it may never have left).
	if got := sentOf(fx.out, MsgPrepare); len(got) != 1 || got[0].BlockHash != a.Hash() {
		t.Fatalf("restart: want the old PREPARE re-sent, got %v", fx.out)
	}
	// The (equivocating) primary now proposes b at the same height and view.
	b := fx.block(p, "b")
	err := fx.step(fx.proposal(p, 0, b))
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("want ErrConflict, got %v", err)
	}
	if len(sentOf(fx.out, MsgPrepare)) != 0 {
		t.Fatal("a restarted validator prepared a second block at the same height and view")
	}
}

func TestRestartStillReportsPrepared(t *testing.T) {
	fx := newFixture(t, 4)
	p := fx.primary(0)
	a := fx.block(p, "a")
	fx.step(fx.proposal(p, 0, a))
	fx.step(fx.vote(MsgPrepare, 1, 0, a.Hash()))
	fx.step(fx.vote(MsgPrepare, 2, 0, a.Hash()))
	if len(sentOf(fx.out, MsgCommit)) != 1 {
		t.Fatal("no COMMIT")
	}
	fx.restart()
	fx.tick(fx.cfg.BaseTimeoutTicks)
	vcs := sentOf(fx.out, MsgViewChange)
	if len(vcs) != 1 {
		t.Fatalf("want a VIEW-CHANGE on timeout, got %v", fx.out)
	}
	vc := vcs[0]
	if vc.View != 1 || vc.Prepared == nil || vc.Prepared.BlockHash != a.Hash() || vc.Block == nil || vc.Block.Hash() != a.Hash() {
		t.Fatalf("VIEW-CHANGE after restart lost the prepared block: %+v", vc)
	}
	if err := fx.eng.verifyPrepared(vc.Prepared); err != nil {
		t.Fatal(err)
	}
}

func TestWALFailureHaltsWithoutSending(t *testing.T) {
	fx := newFixture(t, 1)
	fx.wal.Fail = errors.New("disk full")
	b := fx.app.build(actionsOf[RequestProposal](fx.out)[0], fx.addr(0), types.Keccak([]byte("x")), 0)
	acts, _ := fx.eng.Propose(b)
	if len(actionsOf[Broadcast](acts)) != 0 {
		t.Fatal("messages sent although the WAL write failed")
	}
	if len(actionsOf[Halted](acts)) != 1 {
		t.Fatalf("want Halted, got %v", acts)
	}
	if acts := fx.eng.Tick(); len(actionsOf[Halted](acts)) != 1 {
		t.Fatal("a halted engine kept running")
	}
}

func TestTimeoutsDoubleAndCap(t *testing.T) {
	e := &Engine{cfg: Config{BaseTimeoutTicks: 10, MaxTimeoutTicks: 75}}
	want := []int{10, 20, 40, 75, 75}
	for v, w := range want {
		if got := e.timeout(uint64(v)); got != w {
			t.Fatalf("view %d: timeout %d, want %d", v, got, w)
		}
	}
	if got := e.timeout(1 << 40); got != 75 {
		t.Fatalf("huge view: %d", got)
	}
	d := Config{}.withDefaults()
	if d.BaseTimeoutTicks != DefaultBaseTimeoutTicks || d.MaxTimeoutTicks != DefaultMaxTimeoutTicks {
		t.Fatal("defaults not applied")
	}
}

func TestTimeoutSendsViewChangeAndWaitsForQuorum(t *testing.T) {
	fx := newFixture(t, 4)
	fx.tick(fx.cfg.BaseTimeoutTicks - 1)
	if len(sentOf(fx.out, MsgViewChange)) != 0 {
		t.Fatal("view change before the timeout")
	}
	fx.tick(1)
	if vcs := sentOf(fx.out, MsgViewChange); len(vcs) != 1 || vcs[0].View != 1 || vcs[0].Prepared != nil {
		t.Fatalf("want VIEW-CHANGE(1), got %v", fx.out)
	}
	// Alone in view 1, the node does not race ahead.
	fx.tick(10 * fx.cfg.MaxTimeoutTicks)
	if fx.eng.View() != 1 || len(sentOf(fx.out, MsgViewChange)) != 0 {
		t.Fatalf("node moved on alone to view %d", fx.eng.View())
	}
	// With a quorum for view 1 the timer runs again.
	fx.step(fx.viewChange(1, 1, nil, nil))
	fx.step(fx.viewChange(3, 1, nil, nil))
	fx.tick(fx.eng.timeout(1))
	if fx.eng.View() != 2 {
		t.Fatalf("view %d, want 2 after the view 1 timeout", fx.eng.View())
	}
}

func TestFPlusOneViewChangesPullANodeAlong(t *testing.T) {
	fx := newFixture(t, 4) // f = 1
	fx.step(fx.viewChange(1, 5, nil, nil))
	if fx.eng.View() != 0 {
		t.Fatal("one view change (possibly Byzantine) moved the node")
	}
	fx.step(fx.viewChange(2, 7, nil, nil))
	if fx.eng.View() != 5 {
		t.Fatalf("view %d, want 5 (the highest view f+1 validators reached)", fx.eng.View())
	}
	if vcs := sentOf(fx.out, MsgViewChange); len(vcs) != 1 || vcs[0].View != 5 {
		t.Fatalf("want VIEW-CHANGE(5), got %v", fx.out)
	}
}

func TestNewViewReproposesThePreparedBlock(t *testing.T) {
	fx := newFixture(t, 4)
	// Validator 0 is primary of view 3 at height 1 (validators[(1+3) mod 4]).
	const v = 3
	if fx.primary(v) != 0 {
		t.Fatalf("primary of view %d is %d", v, fx.primary(v))
	}
	a := fx.block(fx.primary(1), "a")
	prep := fx.preparedCert(1, a.Hash(), 1, 2, 3)
	fx.step(fx.viewChange(1, v, prep, a))
	fx.step(fx.viewChange(2, v, nil, nil))
	// f+1 view changes moved the node to view 3; with its own it has a quorum.
	props := sentOf(fx.out, MsgProposal)
	if len(props) != 1 {
		t.Fatalf("want the NEW-VIEW proposal, got %v", fx.out)
	}
	m := props[0]
	if m.View != v || m.BlockHash != a.Hash() || len(m.Justification) != 3 {
		t.Fatalf("want a re-proposal of the prepared block with 3 view changes, got %s %d/%d %d", m.BlockHash.Hex(), m.Height, m.View, len(m.Justification))
	}
	for _, vc := range m.Justification {
		if vc.Block != nil {
			t.Fatal("justification carries block bodies")
		}
	}
	if len(actionsOf[RequestProposal](fx.out)) != 0 {
		t.Fatal("asked for a fresh block although one was prepared")
	}
}

func TestNewViewWithoutPreparedAsksForAFreshBlock(t *testing.T) {
	fx := newFixture(t, 4)
	const v = 3
	fx.step(fx.viewChange(1, v, nil, nil))
	fx.step(fx.viewChange(2, v, nil, nil))
	reqs := actionsOf[RequestProposal](fx.out)
	if len(reqs) != 1 || reqs[0].View != v {
		t.Fatalf("want RequestProposal for view %d, got %v", v, fx.out)
	}
	b := fx.app.build(reqs[0], fx.addr(0), types.Keccak([]byte("fresh")), 0)
	acts, err := fx.eng.Propose(b)
	if err != nil {
		t.Fatal(err)
	}
	props := sentOf(acts, MsgProposal)
	if len(props) != 1 || len(props[0].Justification) != 3 {
		t.Fatalf("want the proposal with its justification, got %v", acts)
	}
	// A second answer to the same request is refused.
	if _, err := fx.eng.Propose(b); !errors.Is(err, ErrNotRequested) {
		t.Fatalf("second Propose: %v", err)
	}
}

func TestCatchUpFromTheNextBlocksCertificate(t *testing.T) {
	for _, haveBody := range []bool{true, false} {
		fx := newFixture(t, 4)
		p := fx.primary(0)
		a := fx.block(p, "a")
		if haveBody {
			fx.step(fx.proposal(p, 0, a))
		}
		// The others finalized a without this node seeing the COMMITs.
		cert := &types.CommitCert{Height: 1, View: 0, BlockHash: a.Hash()}
		for _, i := range []int{1, 2, 3} {
			cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(i), Sig: fx.vote(MsgCommit, i, 0, a.Hash()).Sig})
		}
		next := &types.Block{Header: types.Header{ChainID: testChain, Height: 2, Time: a.Header.Time + 1, ParentHash: a.Hash(),
			LastCertHash: cert.Hash(), TxRoot: types.TxRoot(nil), ValidatorsHash: fx.vals.Hash(), Proposer: fx.vals.Primary(2, 0)}, LastCert: cert}
		stateA := types.Keccak(genesisState[:], a.Header.ReceiptRoot[:])
		next.Header.StateRoot = types.Keccak(stateA[:], next.Header.ReceiptRoot[:])
		pr := fx.vals.Index(fx.vals.Primary(2, 0))
		err := fx.step(signMsg(&Message{Type: MsgProposal, Height: 2, BlockHash: next.Hash(), Block: next}, fx.keys[pr]))
		if !errors.Is(err, ErrFutureHeight) {
			t.Fatalf("want the proposal buffered, got %v", err)
		}
		if haveBody {
			if c := actionsOf[Commit](fx.out); len(c) != 1 || c[0].Block.Hash() != a.Hash() {
				t.Fatalf("want Commit of height 1 from the certificate, got %v", fx.out)
			}
			// The buffered proposal is replayed on the next call.
			fx.tick(1)
			if got := sentOf(fx.out, MsgPrepare); len(got) != 1 || got[0].Height != 2 {
				t.Fatalf("want PREPARE for the buffered height-2 proposal, got %v", fx.out)
			}
		} else {
			if s := actionsOf[RequestSync](fx.out); len(s) != 1 || s[0].FromHeight != 1 || s[0].ToHeight != 1 {
				t.Fatalf("want RequestSync for height 1, got %v", fx.out)
			}
			if _, err := fx.eng.Synced(a, cert); err != nil {
				t.Fatal(err)
			}
			if fx.eng.Height() != 2 {
				t.Fatalf("engine at %d after Synced", fx.eng.Height())
			}
		}
	}
}

func TestLaggingPeerGetsTheDecision(t *testing.T) {
	fx := newFixture(t, 4)
	a := fx.block(fx.primary(0), "a")
	fx.finalize(a)
	// A vote for height 1 arriving right after it became final here is late,
	// not a sign that its sender is stuck: no DECISION (it carries the block).
	if err := fx.step(fx.vote2(MsgCommit, 3, 1, 0, a.Hash())); !errors.Is(err, ErrOldHeight) {
		t.Fatalf("got %v", err)
	}
	if len(actionsOf[SendTo](fx.out)) != 0 {
		t.Fatal("DECISION sent for a vote that was merely late")
	}
	fx.tick(fx.eng.cfg.RebroadcastTicks)
	// Validator 3 is still at height 1 a re-send interval later and re-sends its PREPARE.
	err := fx.step(fx.vote2(MsgPrepare, 3, 1, 0, a.Hash()))
	if !errors.Is(err, ErrOldHeight) {
		t.Fatalf("got %v", err)
	}
	sends := actionsOf[SendTo](fx.out)
	if len(sends) != 1 || sends[0].To != fx.addr(3) || sends[0].Msg.Type != MsgDecision || sends[0].Msg.Block.Hash() != a.Hash() {
		t.Fatalf("want a DECISION for the laggard, got %v", fx.out)
	}
	if err := sends[0].Msg.Cert.Verify(testChain, fx.vals); err != nil {
		t.Fatal(err)
	}
	// Rate limited: not again right away.
	fx.step(fx.vote2(MsgCommit, 3, 1, 0, a.Hash()))
	if len(actionsOf[SendTo](fx.out)) != 0 {
		t.Fatal("DECISION sent twice in a row")
	}

	// The laggard's side: a DECISION finalizes its height.
	lag := newFixture(t, 4)
	if err := lag.step(sends[0].Msg); err != nil {
		t.Fatal(err)
	}
	if c := actionsOf[Commit](lag.out); len(c) != 1 || c[0].Block.Hash() != a.Hash() {
		t.Fatalf("want Commit from the DECISION, got %v", lag.out)
	}
}

func TestFPlusOneHigherHeightsRequestSync(t *testing.T) {
	fx := newFixture(t, 4)
	fx.step(fx.vote2(MsgPrepare, 1, 6, 0, types.Keccak([]byte("x"))))
	fx.tick(2)
	if len(actionsOf[RequestSync](fx.out)) != 0 {
		t.Fatal("one validator (maybe Byzantine) triggered a sync")
	}
	fx.step(fx.vote2(MsgCommit, 2, 5, 0, types.Keccak([]byte("y"))))
	fx.tick(1)
	s := actionsOf[RequestSync](fx.out)
	if len(s) != 1 || s[0].FromHeight != 1 || s[0].ToHeight != 4 {
		t.Fatalf("want RequestSync 1..4 (f+1 validators are at height 5 or more), got %v", fx.out)
	}
}

func TestObserverFollowsWithoutVoting(t *testing.T) {
	valsFn, keys := staticVals(4)
	app := newChainApp(valsFn)
	obs := testKey(20)
	e, err := New(Config{ChainID: testChain}, newKeySigner(obs), app, NewMemWAL(), app.last())
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{t: t, n: 4, keys: keys, vals: valsFn(1), app: app, eng: e}
	a := fx.block(fx.primary(0), "a")
	fx.step(fx.proposal(fx.primary(0), 0, a))
	if len(actionsOf[Broadcast](fx.out)) != 0 {
		t.Fatal("an observer voted")
	}
	for _, i := range []int{0, 1, 2} {
		fx.step(fx.vote(MsgCommit, i, 0, a.Hash()))
	}
	if app.height() != 1 {
		t.Fatal("observer did not follow the commit")
	}
}

func TestValidatorSetChangesPerHeight(t *testing.T) {
	// Height 1 is finalized by {0,1,2,3}; height 2 by {0,1,2,4}.
	_, keys := staticVals(5)
	addrs := make([]types.Address, 5)
	for i, k := range keys {
		addrs[i] = types.PubkeyAddress(k)
	}
	set1, _ := types.NewValidatorSet(addrs[:4])
	set2, _ := types.NewValidatorSet([]types.Address{addrs[0], addrs[1], addrs[2], addrs[4]})
	valsFn := func(h uint64) *types.ValidatorSet {
		if h >= 2 {
			return set2
		}
		return set1
	}
	app := newChainApp(valsFn)
	e, err := New(Config{ChainID: testChain}, newKeySigner(keys[0]), app, NewMemWAL(), app.last())
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{t: t, n: 4, keys: keys, vals: set1, app: app, eng: e}
	a := fx.block(fx.primary(0), "a")
	fx.finalize(a)
	// Validator 3 left the set at height 2, validator 4 joined.
	fx.vals = set2
	if err := fx.step(fx.vote(MsgPrepare, 3, 0, types.Hash{1})); !errors.Is(err, ErrNotValidator) {
		t.Fatalf("removed validator: %v", err)
	}
	pr := set2.Index(set2.Primary(2, 0))
	b := fx.block(0, "b")
	b.Header.Proposer = set2.Primary(2, 0)
	keyOf := func(a types.Address) *ecdsa.PrivateKey {
		for _, k := range keys {
			if types.PubkeyAddress(k) == a {
				return k
			}
		}
		return nil
	}
	_ = pr
	if err := fx.step(signMsg(&Message{Type: MsgProposal, Height: 2, BlockHash: b.Hash(), Block: b}, keyOf(set2.Primary(2, 0)))); err != nil {
		t.Fatalf("proposal under the new set: %v", err)
	}
	if err := fx.step(signMsg(&Message{Type: MsgPrepare, Height: 2, BlockHash: b.Hash()}, keys[4])); err != nil {
		t.Fatalf("new validator's vote: %v", err)
	}
}

func TestSyncedBatchDoesNotReplayUntilTheNextCall(t *testing.T) {
	// Validator 0 at height 1 buffers a COMMIT quorum for height 2; the
	// driver then applies blocks 1 and 2 from sync, calling Synced after
	// each before carrying out any action. Nothing may finalize height 2 a
	// second time, and an old block is simply ignored.
	src := newFixture(t, 4)
	a := src.block(src.primary(0), "a")
	src.finalize(a)
	b := src.block(src.primary(0), "b")
	src.finalize(b)

	fx := newFixture(t, 4)
	for _, i := range []int{1, 2, 3} {
		fx.step(fx.vote2(MsgCommit, i, 2, 0, b.Hash()))
	}
	var acts []Action
	for h := range 2 {
		if err := fx.app.apply(src.app.blocks[h], src.app.certs[h]); err != nil {
			t.Fatal(err)
		}
		out, err := fx.eng.Synced(src.app.blocks[h], src.app.certs[h])
		if err != nil {
			t.Fatal(err)
		}
		acts = append(acts, out...)
	}
	if c := actionsOf[Commit](acts); len(c) != 0 {
		t.Fatalf("Synced finalized a block the driver already applied: %v", c)
	}
	if fx.eng.Height() != 3 {
		t.Fatalf("engine at %d, want 3", fx.eng.Height())
	}
	if out, err := fx.eng.Synced(src.app.blocks[0], src.app.certs[0]); err != nil || len(actionsOf[Commit](out)) != 0 {
		t.Fatalf("old synced block: %v %v", out, err)
	}
	fx.tick(1) // the buffered height-2 votes are replayed now and dropped as old
	if c := actionsOf[Commit](fx.out); len(c) != 0 {
		t.Fatalf("stale replay finalized: %v", c)
	}
}
