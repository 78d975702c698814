package docs_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// The worked example: a fixed key, chain ID, nonce and transfer. Signing
// is deterministic (RFC 6979), so every byte below is fixed too.
const (
	exampleKey     = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	exampleChainID = "accord-demo"
	exampleNonce   = 0
	exampleTo      = "0x000000000000000000000000000000000000dEaD"
	exampleAmount  = 1_500_000 // 1.5 USDT
	exampleFee     = 10_000    // 0.01 USDT, the default minimum fee
)

func hex0x(b []byte) string { return "0x" + hex.EncodeToString(b) }

// renderExample builds and signs the example transfer, checks the result
// is a valid transaction for the application, and prints each step.
func renderExample(t *testing.T) string {
	t.Helper()
	key, err := crypto.HexToECDSA(exampleKey)
	if err != nil {
		t.Fatal(err)
	}
	to, err := types.ParseAddress(exampleTo)
	if err != nil {
		t.Fatal(err)
	}
	payload := core.Encode(&bank.MsgTransfer{To: to, Amount: exampleAmount})
	tx := &types.Tx{ChainID: exampleChainID, Nonce: exampleNonce, Type: bank.TypeTransfer, Payload: payload, Fee: exampleFee}
	unsigned, err := rlp.EncodeToBytes([]any{tx.ChainID, tx.Nonce, uint16(tx.Type), tx.Payload, tx.Fee})
	if err != nil {
		t.Fatal(err)
	}
	digest := tx.SigningHash()
	if got := types.Keccak(unsigned); got != digest {
		t.Fatalf("signing hash %s is not Keccak-256 of the unsigned list (%s)", digest, got)
	}
	if _, err := types.SignTx(tx, key); err != nil {
		t.Fatal(err)
	}
	raw := tx.Encode()

	// What an integrator sends must be what the node accepts.
	dec, err := types.DecodeTx(raw)
	if err != nil {
		t.Fatalf("example does not decode: %v", err)
	}
	from, err := dec.Sender()
	if err != nil || from != types.PubkeyAddress(key) {
		t.Fatalf("example sender %s (%v), want %s", from, err, types.PubkeyAddress(key))
	}
	if dec.Hash() != types.Keccak(raw) {
		t.Fatal("tx hash is not Keccak-256 of the signed encoding")
	}
	app, err := node.NewApp(exampleChainID)
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := app.Cost(dec); err != nil || cost != exampleAmount {
		t.Fatalf("example refused at admission: cost %d, %v", cost, err)
	}

	sig := tx.Sig
	var b strings.Builder
	line := func(label, value string) { fmt.Fprintf(&b, "%-22s %s\n", label+":", value) }
	b.WriteString("```text\n")
	line("private key", "0x"+exampleKey)
	line("sender address", from.Hex())
	line("chain ID", fmt.Sprintf("%q", exampleChainID))
	line("nonce", fmt.Sprint(exampleNonce))
	line("type", fmt.Sprintf("0x%04x (%d) bank.transfer", uint16(tx.Type), uint16(tx.Type)))
	line("to", to.Hex())
	line("amount", fmt.Sprintf("%d micro-USDT (%s USDT)", exampleAmount, types.FormatUSDT(exampleAmount)))
	line("fee", fmt.Sprintf("%d micro-USDT (%s USDT)", exampleFee, types.FormatUSDT(exampleFee)))
	b.WriteString("\n")
	line("payload", hex0x(payload))
	line("unsigned RLP", hex0x(unsigned))
	line("signing hash", digest.Hex())
	line("signature R", hex0x(sig[:32]))
	line("signature S", hex0x(sig[32:64]))
	line("signature V", fmt.Sprint(sig[64]))
	line("signed tx (raw)", hex0x(raw))
	line("tx hash", dec.Hash().Hex())
	b.WriteString("```\n")
	return b.String()
}

// transactions.md tells integrators how to compute an order ID before
// creating the order; this keeps that formula true.
func TestDocumentedOrderID(t *testing.T) {
	merchant, err := types.ParseAddress(exampleTo)
	if err != nil {
		t.Fatal(err)
	}
	ref := "inv-1"
	want := crypto.Keccak256Hash(append(append([]byte("accord/order/v1"), merchant[:]...), ref...))
	if got := order.OrderID(merchant, ref); got != want {
		t.Fatalf("order.OrderID = %s, the documented formula gives %s", got.Hex(), want.Hex())
	}
}
