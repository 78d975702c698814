package kyc_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/types"
)

func fuzzDecoder[T any](f *testing.F, typ types.TxType, decode func([]byte) (*T, error), seeds ...any) {
	for _, s := range seeds {
		f.Add(core.Encode(s))
	}
	f.Add([]byte{})
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		if re := core.Encode(m); !bytes.Equal(re, b) {
			t.Fatalf("accepted %x re-encodes as %x", b, re)
		}
		e := govtest.New(t, govtest.Setup{Roles: []govtest.KeyRole{
			{Key: 1, Role: gov.RoleKYCProvider}, {Key: 1, Role: gov.RoleCompliance}}})
		_ = e.Exec(1, typ, m)
		e.CheckInvariants()
	})
}

func FuzzDecodeAttest(f *testing.F) {
	var a types.Address
	a[0] = 1
	fuzzDecoder(f, kyc.TypeAttest, kyc.DecodeAttest,
		&kyc.MsgAttest{Account: a, Level: 1, ExpiresAt: govtest.GenesisTime + 1000, Country: "SG", RecordHash: types.Keccak([]byte("r"))},
		&kyc.MsgAttest{Account: a, Level: 255, ExpiresAt: 1<<64 - 1, Country: "ZZ", RecordHash: types.Keccak(nil)})
}

func FuzzDecodeRevoke(f *testing.F) {
	var a types.Address
	a[0] = 1
	fuzzDecoder(f, kyc.TypeRevoke, kyc.DecodeRevoke, &kyc.MsgRevoke{Account: a, Reason: "fraud"}, &kyc.MsgRevoke{Account: a})
}
