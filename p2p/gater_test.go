package p2p

import (
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/accordnet/accord/types"
)

func TestGaterDecisions(t *testing.T) {
	member, stranger := newKey(t), newKey(t)
	memberID, _ := PeerIDFromKey(member)
	strangerID, _ := PeerIDFromKey(stranger)
	memberAddr := types.PubkeyAddress(member)
	g := newGater(testLogger(), &addrCache{}, []types.Address{memberAddr})

	cases := []struct {
		name   string
		setup  func()
		id     peer.ID
		ok     bool
		reason string
	}{
		{"a member is admitted", nil, memberID, true, ""},
		{"a stranger is refused", nil, strangerID, false, reasonNotAllowed},
		{"a non-secp256k1 ID is refused", nil, peer.ID("not a key"), false, reasonBadID},
		{"a blocked member is refused", func() { g.setBlocked(memberAddr, true) }, memberID, false, reasonBlocked},
		{"an unblocked member is admitted again", func() { g.setBlocked(memberAddr, false) }, memberID, true, ""},
		{"a member dropped from the list is refused", func() { g.setAllow(nil) }, memberID, false, reasonNotAllowed},
		{"a stranger added to the list is admitted", func() { g.setAllow([]types.Address{types.PubkeyAddress(stranger)}) }, strangerID, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup()
			}
			_, reason, ok := g.check(tc.id)
			if ok != tc.ok || reason != tc.reason {
				t.Fatalf("check = %v %q, want %v %q", ok, reason, tc.ok, tc.reason)
			}
			if g.InterceptPeerDial(tc.id) != tc.ok {
				t.Fatalf("InterceptPeerDial disagrees with check")
			}
		})
	}
}
