package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

func (s *Server) registerCore() {
	s.Register("accord_sendRawTransaction", s.sendRawTransaction)
	s.Register("accord_sendRawTransactions", s.sendRawTransactions)
	s.Register("accord_getAccount", s.getAccount)
	s.Register("accord_getBlockByHeight", s.getBlockByHeight)
	s.Register("accord_getTransactionReceipt", s.getTransactionReceipt)
	s.Register("accord_getTransaction", s.getTransaction)
	s.Register("accord_status", s.status)
	s.Register("accord_methods", func(json.RawMessage) (any, error) { return s.Methods(), nil })
	// Over HTTP the subscription methods only say where they are served;
	// a WebSocket connection answers them itself (ws.go).
	wsOnly := func(json.RawMessage) (any, error) {
		return nil, errorf(wire.CodeInvalidRequest, "subscriptions need a WebSocket: connect to /ws")
	}
	s.Register(wire.MethodSubscribe, wsOnly)
	s.Register(wire.MethodUnsubscribe, wsOnly)
}

func (s *Server) sendRawTransaction(p json.RawMessage) (any, error) {
	var rawHex string
	if err := Params(p, 1, &rawHex); err != nil {
		return nil, err
	}
	raw, err := hexBytes(rawHex)
	if err != nil {
		return nil, InvalidParams(fmt.Errorf("transaction hex: %w", err))
	}
	h, err := s.b.SubmitTx(raw)
	if err != nil {
		return nil, wire.Errorf(wire.CodeTxRejected, err.Error())
	}
	return views.SendResult{Hash: h.Hex()}, nil
}

// MaxBatchTxs bounds accord_sendRawTransactions.
const MaxBatchTxs = 10_000

// sendRawTransactions admits many transactions at once; each gets its own
// result, so one rejection does not fail the others. The result is
// []views.BatchResult, written straight to JSON (appendBatchResult) rather
// than built as strings and encoded by reflection.
func (s *Server) sendRawTransactions(p json.RawMessage) (any, error) {
	raws, bad, err := decodeBatch(p)
	if err != nil {
		return nil, err
	}
	hashes, errs := s.b.SubmitTxs(raws)
	out := make([]byte, 0, 2+len(raws)*len(`{"hash":"0x`+hashHex+`"},`))
	out = append(out, '[')
	for i := range raws {
		if i > 0 {
			out = append(out, ',')
		}
		switch {
		case bad != nil && bad[i] != "":
			out = appendBatchResult(out, nil, bad[i])
		case errs[i] != nil:
			out = appendBatchResult(out, nil, errs[i].Error())
		default:
			out = appendBatchResult(out, &hashes[i], "")
		}
	}
	return encodedResult(append(out, ']')), nil
}

// hashHex is as long as a hash in hex.
const hashHex = "0000000000000000000000000000000000000000000000000000000000000000"

// appendBatchResult appends what json.Marshal writes for a
// views.BatchResult with the hash's Hex (when h is not nil) and the error.
func appendBatchResult(out []byte, h *types.Hash, errText string) []byte {
	out = append(out, '{')
	if h != nil {
		out = append(out, `"hash":"0x`...)
		out = hex.AppendEncode(out, h[:])
		out = append(out, '"')
	}
	if errText != "" {
		if h != nil {
			out = append(out, ',')
		}
		out = append(out, `"error":`...)
		enc, _ := json.Marshal(errText) // a string always encodes
		out = append(out, enc...)
	}
	return append(out, '}')
}

// decodeBatch decodes accord_sendRawTransactions' params into the raw
// transactions; bad[i] is why hex i does not decode (raws[i] is then nil);
// bad is nil when all decode.
func decodeBatch(p json.RawMessage) (raws [][]byte, bad []string, err error) {
	hexes, ok := batchHexes(p)
	if !ok {
		return decodeBatchSlow(p)
	}
	if len(hexes) > MaxBatchTxs {
		return nil, nil, batchTooLarge(len(hexes))
	}
	// The transactions are decoded into one buffer, not one allocation
	// each. A raw the backend keeps (the gossip queue does, until it
	// flushes) keeps the whole buffer alive, so it is never reused.
	total := 0
	for i, h := range hexes {
		hexes[i] = trimHex(h)
		total += hex.DecodedLen(len(hexes[i]))
	}
	buf := make([]byte, total)
	raws = make([][]byte, len(hexes))
	for i, h := range hexes {
		n := hex.DecodedLen(len(h))
		raw := buf[:n:n]
		buf = buf[n:]
		if _, err := hex.Decode(raw, h); err != nil {
			if bad == nil {
				bad = make([]string, len(hexes))
			}
			bad[i] = "transaction hex: " + err.Error()
			continue
		}
		raws[i] = raw
	}
	return raws, bad, nil
}

// decodeBatchSlow is decodeBatch by encoding/json, for params outside the
// fast path's subset.
func decodeBatchSlow(p json.RawMessage) (raws [][]byte, bad []string, err error) {
	var hexes []string
	if err := Params(p, 1, &hexes); err != nil {
		return nil, nil, err
	}
	if len(hexes) > MaxBatchTxs {
		return nil, nil, batchTooLarge(len(hexes))
	}
	raws = make([][]byte, len(hexes))
	for i, h := range hexes {
		raw, err := hexBytes(h)
		if err != nil {
			if bad == nil {
				bad = make([]string, len(hexes))
			}
			bad[i] = "transaction hex: " + err.Error()
			continue
		}
		raws[i] = raw
	}
	return raws, bad, nil
}

func batchTooLarge(n int) error {
	return InvalidParams(fmt.Errorf("%d transactions, at most %d per call", n, MaxBatchTxs))
}

func (s *Server) getAccount(p json.RawMessage) (any, error) {
	var as string
	if err := Params(p, 1, &as); err != nil {
		return nil, err
	}
	a, err := types.ParseAddress(as)
	if err != nil {
		return nil, InvalidParams(err)
	}
	acc := (bank.Keeper{}).GetAccount(s.b.Ledger().ReadState(), a)
	pending := acc.Nonce
	if n, ok := s.b.PendingNonce(a); ok && n > pending {
		pending = n
	}
	return views.Account{Address: a.Hex(), Balance: types.FormatUSDT(acc.Balance), BalanceMicro: acc.Balance,
		Nonce: acc.Nonce, PendingNonce: pending}, nil
}

// heightParam accepts a number or "latest".
func (s *Server) heightParam(raw json.RawMessage) (uint64, error) {
	var n uint64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err == nil && str == "latest" {
		return s.b.Ledger().Last().Height, nil
	}
	return 0, errorf(wire.CodeInvalidParams, `height must be a number or "latest"`)
}

func (s *Server) getBlockByHeight(p json.RawMessage) (any, error) {
	var hraw json.RawMessage
	if err := Params(p, 1, &hraw); err != nil {
		return nil, err
	}
	h, err := s.heightParam(hraw)
	if err != nil {
		return nil, err
	}
	l := s.b.Ledger()
	blk, err := l.Block(h)
	if err != nil {
		if errors.Is(err, ledger.ErrPruned) {
			return nil, NotFound(fmt.Errorf("block %d was pruned: this node keeps blocks from %d (head is %d)", h, l.PrunedBase(), l.Last().Height))
		}
		if errors.Is(err, ledger.ErrNotFound) {
			return nil, NotFound(fmt.Errorf("block %d not found (head is %d)", h, l.Last().Height))
		}
		return nil, err
	}
	cert, _ := l.Cert(h)
	return views.NewBlock(blk, cert), nil
}

func (s *Server) txResult(p json.RawMessage) (*ledger.TxResult, error) {
	var hs string
	if err := Params(p, 1, &hs); err != nil {
		return nil, err
	}
	h, err := types.ParseHash(hs)
	if err != nil {
		return nil, InvalidParams(err)
	}
	res, err := s.b.Ledger().Tx(h)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, nil
	}
	return res, err
}

// getTransactionReceipt returns null while the transaction is not in a
// committed block (pending or unknown), as Ethereum clients expect.
func (s *Server) getTransactionReceipt(p json.RawMessage) (any, error) {
	res, err := s.txResult(p)
	if err != nil || res == nil {
		return nil, err
	}
	return s.receiptView(res), nil
}

func (s *Server) receiptView(res *ledger.TxResult) views.Receipt {
	r := res.Receipt
	from, _ := res.Tx.Sender()
	out := views.Receipt{TxHash: r.TxHash.Hex(), Height: res.Height, Index: res.Index, BlockHash: res.Block.Hex(),
		Status: "ok", Codespace: r.Codespace, Code: r.Code, Error: r.Error, Fee: types.FormatUSDT(r.Fee), FeeMicro: r.Fee, From: from.Hex(), Nonce: res.Tx.Nonce,
		Type: s.b.TxTypeName(res.Tx.Type), Events: make([]views.Event, 0, len(r.Events)), BlockTimeMs: res.Time}
	if r.Status != types.StatusOK {
		out.Status = "failed"
	}
	for _, e := range r.Events {
		out.Events = append(out.Events, views.NewEvent(e))
	}
	return out
}

func (s *Server) getTransaction(p json.RawMessage) (any, error) {
	res, err := s.txResult(p)
	if err != nil || res == nil {
		return nil, err
	}
	tx := res.Tx
	from, _ := tx.Sender()
	return views.Tx{Hash: tx.Hash().Hex(), ChainID: tx.ChainID, From: from.Hex(), Nonce: tx.Nonce,
		Type: s.b.TxTypeName(tx.Type), TypeID: uint16(tx.Type), Fee: types.FormatUSDT(tx.Fee),
		Payload: views.Hex0x(tx.Payload), Raw: views.Hex0x(tx.Encode())}, nil
}

func (s *Server) status(json.RawMessage) (any, error) {
	l := s.b.Ledger()
	last := l.Last()
	st := views.Status{ChainID: l.ChainID(), Height: last.Height, BlockHash: last.Hash.Hex(), AppHash: last.AppHash.Hex(),
		BlockTime: last.Time, MempoolSize: s.b.MempoolSize(), Peers: s.b.Peers(), MinFee: types.FormatUSDT(s.b.MinFee()),
		MinFeeMicro: s.b.MinFee(), Version: s.b.Version(), CatchingUp: s.b.CatchingUp()}
	if p, ok := s.b.(interface{ Profile() string }); ok {
		st.Profile = p.Profile()
	}
	v := s.b.Validator()
	if v != (types.Address{}) {
		st.Validator = v.Hex()
	}
	if vs, err := l.ValidatorSet(last.Height + 1); err == nil {
		st.Validators = vs.Size()
		st.Voting = v != (types.Address{}) && vs.Index(v) >= 0
	}
	return st, nil
}
