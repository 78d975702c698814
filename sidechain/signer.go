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
)

// EthLogs is what the bridge signer reads of the external chain;
// go-ethereum's *ethclient.Client (and the simulated backend's client)
// satisfies it.
type EthLogs interface {
	BlockNumber(ctx context.Context) (uint64, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]ethtypes.Log, error)
}

// DepositChain is the main chain as a bridge signer sees it.
type DepositChain interface {
	Chain
	// Deposit reports whether deposit id was minted, and whether signer
	// has attested it.
	Deposit(ctx context.Context, id types.Hash, signer types.Address) (minted, attested bool, err error)
}

// SignerConfig configures a Signer.
type SignerConfig struct {
	MainChainID   string
	ExtChainID    uint64
	Token, Vault  common.Address
	Confirmations uint64 // blocks on top of a deposit's block before it is attested
	FromBlock     uint64 // first external block to scan (the token's deployment)
	MaxRange      uint64 // blocks per FilterLogs call; 0 means 1000
	Key           *ecdsa.PrivateKey
	Fee           uint64
	Log           *slog.Logger
}

// Signer is one bridge signer's deposit loop: it follows the token's
// Transfer logs into the vault, waits Confirmations blocks, and attests
// each deposit on main once (MsgAttestDeposit). The recipient on main is
// the transfer's sender (same 20-byte address; a production vault would
// take the recipient as a deposit argument instead).
type Signer struct {
	cfg   SignerConfig
	eth   EthLogs
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
func NewSigner(cfg SignerConfig, eth EthLogs, main DepositChain, st *Store) (*Signer, error) {
	if cfg.MainChainID == "" || cfg.ExtChainID == 0 || cfg.Key == nil {
		return nil, errors.New("sidechain: signer needs the main chain ID, the external chain ID and a key")
	}
	if cfg.Token == (common.Address{}) || cfg.Vault == (common.Address{}) {
		return nil, errors.New("sidechain: signer needs the token and vault addresses")
	}
	if cfg.MaxRange == 0 {
		cfg.MaxRange = 1000
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	log := cfg.Log.With("component", "bridge-signer", "ext_chain", cfg.ExtChainID)
	return &Signer{cfg: cfg, eth: eth, main: main, store: st, log: log,
		tx: newTxSender(st, cfg.Key, cfg.Fee, log, map[byte]Chain{onMain: main}, map[byte]string{onMain: cfg.MainChainID})}, nil
}

// Step scans newly confirmed external blocks and attests what is due.
func (s *Signer) Step(ctx context.Context) error {
	if err := s.tx.begin(ctx); err != nil {
		return err
	}
	if err := s.scan(ctx); err != nil {
		return err
	}
	return s.attest(ctx)
}

func (s *Signer) scan(ctx context.Context) error {
	from, err := u64At(s.store, keyEthScan, s.cfg.FromBlock)
	if err != nil {
		return err
	}
	if _, ok, err := s.store.Get(keyEthScan); err != nil {
		return err
	} else if ok {
		from++ // the key holds the last scanned block
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
