// Package evm holds the external chain's side of the bridge that Go code
// needs: the test ERC-20 (TestUSDT.sol, compiled artifacts checked in; run
// `make -C contracts/bridge/evm artifacts` to regenerate them with solc-js
// from npm) and the decoding of ERC-20 Transfer logs into the vault, which
// a bridge signer turns into MsgAttestDeposit.
package evm

import (
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

//go:embed TestUSDT.abi
var tokenABI string

//go:embed TestUSDT.bin
var tokenBin string

// TransferTopic is topic 0 of an ERC-20 Transfer log.
var TransferTopic = crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))

// ErrNotTransfer is returned for a log that is not an ERC-20 Transfer.
var ErrNotTransfer = errors.New("not an ERC-20 Transfer log")

// TokenABI is TestUSDT's ABI.
func TokenABI() abi.ABI {
	a, err := abi.JSON(strings.NewReader(tokenABI))
	if err != nil {
		panic(fmt.Sprintf("TestUSDT ABI: %v", err))
	}
	return a
}

// TokenBytecode is TestUSDT's creation bytecode.
func TokenBytecode() []byte {
	b, err := hex.DecodeString(strings.TrimSpace(tokenBin))
	if err != nil {
		panic(fmt.Sprintf("TestUSDT bytecode: %v", err))
	}
	return b
}

// Transfer is a decoded Transfer log with where it sits on its chain.
type Transfer struct {
	From, To    common.Address
	Value       *big.Int
	TxHash      common.Hash
	LogIndex    uint
	BlockNumber uint64
}

// ParseTransfer decodes a Transfer log strictly: three topics, 32 bytes of data.
func ParseTransfer(l ethtypes.Log) (Transfer, error) {
	if len(l.Topics) != 3 || l.Topics[0] != TransferTopic || len(l.Data) != 32 {
		return Transfer{}, fmt.Errorf("%w: %d topics, %d data bytes", ErrNotTransfer, len(l.Topics), len(l.Data))
	}
	return Transfer{
		From: common.BytesToAddress(l.Topics[1][:]), To: common.BytesToAddress(l.Topics[2][:]),
		Value: new(big.Int).SetBytes(l.Data), TxHash: l.TxHash, LogIndex: l.Index, BlockNumber: l.BlockNumber,
	}, nil
}

// MicroUSDT converts a Transfer value (6 decimals, as USDT's) to the
// chain's micro-USDT, refusing values that do not fit a uint64.
func MicroUSDT(v *big.Int) (uint64, error) {
	if v.Sign() <= 0 || !v.IsUint64() {
		return 0, fmt.Errorf("transfer value %s outside (0, 2^64)", v)
	}
	return v.Uint64(), nil
}
