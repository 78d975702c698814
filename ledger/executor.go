package ledger

import (
	"encoding/binary"
	"fmt"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Executed is a block run against the committed state, ready to Commit.
type Executed struct {
	Block       *types.Block
	Parent      types.Hash // app hash it was executed on
	Receipts    []*types.Receipt
	BlockEvents []types.Event
	Writes      []state.Write
	State       *state.Overlay // the post-block state, for invariant checks before commit

	// receiptEncs are the encodings of Receipts, made once for the receipt
	// root and stored by Commit. An Executed must not be modified.
	receiptEncs [][]byte
	rh          *receiptHasher // until seal
	app         App
}

// seal computes what the header commits to once the transactions have run:
// the sorted write set and the app hash, and, if withTxRoot, the root of
// txs; meanwhile the receipt hasher finishes the receipts on another core.
func (x *Executed) seal(txs []*types.Tx, withTxRoot bool) (appHash, receiptRoot, txRoot types.Hash) {
	x.rh.close()
	x.Writes = x.State.WriteSet()
	appHash = state.NextAppHash(x.Parent, x.Writes)
	if withTxRoot {
		txRoot = types.SealTxRoot(txs)
	}
	x.receiptEncs, receiptRoot = x.rh.wait()
	x.rh = nil
	return appHash, receiptRoot, txRoot
}

// ChangedAccounts lists the accounts whose nonce or balance the block
// changes, as the application reports them.
func (x *Executed) ChangedAccounts() []types.Address { return x.app.ChangedAccounts(x.Writes) }

// receiptHasher encodes and hashes a block's receipts on its own goroutine,
// in batches, while the block executes: the receipt root and the stored
// receipts then cost the executing goroutine next to nothing when the
// machine has a spare core. A receipt must not change once added.
type receiptHasher struct {
	batch  []*types.Receipt
	ch     chan []*types.Receipt
	done   chan struct{}
	encs   [][]byte     // written by the worker; read after done
	leaves []types.Hash // likewise
	root   types.Hash   // likewise
}

const receiptBatch = 256

func newReceiptHasher(n int) *receiptHasher {
	rh := &receiptHasher{ch: make(chan []*types.Receipt, 64), done: make(chan struct{}),
		encs: make([][]byte, 0, n), leaves: make([]types.Hash, 0, n)}
	go rh.run(rh.ch)
	return rh
}

func (rh *receiptHasher) run(ch <-chan []*types.Receipt) {
	defer close(rh.done)
	for batch := range ch {
		for _, r := range batch {
			// The stored encoding carries the human message; the leaf
			// (types.ReceiptRoot) does not.
			b, leaf := r.EncodeAndHash()
			rh.encs = append(rh.encs, b)
			rh.leaves = append(rh.leaves, leaf)
		}
	}
	rh.root = types.MerkleRoot(rh.leaves)
}

func (rh *receiptHasher) add(r *types.Receipt) {
	if rh.batch == nil {
		rh.batch = make([]*types.Receipt, 0, receiptBatch)
	}
	rh.batch = append(rh.batch, r)
	if len(rh.batch) == receiptBatch {
		rh.ch <- rh.batch
		rh.batch = nil
	}
}

// close hands over the last receipts and lets the worker finish; it is safe
// to call more than once (execution errors leave through a deferred close).
func (rh *receiptHasher) close() {
	if rh.ch == nil {
		return
	}
	if len(rh.batch) > 0 {
		rh.ch <- rh.batch
		rh.batch = nil
	}
	close(rh.ch)
	rh.ch = nil
}

// wait returns the encodings and the root of every receipt added.
func (rh *receiptHasher) wait() ([][]byte, types.Hash) {
	rh.close()
	<-rh.done
	return rh.encs, rh.root
}

// encodedReceipts returns the stored form of the block's receipts, the
// same bytes as types.EncodeReceipts: an RLP list of the encodings.
func (x *Executed) encodedReceipts() []byte {
	if len(x.receiptEncs) != len(x.Receipts) {
		return types.EncodeReceipts(x.Receipts)
	}
	size := 0
	for _, e := range x.receiptEncs {
		size += len(e)
	}
	out := appendListHeader(make([]byte, 0, size+9), size)
	for _, e := range x.receiptEncs {
		out = append(out, e...)
	}
	return out
}

// appendListHeader appends the RLP header of a list whose content is size bytes.
func appendListHeader(b []byte, size int) []byte {
	if size < 56 {
		return append(b, 0xc0+byte(size))
	}
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], uint64(size))
	n := 0
	for n < 7 && be[n] == 0 {
		n++
	}
	b = append(b, 0xf7+byte(8-n))
	return append(b, be[n:]...)
}

// Template is what the proposer decides about a new block.
type Template struct {
	Time     uint64 // unix ms; must exceed the parent's
	Proposer types.Address
	LastCert *types.CommitCert // certificate of the parent (nil at height 1)
}

// Dropped is a candidate transaction the proposer left out, and why.
type Dropped struct {
	Tx  *types.Tx
	Err error
}

// Build executes candidate transactions on top of the last committed block
// and returns the resulting block. Transactions that may not be included
// (bad nonce, cannot pay the fee, ...) are left out and reported.
func (l *Ledger) Build(t Template, txs []*types.Tx, app App) (*Executed, []Dropped, error) {
	last := l.Last()
	if !l.Initialized() {
		return nil, nil, ErrNotInitialized
	}
	h := last.Height + 1
	if t.Time <= last.Time {
		t.Time = last.Time + 1
	}
	vals, err := l.ValidatorSet(h)
	if err != nil {
		return nil, nil, err
	}
	hdr := types.Header{ChainID: l.chainID, Height: h, Time: t.Time, ParentHash: last.Hash,
		ValidatorsHash: vals.Hash(), Proposer: t.Proposer}
	if t.LastCert != nil {
		hdr.LastCertHash = t.LastCert.Hash()
	}
	var dropped []Dropped
	included := make([]*types.Tx, 0, len(txs))
	x, err := l.run("build", app, &hdr, txs, func(_ int, tx *types.Tx, err error) error {
		if err != nil {
			dropped = append(dropped, Dropped{tx, err})
		} else {
			included = append(included, tx)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	hdr.TxCount = uint32(len(included))
	hdr.StateRoot, hdr.ReceiptRoot, hdr.TxRoot = x.seal(included, true)
	x.Block = &types.Block{Header: hdr, Txs: included, LastCert: t.LastCert}
	return x, dropped, nil
}

// Execute validates a proposed or synced block against the last committed
// one and runs it. Every check a validator must make before voting is here:
// chain, height, parent, time, parent certificate, validator set, every
// transaction includable, and the roots in the header.
func (l *Ledger) Execute(b *types.Block, app App) (*Executed, error) {
	if !l.Initialized() {
		return nil, ErrNotInitialized
	}
	last := l.Last()
	hdr := &b.Header
	h := hdr.Height
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %d: %s", ErrBadBlock, h, fmt.Sprintf(format, args...))
	}
	switch {
	case hdr.ChainID != l.chainID:
		return nil, bad("chain %q, want %q", hdr.ChainID, l.chainID)
	case h != last.Height+1:
		return nil, fmt.Errorf("%w: height %d, next is %d", ErrWrongHeight, h, last.Height+1)
	case hdr.ParentHash != last.Hash:
		return nil, bad("parent %s, want %s", hdr.ParentHash.Hex(), last.Hash.Hex())
	case hdr.Time <= last.Time:
		return nil, bad("time %d not after parent time %d", hdr.Time, last.Time)
	}
	if err := b.CheckStructure(); err != nil {
		return nil, bad("%v", err)
	}
	vals, err := l.ValidatorSet(h)
	if err != nil {
		return nil, err
	}
	if hdr.ValidatorsHash != vals.Hash() {
		return nil, bad("validators hash mismatch")
	}
	if vals.Index(hdr.Proposer) < 0 {
		return nil, bad("proposer %s: %v", hdr.Proposer.Hex(), types.ErrNotValidator)
	}
	if h > 1 {
		pvals, err := l.ValidatorSet(h - 1)
		if err != nil {
			return nil, err
		}
		if err := b.LastCert.Verify(l.chainID, pvals); err != nil {
			return nil, bad("parent certificate: %v", err)
		}
	} else if b.LastCert != nil || hdr.LastCertHash != (types.Hash{}) {
		return nil, bad("height 1 carries a parent certificate")
	}
	x, err := l.run("execute", app, hdr, b.Txs, func(i int, tx *types.Tx, err error) error {
		if err != nil {
			return bad("tx %d (%s): %v", i, tx.Hash().Hex(), err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	x.Block = b
	appHash, receiptRoot, _ := x.seal(nil, false) // TxRoot was checked with the structure
	if receiptRoot != hdr.ReceiptRoot {
		return nil, bad("receipt root %s, header says %s", receiptRoot.Hex(), hdr.ReceiptRoot.Hex())
	}
	if appHash != hdr.StateRoot {
		return nil, bad("state root %s, header says %s", appHash.Hex(), hdr.StateRoot.Hex())
	}
	return x, nil
}

// run is the one block loop of Build and Execute: the application's
// BeginBlock, then each transaction in order on one overlay over the
// committed state, with the receipts hashed on the side. Each transaction's
// outcome goes to decide, with the App's error if it may not be included:
// decide returns an error to abort the block (a validator) or nil to go on
// without it (a proposer). Storage failures and App errors other than
// ErrInvalidTx abort too, as they are; a storage failure is wrapped with
// what ("build", "execute") and the height. The caller seals the result.
func (l *Ledger) run(what string, app App, hdr *types.Header, txs []*types.Tx, decide func(i int, tx *types.Tx, err error) error) (*Executed, error) {
	var ov *state.Overlay
	if p := l.prefetch(app, txs); p != nil {
		ov = state.NewOverlay(prefetchedReader{l.stateReader(), p})
	} else {
		ov = state.NewOverlay(l.stateReader())
	}
	x := &Executed{Parent: l.Last().AppHash, State: ov, app: app,
		Receipts: make([]*types.Receipt, 0, len(txs)), rh: newReceiptHasher(len(txs))}
	blk := BlockInfo{ChainID: l.chainID, Height: hdr.Height, Time: hdr.Time, Seed: hdr.LastCertHash}
	var err error
	if x.BlockEvents, err = app.BeginBlock(blk, ov); err != nil {
		x.rh.close()
		return nil, err
	}
	for i, tx := range txs {
		rc, err := app.ApplyTx(blk, ov, tx)
		if err != nil && !IsInvalidTx(err) {
			x.rh.close()
			return nil, err
		}
		if err := decide(i, tx, err); err != nil {
			x.rh.close()
			return nil, err
		}
		if err == nil {
			x.Receipts = append(x.Receipts, rc)
			x.rh.add(rc)
		}
	}
	if err := ov.Err(); err != nil {
		x.rh.close()
		return nil, fmt.Errorf("%s block %d: %w", what, hdr.Height, err)
	}
	return x, nil
}
