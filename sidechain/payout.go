package sidechain

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Withdrawal payouts.
//
// A withdrawal burned on main is paid by one ERC-20 transfer out of the
// vault, sent by the signer that holds the vault key (the payer). The
// transfer's calldata carries a 32-byte tag after the two ABI arguments —
// TestUSDT, like any Solidity contract, ignores trailing calldata — naming
// the main chain and the withdrawal ID. Every signer, the payer included,
// finds payouts by following the token's Transfer logs out of the vault,
// reads the tag from the transaction, waits Confirmations blocks and
// attests the withdrawal paid (MsgAttestPaid with the external tx hash)
// only if the transfer matches the withdrawal's recipient and amount: the
// other signers check the payer instead of trusting it.
//
// The payer pays a withdrawal only when main shows it PENDING with
// PayoutMargin of time left before its refund deadline, no transfer
// tagged with it exists on the external chain (confirmed or not), and no
// payout transaction of its own is on its way. That transaction is signed
// and persisted with its nonce before it is sent, and re-sent with
// identical bytes after a restart, so a crash at any point neither loses
// the payout nor makes a second one; a store lost altogether is rebuilt
// from the chain, whose tags say what was paid. A payout still unmined
// when half the margin is left is voided (void), so that it cannot land
// after main refunds the withdrawal.

const (
	payoutGas     = 120_000 // an ERC-20 transfer with a tag costs ~40k
	voidGas       = 21_000  // a plain transfer of no value
	tagSize       = 32
	maxNewPerStep = 256 // withdrawal IDs looked up per step
)

var (
	keyWNext      = []byte("s/wnext") // next withdrawal ID to look up on main
	prefixWOpen   = []byte("s/w/")    // + BE64 id -> RLP openWithdrawal
	prefixWSeen   = []byte("s/out/")  // + BE64 id -> RLP seenPayout (confirmed tagged transfer)
	prefixPayment = []byte("s/pay/")  // + BE64 id -> RLP payment (the payer's signed external tx)
	keyVaultNext  = []byte("s/vnext") // next vault nonce the payer allocates
	tagDomain     = []byte("accord/payout/v1")
	transferSel   = evm.TokenABI().Methods["transfer"].ID
	balanceOfData = evm.TokenABI().Methods["balanceOf"].ID
)

// ErrPayoutMismatch is logged (never attested) for a tagged transfer out
// of the vault that does not match its withdrawal.
var ErrPayoutMismatch = errors.New("sidechain: payout does not match its withdrawal")

type openWithdrawal struct {
	ExtAddress types.Address
	Amount     uint64
	Deadline   uint64
}

type seenPayout struct {
	ExtTxHash types.Hash
	To        types.Address
	Amount    uint64
	Block     uint64
}

type payment struct {
	Nonce uint64
	Tx    []byte // the signed external transaction, binary encoding
	// Void: Tx replaces the payout at its nonce with a transfer of
	// nothing to the vault itself (see void).
	Void bool `rlp:"optional"`
}

// PayoutTag is the 32 bytes a payout transaction carries after its
// transfer arguments: 24 bytes naming the main chain, then the withdrawal
// ID big-endian.
func PayoutTag(mainChainID string, id uint64) [tagSize]byte {
	var t [tagSize]byte
	copy(t[:24], crypto.Keccak256(tagDomain, []byte(mainChainID))[:24])
	binary.BigEndian.PutUint64(t[24:], id)
	return t
}

// parseTag returns the withdrawal ID a payout's calldata names for this
// main chain: transfer(to, value) followed by exactly one tag.
func (s *Signer) parseTag(data []byte) (id uint64, to common.Address, value *big.Int, ok bool) {
	if len(data) != 4+64+tagSize || !bytes.Equal(data[:4], transferSel) {
		return 0, common.Address{}, nil, false
	}
	tag := data[4+64:]
	want := PayoutTag(s.cfg.MainChainID, 0)
	if !bytes.Equal(tag[:24], want[:24]) {
		return 0, common.Address{}, nil, false
	}
	return binary.BigEndian.Uint64(tag[24:]), common.BytesToAddress(data[4:36]), new(big.Int).SetBytes(data[36:68]), true
}

func wkey(prefix []byte, id uint64) []byte { return slices.Concat(prefix, be64(id)) }

// payoutLogs returns the Transfer logs out of the vault (optionally to one
// address) in blocks from..to.
func (s *Signer) payoutLogs(ctx context.Context, from, to uint64, dest *common.Address) ([]ethtypes.Log, error) {
	topics := [][]common.Hash{{evm.TransferTopic}, {common.BytesToHash(s.cfg.Vault[:])}}
	if dest != nil {
		topics = append(topics, []common.Hash{common.BytesToHash(dest[:])})
	}
	logs, err := s.eth.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to),
		Addresses: []common.Address{s.cfg.Token}, Topics: topics,
	})
	if err != nil {
		return nil, fmt.Errorf("sidechain: filter payouts %d..%d: %w", from, to, err)
	}
	return logs, nil
}

// tagged reads the withdrawal ID from a vault Transfer log's transaction.
func (s *Signer) tagged(ctx context.Context, l ethtypes.Log) (uint64, evm.Transfer, bool, error) {
	tr, err := evm.ParseTransfer(l)
	if err != nil || l.Removed || tr.From != s.cfg.Vault {
		return 0, tr, false, nil
	}
	tx, _, err := s.eth.TransactionByHash(ctx, l.TxHash)
	if err != nil {
		return 0, tr, false, fmt.Errorf("sidechain: payout tx %s: %w", l.TxHash, err)
	}
	id, to, value, ok := s.parseTag(tx.Data())
	if !ok || tx.To() == nil || *tx.To() != s.cfg.Token || to != tr.To || value.Cmp(tr.Value) != 0 {
		return 0, tr, false, nil
	}
	return id, tr, true, nil
}

// scanPayouts records the tagged transfers out of the vault in from..to
// (confirmed blocks) into batch b; the first transfer per ID wins.
func (s *Signer) scanPayouts(ctx context.Context, b *Batch, from, to uint64) error {
	logs, err := s.payoutLogs(ctx, from, to, nil)
	if err != nil {
		return err
	}
	seen := map[uint64]bool{}
	for _, l := range logs {
		if l.BlockNumber < from || l.BlockNumber > to {
			continue
		}
		id, tr, ok, err := s.tagged(ctx, l)
		if err != nil {
			return err
		}
		if !ok {
			s.log.Warn("untagged transfer out of the vault", "tx", l.TxHash, "index", l.Index)
			continue
		}
		amount, err := evm.MicroUSDT(tr.Value)
		if err != nil {
			s.log.Error("tagged payout with an impossible amount", "withdrawal", id, "tx", l.TxHash, "err", err)
			continue
		}
		key := wkey(prefixWSeen, id)
		_, had, err := s.store.Get(key)
		if err != nil {
			return err
		}
		// IDs below the discovery cursor that are not open were closed
		// on main: a payout for one is a second payout.
		next, err := u64At(s.store, keyWNext, 1)
		if err != nil {
			return err
		}
		if _, open, err := s.store.Get(wkey(prefixWOpen, id)); err != nil {
			return err
		} else if id < next && !open {
			s.log.Error("payout for a closed withdrawal", "withdrawal", id, "tx", l.TxHash)
			continue
		}
		if had || seen[id] {
			s.log.Error("second payout for one withdrawal", "withdrawal", id, "tx", l.TxHash)
			continue
		}
		seen[id] = true
		b.Set(key, core.Encode(&seenPayout{ExtTxHash: types.Hash(tr.TxHash), To: types.Address(tr.To), Amount: amount, Block: tr.BlockNumber}))
		s.log.Info("payout seen on the external chain", "withdrawal", id, "tx", l.TxHash, "block", tr.BlockNumber)
	}
	return nil
}

// discover records the withdrawals created on main since the last step.
func (s *Signer) discover(ctx context.Context) error {
	next, err := u64At(s.store, keyWNext, 1)
	if err != nil {
		return err
	}
	b := s.store.Batch()
	start := next
	for ; next < start+maxNewPerStep; next++ {
		w, err := s.main.Withdrawal(ctx, next)
		if err != nil {
			return err
		}
		if w == nil {
			break
		}
		if w.State != bridge.WithdrawalPending {
			b.Delete(wkey(prefixWSeen, w.ID)) // seen by the scan before discovery
		} else {
			b.Set(wkey(prefixWOpen, w.ID), core.Encode(&openWithdrawal{ExtAddress: w.ExtAddress, Amount: w.Amount, Deadline: w.Deadline}))
			s.log.Info("withdrawal to pay", "withdrawal", w.ID, "ext_address", w.ExtAddress.Hex(), "amount", types.FormatUSDT(w.Amount))
		}
	}
	if next == start {
		return nil
	}
	b.Set(keyWNext, be64(next))
	return b.Commit()
}

// payouts settles every open withdrawal: attest what is paid, pay what is
// due (payer only), forget what main has closed.
func (s *Signer) payouts(ctx context.Context) error {
	if err := s.discover(ctx); err != nil {
		return err
	}
	var ids []uint64
	if err := s.store.Scan(prefixWOpen, func(k, _ []byte) bool {
		ids = append(ids, binary.BigEndian.Uint64(k[len(prefixWOpen):]))
		return true
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.settle(ctx, id); err != nil {
			return fmt.Errorf("withdrawal %d: %w", id, err)
		}
	}
	return nil
}

func (s *Signer) settle(ctx context.Context, id uint64) error {
	w, err := s.main.Withdrawal(ctx, id)
	if err != nil {
		return err
	}
	if w == nil {
		return fmt.Errorf("recorded withdrawal missing on main: %w", bridge.ErrNotFound)
	}
	var seen seenPayout
	hasSeen, err := s.getRLP(wkey(prefixWSeen, id), &seen)
	if err != nil {
		return err
	}
	if w.State != bridge.WithdrawalPending {
		if w.State == bridge.WithdrawalRefunded && hasSeen {
			s.log.Error("withdrawal refunded on main after it was paid on the external chain", "withdrawal", id, "ext_tx", seen.ExtTxHash.Hex())
		} else if w.State == bridge.WithdrawalRefunded && s.cfg.VaultKey != nil {
			// A payout of ours may still be unmined (the payer was down
			// through the margin): void it, and keep the record until
			// its nonce is used.
			if settled, err := s.voidRefunded(ctx, w); err != nil || !settled {
				return err
			}
		}
		b := s.store.Batch()
		for _, p := range [][]byte{prefixWOpen, prefixWSeen, prefixPayment} {
			b.Delete(wkey(p, id))
		}
		return b.Commit()
	}
	if hasSeen {
		if seen.To != w.ExtAddress || seen.Amount != w.Amount {
			s.log.Error("not attesting payout", "withdrawal", id, "ext_tx", seen.ExtTxHash.Hex(), "err", fmt.Errorf("%w: paid %s to %s, owed %s to %s",
				ErrPayoutMismatch, types.FormatUSDT(seen.Amount), seen.To.Hex(), types.FormatUSDT(w.Amount), w.ExtAddress.Hex()))
			return nil
		}
		if slices.Contains(w.Attested, s.tx.addr) {
			return nil
		}
		return s.tx.ensure(ctx, onMain, fmt.Sprintf("paid/%d", id), bridge.TypeAttestPaid, &bridge.MsgAttestPaid{ID: id, ExtTxHash: seen.ExtTxHash})
	}
	if s.cfg.VaultKey == nil {
		return nil // not the payer: wait for the payout to show up
	}
	return s.pay(ctx, w)
}

func (s *Signer) getRLP(key []byte, v any) (bool, error) {
	raw, ok, err := s.store.Get(key)
	if err != nil || !ok {
		return false, err
	}
	if err := core.Decode(raw, v); err != nil {
		return true, fmt.Errorf("sidechain: corrupt record %q: %w", key, err)
	}
	return true, nil
}

// pay makes sure exactly one payout transaction for w is on its way.
func (s *Signer) pay(ctx context.Context, w *bridge.Withdrawal) error {
	key := wkey(prefixPayment, w.ID)
	var p payment
	had, err := s.getRLP(key, &p)
	if err != nil {
		return err
	}
	if had {
		var tx ethtypes.Transaction
		if err := tx.UnmarshalBinary(p.Tx); err != nil {
			return fmt.Errorf("sidechain: corrupt payout tx %q: %w", key, err)
		}
		rc, err := s.eth.TransactionReceipt(ctx, tx.Hash())
		switch {
		case err == nil && rc.Status == ethtypes.ReceiptStatusSuccessful:
			// Mined: the scan attests a payout once confirmed; after a
			// void, nothing was paid and main refunds at the deadline.
			return nil
		case err == nil:
			// Nothing moved; pay again, after the checks below.
			s.log.Warn("payout reverted", "withdrawal", w.ID, "tx", tx.Hash())
		case !errors.Is(err, ethereum.NotFound):
			return fmt.Errorf("sidechain: payout receipt %s: %w", tx.Hash(), err)
		default:
			n, err := s.eth.NonceAt(ctx, s.cfg.Vault, nil)
			if err != nil {
				return err
			}
			if n <= p.Nonce {
				if !p.Void {
					now, err := s.main.BlockTime(ctx)
					if err != nil {
						return err
					}
					if now >= w.Deadline || w.Deadline-now <= s.cfg.PayoutMargin/2 {
						return s.void(ctx, w, p.Nonce, &tx)
					}
				}
				return s.resendPayout(ctx, &tx)
			}
			// The nonce went to another transaction: ours can never be
			// mined. The checks below find a tagged payout if that one was it.
			s.log.Warn("payout nonce used by another transaction", "withdrawal", w.ID, "tx", tx.Hash(), "nonce", p.Nonce)
		}
		b := s.store.Batch()
		b.Delete(key)
		if err := b.Commit(); err != nil {
			return err
		}
	}
	now, err := s.main.BlockTime(ctx)
	if err != nil {
		return err
	}
	if now >= w.Deadline || w.Deadline-now <= s.cfg.PayoutMargin {
		s.log.Warn("not paying a withdrawal this close to its refund", "withdrawal", w.ID, "deadline", w.Deadline, "main_time", now)
		return nil
	}
	// Transfers out of the vault not yet confirmed (the scan has not
	// reached them) are looked at here, so a payout in flight is seen.
	from, err := s.nextScan()
	if err != nil {
		return err
	}
	head, err := s.eth.BlockNumber(ctx)
	if err != nil {
		return err
	}
	if head >= from && head-from > s.cfg.Confirmations+s.cfg.MaxRange {
		s.log.Info("not paying until the scan has caught up", "withdrawal", w.ID, "scanned_to", from, "head", head)
		return nil
	}
	to := common.Address(w.ExtAddress)
	if head >= from {
		logs, err := s.payoutLogs(ctx, from, head, &to)
		if err != nil {
			return err
		}
		for _, l := range logs {
			id, _, ok, err := s.tagged(ctx, l)
			if err != nil {
				return err
			}
			if ok && id == w.ID {
				return nil // paid, not yet confirmed
			}
		}
	}
	bal, err := s.tokenBalance(ctx, s.cfg.Vault)
	if err != nil {
		return err
	}
	value := new(big.Int).SetUint64(w.Amount)
	if bal.Cmp(value) < 0 {
		s.log.Warn("vault short of the payout", "withdrawal", w.ID, "vault", bal, "amount", value)
		return nil
	}
	tx, nonce, err := s.buildPayout(ctx, w, to, value)
	if err != nil {
		return err
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return err
	}
	b := s.store.Batch()
	b.Set(key, core.Encode(&payment{Nonce: nonce, Tx: raw}))
	b.Set(keyVaultNext, be64(nonce+1))
	if err := b.Commit(); err != nil {
		return err
	}
	s.log.Info("paying withdrawal", "withdrawal", w.ID, "ext_address", to, "amount", types.FormatUSDT(w.Amount), "tx", tx.Hash(), "nonce", nonce)
	return s.resendPayout(ctx, tx)
}

// voidRefunded makes sure a refunded withdrawal's payout, if the payer
// sent one, is never mined: settled once the payout's nonce is used (by
// the void, or by the payout itself before the void could replace it).
func (s *Signer) voidRefunded(ctx context.Context, w *bridge.Withdrawal) (settled bool, err error) {
	var p payment
	had, err := s.getRLP(wkey(prefixPayment, w.ID), &p)
	if err != nil || !had {
		return !had, err
	}
	var tx ethtypes.Transaction
	if err := tx.UnmarshalBinary(p.Tx); err != nil {
		return false, fmt.Errorf("sidechain: corrupt payout tx of withdrawal %d: %w", w.ID, err)
	}
	n, err := s.eth.NonceAt(ctx, s.cfg.Vault, nil)
	if err != nil {
		return false, err
	}
	if n > p.Nonce {
		if _, err := s.eth.TransactionReceipt(ctx, tx.Hash()); err == nil && !p.Void {
			s.log.Error("withdrawal refunded on main and its payout mined", "withdrawal", w.ID, "ext_tx", tx.Hash())
		}
		return true, nil
	}
	if p.Void {
		return false, s.resendPayout(ctx, &tx)
	}
	return false, s.void(ctx, w, p.Nonce, &tx)
}

// void replaces a payout that is still unmined when its withdrawal's
// refund is half the payout margin away, or past (voidRefunded): the same nonce, a transfer of
// nothing from the vault to itself, at twice the fees so that nodes take
// it in the payout's place. Otherwise a payout held up on the external
// chain (a congested pool, a node that dropped it and a payer that
// re-sent it) could still be mined after main refunded the withdrawal,
// paying it twice. The void is persisted before it is sent and from then
// on re-sent instead of the payout. If the payout is mined first anyway,
// the void fails with "nonce too low", the nonce check in pay sees the
// nonce used, and the scan finds and attests the payout. A production
// vault contract that refuses payouts after the deadline closes what is
// left: a void that is itself not mined by the deadline.
func (s *Signer) void(ctx context.Context, w *bridge.Withdrawal, nonce uint64, payout *ethtypes.Transaction) error {
	head, err := s.eth.HeaderByNumber(ctx, nil)
	if err != nil {
		return err
	}
	two := big.NewInt(2)
	tip := new(big.Int).Mul(payout.GasTipCap(), two)
	feeCap := new(big.Int).Mul(payout.GasFeeCap(), two)
	if floor := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, two)); feeCap.Cmp(floor) < 0 {
		feeCap = floor
	}
	vault := s.cfg.Vault
	tx, err := ethtypes.SignNewTx(s.cfg.VaultKey, ethtypes.LatestSignerForChainID(new(big.Int).SetUint64(s.cfg.ExtChainID)),
		&ethtypes.DynamicFeeTx{ChainID: new(big.Int).SetUint64(s.cfg.ExtChainID), Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap,
			Gas: voidGas, To: &vault})
	if err != nil {
		return err
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return err
	}
	if err := s.store.Set(wkey(prefixPayment, w.ID), core.Encode(&payment{Nonce: nonce, Tx: raw, Void: true})); err != nil {
		return err
	}
	s.log.Warn("voiding a payout not mined before the refund margin", "withdrawal", w.ID, "payout", payout.Hash(), "void", tx.Hash(),
		"nonce", nonce, "deadline", w.Deadline)
	return s.resendPayout(ctx, tx)
}

func (s *Signer) buildPayout(ctx context.Context, w *bridge.Withdrawal, to common.Address, value *big.Int) (*ethtypes.Transaction, uint64, error) {
	chainNonce, err := s.eth.NonceAt(ctx, s.cfg.Vault, nil)
	if err != nil {
		return nil, 0, err
	}
	next, err := u64At(s.store, keyVaultNext, 0)
	if err != nil {
		return nil, 0, err
	}
	nonce := max(chainNonce, next)
	head, err := s.eth.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, 0, err
	}
	tip, err := s.eth.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, 0, err
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	tag := PayoutTag(s.cfg.MainChainID, w.ID)
	data := slices.Concat(transferSel, common.LeftPadBytes(to[:], 32), common.LeftPadBytes(value.Bytes(), 32), tag[:])
	token := s.cfg.Token
	gas, err := s.eth.EstimateGas(ctx, ethereum.CallMsg{From: s.cfg.Vault, To: &token, Data: data})
	if err != nil {
		return nil, 0, fmt.Errorf("sidechain: estimate payout gas: %w", err)
	}
	gas += gas / 4 // the estimate is at the current state; leave room
	tx, err := ethtypes.SignNewTx(s.cfg.VaultKey, ethtypes.LatestSignerForChainID(new(big.Int).SetUint64(s.cfg.ExtChainID)),
		&ethtypes.DynamicFeeTx{ChainID: new(big.Int).SetUint64(s.cfg.ExtChainID), Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap,
			Gas: gas, To: &token, Data: data})
	return tx, nonce, err
}

// resendPayout sends tx once per run; "already known" and its kin mean it
// got there before.
func (s *Signer) resendPayout(ctx context.Context, tx *ethtypes.Transaction) error {
	h := types.Hash(tx.Hash())
	if s.tx.sent[h] {
		return nil
	}
	if err := s.eth.SendTransaction(ctx, tx); err != nil && !knownTxErr(err) {
		return fmt.Errorf("sidechain: send payout %s: %w", tx.Hash(), err)
	}
	s.tx.sent[h] = true
	return nil
}

func knownTxErr(err error) bool {
	for _, s := range []string{"already known", "known transaction", "nonce too low", "already imported"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

func (s *Signer) tokenBalance(ctx context.Context, a common.Address) (*big.Int, error) {
	token := s.cfg.Token
	out, err := s.eth.CallContract(ctx, ethereum.CallMsg{To: &token, Data: slices.Concat(balanceOfData, common.LeftPadBytes(a[:], 32))}, nil)
	if err != nil {
		return nil, fmt.Errorf("sidechain: vault balance: %w", err)
	}
	if len(out) != 32 {
		return nil, fmt.Errorf("sidechain: vault balance: %d bytes", len(out))
	}
	return new(big.Int).SetBytes(out), nil
}
