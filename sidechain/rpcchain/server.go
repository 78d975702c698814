// Package rpcchain carries the sidechain processes' view of a chain over
// JSON-RPC: Register adds to a node's API the machine-facing methods the
// bridge signer and the relayer read (raw blocks with their certificates
// and receipts, and the bridge, checkpoint and light-client records they
// check before every step, as canonical RLP), and Main and Side implement
// sidechain's chain interfaces over any JSON-RPC caller (client.Client).
//
// The methods, all positional params, results JSON:
//
//	accord_rawBlock(height)              {header, cert, receipts}: 0x RLP each; cert empty if none yet
//	accord_rawBlockHashes(start, end)    [0x hash...], at most MaxHashes
//	accord_rawDeposit(id)                {minted, attested: [address]}; both empty if none
//	accord_rawWithdrawal(id)             0x RLP bridge.Withdrawal, or null
//	accord_rawReleased(burnID)           bool
//	accord_rawAnchored(sideChainID)      {number, end}
//	accord_rawCovering(sideChainID, h)   0x RLP checkpoint.Checkpoint, or null
//	accord_rawTrusted(mainHeight)        bool: the light client holds main's header there
//	accord_rawMinted(lockID)             bool: the side half minted that lock
//	accord_rawValidators(height)         [address]: the set that finalizes that block (up to head+1)
//
// A method whose module the chain does not run answers as if nothing was
// recorded (false, null), except the checkpoint ones, which name the
// unknown side chain.
package rpcchain

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/bridge"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// MaxHashes bounds accord_rawBlockHashes.
const MaxHashes = 4096

// Registrar is where methods go (*api.Server).
type Registrar interface {
	Register(name string, m api.Method)
}

// RawBlock is accord_rawBlock's result.
type RawBlock struct {
	Header   string   `json:"header"`
	Cert     string   `json:"cert"`
	Receipts []string `json:"receipts"`
}

// DepositView is accord_rawDeposit's result.
type DepositView struct {
	Minted   bool     `json:"minted"`
	Attested []string `json:"attested"`
}

// AnchoredView is accord_rawAnchored's result.
type AnchoredView struct {
	Number uint64 `json:"number"`
	End    uint64 `json:"end"`
}

// Register adds the methods over l to r.
func Register(r Registrar, l *ledger.Ledger) {
	ms := Methods(l)
	for _, name := range []string{"accord_rawBlock", "accord_rawBlockHashes", "accord_rawDeposit", "accord_rawWithdrawal",
		"accord_rawReleased", "accord_rawAnchored", "accord_rawCovering", "accord_rawTrusted", "accord_rawMinted", "accord_rawValidators"} {
		r.Register(name, ms[name])
	}
}

// Methods are the methods over l, by name (l may be nil when they are
// only listed, never called).
func Methods(l *ledger.Ledger) map[string]api.Method {
	s := server{l}
	return map[string]api.Method{
		"accord_rawBlock":       s.block,
		"accord_rawBlockHashes": s.blockHashes,
		"accord_rawDeposit":     s.deposit,
		"accord_rawWithdrawal":  s.withdrawal,
		"accord_rawReleased":    s.released,
		"accord_rawAnchored":    s.anchored,
		"accord_rawCovering":    s.covering,
		"accord_rawTrusted":     s.trusted,
		"accord_rawMinted":      s.minted,
		"accord_rawValidators":  s.validators,
	}
}

// Docs are the methods' one-line documentation: params and result.
var Docs = map[string]string{
	"accord_rawBlock":       "(height) {header, cert, receipts}: 0x-hex RLP of the header, commit certificate (empty if none yet) and each receipt",
	"accord_rawBlockHashes": "(start, end) [0x-hex hash]: blocks start..end, at most 4096",
	"accord_rawDeposit":     "(deposit id) {minted, attested: [address]}: an external deposit's record (empty if none)",
	"accord_rawWithdrawal":  "(withdrawal id) 0x-hex RLP of bridge.Withdrawal, or null",
	"accord_rawReleased":    "(burn id) bool: whether main released that side-chain burn",
	"accord_rawAnchored":    "(side chain id) {number, end}: the side chain's latest anchored checkpoint (0, 0 before the first)",
	"accord_rawCovering":    "(side chain id, side height) 0x-hex RLP of the anchored checkpoint.Checkpoint covering it, or null",
	"accord_rawTrusted":     "(main height) bool: whether the light client holds main's header at that height",
	"accord_rawMinted":      "(lock id) bool: whether the side half of the bridge minted that lock",
	"accord_rawValidators":  "(height) [address]: the validator set that finalizes that block (up to head + 1)",
}

type server struct{ l *ledger.Ledger }

func (s server) height(h uint64) error {
	if last := s.l.Last().Height; h == 0 || h > last {
		return api.NotFound(fmt.Errorf("block %d not found (head is %d)", h, last))
	}
	return nil
}

func (s server) block(p json.RawMessage) (any, error) {
	var h uint64
	if err := api.Params(p, 1, &h); err != nil {
		return nil, err
	}
	if err := s.height(h); err != nil {
		return nil, err
	}
	b, err := s.l.Block(h)
	if err != nil {
		return nil, err
	}
	rs, err := s.l.Receipts(h)
	if err != nil {
		return nil, err
	}
	out := RawBlock{Header: views.Hex0x(core.Encode(&b.Header)), Receipts: make([]string, len(rs))}
	if cert, err := s.l.Cert(h); err == nil {
		out.Cert = views.Hex0x(cert.Encode())
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return nil, err
	}
	for i, rc := range rs {
		out.Receipts[i] = views.Hex0x(core.Encode(rc))
	}
	return out, nil
}

func (s server) blockHashes(p json.RawMessage) (any, error) {
	var start, end uint64
	if err := api.Params(p, 2, &start, &end); err != nil {
		return nil, err
	}
	if start == 0 || end < start || end-start >= MaxHashes {
		return nil, api.InvalidParams(fmt.Errorf("range %d..%d: want 1 <= start <= end, at most %d blocks", start, end, MaxHashes))
	}
	if err := s.height(end); err != nil {
		return nil, err
	}
	out := make([]string, 0, end-start+1)
	for h := start; h <= end; h++ {
		b, err := s.l.Block(h)
		if err != nil {
			return nil, err
		}
		out = append(out, b.Hash().Hex())
	}
	return out, nil
}

func hashParam(p json.RawMessage, extra ...any) (types.Hash, error) {
	var hs string
	if err := api.Params(p, 1+len(extra), append([]any{&hs}, extra...)...); err != nil {
		return types.Hash{}, err
	}
	h, err := types.ParseHash(hs)
	if err != nil {
		return types.Hash{}, api.InvalidParams(err)
	}
	return h, nil
}

func (s server) deposit(p json.RawMessage) (any, error) {
	id, err := hashParam(p)
	if err != nil {
		return nil, err
	}
	d, err := bridge.Keeper{}.GetDeposit(s.l.ReadState(), id)
	if errors.Is(err, bridge.ErrNotFound) {
		return DepositView{Attested: []string{}}, nil
	}
	if err != nil {
		return nil, err
	}
	v := DepositView{Minted: d.Minted, Attested: make([]string, len(d.Attested))}
	for i, a := range d.Attested {
		v.Attested[i] = a.Hex()
	}
	return v, nil
}

func (s server) withdrawal(p json.RawMessage) (any, error) {
	var id uint64
	if err := api.Params(p, 1, &id); err != nil {
		return nil, err
	}
	w, err := bridge.Keeper{}.GetWithdrawal(s.l.ReadState(), id)
	if errors.Is(err, bridge.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return views.Hex0x(core.Encode(w)), nil
}

func (s server) released(p json.RawMessage) (any, error) {
	id, err := hashParam(p)
	if err != nil {
		return nil, err
	}
	return bridge.Keeper{}.Released(s.l.ReadState(), id), nil
}

func chainParam(p json.RawMessage, extra ...any) (string, error) {
	var id string
	if err := api.Params(p, 1+len(extra), append([]any{&id}, extra...)...); err != nil {
		return "", err
	}
	if err := checkpoint.CheckChainID(id); err != nil {
		return "", api.InvalidParams(err)
	}
	return id, nil
}

func (s server) anchored(p json.RawMessage) (any, error) {
	id, err := chainParam(p)
	if err != nil {
		return nil, err
	}
	c, err := checkpoint.Keeper{}.Chain(s.l.ReadState(), id)
	if err != nil {
		return nil, api.NotFound(err)
	}
	return AnchoredView{Number: c.LastNumber, End: c.LastEnd}, nil
}

func (s server) covering(p json.RawMessage) (any, error) {
	var h uint64
	id, err := chainParam(p, &h)
	if err != nil {
		return nil, err
	}
	st := s.l.ReadState()
	if _, err := (checkpoint.Keeper{}).Chain(st, id); err != nil {
		return nil, api.NotFound(err)
	}
	a, err := checkpoint.Keeper{}.Covering(st, id, h)
	if errors.Is(err, checkpoint.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return views.Hex0x(core.Encode(&a.Checkpoint)), nil
}

func (s server) trusted(p json.RawMessage) (any, error) {
	var h uint64
	if err := api.Params(p, 1, &h); err != nil {
		return nil, err
	}
	_, err := lightclient.Keeper{}.Header(s.l.ReadState(), h)
	return err == nil, nil
}

func (s server) minted(p json.RawMessage) (any, error) {
	id, err := hashParam(p)
	if err != nil {
		return nil, err
	}
	return sidebridge.Keeper{}.Minted(s.l.ReadState(), id), nil
}

func (s server) validators(p json.RawMessage) (any, error) {
	var h uint64
	if err := api.Params(p, 1, &h); err != nil {
		return nil, err
	}
	if last := s.l.Last().Height; h == 0 || h > last+1 {
		return nil, api.NotFound(fmt.Errorf("validators of block %d: head is %d", h, last))
	}
	vs, err := s.l.ValidatorSet(h)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(vs.Validators))
	for i, a := range vs.Validators {
		out[i] = a.Hex()
	}
	return out, nil
}
