package acceptor

import (
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BankKeeper is what the acceptor module needs from bank: moving USDT
// between an acceptor's account and the module accounts. bank.Keeper
// implements it.
type BankKeeper interface {
	Send(st state.Store, from, to types.Address, amount uint64) error
	Balance(st state.Store, a types.Address) uint64
}

// ParamStore is gov's generic parameter store. Parameters of this module
// live under module "acceptor" as canonical decimal uint64 strings.
// gov.Keeper implements it.
type ParamStore interface {
	ParamUint64(st state.Store, module, key string, def uint64) uint64
	SetParam(st state.Store, module, key string, value []byte) error
}

// KYCInfo is what the acceptor module reads from an account's attestation.
type KYCInfo struct {
	// Identity names the verified person or company behind the account:
	// the same for every account the same subject controls, so linked
	// accounts can be recognised without revealing who they are.
	Identity types.Hash
	Level    uint8
	// OrderLimit is the largest order, in micro-USDT, the account may take
	// part in at its level (0: no limit).
	OrderLimit uint64
}

// KYCKeeper reports an account's KYC attestation if it is valid (issued by
// a current KYC provider, not revoked, not expired) at block time now (unix
// ms). The wiring adapts contracts/gov/kyc to it.
type KYCKeeper interface {
	KYC(st state.Store, addr types.Address, now uint64) (KYCInfo, bool)
}

// Freezer reports accounts frozen by the risk module. A nil Freezer means
// nothing is frozen.
type Freezer interface {
	IsFrozen(st state.Store, addr types.Address) bool
}

// CurrencySet reports whether the oracle quotes a fiat currency. A nil
// CurrencySet accepts any well-formed ISO 4217 code.
type CurrencySet interface {
	IsSupported(st state.Store, code string) bool
}
