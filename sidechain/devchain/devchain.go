// Package devchain is the external Ethereum-compatible chain of a local
// Accord setup: go-ethereum's own chain (the eth service driven by its
// simulated beacon, as go-ethereum's simulated backend and `geth --dev`
// are) with the checked-in TestUSDT deployed, dev accounts funded with
// ETH and test USDT, blocks sealed as transactions arrive and every
// BlockInterval, and the standard JSON-RPC served over HTTP by
// go-ethereum's rpc package. It is a real EVM, so the bridge signers talk
// to it through ethclient exactly as they would to a public chain.
//
// Dev account keys are derived from fixed seeds and published in the
// Info file: they are for local use only.
package devchain

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// InfoFile is the file in the home directory that tells other processes
// where the chain is and what is on it.
const InfoFile = "devchain.json"

// Config configures a dev chain.
type Config struct {
	// Dir holds the chain's database and InfoFile; "" keeps everything
	// in memory (tests).
	Dir string
	// Accounts is the number of dev accounts, funded with ETH and USDT.
	// Account 0 deploys the token and is its minter.
	Accounts int
	// USDT each dev account gets, micro-USDT.
	USDT uint64
	// Fund lists further addresses (the bridge vault) given ETH for gas.
	Fund []common.Address
	// FundUSDT lists further addresses (a testnet's dev key) given ETH
	// and USDT like the dev accounts.
	FundUSDT []common.Address
	// BlockInterval seals a block this often even with no transactions,
	// so confirmations advance; 0 seals only when transactions arrive.
	BlockInterval time.Duration
	Log           *slog.Logger
}

// Account is a dev account.
type Account struct {
	Address    common.Address `json:"address"`
	PrivateKey string         `json:"private_key"` // hex, dev use only
}

// Info is what InfoFile holds.
type Info struct {
	RPC      string           `json:"rpc"`
	ChainID  uint64           `json:"chain_id"`
	Token    common.Address   `json:"token"`
	Minter   common.Address   `json:"minter"`
	Accounts []Account        `json:"accounts"`
	Funded   []common.Address `json:"funded"`
}

// Chain is a running dev chain.
type Chain struct {
	cfg    Config
	log    *slog.Logger
	stack  *node.Node
	eth    *eth.Ethereum
	beacon *catalyst.SimulatedBeacon
	client *ethclient.Client // in-process
	info   Info

	mu      sync.Mutex // serialises sealing
	stop    chan struct{}
	done    chan struct{}
	srv     *http.Server
	looping bool
	closed  bool
}

var ethPerAccount = new(big.Int).Mul(big.NewInt(params.Ether), big.NewInt(1000))

// DevKey is dev account i's key: fixed, so every run has the same accounts.
func DevKey(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte("accord/devchain/account/" + strconv.Itoa(i))))
	if err != nil {
		panic(err) // a keccak output is a valid key but with negligible probability
	}
	return k
}

// ReadInfo reads a dev chain's InfoFile from its home.
func ReadInfo(dir string) (*Info, error) {
	raw, err := os.ReadFile(filepath.Join(dir, InfoFile))
	if err != nil {
		return nil, fmt.Errorf("devchain: %w", err)
	}
	var i Info
	if err := json.Unmarshal(raw, &i); err != nil {
		return nil, fmt.Errorf("devchain: %s: %w", InfoFile, err)
	}
	return &i, nil
}

// Start opens (or creates) the chain, deploys and funds the token on
// first start, and begins sealing blocks. It serves no endpoint yet: see
// Serve.
func Start(cfg Config) (*Chain, error) {
	if cfg.Accounts < 1 {
		cfg.Accounts = 1
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	c := &Chain{cfg: cfg, log: cfg.Log.With("component", "devchain"), stop: make(chan struct{}), done: make(chan struct{})}
	// go-ethereum logs through its own root logger; keep its warnings.
	gethlog.SetDefault(gethlog.NewLogger(filterLevel{c.log.Handler(), slog.LevelWarn}))

	var prev *Info
	if cfg.Dir != "" {
		if i, err := ReadInfo(cfg.Dir); err == nil {
			prev = i
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	nodeConf := node.DefaultConfig
	nodeConf.Name = "accord-devchain"
	nodeConf.DataDir = ""
	if cfg.Dir != "" {
		nodeConf.DataDir = filepath.Join(cfg.Dir, "geth")
	}
	nodeConf.IPCPath = ""
	nodeConf.HTTPHost, nodeConf.WSHost = "", ""
	nodeConf.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0}
	stack, err := node.New(&nodeConf)
	if err != nil {
		return nil, fmt.Errorf("devchain: %w", err)
	}
	ethConf := ethconfig.Defaults
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true
	ethConf.LogNoHistory = true // small chains: unindexed log search costs nothing
	if prev == nil {
		alloc := core.SystemContractAllocs()
		maps.Copy(alloc, c.alloc())
		ethConf.Genesis = &core.Genesis{Config: params.AllDevChainProtocolChanges, GasLimit: ethconfig.Defaults.Miner.GasCeil, Alloc: alloc}
	} // else the stored genesis is used
	backend, err := eth.New(stack, &ethConf)
	if err != nil {
		_ = stack.Close()
		return nil, fmt.Errorf("devchain: %w", err)
	}
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(filters.NewFilterSystem(backend.APIBackend, filters.Config{}))}})
	if err := stack.Start(); err != nil {
		_ = stack.Close()
		return nil, fmt.Errorf("devchain: %w", err)
	}
	c.stack, c.eth = stack, backend
	if c.beacon, err = catalyst.NewSimulatedBeacon(0, common.Address{}, backend); err != nil {
		_ = stack.Close()
		return nil, fmt.Errorf("devchain: %w", err)
	}
	c.client = ethclient.NewClient(stack.Attach())
	if prev != nil {
		c.info = *prev
		if err := c.checkToken(); err != nil {
			_ = c.Close()
			return nil, err
		}
	} else if err := c.deploy(); err != nil {
		_ = c.Close()
		return nil, err
	}
	c.looping = true
	go c.sealLoop()
	return c, nil
}

func (c *Chain) alloc() ethtypes.GenesisAlloc {
	alloc := ethtypes.GenesisAlloc{}
	for i := range c.cfg.Accounts {
		alloc[crypto.PubkeyToAddress(DevKey(i).PublicKey)] = ethtypes.Account{Balance: ethPerAccount}
	}
	for _, a := range append(append([]common.Address(nil), c.cfg.Fund...), c.cfg.FundUSDT...) {
		alloc[a] = ethtypes.Account{Balance: ethPerAccount}
	}
	return alloc
}

// deploy deploys TestUSDT from account 0 and mints each dev account its USDT.
func (c *Chain) deploy() error {
	ctx := context.Background()
	minter := DevKey(0)
	c.info = Info{ChainID: params.AllDevChainProtocolChanges.ChainID.Uint64(), Minter: crypto.PubkeyToAddress(minter.PublicKey),
		Funded: append(append([]common.Address(nil), c.cfg.Fund...), c.cfg.FundUSDT...)}
	rc, err := c.sendAndSeal(ctx, minter, nil, evm.TokenBytecode())
	if err != nil {
		return fmt.Errorf("devchain: deploy TestUSDT: %w", err)
	}
	c.info.Token = rc.ContractAddress
	a := evm.TokenABI()
	for i := range c.cfg.Accounts {
		k := DevKey(i)
		addr := crypto.PubkeyToAddress(k.PublicKey)
		c.info.Accounts = append(c.info.Accounts, Account{Address: addr, PrivateKey: hex.EncodeToString(crypto.FromECDSA(k))})
		if c.cfg.USDT == 0 {
			continue
		}
		data, err := a.Pack("mint", addr, new(big.Int).SetUint64(c.cfg.USDT))
		if err != nil {
			return err
		}
		if _, err := c.sendAndSeal(ctx, minter, &c.info.Token, data); err != nil {
			return fmt.Errorf("devchain: mint to %s: %w", addr, err)
		}
	}
	for _, addr := range c.cfg.FundUSDT {
		if c.cfg.USDT == 0 {
			break
		}
		data, err := a.Pack("mint", addr, new(big.Int).SetUint64(c.cfg.USDT))
		if err != nil {
			return err
		}
		if _, err := c.sendAndSeal(ctx, minter, &c.info.Token, data); err != nil {
			return fmt.Errorf("devchain: mint to %s: %w", addr, err)
		}
	}
	c.log.Info("TestUSDT deployed", "token", c.info.Token, "accounts", c.cfg.Accounts)
	return nil
}

// checkToken makes sure a restarted chain still has its token.
func (c *Chain) checkToken() error {
	code, err := c.client.CodeAt(context.Background(), c.info.Token, nil)
	if err != nil {
		return fmt.Errorf("devchain: %w", err)
	}
	if len(code) == 0 {
		return fmt.Errorf("devchain: no token code at %s: the chain in %s does not match its %s", c.info.Token, c.cfg.Dir, InfoFile)
	}
	return nil
}

func (c *Chain) sendAndSeal(ctx context.Context, key *ecdsa.PrivateKey, to *common.Address, data []byte) (*ethtypes.Receipt, error) {
	tx, err := signCall(ctx, c.client, key, to, data)
	if err != nil {
		return nil, err
	}
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		return nil, err
	}
	c.seal()
	rc, err := c.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil {
		return nil, err
	}
	if rc.Status != ethtypes.ReceiptStatusSuccessful {
		return nil, fmt.Errorf("transaction %s reverted", tx.Hash())
	}
	return rc, nil
}

// Send signs and sends a call from key to the contract at to on any
// Ethereum client, and waits for its receipt (the dev chain seals it as it
// arrives); a reverted call is an error.
func Send(ctx context.Context, cl *ethclient.Client, key *ecdsa.PrivateKey, to common.Address, data []byte) (*ethtypes.Receipt, error) {
	tx, err := signCall(ctx, cl, key, &to, data)
	if err != nil {
		return nil, err
	}
	if err := cl.SendTransaction(ctx, tx); err != nil {
		return nil, err
	}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		rc, err := cl.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			if rc.Status != ethtypes.ReceiptStatusSuccessful {
				return nil, fmt.Errorf("transaction %s reverted", tx.Hash())
			}
			return rc, nil
		}
		if !errors.Is(err, ethereum.NotFound) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("transaction %s: %w", tx.Hash(), ctx.Err())
		case <-t.C:
		}
	}
}

func signCall(ctx context.Context, cl *ethclient.Client, key *ecdsa.PrivateKey, to *common.Address, data []byte) (*ethtypes.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := cl.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	gas, err := cl.EstimateGas(ctx, ethereum.CallMsg{From: from, To: to, Data: data})
	if err != nil {
		return nil, err
	}
	head, err := cl.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	chainID, err := cl.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	tip := big.NewInt(params.GWei)
	return ethtypes.SignNewTx(key, ethtypes.LatestSignerForChainID(chainID), &ethtypes.DynamicFeeTx{ChainID: chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))), Gas: gas + gas/4, To: to, Data: data})
}

// seal seals one block, and more while executable transactions remain
// (a full block), at most a few per call so a transaction the miner will
// not take cannot spin it.
func (c *Chain) seal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range 8 {
		c.beacon.Commit()
		if err := c.eth.TxPool().Sync(); err != nil {
			return
		}
		if executable, _ := c.eth.TxPool().Stats(); executable == 0 {
			return
		}
	}
}

// sealLoop seals when transactions arrive (coalescing a burst into one
// block) and every BlockInterval.
func (c *Chain) sealLoop() {
	defer close(c.done)
	txs := make(chan core.NewTxsEvent, 16)
	sub := c.eth.TxPool().SubscribeTransactions(txs, true)
	defer sub.Unsubscribe()
	var tick <-chan time.Time
	if c.cfg.BlockInterval > 0 {
		t := time.NewTicker(c.cfg.BlockInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-c.stop:
			return
		case <-sub.Err():
			return
		case <-txs:
			// Let a burst of transactions land in one block.
			select {
			case <-c.stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			for len(txs) > 0 {
				<-txs
			}
			c.seal()
		case <-tick:
			c.seal()
		}
	}
}

// Serve serves JSON-RPC over HTTP on l until Close, and writes InfoFile
// (when the chain has a Dir) naming l's address. It returns once serving
// has begun.
func (c *Chain) Serve(l net.Listener) error {
	h, err := c.stack.RPCHandler()
	if err != nil {
		return fmt.Errorf("devchain: %w", err)
	}
	c.info.RPC = "http://" + l.Addr().String()
	if c.cfg.Dir != "" {
		raw, err := json.MarshalIndent(&c.info, "", "  ")
		if err != nil {
			return err
		}
		tmp := filepath.Join(c.cfg.Dir, InfoFile+".tmp")
		if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
			return fmt.Errorf("devchain: %w", err)
		}
		if err := os.Rename(tmp, filepath.Join(c.cfg.Dir, InfoFile)); err != nil {
			return fmt.Errorf("devchain: %w", err)
		}
	}
	c.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := c.srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			c.log.Error("devchain RPC server stopped", "err", err)
		}
	}()
	c.log.Info("devchain serving", "rpc", c.info.RPC, "chain_id", c.info.ChainID, "token", c.info.Token)
	return nil
}

// Info describes the chain (RPC is set once Serve was called).
func (c *Chain) Info() Info { return c.info }

// Close stops sealing and serving, and closes the chain's database.
func (c *Chain) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	var err error
	if c.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = c.srv.Shutdown(ctx)
		cancel()
	}
	close(c.stop)
	if c.looping {
		<-c.done
	}
	if c.client != nil {
		c.client.Close()
	}
	if c.beacon != nil {
		err = errors.Join(err, c.beacon.Stop())
	}
	return errors.Join(err, c.stack.Close())
}

// filterLevel passes records at or above min to h.
type filterLevel struct {
	h   slog.Handler
	min slog.Level
}

func (f filterLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.h.Enabled(ctx, l)
}
func (f filterLevel) Handle(ctx context.Context, r slog.Record) error { return f.h.Handle(ctx, r) }
func (f filterLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return filterLevel{f.h.WithAttrs(a), f.min}
}
func (f filterLevel) WithGroup(n string) slog.Handler { return filterLevel{f.h.WithGroup(n), f.min} }
