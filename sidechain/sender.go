package sidechain

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// txSender sends each step's transaction once: it persists the signed
// transaction with its nonce before sending, re-sends the identical bytes
// (never a new transaction) while the chain has not consumed that nonce,
// and forgets it once it has. The relayer and the bridge signer share it.
type txSender struct {
	store  *Store
	key    *ecdsa.PrivateKey
	addr   types.Address
	fee    uint64
	chains map[byte]Chain
	ids    map[byte]string
	log    *slog.Logger
	sent   map[types.Hash]bool // sent in this run already
	nonce  map[byte]uint64     // each chain's nonce, read at the start of a step
}

var (
	prefixTx   = []byte("tx/")   // + chain byte + step key -> RLP txRecord
	prefixNext = []byte("next/") // + chain byte -> next nonce to allocate
)

type txRecord struct {
	Nonce uint64
	Tx    []byte
}

func newTxSender(st *Store, key *ecdsa.PrivateKey, fee uint64, log *slog.Logger, chains map[byte]Chain, ids map[byte]string) *txSender {
	return &txSender{store: st, key: key, addr: types.PubkeyAddress(key), fee: fee, chains: chains, ids: ids, log: log,
		sent: map[types.Hash]bool{}, nonce: map[byte]uint64{}}
}

// begin reads every chain's nonce, then settles the recorded transactions.
// Nonces are read before any "is it done" check of the step, so a nonce
// seen consumed is never paired with older state.
func (s *txSender) begin(ctx context.Context) error {
	for _, c := range slices.Sorted(maps.Keys(s.chains)) {
		n, err := s.chains[c].Nonce(ctx, s.addr)
		if err != nil {
			return err
		}
		s.nonce[c] = n
	}
	return s.pending(ctx)
}

func u64At(st *Store, key []byte, def uint64) (uint64, error) {
	v, ok, err := st.Get(key)
	if err != nil || !ok {
		return def, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("sidechain: corrupt key %q", key)
	}
	return binary.BigEndian.Uint64(v), nil
}

// pending drops records whose nonce the chain consumed and re-sends, once
// per run, those it has not: a crash between persisting and sending, or a
// node that lost its mempool, would otherwise leave a nonce gap.
func (s *txSender) pending(ctx context.Context) error {
	type rec struct {
		key []byte
		c   byte
		r   txRecord
	}
	var recs []rec
	var bad error
	if err := s.store.Scan(prefixTx, func(k, v []byte) bool {
		var t txRecord
		if err := core.Decode(v, &t); err != nil {
			bad = fmt.Errorf("sidechain: corrupt tx record %q: %w", k, err)
			return false
		}
		recs = append(recs, rec{key: slices.Clone(k), c: k[len(prefixTx)], r: t})
		return true
	}); err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	b := s.store.Batch()
	drop := false
	for _, x := range recs {
		if x.r.Nonce < s.nonce[x.c] {
			b.Delete(x.key)
			drop = true
			continue
		}
		tx, err := types.DecodeTx(x.r.Tx)
		if err != nil {
			return fmt.Errorf("sidechain: corrupt tx in %q: %w", x.key, err)
		}
		if err := s.resend(ctx, x.c, tx); err != nil {
			return err
		}
	}
	if drop {
		return b.Commit()
	}
	return nil
}

func (s *txSender) resend(ctx context.Context, c byte, tx *types.Tx) error {
	h := tx.Hash()
	if s.sent[h] {
		return nil
	}
	if err := s.chains[c].SendTx(ctx, tx); err != nil && !errors.Is(err, ErrKnownTx) {
		return fmt.Errorf("sidechain: send %s tx %s: %w", s.ids[c], h.Hex(), err)
	}
	s.sent[h] = true
	return nil
}

// ensure sends the transaction for step (on chain c) unless one is
// already on its way: a recorded transaction whose nonce the chain has
// not consumed yet. A consumed one whose step is still not done failed,
// and is replaced. The caller has checked that the step is not done.
func (s *txSender) ensure(ctx context.Context, c byte, step string, typ types.TxType, msg any) error {
	key := slices.Concat(prefixTx, []byte{c}, []byte(step))
	v, ok, err := s.store.Get(key)
	if err != nil {
		return err
	}
	chainNonce := s.nonce[c]
	if ok {
		var t txRecord
		if err := core.Decode(v, &t); err != nil {
			return fmt.Errorf("sidechain: corrupt tx record %q: %w", key, err)
		}
		if t.Nonce >= chainNonce {
			return nil // on its way; pending re-sends it after a restart
		}
		s.log.Warn("relayed transaction did not take effect; sending a new one", "step", step, "nonce", t.Nonce)
	}
	nextKey := slices.Concat(prefixNext, []byte{c})
	next, err := u64At(s.store, nextKey, 0)
	if err != nil {
		return err
	}
	nonce := max(next, chainNonce)
	tx, err := types.SignTx(&types.Tx{ChainID: s.ids[c], Nonce: nonce, Type: typ, Payload: core.Encode(msg), Fee: s.fee}, s.key)
	if err != nil {
		return err
	}
	b := s.store.Batch()
	b.Set(key, core.Encode(&txRecord{Nonce: nonce, Tx: tx.Encode()}))
	b.Set(nextKey, be64(nonce+1))
	if err := b.Commit(); err != nil {
		return err
	}
	s.log.Debug("relay", "step", step, "chain", s.ids[c], "nonce", nonce)
	return s.resend(ctx, c, tx)
}
