package types

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

func TestTxSignRecoverRoundTrip(t *testing.T) {
	key, _ := crypto.GenerateKey()
	tx, err := SignTx(&Tx{ChainID: "accord-test", Nonce: 7, Type: 1, Payload: []byte("pay"), Fee: 10}, key)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	from, err := dec.Sender()
	if err != nil {
		t.Fatal(err)
	}
	if from != PubkeyAddress(key) {
		t.Fatalf("sender %s, want %s", from.Hex(), PubkeyAddress(key).Hex())
	}
	if dec.Hash() != tx.Hash() {
		t.Fatal("hash changed across encode/decode")
	}
}

func TestTxTamperingChangesSender(t *testing.T) {
	key, _ := crypto.GenerateKey()
	want := PubkeyAddress(key)
	cases := []struct {
		name   string
		mutate func(*Tx)
	}{
		{"chain ID changed", func(tx *Tx) { tx.ChainID = "other-chain" }},
		{"nonce changed", func(tx *Tx) { tx.Nonce++ }},
		{"payload changed", func(tx *Tx) { tx.Payload = []byte("pay more") }},
		{"fee changed", func(tx *Tx) { tx.Fee = 0 }},
		{"type changed", func(tx *Tx) { tx.Type = 2 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, _ := SignTx(&Tx{ChainID: "accord-test", Nonce: 1, Type: 1, Payload: []byte("pay"), Fee: 10}, key)
			c.mutate(tx)
			dec, err := DecodeTx(mustEncodeFresh(tx))
			if err != nil {
				t.Fatal(err)
			}
			from, err := dec.Sender()
			if err == nil && from == want {
				t.Fatal("tampered tx still recovers the original sender")
			}
		})
	}
}

func mustRLP(t *testing.T, v any) []byte {
	t.Helper()
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustEncodeFresh(tx *Tx) []byte {
	cp := &Tx{ChainID: tx.ChainID, Nonce: tx.Nonce, Type: tx.Type, Payload: tx.Payload, Fee: tx.Fee, Sig: tx.Sig}
	return cp.Encode()
}

// TestTxEncodingMatchesRLP: the hand-written encoder behind Encode and
// SigningHash produces rlp's bytes at every size boundary, and DecodeTx
// reads them back field for field.
func TestTxEncodingMatchesRLP(t *testing.T) {
	sig := bytes.Repeat([]byte{0x42}, SignatureLength)
	cases := []struct {
		name string
		tx   *Tx
	}{
		{"zero fields", &Tx{Sig: sig}},
		{"one low byte payload", &Tx{ChainID: "c", Nonce: 1, Type: 1, Payload: []byte{0x7f}, Fee: 1, Sig: sig}},
		{"one high byte payload", &Tx{ChainID: "c", Nonce: 0x80, Type: 0x80, Payload: []byte{0x80}, Fee: 0x80, Sig: sig}},
		{"55-byte payload", &Tx{ChainID: "accord-local", Nonce: 1 << 32, Type: 0xffff, Payload: make([]byte, 55), Fee: 1e6, Sig: sig}},
		{"56-byte payload", &Tx{ChainID: "accord-local", Nonce: ^uint64(0), Type: 0x100, Payload: make([]byte, 56), Fee: ^uint64(0), Sig: sig}},
		{"long list", &Tx{ChainID: strings.Repeat("x", 300), Payload: bytes.Repeat([]byte{1}, 60000), Sig: sig}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := c.tx
			want, err := rlp.EncodeToBytes(&txFields{tx.ChainID, tx.Nonce, tx.Type, tx.Payload, tx.Fee, tx.Sig})
			if err != nil {
				t.Fatal(err)
			}
			if got := tx.Encode(); !bytes.Equal(got, want) {
				t.Fatalf("Encode = %x\nrlp    = %x", got, want)
			}
			if tx.SigningHash() != referenceSigningHash(tx) {
				t.Fatal("SigningHash differs from rlp's encoding of the unsigned fields")
			}
			dec, err := DecodeTx(want)
			if err != nil {
				t.Fatal(err)
			}
			if dec.ChainID != tx.ChainID || dec.Nonce != tx.Nonce || dec.Type != tx.Type || !bytes.Equal(dec.Payload, tx.Payload) ||
				dec.Fee != tx.Fee || !bytes.Equal(dec.Sig, tx.Sig) || dec.Hash() != tx.Hash() {
				t.Fatalf("decoded %+v, want %+v", dec, tx)
			}
		})
	}
}

func TestDecodeTxRejects(t *testing.T) {
	key, _ := crypto.GenerateKey()
	tx, _ := SignTx(&Tx{ChainID: "c", Nonce: 1, Type: 1, Fee: 1}, key)
	good := tx.Encode()
	highS := &Tx{ChainID: "c", Nonce: 1, Type: 1, Fee: 1, Sig: bytes.Clone(tx.Sig)}
	// s' = N - s gives the malleated twin of a valid signature.
	n := crypto.S256().Params().N
	s := new(bigInt).SetBytes(tx.Sig[32:64])
	s.Sub(n, s)
	copy(highS.Sig[32:64], leftPad(s.Bytes(), 32))
	highS.Sig[64] ^= 1
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformedTx},
		{"garbage", []byte{0xff, 0x01, 0x02}, ErrMalformedTx},
		{"trailing bytes", append(bytes.Clone(good), 0x80), ErrTrailingBytes},
		{"too large", make([]byte, MaxTxSize+1), ErrTxTooLarge},
		{"short signature", (&Tx{ChainID: "c", Sig: []byte{1, 2}}).Encode(), ErrMalformedTx},
		{"not a list", []byte{0x83, 1, 2, 3}, ErrMalformedTx},
		{"five fields", mustRLP(t, []any{"c", uint64(1), uint64(1), []byte{}, uint64(1)}), ErrMalformedTx},
		{"seven fields", mustRLP(t, []any{"c", uint64(1), uint64(1), []byte{}, uint64(1), tx.Sig, uint64(0)}), ErrMalformedTx},
		{"type overflows uint16", mustRLP(t, []any{"c", uint64(1), uint64(1 << 16), []byte{}, uint64(1), tx.Sig}), ErrMalformedTx},
		{"nonce with leading zero", mustRLP(t, []any{"c", []byte{0, 1}, uint64(1), []byte{}, uint64(1), tx.Sig}), ErrMalformedTx},
		{"nonce is a list", mustRLP(t, []any{"c", []any{}, uint64(1), []byte{}, uint64(1), tx.Sig}), ErrMalformedTx},
		{"single byte as string", append([]byte{0xc0 + byte(len(good)-1+1)}, append([]byte{0x81, 'c'}, good[2:]...)...), ErrMalformedTx},
		{"list size too long for input", []byte{0xf8, 0xff, 0x80}, ErrMalformedTx},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := DecodeTx(c.in); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	t.Run("high-S signature is refused", func(t *testing.T) {
		dec, err := DecodeTx(highS.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dec.Sender(); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("err = %v, want ErrBadSignature", err)
		}
	})
}

func TestCheckChainID(t *testing.T) {
	tx := &Tx{ChainID: "a"}
	if err := tx.CheckChainID("a"); err != nil {
		t.Fatal(err)
	}
	if err := tx.CheckChainID("b"); !errors.Is(err, ErrWrongChainID) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseUSDT(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		err  bool
	}{
		{"1000", 1000_000000, false},
		{"12.5", 12_500000, false},
		{"0.000001", 1, false},
		{".5", 500000, false},
		{"1.", 0, true},
		{"", 0, true},
		{"-1", 0, true},
		{"1e6", 0, true},
		{"1.0000001", 0, true},
		{"18446744073709.551615", 18446744073709551615, false},
		{"18446744073709.551616", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, c := range cases {
		got, err := ParseUSDT(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseUSDT(%q) = %d, %v; want %d, err=%v", c.in, got, err, c.want, c.err)
		}
		if err == nil {
			if back, _ := ParseUSDT(FormatUSDT(got)); back != got {
				t.Errorf("FormatUSDT round trip of %d gave %d", got, back)
			}
		}
	}
	if FormatUSDT(1_500000) != "1.5" || FormatUSDT(1) != "0.000001" || FormatUSDT(0) != "0" {
		t.Fatal("FormatUSDT output changed")
	}
}

func TestCheckedArithmetic(t *testing.T) {
	if _, err := AddAmount(^uint64(0), 1); !errors.Is(err, ErrOverflow) {
		t.Fatal("add overflow not caught")
	}
	if _, err := SubAmount(1, 2); !errors.Is(err, ErrInsufficient) {
		t.Fatal("sub underflow not caught")
	}
	if v, _ := MulDiv(^uint64(0), 3, 4); v != ^uint64(0)/4*3+2 {
		t.Fatalf("MulDiv 128-bit = %d", v)
	}
	if _, err := MulDiv(^uint64(0), 2, 1); !errors.Is(err, ErrOverflow) {
		t.Fatal("MulDiv overflow not caught")
	}
}

func TestParseAddress(t *testing.T) {
	if _, err := ParseAddress("0x1234"); !errors.Is(err, ErrBadAddress) {
		t.Fatal("short address accepted")
	}
	if _, err := ParseAddress("0xzz34567890123456789012345678901234567890"); !errors.Is(err, ErrBadAddress) {
		t.Fatal("non-hex address accepted")
	}
	a, err := ParseAddress("0x00000000000000000000000000000000000000ab")
	if err != nil || a[19] != 0xab {
		t.Fatalf("%v %x", err, a)
	}
	good := "0x000000000000000000000000000000000000dEaD" // valid EIP-55
	if _, err := ParseAddress(good); err != nil {
		t.Fatalf("checksummed address refused: %v", err)
	}
	if _, err := ParseAddress("0x000000000000000000000000000000000000DeaD"); !errors.Is(err, ErrBadAddress) {
		t.Fatal("address with a wrong EIP-55 checksum accepted")
	}
	if _, err := ParseAddress(strings.ToUpper(good[2:])); err != nil {
		t.Fatalf("all-caps address refused: %v", err)
	}
	if as, err := ParseAddresses([]string{good, " 0x00000000000000000000000000000000000000ab"}); err != nil || len(as) != 2 || as[1][19] != 0xab {
		t.Fatalf("ParseAddresses: %v %v", as, err)
	}
	if as, err := ParseAddresses([]string{good, "0x1234"}); !errors.Is(err, ErrBadAddress) || as != nil {
		t.Fatalf("ParseAddresses with a bad one: %v %v", as, err)
	}
}

func TestMerkleProofs(t *testing.T) {
	for n := 1; n <= 33; n++ {
		leaves := make([]Hash, n)
		for i := range leaves {
			leaves[i] = Keccak([]byte{byte(i), byte(n)})
		}
		root := MerkleRoot(leaves)
		for i := range leaves {
			p, err := MerkleProve(leaves, i)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(root, leaves[i]); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			if err := p.Verify(root, Keccak([]byte("other"))); !errors.Is(err, ErrBadProof) {
				t.Fatalf("n=%d i=%d: wrong leaf verified", n, i)
			}
			if n > 1 {
				bad := *p
				bad.Index = uint64((i + 1) % n)
				if bad.Verify(root, leaves[i]) == nil {
					t.Fatalf("n=%d i=%d: wrong index verified", n, i)
				}
			}
		}
	}
	if MerkleRoot(nil) != Keccak(nil) {
		t.Fatal("empty root changed")
	}
}

func TestValidatorSetQuorum(t *testing.T) {
	cases := []struct{ n, f, q int }{{1, 0, 1}, {2, 0, 2}, {3, 0, 2}, {4, 1, 3}, {5, 1, 4}, {6, 1, 4}, {7, 2, 5}, {10, 3, 7}, {16, 5, 11}}
	for _, c := range cases {
		addrs := make([]Address, c.n)
		for i := range addrs {
			addrs[i][0] = byte(i + 1)
		}
		vs, err := NewValidatorSet(addrs)
		if err != nil {
			t.Fatal(err)
		}
		if vs.F() != c.f || vs.Quorum() != c.q {
			t.Errorf("n=%d: f=%d q=%d, want f=%d q=%d", c.n, vs.F(), vs.Quorum(), c.f, c.q)
		}
		// Two quorums intersect in at least f+1 validators; n-f can form one.
		if 2*vs.Quorum()-c.n < c.f+1 || vs.Quorum() > c.n-c.f {
			t.Errorf("n=%d: quorum %d unsafe or not live", c.n, vs.Quorum())
		}
	}
}
