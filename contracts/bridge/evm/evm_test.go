package evm

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"
)

type chain struct {
	t       *testing.T
	b       *simulated.Backend
	signer  ethtypes.Signer
	chainID *big.Int
}

func (c *chain) send(key *ecdsa.PrivateKey, to *common.Address, data []byte) *ethtypes.Receipt {
	c.t.Helper()
	ctx := context.Background()
	cl := c.b.Client()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := cl.PendingNonceAt(ctx, from)
	if err != nil {
		c.t.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	head, err := cl.HeaderByNumber(ctx, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	tx, err := ethtypes.SignNewTx(key, c.signer, &ethtypes.DynamicFeeTx{ChainID: c.chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: feeCap, Gas: 3_000_000, To: to, Data: data})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cl.SendTransaction(ctx, tx); err != nil {
		c.t.Fatal(err)
	}
	c.b.Commit()
	rc, err := cl.TransactionReceipt(ctx, tx.Hash())
	if err != nil {
		c.t.Fatal(err)
	}
	if rc.Status != ethtypes.ReceiptStatusSuccessful {
		c.t.Fatalf("tx %s reverted", tx.Hash())
	}
	return rc
}

// TestTokenTransfersIntoVault deploys the checked-in TestUSDT on
// go-ethereum's simulated backend, mints to a user, has the user transfer
// 1,000 USDT to the vault (and 5 elsewhere), and reads the vault's
// deposits back through ethclient's FilterLogs, as a bridge signer does.
func TestTokenTransfersIntoVault(t *testing.T) {
	deployer, _ := crypto.GenerateKey()
	user, _ := crypto.GenerateKey()
	vault := common.HexToAddress("0x000000000000000000000000000000000000b00b")
	eth := new(big.Int).Mul(big.NewInt(1e18), big.NewInt(100))
	b := simulated.NewBackend(ethtypes.GenesisAlloc{
		crypto.PubkeyToAddress(deployer.PublicKey): {Balance: eth},
		crypto.PubkeyToAddress(user.PublicKey):     {Balance: eth},
	})
	defer b.Close()
	ctx := context.Background()
	chainID, err := b.Client().ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := &chain{t: t, b: b, signer: ethtypes.LatestSignerForChainID(chainID), chainID: chainID}

	token := c.send(deployer, nil, TokenBytecode()).ContractAddress
	a := TokenABI()
	usdt := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }
	pack := func(method string, args ...any) []byte {
		d, err := a.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	c.send(deployer, &token, pack("mint", crypto.PubkeyToAddress(user.PublicKey), usdt(2000)))
	rc := c.send(user, &token, pack("transfer", vault, usdt(1000)))
	c.send(user, &token, pack("transfer", common.Address{1}, usdt(5)))

	logs, err := b.Client().FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{token},
		Topics: [][]common.Hash{{TransferTopic}, nil, {common.BytesToHash(vault[:])}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 {
		t.Fatalf("%d transfers into the vault, want 1", len(logs))
	}
	tr, err := ParseTransfer(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	amount, err := MicroUSDT(tr.Value)
	if err != nil || amount != 1000_000_000 || tr.To != vault || tr.From != crypto.PubkeyToAddress(user.PublicKey) ||
		tr.TxHash != rc.TxHash || tr.BlockNumber != rc.BlockNumber.Uint64() {
		t.Fatalf("transfer %+v (amount %d, %v)", tr, amount, err)
	}
	out, err := b.Client().CallContract(ctx, ethereum.CallMsg{To: &token, Data: pack("balanceOf", vault)}, nil)
	if err != nil || new(big.Int).SetBytes(out).Cmp(usdt(1000)) != 0 {
		t.Fatalf("vault balance %x %v", out, err)
	}
	if _, err := ParseTransfer(ethtypes.Log{Topics: logs[0].Topics[:2], Data: logs[0].Data}); err == nil {
		t.Fatal("a two-topic log parsed as a Transfer")
	}
}
