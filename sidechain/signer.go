package sidechain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"slices"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// EthClient is what the bridge signer uses of the external chain: logs
// and transactions to follow deposits and payouts, and (the payer only)
// what it takes to send a payout. go-ethereum's *ethclient.Client, and the
// simulated backend's client, satisfy it.
type EthClient interface {
	BlockNumber(ctx context.Context) (uint64, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]ethtypes.Log, error)
	TransactionByHash(ctx context.Context, h common.Hash) (tx *ethtypes.Transaction, isPending bool, err error)
	TransactionReceipt(ctx context.Context, h common.Hash) (*ethtypes.Receipt, error)
	NonceAt(ctx context.Context, a common.Address, block *big.Int) (uint64, error)
	HeaderByNumber(ctx context.Context, n *big.Int) (*ethtypes.Header, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	CallContract(ctx context.Context, call ethereum.CallMsg, block *big.Int) ([]byte, error)
	EstimateGas(ctx context.Context, call ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *ethtypes.Transaction) error
}

// DepositChain is the main chain as a bridge signer sees it.
type DepositChain interface {
	Chain
	// Deposit reports whether deposit id was minted, and whether signer
	// has attested it.
	Deposit(ctx context.Context, id types.Hash, signer types.Address) (minted, attested bool, err error)
	// Withdrawal returns withdrawal id, or nil if there is none (yet).
	Withdrawal(ctx context.Context, id uint64) (*bridge.Withdrawal, error)
	// BlockTime is the latest block's time, in ms.
	BlockTime(ctx context.Context) (uint64, error)
}

// SignerConfig configures a Signer.
type SignerConfig struct {
	MainChainID   string
	ExtChainID    uint64
	Token, Vault  common.Address
	Confirmations uint64            // blocks on top of a deposit's block before it is attested
	FromBlock     uint64            // first external block to scan (the token's deployment)
	MaxRange      uint64            // blocks per FilterLogs call; 0 means 1000
	Key           *ecdsa.PrivateKey // the signer's key on main
	Fee           uint64
	// VaultKey is the vault's external key, held by the one signer that
	// pays withdrawals (nil for the others, which check its payouts).
	// Production would replace it with a multisig vault contract.
	VaultKey *ecdsa.PrivateKey
	// PayoutMargin (ms): a withdrawal is not paid once main's block time
	// is this close to its refund deadline, so a payout and a refund
	// cannot both happen. 0 means 5 minutes.
	PayoutMargin uint64
	Log          *slog.Logger
}

// Signer is one bridge signer: it follows the token's Transfer logs into
// the vault, waits Confirmations blocks, and attests each deposit on main
// once (MsgAttestDeposit). The recipient on main is the transfer's sender
// (same 20-byte address; a production vault would take the recipient as a
// deposit argument instead). It also pays (VaultKey holder) and attests
// withdrawals; see payout.go.
type Signer struct {
	cfg   SignerConfig
	eth   EthClient
	main  DepositChain
	store *Store
	log   *slog.Logger
	tx    *txSender
}

var (
	keyEthScan    = []byte("s/scan")
	prefixDeposit = []byte("s/dep/") // + deposit ID -> RLP MsgAttestDeposit
)

// NewSigner returns a bridge signer over its store.
func NewSigner(cfg SignerConfig, eth EthClient, main DepositChain, st *Store) (*Signer, error) {
	if cfg.MainChainID == "" || cfg.ExtChainID == 0 || cfg.Key == nil {
		return nil, errors.New("sidechain: signer needs the main chain ID, the external chain ID and a key")
	}
	if cfg.Token == (common.Address{}) || cfg.Vault == (common.Address{}) {
		return nil, errors.New("sidechain: signer needs the token and vault addresses")
	}
	if cfg.VaultKey != nil && crypto.PubkeyToAddress(cfg.VaultKey.PublicKey) != cfg.Vault {
		return nil, fmt.Errorf("sidechain: the vault key is %s's, not the vault %s's", crypto.PubkeyToAddress(cfg.VaultKey.PublicKey), cfg.Vault)
	}
	if cfg.MaxRange == 0 {
		cfg.MaxRange = 1000
	}
	if cfg.PayoutMargin == 0 {
		cfg.PayoutMargin = 5 * 60 * 1000
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	log := cfg.Log.With("component", "bridge-signer", "ext_chain", cfg.ExtChainID)
	return &Signer{cfg: cfg, eth: eth, main: main, store: st, log: log,
		tx: newTxSender(st, cfg.Key, cfg.Fee, log, map[byte]Chain{onMain: main}, map[byte]string{onMain: cfg.MainChainID})}, nil
}

// Step scans newly confirmed external blocks, attests the deposits and
// payouts that are due, and pays the withdrawals due (the payer).
func (s *Signer) Step(ctx context.Context) error {
	if err := s.tx.begin(ctx); err != nil {
		return err
	}
	if err := s.scan(ctx); err != nil {
		return err
	}
	if err := s.attest(ctx); err != nil {
		return err
	}
	return s.payouts(ctx)
}

// nextScan is the first external block the scan has not covered.
func (s *Signer) nextScan() (uint64, error) {
	last, err := u64At(s.store, keyEthScan, 0)
	if err != nil {
		return 0, err
	}
	if _, ok, err := s.store.Get(keyEthScan); err != nil || !ok {
		return s.cfg.FromBlock, err
	}
	return last + 1, nil // the key holds the last scanned block
}

func (s *Signer) scan(ctx context.Context) error {
	from, err := s.nextScan()
	if err != nil {
		return err
	}
	head, err := s.eth.BlockNumber(ctx)
	if err != nil {
		return err
	}
	if head < s.cfg.Confirmations || head-s.cfg.Confirmations < from {
		return nil
	}
	to := min(head-s.cfg.Confirmations, from+s.cfg.MaxRange-1)
	logs, err := s.eth.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to),
		Addresses: []common.Address{s.cfg.Token},
		Topics:    [][]common.Hash{{evm.TransferTopic}, nil, {common.BytesToHash(s.cfg.Vault[:])}},
	})
	if err != nil {
		return fmt.Errorf("sidechain: filter logs %d..%d: %w", from, to, err)
	}
	b := s.store.Batch()
	for _, l := range logs {
		if l.Removed || l.BlockNumber < from || l.BlockNumber > to {
			continue
		}
		tr, err := evm.ParseTransfer(l)
		if err != nil || tr.To != s.cfg.Vault {
			s.log.Warn("skipping log", "tx", l.TxHash, "index", l.Index, "err", err)
			continue
		}
		amount, err := evm.MicroUSDT(tr.Value)
		if err != nil || tr.From == (common.Address{}) {
			s.log.Warn("skipping deposit that cannot be minted", "tx", l.TxHash, "index", l.Index, "err", err)
			continue
		}
		m := &bridge.MsgAttestDeposit{ExtChainID: s.cfg.ExtChainID, ExtTxHash: types.Hash(tr.TxHash), LogIndex: uint64(tr.LogIndex),
			Recipient: types.Address(tr.From), Amount: amount}
		id := bridge.DepositID(m.ExtChainID, m.ExtTxHash, m.LogIndex)
		b.Set(slices.Concat(prefixDeposit, id[:]), core.Encode(m))
	}
	if err := s.scanPayouts(ctx, b, from, to); err != nil {
		return err
	}
	b.Set(keyEthScan, be64(to))
	return b.Commit()
}

func (s *Signer) attest(ctx context.Context) error {
	type dep struct {
		key []byte
		m   bridge.MsgAttestDeposit
	}
	var deps []dep
	var bad error
	if err := s.store.Scan(prefixDeposit, func(k, v []byte) bool {
		var m bridge.MsgAttestDeposit
		if err := core.Decode(v, &m); err != nil {
			bad = fmt.Errorf("sidechain: corrupt deposit %q: %w", k, err)
			return false
		}
		deps = append(deps, dep{slices.Clone(k), m})
		return true
	}); err != nil {
		return err
	}
	if bad != nil {
		return bad
	}
	for _, d := range deps {
		id := bridge.DepositID(d.m.ExtChainID, d.m.ExtTxHash, d.m.LogIndex)
		minted, attested, err := s.main.Deposit(ctx, id, s.tx.addr)
		if err != nil {
			return err
		}
		if minted || attested {
			b := s.store.Batch()
			b.Delete(d.key)
			if err := b.Commit(); err != nil {
				return err
			}
			continue
		}
		if err := s.tx.ensure(ctx, onMain, "att/"+id.Hex(), bridge.TypeAttestDeposit, &d.m); err != nil {
			return err
		}
	}
	return nil
}
