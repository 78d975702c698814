package bridge

// The main half's CLI commands and API queries (core.Commander,
// core.Querier): `tx bridge attest-deposit|withdraw|attest-paid|lock|release`
// and `query bridge deposit|withdrawal|burn ID` over accord_getBridgeDeposit,
// accord_getBridgeWithdrawal and accord_getBridgeBurn (plus
// accord_getBridgeLocked for a side chain's outstanding escrow).

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander = Module{}
	_ core.Querier   = Module{}
)

// The API methods of the main half.
const (
	QueryDeposit    = "accord_getBridgeDeposit"    // (deposit ID) DepositView
	QueryWithdrawal = "accord_getBridgeWithdrawal" // (withdrawal ID) WithdrawalView
	QueryBurn       = "accord_getBridgeBurn"       // (burn ID) BurnView
	QueryLocked     = "accord_getBridgeLocked"     // (side chain ID) LockedView
)

// TxType implementations: each message's transaction type.
func (*MsgAttestDeposit) TxType() types.TxType { return TypeAttestDeposit }
func (*MsgWithdraw) TxType() types.TxType      { return TypeWithdraw }
func (*MsgAttestPaid) TxType() types.TxType    { return TypeAttestPaid }
func (*MsgLock) TxType() types.TxType          { return TypeLock }
func (*MsgRelease) TxType() types.TxType       { return TypeRelease }

// DepositView is an external deposit as accord_getBridgeDeposit reports it.
type DepositView struct {
	ID       types.Hash      `json:"id"`
	Minted   bool            `json:"minted"`
	Attested []types.Address `json:"attested"` // every signer that attested, in order
}

// WithdrawalView is a payout request as accord_getBridgeWithdrawal reports it.
type WithdrawalView struct {
	ID         uint64          `json:"id"`
	From       types.Address   `json:"from"`
	ExtAddress types.Address   `json:"ext_address"`
	Amount     uint64          `json:"amount"` // micro-USDT
	CreatedAt  uint64          `json:"created_at_ms"`
	Deadline   uint64          `json:"deadline_ms"`
	State      string          `json:"state"` // PENDING, PAID or REFUNDED
	ExtTxHash  *types.Hash     `json:"ext_tx,omitempty"`
	Attested   []types.Address `json:"attested"`
}

// BurnView says whether a side-chain burn (proof.BurnID) was released.
type BurnView struct {
	ID       types.Hash `json:"id"`
	Released bool       `json:"released"`
}

// LockedView is what a side chain may still release from the escrow.
type LockedView struct {
	ChainID string `json:"chain_id"`
	Locked  uint64 `json:"locked"` // micro-USDT
	Halted  bool   `json:"halted"` // releases stopped (unregistered, or conflicting checkpoints)
}

// WithdrawalState names a withdrawal state.
func WithdrawalState(s uint8) string {
	switch s {
	case WithdrawalPending:
		return "PENDING"
	case WithdrawalPaid:
		return "PAID"
	case WithdrawalRefunded:
		return "REFUNDED"
	}
	return "UNKNOWN"
}

// Withdrawal is the record v reports (NewWithdrawalView's inverse), for a
// client such as a bridge signer that acts on it.
func (v WithdrawalView) Withdrawal() (*Withdrawal, error) {
	w := &Withdrawal{ID: v.ID, From: v.From, ExtAddress: v.ExtAddress, Amount: v.Amount, CreatedAt: v.CreatedAt,
		Deadline: v.Deadline}
	for _, st := range []uint8{WithdrawalPending, WithdrawalPaid, WithdrawalRefunded} {
		if WithdrawalState(st) == v.State {
			w.State = st
		}
	}
	if w.State == 0 {
		return nil, fmt.Errorf("withdrawal %d: unknown state %q", v.ID, v.State)
	}
	if (v.ExtTxHash != nil) != (w.State == WithdrawalPaid) {
		return nil, fmt.Errorf("withdrawal %d: state %s with external tx %v", v.ID, v.State, v.ExtTxHash)
	}
	if v.ExtTxHash != nil {
		w.ExtTxHash = *v.ExtTxHash
	}
	if len(v.Attested) > 0 {
		w.Attested = v.Attested
	}
	return w, nil
}

// NewWithdrawalView is w's API view.
func NewWithdrawalView(w *Withdrawal) WithdrawalView {
	v := WithdrawalView{ID: w.ID, From: w.From, ExtAddress: w.ExtAddress, Amount: w.Amount, CreatedAt: w.CreatedAt,
		Deadline: w.Deadline, State: WithdrawalState(w.State), Attested: w.Attested}
	if w.State == WithdrawalPaid {
		h := w.ExtTxHash
		v.ExtTxHash = &h
	}
	if v.Attested == nil {
		v.Attested = []types.Address{}
	}
	return v
}

func notFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", core.ErrNotFound, err)
	}
	return err
}

// oneArg decodes JSON-RPC params that are exactly one string or number.
func oneArg(method string, params json.RawMessage) (string, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(params, &args); err != nil || len(args) != 1 {
		return "", fmt.Errorf("%w: %s takes one argument", core.ErrInvalidQuery, method)
	}
	var s string
	if err := json.Unmarshal(args[0], &s); err == nil {
		return s, nil
	}
	var n uint64
	if err := json.Unmarshal(args[0], &n); err != nil {
		return "", fmt.Errorf("%w: %s: want a string or an unsigned integer", core.ErrInvalidQuery, method)
	}
	return strconv.FormatUint(n, 10), nil
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{
		{Method: QueryDeposit, Doc: "(deposit id) DepositView: an external deposit's attestations and whether it was minted",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				id, err := core.HashParam(QueryDeposit, p)
				if err != nil {
					return nil, err
				}
				d, err := m.GetDeposit(q.Store, id)
				if err != nil {
					return nil, notFound(err)
				}
				v := DepositView{ID: d.ID, Minted: d.Minted, Attested: d.Attested}
				if v.Attested == nil {
					v.Attested = []types.Address{}
				}
				return v, nil
			}},
		{Method: QueryWithdrawal, Doc: "(withdrawal id) WithdrawalView: a payout request and its state",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				s, err := oneArg(QueryWithdrawal, p)
				if err != nil {
					return nil, err
				}
				id, err := strconv.ParseUint(s, 10, 64)
				if err != nil || id == 0 {
					return nil, fmt.Errorf("%w: %s: withdrawal ID %q", core.ErrInvalidQuery, QueryWithdrawal, s)
				}
				w, err := m.GetWithdrawal(q.Store, id)
				if err != nil {
					return nil, notFound(err)
				}
				return NewWithdrawalView(w), nil
			}},
		{Method: QueryBurn, Doc: "(burn id) BurnView: whether a side-chain burn was released on main",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				id, err := core.HashParam(QueryBurn, p)
				if err != nil {
					return nil, err
				}
				return BurnView{ID: id, Released: m.Released(q.Store, id)}, nil
			}},
		{Method: QueryLocked, Doc: "(side chain id) LockedView: the escrow a side chain may still release",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				id, err := oneArg(QueryLocked, p)
				if err != nil {
					return nil, err
				}
				return m.lockedView(q.Store, id)
			}},
	}
}

func (m Module) lockedView(st state.Store, id string) (LockedView, error) {
	if _, err := m.checkpoints.Chain(st, id); err != nil {
		return LockedView{}, fmt.Errorf("%w: side chain %q: %w", core.ErrNotFound, id, err)
	}
	return LockedView{ChainID: id, Locked: m.Locked(st, id), Halted: m.checkpoints.Halted(st, id)}, nil
}

func flagHash(in core.CommandInput, name string) (types.Hash, error) {
	h, err := types.ParseHash(in.Flags[name])
	if err != nil {
		return types.Hash{}, fmt.Errorf("--%s: %w", name, err)
	}
	return h, nil
}

func flagAddress(in core.CommandInput, name string) (types.Address, error) {
	a, err := types.ParseAddress(in.Flags[name])
	if err != nil {
		return types.Address{}, fmt.Errorf("--%s: %w", name, err)
	}
	return a, nil
}

func flagUSDT(in core.CommandInput, name string) (uint64, error) {
	v, err := types.ParseUSDT(in.Flags[name])
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	return v, nil
}

func flagUint(in core.CommandInput, name string) (uint64, error) {
	v, err := strconv.ParseUint(in.Flags[name], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--%s: %q is not an unsigned integer", name, in.Flags[name])
	}
	return v, nil
}

// ParseHex reads 0x-prefixed hex bytes (a proof from accord_getBurnProof).
func ParseHex(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("want 0x-prefixed hex")
	}
	return b, nil
}

var (
	flagAmount = core.Flag{Name: "amount", Usage: "USDT (decimal, e.g. 12.5)"}
	flagChain  = core.Flag{Name: "chain", Usage: "side chain ID"}
)

func idArg(in core.CommandInput, method string) (string, []any, error) {
	if _, err := types.ParseHash(in.Args[0]); err != nil {
		return "", nil, fmt.Errorf("ID: %w", err)
	}
	return method, []any{in.Args[0]}, nil
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "attest-deposit", Short: "Attest, as a bridge signer, a transfer into the vault on the external chain (mints at the threshold)",
			Flags: []core.Flag{{Name: "ext-chain", Usage: "external chain ID (EIP-155)"}, {Name: "ext-tx", Usage: "external transaction hash"},
				{Name: "log-index", Usage: "index of the Transfer log in its block"}, {Name: "to", Usage: "recipient on main"}, flagAmount},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				ch, err := flagUint(in, "ext-chain")
				if err != nil {
					return nil, err
				}
				tx, err := flagHash(in, "ext-tx")
				if err != nil {
					return nil, err
				}
				li, err := flagUint(in, "log-index")
				if err != nil {
					return nil, err
				}
				to, err := flagAddress(in, "to")
				if err != nil {
					return nil, err
				}
				amt, err := flagUSDT(in, "amount")
				if err != nil {
					return nil, err
				}
				return &MsgAttestDeposit{ExtChainID: ch, ExtTxHash: tx, LogIndex: li, Recipient: to, Amount: amt}, nil
			}},
		{Use: "withdraw", Short: "Burn USDT on main for a payout to an address on the external chain",
			Flags: []core.Flag{{Name: "to", Usage: "address on the external chain"}, flagAmount},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				to, err := flagAddress(in, "to")
				if err != nil {
					return nil, err
				}
				amt, err := flagUSDT(in, "amount")
				if err != nil {
					return nil, err
				}
				return &MsgWithdraw{ExtAddress: to, Amount: amt}, nil
			}},
		{Use: "attest-paid", Short: "Attest, as a bridge signer, that a withdrawal was paid on the external chain",
			Flags: []core.Flag{{Name: "withdrawal", Usage: "withdrawal ID"}, {Name: "ext-tx", Usage: "external transaction hash of the payout"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagUint(in, "withdrawal")
				if err != nil {
					return nil, err
				}
				tx, err := flagHash(in, "ext-tx")
				if err != nil {
					return nil, err
				}
				return &MsgAttestPaid{ID: id, ExtTxHash: tx}, nil
			}},
		{Use: "lock", Short: "Lock USDT on main for a recipient on a side chain (minted there on proof)",
			Flags: []core.Flag{flagChain, {Name: "to", Usage: "recipient on the side chain"}, flagAmount},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				to, err := flagAddress(in, "to")
				if err != nil {
					return nil, err
				}
				amt, err := flagUSDT(in, "amount")
				if err != nil {
					return nil, err
				}
				return &MsgLock{ChainID: in.Flags["chain"], Recipient: to, Amount: amt}, nil
			}},
		{Use: "release", Short: "Release a side-chain burn on main with its proof (the side node's accord_getBurnProof)",
			Flags: []core.Flag{flagChain, {Name: "proof", Usage: "0x hex burn proof (query bridge burn-proof on the side chain)"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				p, err := ParseHex(in.Flags["proof"])
				if err != nil {
					return nil, fmt.Errorf("--proof: %w", err)
				}
				return &MsgRelease{ChainID: in.Flags["chain"], Proof: p}, nil
			}},
		{Use: "deposit ID", Short: "Show an external deposit's attestations", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) { return idArg(in, QueryDeposit) }},
		{Use: "withdrawal ID", Short: "Show a withdrawal (payout request)", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) {
				id, err := strconv.ParseUint(in.Args[0], 10, 64)
				if err != nil || id == 0 {
					return "", nil, fmt.Errorf("ID: %q is not a withdrawal ID", in.Args[0])
				}
				return QueryWithdrawal, []any{id}, nil
			}},
		{Use: "burn ID", Short: "Show whether a side-chain burn (its burn ID) was released on main", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) { return idArg(in, QueryBurn) }},
		{Use: "locked CHAIN", Short: "Show the USDT a side chain may still release from the escrow", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) { return QueryLocked, []any{in.Args[0]}, nil }},
	}
}
