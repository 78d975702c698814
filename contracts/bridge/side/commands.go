package side

// The side half's CLI commands and API queries (core.Commander,
// core.Querier): `tx bridge burn`, `query bridge lock ID`
// (accord_getBridgeLock) and `query bridge burn-proof TX` — the proof
// main's release needs, served by the node (accord_getBurnProof, see
// node/bridgerpc.go), since it reads blocks and receipts, not module state.

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander = Module{}
	_ core.Querier   = Module{}
)

// The API methods the side half's commands call.
const (
	QueryLock      = "accord_getBridgeLock" // (lock ID) LockView
	QueryBurnProof = "accord_getBurnProof"  // (burn tx hash[, start, end]) node: the proof a release on main needs
	QueryBurnHold  = "accord_getBurnHold"   // (side height, burn nonce) HoldView
)

// TxType implementations.
func (*MsgMint) TxType() types.TxType       { return TypeMint }
func (*MsgBurn) TxType() types.TxType       { return TypeBurn }
func (*MsgAckRelease) TxType() types.TxType { return TypeAck }

// HoldView says whether a burn still holds its block back from pruning,
// and the lowest height any burn holds (0: none).
type HoldView struct {
	Height       uint64 `json:"height"`
	Nonce        uint64 `json:"nonce"`
	Pending      bool   `json:"pending"`
	RetainHeight uint64 `json:"retain_height"`
}

// LockView says whether a main-chain lock (proof.LockID) was minted here.
type LockView struct {
	ID     types.Hash `json:"id"`
	Minted bool       `json:"minted"`
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{{Method: QueryLock, Doc: "(lock id) LockView: whether a main-chain lock was minted on this chain",
		Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
			id, err := core.HashParam(QueryLock, p)
			if err != nil {
				return nil, err
			}
			return LockView{ID: id, Minted: m.Minted(q.Store, id)}, nil
		}},
		{Method: QueryBurnHold, Doc: "(side height, burn nonce) HoldView: whether that burn still holds its block back from pruning (main's release not shown here yet)",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				var args []uint64
				if err := json.Unmarshal(p, &args); err != nil || len(args) != 2 {
					return nil, fmt.Errorf("%w: %s takes a side height and a burn nonce", core.ErrInvalidQuery, QueryBurnHold)
				}
				return HoldView{Height: args[0], Nonce: args[1], Pending: m.Pending(q.Store, args[0], args[1]),
					RetainHeight: m.RetainHeight(q.Store)}, nil
			}}}
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "burn", Short: "Burn USDT on this side chain for a recipient on main (released there once a checkpoint covers it)",
			Flags: []core.Flag{{Name: "to", Usage: "recipient on main"}, {Name: "amount", Usage: "USDT (decimal, e.g. 12.5)"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				to, err := types.ParseAddress(in.Flags["to"])
				if err != nil {
					return nil, fmt.Errorf("--to: %w", err)
				}
				amt, err := types.ParseUSDT(in.Flags["amount"])
				if err != nil {
					return nil, fmt.Errorf("--amount: %w", err)
				}
				return &MsgBurn{Recipient: to, Amount: amt}, nil
			}},
		{Use: "lock ID", Short: "Show whether a main-chain lock (its lock ID) was minted on this chain", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) {
				if _, err := types.ParseHash(in.Args[0]); err != nil {
					return "", nil, fmt.Errorf("ID: %w", err)
				}
				return QueryLock, []any{in.Args[0]}, nil
			}},
		{Use: "burn-proof TX", Short: "Show a burn's proof for main's release; --start/--end: the anchored checkpoint's range (main: query checkpoint covering)", Args: 1,
			Flags: []core.Flag{{Name: "start", Usage: "first side height of the covering checkpoint"}, {Name: "end", Usage: "its last side height"}},
			Query: func(in core.CommandInput) (string, []any, error) {
				if _, err := types.ParseHash(in.Args[0]); err != nil {
					return "", nil, fmt.Errorf("TX: %w", err)
				}
				params := []any{in.Args[0]}
				if in.Flags["start"] == "" && in.Flags["end"] == "" {
					return QueryBurnProof, params, nil
				}
				start, err1 := strconv.ParseUint(in.Flags["start"], 10, 64)
				end, err2 := strconv.ParseUint(in.Flags["end"], 10, 64)
				if err1 != nil || err2 != nil {
					return "", nil, fmt.Errorf("--start and --end: want both, unsigned integers")
				}
				return QueryBurnProof, append(params, start, end), nil
			}},
	}
}
