package channel

import (
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Voucher is the payer's off-chain promise: "of channel Channel, the payee
// may take Amount micro-USDT in total". Amounts are cumulative, so only the
// latest voucher matters and a lost one costs nothing. Nonce is the payer's
// sequence number for vouchers of the channel; the chain accepts a voucher
// only if both its amount and its nonce exceed the last redeemed ones.
type Voucher struct {
	Channel types.Hash
	Amount  uint64 // cumulative micro-USDT
	Nonce   uint64
	Sig     []byte // 65-byte secp256k1 [R‖S‖V] over Digest
}

// MaxVoucherSize bounds a voucher's encoding (a real one is ~120 bytes).
const MaxVoucherSize = 256

// voucherDomain separates voucher signatures from every other signature
// made with the same key (transactions, votes, attestations).
const voucherDomain = "accord/channel/voucher/v1"

// VoucherDigest is what the payer signs:
//
//	Keccak-256("accord/channel/voucher/v1" ‖ len(chainID) ‖ chainID ‖ channel ‖ be64(amount) ‖ be64(nonce))
//
// The chain ID is length-prefixed (one byte; chain IDs are shorter than
// 256 bytes) so no two (chain, channel) pairs share an encoding.
func VoucherDigest(chainID string, channel types.Hash, amount, nonce uint64) types.Hash {
	var tail [16]byte
	binary.BigEndian.PutUint64(tail[:8], amount)
	binary.BigEndian.PutUint64(tail[8:], nonce)
	return types.Keccak([]byte(voucherDomain), []byte{byte(len(chainID))}, []byte(chainID), channel[:], tail[:])
}

// Digest is the voucher's signing digest on chainID.
func (v *Voucher) Digest(chainID string) types.Hash {
	return VoucherDigest(chainID, v.Channel, v.Amount, v.Nonce)
}

// SignVoucher issues a voucher for channel on chainID, signed with the
// payer's key.
func SignVoucher(chainID string, channel types.Hash, amount, nonce uint64, key *ecdsa.PrivateKey) (*Voucher, error) {
	v := &Voucher{Channel: channel, Amount: amount, Nonce: nonce}
	if err := v.checkFields(); err != nil {
		return nil, err
	}
	sig, err := types.SignDigest(v.Digest(chainID), key)
	if err != nil {
		return nil, fmt.Errorf("sign voucher: %w", err)
	}
	v.Sig = sig
	return v, nil
}

func (v *Voucher) checkFields() error {
	if v.Channel == (types.Hash{}) {
		return fmt.Errorf("%w: %w", ErrBadVoucher, ErrZeroID)
	}
	if v.Amount == 0 {
		return fmt.Errorf("%w: %w", ErrBadVoucher, ErrZeroAmount)
	}
	return nil
}

// ValidateBasic checks what needs no state and no chain ID: fields set,
// signature of the right length.
func (v *Voucher) ValidateBasic() error {
	if err := v.checkFields(); err != nil {
		return err
	}
	if len(v.Sig) != types.SignatureLength {
		return fmt.Errorf("%w: signature of %d bytes", ErrBadVoucher, len(v.Sig))
	}
	return nil
}

// Signer recovers the address that signed the voucher for chainID. A
// voucher signed for another chain recovers to some other address.
func (v *Voucher) Signer(chainID string) (types.Address, error) {
	if err := v.ValidateBasic(); err != nil {
		return types.Address{}, err
	}
	a, err := types.RecoverAddress(v.Digest(chainID), v.Sig)
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	return a, nil
}

// Verify checks that payer signed the voucher for chainID.
func (v *Voucher) Verify(chainID string, payer types.Address) error {
	a, err := v.Signer(chainID)
	if err != nil {
		return err
	}
	if a != payer {
		return fmt.Errorf("%w: signed by %s, payer %s", ErrBadSignature, a.Hex(), payer.Hex())
	}
	return nil
}

// Encode is the voucher's canonical RLP encoding.
func (v *Voucher) Encode() []byte { return core.Encode(v) }

// DecodeVoucher decodes and checks an encoded voucher.
func DecodeVoucher(b []byte) (*Voucher, error) {
	if len(b) > MaxVoucherSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrVoucherTooBig, len(b))
	}
	var v Voucher
	if err := rlp.DecodeBytes(b, &v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadVoucher, err)
	}
	if err := v.ValidateBasic(); err != nil {
		return nil, err
	}
	return &v, nil
}

// String is the voucher as 0x-prefixed hex of its encoding: what a payer
// hands a payee (HTTP header, CLI output).
func (v *Voucher) String() string { return "0x" + hex.EncodeToString(v.Encode()) }

// ParseVoucher parses String's form.
func ParseVoucher(s string) (*Voucher, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadVoucher, err)
	}
	return DecodeVoucher(b)
}

// Receiver is a payee's off-chain book of the channels it serves: it
// accepts a voucher only if the channel's payer signed it for this chain
// and it raises both the amount and the nonce within the deposit, and it
// keeps the best voucher of each channel for redemption. It is safe for
// concurrent use: signatures are checked outside the lock, so a server
// verifies vouchers on every core. It is not used by the chain.
type Receiver struct {
	chainID string
	mu      sync.Mutex
	chans   map[types.Hash]*tracked
}

type tracked struct {
	payer         types.Address
	deposit       uint64
	amount, nonce uint64
	best          *Voucher
}

// NewReceiver returns an empty receiver for chainID.
func NewReceiver(chainID string) *Receiver {
	return &Receiver{chainID: chainID, chans: map[types.Hash]*tracked{}}
}

// Track starts (or updates) tracking a channel as read from the chain:
// its payer, deposit and the amount and nonce already redeemed.
func (r *Receiver) Track(c *Channel) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.chans[c.ID]
	if t == nil {
		t = &tracked{}
		r.chans[c.ID] = t
	}
	t.payer, t.deposit = c.Payer, c.Deposit
	if c.Redeemed > t.amount {
		t.amount, t.nonce, t.best = c.Redeemed, c.Nonce, nil
	}
}

// Accept verifies v and, if it advances its channel, records it and
// returns the increment it pays over the previous best voucher.
func (r *Receiver) Accept(v *Voucher) (uint64, error) {
	r.mu.Lock()
	t := r.chans[v.Channel]
	var payer types.Address
	if t != nil {
		payer = t.payer
	}
	r.mu.Unlock()
	if t == nil {
		return 0, fmt.Errorf("channel %s: %w", v.Channel.Hex(), ErrNotTracked)
	}
	if err := v.Verify(r.chainID, payer); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v.Amount > t.deposit {
		return 0, fmt.Errorf("%d > deposit %d: %w", v.Amount, t.deposit, ErrOverDeposit)
	}
	if v.Amount <= t.amount || v.Nonce <= t.nonce {
		return 0, fmt.Errorf("amount %d nonce %d, have %d/%d: %w", v.Amount, v.Nonce, t.amount, t.nonce, ErrStaleVoucher)
	}
	delta := v.Amount - t.amount
	t.amount, t.nonce, t.best = v.Amount, v.Nonce, v
	return delta, nil
}

// Best returns the highest voucher accepted for channel since it was
// tracked, or nil.
func (r *Receiver) Best(channel types.Hash) *Voucher {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := r.chans[channel]; t != nil {
		return t.best
	}
	return nil
}
