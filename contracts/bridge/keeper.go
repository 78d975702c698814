package bridge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/bridge/retain"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/store"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// EscrowAddress holds USDT locked for side chains.
var EscrowAddress = bank.ModuleAddress("bridge")

// Withdrawal states.
const (
	WithdrawalPending  uint8 = 1
	WithdrawalPaid     uint8 = 2
	WithdrawalRefunded uint8 = 3
)

// Deposit is an external deposit's record.
type Deposit struct {
	ID       types.Hash
	Minted   bool
	Attested []types.Address // every signer that attested, any content, in order
}

// Withdrawal is a payout request.
type Withdrawal struct {
	ID         uint64
	From       types.Address
	ExtAddress types.Address
	Amount     uint64
	CreatedAt  uint64
	Deadline   uint64
	State      uint8
	ExtTxHash  types.Hash // when PAID
	Attested   []types.Address
}

// Keeper reads and writes bridge state.
type Keeper struct {
	bank        BankKeeper
	roles       RoleKeeper
	checkpoints CheckpointKeeper
	params      ParamStore
}

// Deps are the keepers the bridge uses.
type Deps struct {
	Bank        BankKeeper
	Roles       RoleKeeper
	Checkpoints CheckpointKeeper
	Params      ParamStore
}

// NewKeeper returns a keeper over d.
func NewKeeper(d Deps) Keeper {
	return Keeper{bank: d.Bank, roles: d.Roles, checkpoints: d.Checkpoints, params: d.Params}
}

// Store layout.
var (
	keyPaused        = []byte("bridge/paused")
	keyWithdrawSeq   = []byte("bridge/wseq")
	keyLockSeq       = []byte("bridge/lseq")
	prefixDeposit    = []byte("bridge/d/")  // + deposit ID -> RLP Deposit
	prefixVotes      = []byte("bridge/dv/") // + deposit ID + content hash -> RLP []Address
	prefixWithdrawal = []byte("bridge/w/")  // + id -> RLP Withdrawal
	prefixPaidVotes  = []byte("bridge/wv/") // + id + ext tx hash -> RLP []Address
	prefixQueue      = []byte("bridge/q/")  // + deadline + id -> {}
	prefixDay        = []byte("bridge/day") // -> day, withdrawn
	prefixLocked     = []byte("bridge/l/")  // + chain ID -> locked amount outstanding
	prefixReleased   = []byte("bridge/r/")  // + burn ID -> {}
)

// lockHolds are the main heights whose receipts a lock's proof needs until
// the side chain can have minted it (see RetainHeight).
var lockHolds = retain.Set{Prefix: []byte("bridge/hold/")} // + height + lock nonce -> {}

func u64(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// DepositID identifies an external deposit: (chain ID, tx hash, log index)
// and nothing else, so its recipient and amount cannot make a second one.
func DepositID(extChainID uint64, txHash types.Hash, logIndex uint64) types.Hash {
	b, _ := rlp.EncodeToBytes([]any{extChainID, txHash, logIndex})
	return types.Keccak([]byte("accord/deposit/v1"), b)
}

func (m *MsgAttestDeposit) content() types.Hash {
	return types.Keccak(m.Recipient[:], store.BE64(m.Amount))
}

func (k Keeper) get(st state.Store, key []byte, v any) (bool, error) {
	raw, ok := st.Get(key)
	if !ok {
		return false, nil
	}
	if err := core.Decode(raw, v); err != nil {
		return true, fmt.Errorf("%w: %x: %v", ErrCorrupt, key, err)
	}
	return true, nil
}

// Paused reports whether gov paused the bridge.
func (Keeper) Paused(st state.Store) bool { return st.Has(keyPaused) }

// Pause stops deposits, withdrawals, locks and releases (gov).
func (k Keeper) Pause(ctx *core.Context) error {
	if k.Paused(ctx.Store) {
		return fmt.Errorf("%w: already", ErrPaused)
	}
	ctx.Store.Set(keyPaused, []byte{1})
	ctx.EmitEvent(PausedEvent{By: ctx.Sender})
	return nil
}

// Unpause resumes the bridge (gov).
func (k Keeper) Unpause(ctx *core.Context) error {
	if !k.Paused(ctx.Store) {
		return ErrNotPaused
	}
	ctx.Store.Delete(keyPaused)
	ctx.EmitEvent(UnpausedEvent{By: ctx.Sender})
	return nil
}

func (k Keeper) checkSigner(st state.Store, a types.Address) error {
	if !k.roles.HasRole(st, a, gov.RoleBridgeSigner) {
		return fmt.Errorf("%s: %w", a.Hex(), ErrNotSigner)
	}
	return nil
}

// current counts the voters that still hold the signer role.
func (k Keeper) current(st state.Store, voters []types.Address) uint64 {
	var n uint64
	for _, v := range voters {
		if k.roles.HasRole(st, v, gov.RoleBridgeSigner) {
			n++
		}
	}
	return n
}

// GetDeposit returns a deposit's record.
func (k Keeper) GetDeposit(st state.Store, id types.Hash) (*Deposit, error) {
	var d Deposit
	ok, err := k.get(st, slices.Concat(prefixDeposit, id[:]), &d)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("deposit %s: %w", id.Hex(), ErrNotFound)
	}
	return &d, nil
}

// AttestDeposit records the sender's attestation and mints at the threshold.
func (k Keeper) AttestDeposit(ctx *core.Context, m *MsgAttestDeposit) error {
	st := ctx.Store
	if k.Paused(st) {
		return ErrPaused
	}
	if err := k.checkSigner(st, ctx.Sender); err != nil {
		return err
	}
	id := DepositID(m.ExtChainID, m.ExtTxHash, m.LogIndex)
	d, err := k.GetDeposit(st, id)
	switch {
	case errors.Is(err, ErrNotFound):
		d = &Deposit{ID: id}
	case err != nil:
		return err
	}
	if d.Minted {
		return fmt.Errorf("deposit %s: %w", id.Hex(), ErrAlreadyMinted)
	}
	if slices.Contains(d.Attested, ctx.Sender) {
		return fmt.Errorf("deposit %s by %s: %w", id.Hex(), ctx.Sender.Hex(), ErrAlreadyAttested)
	}
	if len(d.Attested) >= 2*maxSigners {
		return fmt.Errorf("deposit %s: %w: too many attestations", id.Hex(), ErrCorrupt)
	}
	d.Attested = append(d.Attested, ctx.Sender)
	c := m.content()
	vkey := slices.Concat(prefixVotes, id[:], c[:])
	var voters []types.Address
	if _, err := k.get(st, vkey, &voters); err != nil {
		return err
	}
	voters = append(voters, ctx.Sender)
	n := k.current(st, voters)
	ctx.EmitEvent(DepositAttestedEvent{ID: id, Signer: ctx.Sender, Votes: n})
	if n >= k.Params(st).Threshold {
		if err := k.bank.Mint(st, m.Recipient, m.Amount); err != nil {
			return err
		}
		d.Minted = true
		ctx.EmitEvent(DepositMintedEvent{ID: id, ExtChain: m.ExtChainID, ExtTx: m.ExtTxHash, LogIndex: m.LogIndex,
			Recipient: m.Recipient, Amount: m.Amount})
	}
	st.Set(vkey, core.Encode(voters))
	st.Set(slices.Concat(prefixDeposit, id[:]), core.Encode(d))
	return nil
}

// maxSigners bounds the attestations kept per record (gov bounds role
// holders only by its admins' patience; a record must not grow without end).
const maxSigners = 100

func dayOf(ms uint64) uint64 { return ms / day }

// WithdrawnToday is the amount withdrawn on the UTC day of block time now.
func (Keeper) WithdrawnToday(st state.Store, now uint64) uint64 {
	v, ok := st.Get(prefixDay)
	if !ok || len(v) != 16 || binary.BigEndian.Uint64(v[:8]) != dayOf(now) {
		return 0
	}
	return binary.BigEndian.Uint64(v[8:])
}

// Withdraw burns the sender's USDT and records a pending payout.
func (k Keeper) Withdraw(ctx *core.Context, m *MsgWithdraw) (uint64, error) {
	st, now := ctx.Store, ctx.Block.Time
	if k.Paused(st) {
		return 0, ErrPaused
	}
	p := k.Params(st)
	today := k.WithdrawnToday(st, now)
	total, err := types.AddAmount(today, m.Amount)
	if err != nil || total > p.DailyCap {
		return 0, fmt.Errorf("%w: %s + %s > %s USDT", ErrCapExceeded, types.FormatUSDT(today), types.FormatUSDT(m.Amount), types.FormatUSDT(p.DailyCap))
	}
	if err := k.bank.Burn(st, ctx.Sender, m.Amount); err != nil {
		return 0, err
	}
	id := u64(mustGet(st, keyWithdrawSeq)) + 1
	st.Set(keyWithdrawSeq, store.BE64(id))
	w := &Withdrawal{ID: id, From: ctx.Sender, ExtAddress: m.ExtAddress, Amount: m.Amount, CreatedAt: now,
		Deadline: now + p.PayoutTimeout, State: WithdrawalPending}
	k.setWithdrawal(st, w)
	st.Set(slices.Concat(prefixQueue, store.BE64(w.Deadline), store.BE64(id)), []byte{})
	st.Set(prefixDay, slices.Concat(store.BE64(dayOf(now)), store.BE64(total)))
	ctx.EmitEvent(WithdrawalEvent{ID: id, From: ctx.Sender, ExtAddress: m.ExtAddress, Amount: m.Amount, Deadline: w.Deadline})
	return id, nil
}

func mustGet(st state.Store, key []byte) []byte {
	v, _ := st.Get(key)
	return v
}

func (Keeper) setWithdrawal(st state.Store, w *Withdrawal) {
	st.Set(slices.Concat(prefixWithdrawal, store.BE64(w.ID)), core.Encode(w))
}

// GetWithdrawal returns a withdrawal.
func (k Keeper) GetWithdrawal(st state.Store, id uint64) (*Withdrawal, error) {
	var w Withdrawal
	ok, err := k.get(st, slices.Concat(prefixWithdrawal, store.BE64(id)), &w)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("withdrawal %d: %w", id, ErrNotFound)
	}
	return &w, nil
}

// AttestPaid records a signer's word that a payout was made; at the
// threshold for one external tx hash the withdrawal is PAID.
func (k Keeper) AttestPaid(ctx *core.Context, m *MsgAttestPaid) error {
	st := ctx.Store
	if err := k.checkSigner(st, ctx.Sender); err != nil {
		return err
	}
	w, err := k.GetWithdrawal(st, m.ID)
	if err != nil {
		return err
	}
	if w.State != WithdrawalPending {
		return fmt.Errorf("withdrawal %d: %w", w.ID, ErrWrongState)
	}
	if slices.Contains(w.Attested, ctx.Sender) {
		return fmt.Errorf("withdrawal %d by %s: %w", w.ID, ctx.Sender.Hex(), ErrAlreadyAttested)
	}
	if len(w.Attested) >= 2*maxSigners {
		return fmt.Errorf("withdrawal %d: %w: too many attestations", w.ID, ErrCorrupt)
	}
	w.Attested = append(w.Attested, ctx.Sender)
	vkey := slices.Concat(prefixPaidVotes, store.BE64(w.ID), m.ExtTxHash[:])
	var voters []types.Address
	if _, err := k.get(st, vkey, &voters); err != nil {
		return err
	}
	voters = append(voters, ctx.Sender)
	n := k.current(st, voters)
	ctx.EmitEvent(PaidAttestedEvent{ID: w.ID, Signer: ctx.Sender, Votes: n})
	if n >= k.Params(st).Threshold {
		w.State, w.ExtTxHash = WithdrawalPaid, m.ExtTxHash
		st.Delete(slices.Concat(prefixQueue, store.BE64(w.Deadline), store.BE64(w.ID)))
		ctx.EmitEvent(WithdrawalPaidEvent{ID: w.ID, ExtTx: m.ExtTxHash})
	}
	st.Set(vkey, core.Encode(voters))
	k.setWithdrawal(st, w)
	return nil
}

// BeginBlock refunds payouts whose deadline passed, oldest first, at most
// max_timeouts_per_block.
func (k Keeper) BeginBlock(ctx *core.Context) error {
	st, now := ctx.Store, ctx.Block.Time
	lockHolds.Expire(st, ctx.Block.Height)
	limit := k.Params(st).MaxTimeouts
	end := state.PrefixEnd(prefixQueue)
	if now < ^uint64(0) {
		end = slices.Concat(prefixQueue, store.BE64(now+1))
	}
	var ids []uint64
	st.Iterate(prefixQueue, end, false, func(key, _ []byte) bool {
		ids = append(ids, u64(key[len(prefixQueue)+8:]))
		return uint64(len(ids)) < limit
	})
	for _, id := range ids {
		w, err := k.GetWithdrawal(st, id)
		if err != nil {
			return err
		}
		if err := k.bank.Mint(st, w.From, w.Amount); err != nil {
			return err
		}
		st.Delete(slices.Concat(prefixQueue, store.BE64(w.Deadline), store.BE64(id)))
		w.State = WithdrawalRefunded
		k.setWithdrawal(st, w)
		ctx.EmitEvent(RefundedEvent{ID: id, From: w.From, Amount: w.Amount})
	}
	return nil
}

func lockedKey(chain string) []byte {
	return slices.Concat(prefixLocked, []byte{byte(len(chain))}, []byte(chain))
}

// Locked is what side chain id may still release: locked minus released.
func (Keeper) Locked(st state.Store, id string) uint64 { return u64(mustGet(st, lockedKey(id))) }

// Lock escrows the sender's USDT for a recipient on a registered side chain.
func (k Keeper) Lock(ctx *core.Context, m *MsgLock) error {
	st := ctx.Store
	if k.Paused(st) {
		return ErrPaused
	}
	if _, err := k.checkpoints.Chain(st, m.ChainID); err != nil {
		return err
	}
	total, err := types.AddAmount(k.Locked(st, m.ChainID), m.Amount)
	if err != nil {
		return err
	}
	if err := k.bank.Send(st, ctx.Sender, EscrowAddress, m.Amount); err != nil {
		return err
	}
	st.Set(lockedKey(m.ChainID), store.BE64(total))
	n := u64(mustGet(st, keyLockSeq)) + 1
	st.Set(keyLockSeq, store.BE64(n))
	lockHolds.Add(st, ctx.Block.Height, n)
	ctx.EmitEvent(LockedEvent{Chain: m.ChainID, Sender: ctx.Sender, Recipient: m.Recipient, Amount: m.Amount, Nonce: n})
	return nil
}

// RetainHeight implements core.HeightRetainer: the lowest main height
// holding a lock the side chain may not have minted yet. Main cannot see
// side's mints (no proof of them comes back), so a lock holds its block
// for retain.DefaultWindow blocks, time for any relayer to carry it.
func (Keeper) RetainHeight(st state.Store) uint64 { return lockHolds.Lowest(st) }

// Released reports whether a burn was released.
func (Keeper) Released(st state.Store, burn types.Hash) bool {
	return st.Has(slices.Concat(prefixReleased, burn[:]))
}

// Release pays out a proven side-chain burn from the escrow, once.
func (k Keeper) Release(ctx *core.Context, m *MsgRelease) error {
	st := ctx.Store
	if k.Paused(st) {
		return ErrPaused
	}
	if k.checkpoints.Halted(st, m.ChainID) {
		return fmt.Errorf("%q: %w", m.ChainID, ErrChainHalted)
	}
	p, err := proof.DecodeBurnProof(m.Proof)
	if err != nil {
		return err
	}
	a, err := k.checkpoints.Covering(st, m.ChainID, p.Header.Height)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotCovered, err)
	}
	ev, burn, err := p.Verify(a.Checkpoint.Span())
	if err != nil {
		return err
	}
	burned, err := DecodeBurned(ev)
	if err != nil {
		return err
	}
	if k.Released(st, burn) {
		return fmt.Errorf("burn %s: %w", burn.Hex(), ErrAlreadyReleased)
	}
	to, amount := burned.Recipient, burned.Amount
	locked := k.Locked(st, m.ChainID)
	if amount > locked {
		return fmt.Errorf("%w: %s of %s USDT", ErrEscrowShort, types.FormatUSDT(amount), types.FormatUSDT(locked))
	}
	if err := k.bank.Send(st, EscrowAddress, to, amount); err != nil {
		return err
	}
	st.Set(lockedKey(m.ChainID), store.BE64(locked-amount))
	st.Set(slices.Concat(prefixReleased, burn[:]), []byte{1})
	ctx.EmitEvent(ReleasedEvent{Chain: m.ChainID, Burn: burn, Recipient: to, Amount: amount, Height: p.Header.Height, Nonce: burned.Nonce})
	return nil
}

// DecodeBurned reads a proven side-chain event as a burn: of the burn's
// type, with a recipient and a canonical positive amount.
func DecodeBurned(ev types.Event) (*BurnedEvent, error) {
	var b BurnedEvent
	if err := core.DecodeEvent(ev, &b); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWrongEvent, err)
	}
	if b.Recipient == (types.Address{}) {
		return nil, fmt.Errorf("%w: recipient %q", ErrWrongEvent, ev.Get("recipient"))
	}
	if _, err := ParseAmount(ev.Get("amount")); err != nil {
		return nil, err
	}
	return &b, nil
}

// DecodeLocked reads a proven main-chain event as a lock, with the same
// checks as DecodeBurned.
func DecodeLocked(ev types.Event) (*LockedEvent, error) {
	var l LockedEvent
	if err := core.DecodeEvent(ev, &l); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWrongEvent, err)
	}
	if l.Recipient == (types.Address{}) {
		return nil, fmt.Errorf("%w: recipient %q", ErrWrongEvent, ev.Get("recipient"))
	}
	if _, err := ParseAmount(ev.Get("amount")); err != nil {
		return nil, err
	}
	return &l, nil
}

// ParseAmount reads a canonical positive decimal micro-USDT amount.
func ParseAmount(s string) (uint64, error) {
	var v uint64
	if s == "" || len(s) > 20 || (s[0] == '0') {
		return 0, fmt.Errorf("%w: amount %q", ErrWrongEvent, s)
	}
	for i := 0; i < len(s); i++ {
		d := s[i]
		if d < '0' || d > '9' || v > (^uint64(0)-uint64(d-'0'))/10 {
			return 0, fmt.Errorf("%w: amount %q", ErrWrongEvent, s)
		}
		v = v*10 + uint64(d-'0')
	}
	return v, nil
}
