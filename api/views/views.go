// Package views holds the JSON shapes of the Accord API. The server (package
// api) produces them and the Go SDK (package client) decodes them, so both
// sides share one definition.
package views

import (
	"encoding/hex"
	"github.com/accordnet/accord/contracts/core"

	"github.com/accordnet/accord/types"
)

// Account is an account's balance and nonces.
type Account struct {
	Address      string `json:"address"`
	Balance      string `json:"balance"`       // decimal USDT
	BalanceMicro uint64 `json:"balance_micro"` // micro-USDT
	Nonce        uint64 `json:"nonce"`         // next nonce in the committed state
	PendingNonce uint64 `json:"pending_nonce"` // next nonce after the sender's transactions waiting in the mempool
}

// Status describes a node and the chain head it has.
type Status struct {
	ChainID       string `json:"chain_id"`
	Profile       string `json:"profile,omitempty"` // the chain's module list: "side" or "main"
	Height        uint64 `json:"height"`
	BlockHash     string `json:"block_hash"`
	AppHash       string `json:"app_hash"`
	BlockTime     uint64 `json:"block_time_ms"`
	Validator     string `json:"validator,omitempty"` // this node's key address
	Voting        bool   `json:"voting"`              // whether that key is in the validator set (false: a full node)
	Validators    int    `json:"validators"`
	MempoolSize   int    `json:"mempool_size"`
	Peers         int    `json:"peers"`
	MinFee        string `json:"min_fee"`
	MinFeeMicro   uint64 `json:"min_fee_micro"`
	Version       string `json:"version"`
	CatchingUp    bool   `json:"catching_up"`
	GenesisHeight uint64 `json:"genesis_height"`
}

// Event is a receipt or block event.
type Event struct {
	Type  string            `json:"type"`
	Attrs map[string]string `json:"attrs"`
}

// EventType documents one typed event a module emits.
type EventType struct {
	Module string   `json:"module"`
	Type   string   `json:"type"`
	Attrs  []string `json:"attrs"` // attribute keys, in order
}

// Receipt is a committed transaction's outcome.
type Receipt struct {
	TxHash    string `json:"tx_hash"`
	Height    uint64 `json:"height"`
	Index     int    `json:"index"`
	BlockHash string `json:"block_hash"`
	Status    string `json:"status"` // "ok" or "failed"
	// Codespace and Code are a failure's stable reason (module name and
	// its number for the error); Error is the human message, which may be
	// reworded between releases.
	Codespace   string  `json:"codespace,omitempty"`
	Code        uint32  `json:"code,omitempty"`
	Error       string  `json:"error,omitempty"`
	Fee         string  `json:"fee"`
	FeeMicro    uint64  `json:"fee_micro"`
	From        string  `json:"from"`
	Nonce       uint64  `json:"nonce"`
	Type        string  `json:"type"`
	Events      []Event `json:"events"`
	BlockTimeMs uint64  `json:"block_time_ms"`
}

// Tx is a transaction.
type Tx struct {
	Hash    string `json:"hash"`
	ChainID string `json:"chain_id"`
	From    string `json:"from"`
	Nonce   uint64 `json:"nonce"`
	Type    string `json:"type"`
	TypeID  uint16 `json:"type_id"`
	Fee     string `json:"fee"`
	Payload string `json:"payload"` // hex
	Raw     string `json:"raw,omitempty"`
}

// Block is a block with its transactions' hashes (or full transactions).
type Block struct {
	Height       uint64   `json:"height"`
	Hash         string   `json:"hash"`
	ParentHash   string   `json:"parent_hash"`
	Time         uint64   `json:"time_ms"`
	Proposer     string   `json:"proposer"`
	TxRoot       string   `json:"tx_root"`
	ReceiptRoot  string   `json:"receipt_root"`
	StateRoot    string   `json:"state_root"`
	Validators   string   `json:"validators_hash"`
	LastCertHash string   `json:"last_cert_hash"`
	TxCount      int      `json:"tx_count"`
	Txs          []string `json:"txs"`
	CertSigners  []uint32 `json:"cert_signers,omitempty"`
	CertView     uint64   `json:"cert_view"`
}

// SendResult is what accord_sendRawTransaction returns.
type SendResult struct {
	Hash string `json:"hash"`
}

// BatchResult is one entry of accord_sendRawTransactions' answer: a hash
// when admitted, else the reason.
type BatchResult struct {
	Hash  string `json:"hash,omitempty"`
	Error string `json:"error,omitempty"`
}

// Hex0x encodes bytes as 0x-prefixed hex.
func Hex0x(b []byte) string { return "0x" + hex.EncodeToString(b) }

// NewEvent converts an event.
func NewEvent(e types.Event) Event {
	m := make(map[string]string, len(e.Attrs))
	for _, a := range e.Attrs {
		m[a.Key] = a.Value
	}
	return Event{Type: e.Type, Attrs: m}
}

// NewBlock converts a block.
func NewBlock(b *types.Block, cert *types.CommitCert) Block {
	h := &b.Header
	out := Block{Height: h.Height, Hash: b.Hash().Hex(), ParentHash: h.ParentHash.Hex(), Time: h.Time,
		Proposer: h.Proposer.Hex(), TxRoot: h.TxRoot.Hex(), ReceiptRoot: h.ReceiptRoot.Hex(), StateRoot: h.StateRoot.Hex(),
		Validators: h.ValidatorsHash.Hex(), LastCertHash: h.LastCertHash.Hex(), TxCount: len(b.Txs), Txs: make([]string, len(b.Txs))}
	for i, tx := range b.Txs {
		out.Txs[i] = tx.Hash().Hex()
	}
	if cert != nil {
		out.CertView = cert.View
		for _, s := range cert.Sigs {
			out.CertSigners = append(out.CertSigners, s.Index)
		}
	}
	return out
}

// Evidence is an equivocation a node recorded: two conflicting votes signed
// by one validator, each as its encoded signed consensus message.
type Evidence struct {
	Validator string `json:"validator"`
	Height    uint64 `json:"height"`
	View      uint64 `json:"view"`
	Kind      string `json:"kind"` // PREPARE, COMMIT, ...
	First     string `json:"first"`
	Second    string `json:"second"`
}

// Decode fills out, a module's typed event (e.g. *order.LockedEvent), from
// e; e must be of out's type.
func (e Event) Decode(out core.Event) error {
	te := types.Event{Type: e.Type}
	for k, v := range e.Attrs {
		te.Attrs = append(te.Attrs, types.Attr{Key: k, Value: v})
	}
	return core.DecodeEvent(te, out)
}

// FindEvent decodes the receipt's first event of out's type into out and
// reports whether there was one.
func (r *Receipt) FindEvent(out core.Event) (bool, error) {
	if r == nil {
		return false, nil
	}
	for _, e := range r.Events {
		if e.Type == out.EventType() {
			return true, e.Decode(out)
		}
	}
	return false, nil
}
