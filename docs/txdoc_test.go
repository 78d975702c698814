package docs_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bridge"
	bridgeside "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

var update = flag.Bool("update", false, "rewrite the generated sections of transactions.md")

const docFile = "transactions.md"

// messages are the payload structs of the routes that do not name theirs
// (core.Route.Msg). The test fails if a route of the application has none
// (or one here has no route). A module's own routes should set Msg and
// comment each payload field in msgs.go instead: then nothing here changes.
var messages = []any{
	bank.MsgTransfer{},
	gov.MsgPropose{}, gov.MsgApprove{}, gov.MsgCancel{},
	kyc.MsgAttest{}, kyc.MsgRevoke{},
	oracle.MsgPostRates{},
	acceptor.MsgRegister{}, acceptor.MsgUpdate{}, acceptor.MsgDepositFloat{}, acceptor.MsgWithdrawFloat{},
	acceptor.MsgDepositMargin{}, acceptor.MsgWithdrawMargin{}, acceptor.MsgPause{}, acceptor.MsgResume{},
	order.MsgCreate{}, order.MsgMarkPaid{}, order.MsgConfirm{}, order.MsgCancel{}, order.MsgExtend{}, order.MsgDispute{},
	pay.MsgLock{}, pay.MsgAttest{}, pay.MsgRefund{}, pay.MsgDispute{},
	channel.MsgOpen{}, channel.MsgTopUp{}, channel.MsgExtend{}, channel.MsgRedeem{}, channel.MsgClose{}, channel.MsgSettle{},
	arbitration.MsgOpen{}, arbitration.MsgEvidence{}, arbitration.MsgVote{},
	lightclient.MsgUpdate{},
	bridgeside.MsgMint{}, bridgeside.MsgBurn{},
	// The main profile's.
	checkpoint.MsgSubmit{},
	bridge.MsgAttestDeposit{}, bridge.MsgWithdraw{}, bridge.MsgAttestPaid{}, bridge.MsgLock{}, bridge.MsgRelease{},
}

// notes say what each payload field means and its unit, keyed
// "package.Type.Field", where the field's own comment in contracts/ does
// not (a note here wins over the comment). Every field needs one or the
// other; a note for a field that no longer exists fails the test too.
var notes = map[string]string{
	"pay.MsgLock.Payee":         "who is paid on a \"delivered\" attestation",
	"pay.MsgLock.Attester":      "the address whose signed outcome settles the payment (e.g. a carrier's delivery oracle)",
	"pay.MsgLock.Amount":        "micro-USDT locked in pay's escrow, > 0",
	"pay.MsgLock.Deadline":      "block time (unix ms) after which the payer may reclaim an unattested payment",
	"pay.MsgAttest.Attestation": "the attester's signed outcome (anyone may submit it)",
	"pay.Attestation.Payment":   "the payment ID",
	"pay.Attestation.Outcome":   "1 delivered (release to the payee), 2 failed (refund the payer)",
	"pay.Attestation.Sig":       "65-byte secp256k1 signature [R‖S‖V] by the attester over (chain ID, payment ID, outcome)",
	"pay.MsgRefund.ID":          "the payment ID (payer, after its deadline)",
	"pay.MsgDispute.ID":         "the payment ID (payer or payee, before settlement)",
	"pay.MsgDispute.Evidence":   "optional Keccak-256 of an off-chain statement (zero: none)",

	"channel.MsgOpen.Payee":     "who redeems the payer's vouchers",
	"channel.MsgOpen.Deposit":   "micro-USDT moved into channel's escrow, > 0",
	"channel.MsgOpen.Expiry":    "block time (unix ms) until which vouchers are redeemable",
	"channel.MsgTopUp.ID":       "the channel ID (payer only)",
	"channel.MsgTopUp.Amount":   "micro-USDT added to the deposit, > 0",
	"channel.MsgExtend.ID":      "the channel ID (payer only)",
	"channel.MsgExtend.Expiry":  "the new expiry, block time (unix ms), later than the current one",
	"channel.MsgRedeem.Voucher": "a voucher signed by the payer (payee submits; pays the difference to what was redeemed)",
	"channel.Voucher.Channel":   "the channel ID",
	"channel.Voucher.Amount":    "cumulative micro-USDT the payer owes the payee on this channel",
	"channel.Voucher.Nonce":     "increasing per voucher; a redeem needs a higher nonce than the last",
	"channel.Voucher.Sig":       "65-byte secp256k1 signature [R‖S‖V] by the payer over (chain ID, channel ID, amount, nonce)",
	"channel.MsgClose.ID":       "the channel ID (payer; starts the challenge period)",
	"channel.MsgSettle.ID":      "the channel ID (the payee any time; the payer once redeeming has ended: challenge period after close or expiry); returns the remainder to the payer",

	"arbitration.MsgOpen.Kind":     "1 order, 2 conditional payment",
	"arbitration.MsgOpen.Subject":  "the disputed order's or payment's ID (it must already be DISPUTED)",
	"arbitration.MsgEvidence.ID":   "the dispute ID (a party, until the evidence deadline)",
	"arbitration.MsgEvidence.Hash": "Keccak-256 of an off-chain receipt, chat log or bank statement, non-zero",
	"arbitration.MsgVote.ID":       "the dispute ID (a member of its current panel or committee, once)",
	"arbitration.MsgVote.Winner":   "1 side A (the order's merchant or the payment's payee), 2 side B",
	"arbitration.MsgVote.Reason":   "1 no payment, 2 payment not confirmed, 3 third-party payer, 4 protocol violation, 5 no reply, 6 bank problem, 7 other",
	"arbitration.MsgVote.ToA":      "micro-USDT to side A; ToA + ToB must equal the escrow",
	"arbitration.MsgVote.ToB":      "micro-USDT to side B",

	"bridge.MsgMint.MainHeight":       "height of the trusted main-chain header (already relayed to the light client) whose receipts hold the lock",
	"bridge.MsgMint.Proof":            "the lock receipt and its Merkle path to that header's receipt root",
	"bridge.MsgMint.EventIndex":       "index of the `bridge.locked` event in the proven receipt",
	"bridge.MsgAckRelease.MainHeight": "height of the trusted main-chain header whose receipts hold the release",
	"bridge.MsgAckRelease.Proof":      "the release receipt and its Merkle path to that header's receipt root",
	"bridge.MsgAckRelease.EventIndex": "index of the `bridge.released` event (for this chain) in the proven receipt",
	"bridge.MsgBurn.Recipient":        "who is paid on main once a checkpoint covering this block is anchored; non-zero",
	"bridge.MsgBurn.Amount":           "micro-USDT burned from the sender, > 0",

	"proof.ReceiptProof.Receipt": "the whole receipt, as the chain committed it (its message is not hashed)",
	"proof.ReceiptProof.Index":   "the receipt's position in its block, 0-based (the leaf index)",
	"proof.ReceiptProof.Path":    "sibling hashes from the leaf up to the receipt root, at most 64",
	"types.Receipt.TxHash":       "hash of the transaction this receipt is for",
	"types.Receipt.Status":       "0 success (types.StatusOK), 1 failure",
	"types.Receipt.Codespace":    "module of a failure's result code, empty on success",
	"types.Receipt.Code":         "the module's stable result code, 0 on success",
	"types.Receipt.Fee":          "micro-USDT charged",
	"types.Receipt.Events":       "the events the transaction emitted, in order",
	"types.Receipt.Error":        "human message of a failure; carried but not part of the leaf hash",
	"types.Event.Type":           "`module.name`, e.g. `bridge.locked`",
	"types.Event.Attrs":          "the event's fields, in declaration order",
	"types.Attr.Key":             "field name",
	"types.Attr.Value":           "field value bytes",

	"lightclient.MsgUpdate.Header":       "the main-chain header to trust next (heights may be skipped while the set is unchanged)",
	"lightclient.MsgUpdate.Cert":         "its commit certificate, signed by > 2/3 of the main validator set the client trusts",
	"lightclient.MsgUpdate.Changes":      "proofs of every `gov.validators_set` event in that block, at most 8",
	"lightclient.ChangeProof.Receipt":    "the receipt holding the validator-set change",
	"lightclient.ChangeProof.EventIndex": "index of the `gov.validators_set` event in it",
	"types.Header.ChainID":               "the main chain's ID",
	"types.Header.Height":                "block height",
	"types.Header.Time":                  "block time, unix milliseconds",
	"types.Header.ParentHash":            "hash of the parent header",
	"types.Header.LastCertHash":          "hash of the parent's commit certificate",
	"types.Header.TxRoot":                "Merkle root of the block's transaction hashes",
	"types.Header.ReceiptRoot":           "Merkle root of the block's receipt leaf hashes",
	"types.Header.StateRoot":             "app hash after the block",
	"types.Header.ValidatorsHash":        "hash of the validator set that finalizes the block",
	"types.Header.Proposer":              "the proposing validator",
	"types.Header.TxCount":               "number of transactions (the receipt tree's leaf count)",
	"types.CommitCert.Height":            "the certified block's height",
	"types.CommitCert.View":              "the PBFT view it was committed in",
	"types.CommitCert.BlockHash":         "the certified header's hash",
	"types.CommitCert.Sigs":              "COMMIT signatures, one per signing validator",

	"types.CommitSig.Index": "the signer's position in the validator set of that height",
	"types.CommitSig.Sig":   "65-byte secp256k1 signature [R‖S‖V] over the COMMIT digest",

	"types.Tx.ChainID": "the chain's ID, e.g. `accord-local`; a transaction signed for one chain is invalid on every other",
	"types.Tx.Nonce":   "the sender's next nonce: 0 for a new account, then +1 per included transaction",
	"types.Tx.Type":    "the message type (table below); the high byte names the module",
	"types.Tx.Payload": "the RLP encoding of the message, as a byte string (so the payload list is wrapped once more)",
	"types.Tx.Fee":     "micro-USDT offered, at least the chain's minimum fee (`accord_status` → `min_fee_micro`; 10 000 = 0.01 USDT by default); it goes to the treasury",
	"types.Tx.Sig":     "exactly 65 bytes `[R ‖ S ‖ V]`, see below",

	"bank.MsgTransfer.To":     "recipient; module accounts (escrow, float, margin) are refused",
	"bank.MsgTransfer.Amount": "micro-USDT (1 USDT = 1 000 000), > 0",

	"gov.MsgPropose.Actions":              "1–16 changes, applied in order and atomically when the proposal executes",
	"gov.MsgPropose.Memo":                 "free text for people, ≤ 256 bytes of UTF-8; public, so no personal data",
	"gov.MsgApprove.ProposalID":           "ID of an open proposal (from the `gov.proposed` event), > 0",
	"gov.MsgCancel.ProposalID":            "ID of an open proposal the sender made, > 0",
	"gov.Action.GrantRole":                "exactly one of the eight fields is set",
	"gov.Action.RevokeRole":               "",
	"gov.Action.SetParam":                 "",
	"gov.Action.AddAdmin":                 "",
	"gov.Action.RemoveAdmin":              "",
	"gov.Action.SetThreshold":             "",
	"gov.Action.SetValidators":            "the new set takes effect two blocks after the proposal executes",
	"gov.Action.ResolveDispute":           "decides a dispute arbitration escalated to governance",
	"gov.Action.SetBridgePaused":          "main: pauses or unpauses the bridge (fails on side, and when the bridge is already so)",
	"gov.Action.ResumeCheckpoints":        "main: lifts the halt a conflicting checkpoint put on a side chain's releases",
	"gov.Action.ReplaceCheckpointSet":     "main: the validator set that must sign a side chain's next checkpoint",
	"gov.Action.UnfreezeLightClient":      "side: lets the light client of main accept headers again after conflicting certificates froze it",
	"gov.GrantRole.Addr":                  "account receiving the role",
	"gov.GrantRole.Role":                  "role number (see Roles below)",
	"gov.RevokeRole.Addr":                 "account losing the role",
	"gov.RevokeRole.Role":                 "role number (see Roles below)",
	"gov.SetParam.Module":                 "module name, e.g. `order`",
	"gov.SetParam.Key":                    "parameter key, e.g. `payment_window_ms`",
	"gov.SetParam.Value":                  "the value's bytes; integer parameters are canonical decimal ASCII, e.g. `600000`",
	"gov.AddAdmin.Addr":                   "new admin",
	"gov.RemoveAdmin.Addr":                "admin to remove",
	"gov.SetThreshold.Threshold":          "approvals a proposal needs, 1 … number of admins",
	"gov.SetValidators.Validators":        "the whole next validator set in proposer order, ≤ 100, no zero address",
	"gov.ResolveDispute.Dispute":          "ID of an ESCALATED dispute (from the `arbitration.escalated` event); any other phase fails the execution",
	"gov.ResolveDispute.Winner":           "1: side A (the order's merchant or the payment's payee), 2: side B (the acceptor or the payer)",
	"gov.ResolveDispute.Reason":           "arbitration reason code 1 … 7 (no_payment … other)",
	"gov.ResolveDispute.ToA":              "micro-USDT to side A; ToA + ToB must equal the escrow exactly and the winner's part be > 0",
	"gov.ResolveDispute.ToB":              "micro-USDT to side B",
	"gov.SetBridgePaused.Paused":          "1: pause (attestations, withdrawals, locks and releases are refused), 0: unpause",
	"gov.ResumeCheckpoints.Chain":         "ID of a registered, halted side chain (the evidence stays stored)",
	"gov.ReplaceCheckpointSet.Chain":      "ID of a registered side chain",
	"gov.ReplaceCheckpointSet.Validators": "the side chain's whole new signer set, ≤ 100, no zero address or duplicate",
	"gov.UnfreezeLightClient.Chain":       "main's chain ID, which must be the one the client follows; the client must be frozen",

	"checkpoint.MsgSubmit.Checkpoint":          "the side chain's checkpoint, signed by > 2/3 of the set registered for its range",
	"checkpoint.MsgSubmit.Sigs":                "1 … 100 signatures over the checkpoint's digest, by validator index, strictly ascending",
	"checkpoint.MsgSubmit.NextValidators":      "the next set's members, exactly when NextValidatorsHash differs from ValidatorsHash (else empty)",
	"checkpoint.Checkpoint.ChainID":            "ID of a registered side chain",
	"checkpoint.Checkpoint.Number":             "1, 2, … per side chain, the one after the last anchored",
	"checkpoint.Checkpoint.Start":              "first side height covered: the previous checkpoint's End + 1 (contiguous)",
	"checkpoint.Checkpoint.End":                "last side height covered, ≥ Start",
	"checkpoint.Checkpoint.BlocksRoot":         "Merkle root of the side block hashes Start … End, non-zero",
	"checkpoint.Checkpoint.AppHash":            "side app hash at End, non-zero",
	"checkpoint.Checkpoint.ValidatorsHash":     "hash of the side set that signs this checkpoint (the registered one)",
	"checkpoint.Checkpoint.NextValidatorsHash": "hash of the set that must sign the next checkpoint (equal when the set does not change)",
	"checkpoint.Sig.Index":                     "signer's index in the side validator set",
	"checkpoint.Sig.Sig":                       "65-byte secp256k1 signature over the checkpoint's digest",

	"bridge.MsgAttestDeposit.ExtChainID": "EIP-155 chain ID of the external chain holding the vault, > 0",
	"bridge.MsgAttestDeposit.ExtTxHash":  "hash of the external transaction carrying the ERC-20 `Transfer` into the vault, non-zero",
	"bridge.MsgAttestDeposit.LogIndex":   "index of that `Transfer` log in its block; (chain ID, tx hash, log index) mints once",
	"bridge.MsgAttestDeposit.Recipient":  "main-chain account credited, non-zero",
	"bridge.MsgAttestDeposit.Amount":     "micro-USDT minted once attest_threshold bridge signers attest the same deposit, > 0",
	"bridge.MsgWithdraw.ExtAddress":      "external-chain address paid out of the vault, non-zero",
	"bridge.MsgWithdraw.Amount":          "micro-USDT burned from the sender, > 0, within withdraw_cap_per_day",
	"bridge.MsgAttestPaid.ID":            "withdrawal ID (from the `bridge.withdrawal` event)",
	"bridge.MsgAttestPaid.ExtTxHash":     "hash of the external payout transaction, non-zero",
	"bridge.MsgLock.ChainID":             "ID of the registered side chain that mints",
	"bridge.MsgLock.Recipient":           "side-chain account credited, non-zero",
	"bridge.MsgLock.Amount":              "micro-USDT moved from the sender to the bridge escrow, > 0",
	"bridge.MsgRelease.ChainID":          "ID of the side chain that burned",
	"bridge.MsgRelease.Proof":            "a `proof.BurnProof`'s canonical RLP: burn receipt → header's receipts root → header at its index in an anchored checkpoint",

	"kyc.MsgAttest.Account":    "the attested account",
	"kyc.MsgAttest.Level":      "KYC level 1 … max_level (0 means no KYC and is refused)",
	"kyc.MsgAttest.ExpiresAt":  "expiry, unix ms of block time",
	"kyc.MsgAttest.Country":    "ISO 3166-1 alpha-2, two capital letters, e.g. `SG`",
	"kyc.MsgAttest.RecordHash": "Keccak-256 of the salted off-chain KYC record, non-zero",
	"kyc.MsgRevoke.Account":    "the account whose attestation is revoked",
	"kyc.MsgRevoke.Reason":     "short public code, ≤ 128 bytes of UTF-8 (never personal data)",

	"oracle.MsgPostRates.Rates": "1 … 23 posts, each currency at most once",
	"oracle.RatePost.Currency":  "ISO 4217 code the oracle quotes, e.g. `CNY`",
	"oracle.RatePost.Rate":      "fiat units × 10^8 per USDT (7.12 CNY/USDT is 712000000), > 0",

	"acceptor.MsgRegister.Currencies":    "1 … 23 ISO 4217 codes, strictly ascending",
	"acceptor.MsgRegister.Methods":       "1 … 16 payment methods; each currency needs at least one",
	"acceptor.MsgRegister.MinOrder":      "smallest order taken, micro-USDT",
	"acceptor.MsgRegister.MaxOrder":      "largest order taken, micro-USDT; 0 = only the ramp limits apply",
	"acceptor.MsgUpdate.Currencies":      "as in `acceptor.register`; replaces the profile",
	"acceptor.MsgUpdate.Methods":         "as in `acceptor.register`",
	"acceptor.MsgUpdate.MinOrder":        "micro-USDT",
	"acceptor.MsgUpdate.MaxOrder":        "micro-USDT; 0 = only the ramp limits apply",
	"acceptor.PaymentMethod.Currency":    "ISO 4217 code, one of the listed currencies",
	"acceptor.PaymentMethod.Kind":        "public label, 1–32 of `[a-z0-9_]`, e.g. `bank_transfer`",
	"acceptor.PaymentMethod.DetailsHash": "Keccak-256 of the salted account details (never the details), non-zero",
	"acceptor.MsgDepositFloat.Amount":    "micro-USDT moved from balance to free float, > 0",
	"acceptor.MsgWithdrawFloat.Amount":   "micro-USDT moved from free float to balance, > 0",
	"acceptor.MsgDepositMargin.Amount":   "micro-USDT moved from balance to margin, > 0",
	"acceptor.MsgWithdrawMargin.Amount":  "micro-USDT moved from margin to balance, > 0",

	"order.MsgCreate.Currency":     "ISO 4217 code of the fiat the merchant's customer pays",
	"order.MsgCreate.FiatAmount":   "fiat in the currency's minor units (cents, fen), > 0",
	"order.MsgCreate.MerchantRef":  "merchant's reference, 1–64 printable ASCII, no spaces; unique per merchant; fixes the order ID",
	"order.MsgMarkPaid.ID":         "order ID: Keccak-256(`accord/order/v1` ‖ merchant address (20 bytes) ‖ `MerchantRef`), known before `order.create` is sent",
	"order.MsgMarkPaid.PaymentRef": "Keccak-256 of the off-chain payment reference, non-zero",
	"order.MsgConfirm.ID":          "order ID",
	"order.MsgCancel.ID":           "order ID",
	"order.MsgExtend.ID":           "order ID",
	"order.MsgDispute.ID":          "order ID",
	"order.MsgDispute.Evidence":    "Keccak-256 of an off-chain statement, or zero",
}

// route is one message type of the assembled application.
type route struct {
	typ    types.TxType
	name   string
	msg    reflect.Type
	module string // package name of the message, e.g. "kyc"
	action string // after the dot, e.g. "mark_paid"
	// profile is the one chain profile routing the type ("main" or
	// "side"), or "" when every profile does.
	profile string
}

// appRoutes lists the application's routes in type order, each with its
// message struct: the router is the authority on which types exist.
func appRoutes(t *testing.T) []route {
	t.Helper()
	// Both profiles: a type is routed by one of them or by both (bank
	// and gov), never to two different messages.
	var apps []*node.App
	for _, p := range app.Profiles() {
		a, err := node.NewProfileApp(p, "accord-docs")
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	byName := map[string]reflect.Type{}
	for _, m := range messages {
		rt := reflect.TypeOf(m)
		// Matched case-insensitively: "channel.topup" is MsgTopUp.
		byName[strings.ToLower(pkgName(rt)+"."+rt.Name())] = rt
	}
	var out []route
	used := map[reflect.Type]bool{}
	for i := 0; i <= 0xffff; i++ {
		var rt core.Route
		var app *node.App
		var profiles []string
		for j, a := range apps {
			r, ok := a.Router.Route(types.TxType(i))
			if !ok {
				continue
			}
			if app != nil && r.Name != rt.Name {
				t.Fatalf("type %#x is %s on one profile and %s on another", i, rt.Name, r.Name)
			}
			rt, app = r, a
			profiles = append(profiles, string(apps[j].Profile))
		}
		if app == nil {
			continue
		}
		profile := ""
		if len(profiles) < len(apps) {
			profile = profiles[0]
		}
		mod, action, ok := strings.Cut(rt.Name, ".")
		if !ok {
			t.Fatalf("route %#x name %q is not module.action", i, rt.Name)
		}
		want := mod + ".Msg" + camel(action)
		msg, ok := byName[strings.ToLower(want)]
		if rt.Msg != nil {
			if ok {
				t.Errorf("route %s names its message (core.Route.Msg): drop %s from docs' messages list", rt.Name, want)
			}
			msg, ok = reflect.TypeOf(rt.Msg), true
			if msg.Kind() == reflect.Pointer {
				msg = msg.Elem()
			}
			want = pkgName(msg) + "." + msg.Name()
		}
		if !ok {
			t.Errorf("route %s (%#x) has no message struct %s: set its core.Route.Msg", rt.Name, i, want)
			continue
		}
		if tt, ok := reflect.New(msg).Interface().(interface{ TxType() types.TxType }); ok && tt.TxType() != types.TxType(i) {
			t.Errorf("%s.TxType() = %#x, but the router routes it as %#x", want, tt.TxType(), i)
		}
		// The router's own decoder must take the documented layout: a
		// sample with every field (and every nested list) filled may fail
		// validation, but never decoding.
		payload := core.Encode(sample(msg).Addr().Interface())
		if _, err := app.Cost(&types.Tx{Type: types.TxType(i), Payload: payload}); errors.Is(err, core.ErrBadPayload) {
			t.Errorf("route %s refuses a %s payload as malformed: %v", rt.Name, want, err)
		}
		used[msg] = true
		out = append(out, route{typ: types.TxType(i), name: rt.Name, msg: msg, module: mod, action: action, profile: profile})
	}
	for _, m := range messages {
		if rt := reflect.TypeOf(m); !used[rt] {
			t.Errorf("message %s.%s has no route in the application", pkgName(rt), rt.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("the application has no routes")
	}
	return out
}

// sample is a value of t with every field set: integers 1, strings "A",
// byte arrays 0x01…, one element in every slice, every pointer set.
func sample(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.String:
		v.SetString("A")
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			v.Index(i).Set(sample(t.Elem()))
		}
	case reflect.Slice:
		v.Set(reflect.Append(v, sample(t.Elem())))
	case reflect.Pointer:
		v.Set(sample(t.Elem()).Addr())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				v.Field(i).Set(sample(t.Field(i).Type))
			}
		}
	}
	return v
}

func pkgName(rt reflect.Type) string {
	if name, ok := moduleOfPkg[rt.PkgPath()]; ok {
		return name
	}
	return filepath.Base(rt.PkgPath())
}

// moduleOfPkg names the module of a package whose name is not the
// module's: the side half of the bridge is the side chain's "bridge".
var moduleOfPkg = map[string]string{
	reflect.TypeOf(bridgeside.MsgMint{}).PkgPath(): bridgeside.ModuleName,
}

func camel(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(s, "_") {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

var (
	addressType = reflect.TypeOf(types.Address{})
	hashType    = reflect.TypeOf(types.Hash{})
)

// field is one RLP list element of a payload.
type field struct {
	name, goType, rlp, note, tag string
}

// fieldsOf lists a struct's encoded fields in RLP order and queues the
// struct types they contain for their own tables.
func fieldsOf(t *testing.T, st reflect.Type, queue *[]reflect.Type, seen map[reflect.Type]bool, usedNotes map[string]bool) []field {
	var out []field
	for i := 0; i < st.NumField(); i++ {
		f := st.Field(i)
		tag := f.Tag.Get("rlp")
		if !f.IsExported() || tag == "-" {
			continue
		}
		key := pkgName(st) + "." + st.Name() + "." + f.Name
		note, ok := notes[key]
		if !ok {
			note, ok = fieldComments()[key]
		}
		if !ok {
			t.Errorf("no note for payload field %s: comment the field with its meaning and unit", key)
		}
		usedNotes[key] = true
		out = append(out, field{name: f.Name, goType: goTypeName(f.Type), rlp: rlpKind(f.Type, queue, seen), note: note, tag: tag})
	}
	return out
}

var (
	commentsOnce sync.Once
	comments     map[string]string
)

// fieldComments are the comments of the struct fields in contracts/
// (beside or above the field), keyed "package.Type.Field", one line each.
func fieldComments() map[string]string {
	commentsOnce.Do(func() {
		comments = map[string]string{}
		fset := token.NewFileSet()
		_ = filepath.WalkDir(filepath.Join("..", "contracts"), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			pkg := filepath.Base(filepath.Dir(path))
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return true
				}
				for _, fl := range st.Fields.List {
					text := strings.Join(strings.Fields(strings.TrimSpace(fl.Doc.Text()+" "+fl.Comment.Text())), " ")
					if text == "" {
						continue
					}
					for _, n := range fl.Names {
						comments[pkg+"."+ts.Name.Name+"."+n.Name] = text
					}
				}
				return false
			})
			return nil
		})
	})
	return comments
}

func goTypeName(t reflect.Type) string {
	switch t {
	case addressType:
		return "types.Address"
	case hashType:
		return "types.Hash"
	}
	switch t.Kind() {
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && t.Elem().PkgPath() == "" {
			return "[]byte"
		}
		return "[]" + goTypeName(t.Elem())
	case reflect.Pointer:
		return "*" + goTypeName(t.Elem())
	}
	if t.PkgPath() != "" {
		return pkgName(t) + "." + t.Name()
	}
	return t.String()
}

// rlpKind says how a Go type is encoded, as an integrator writes it.
func rlpKind(t reflect.Type, queue *[]reflect.Type, seen map[reflect.Type]bool) string {
	switch t {
	case addressType:
		return "20-byte string"
	case hashType:
		return "32-byte string"
	}
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("integer (uint%d)", t.Bits())
	case reflect.Bool:
		return "integer 0 or 1"
	case reflect.String:
		return "string"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "byte string"
		}
		return "list of " + rlpKind(t.Elem(), queue, seen)
	case reflect.Pointer:
		return rlpKind(t.Elem(), queue, seen)
	case reflect.Struct:
		if !seen[t] {
			seen[t] = true
			*queue = append(*queue, t)
		}
		return "`" + pkgName(t) + "." + t.Name() + "` list"
	}
	return t.Kind().String()
}

// sentinel is a package-level error variable.
type sentinel struct{ pkg, name, text string }

// source is the parsed contracts tree: for each package (by import path)
// its functions and methods by name, its sentinel errors, and the method
// names its expected.go asks of other modules.
type source struct {
	funcs     map[string]map[string][]*ast.FuncDecl
	sentinels map[string]map[string]sentinel
	imports   map[*ast.File]map[string]string // file -> local name -> import path
	fileOf    map[*ast.FuncDecl]*ast.File
	pkgOf     map[*ast.FuncDecl]string
	depMethod map[string]bool
	pkgImps   map[string]map[string]bool // package -> the packages its files import
	routes    map[string]handlerRoot     // route name -> its Handler expression
}

const modulePath = "github.com/accordnet/accord/"

func parseContracts(t *testing.T) *source {
	t.Helper()
	s := &source{funcs: map[string]map[string][]*ast.FuncDecl{}, sentinels: map[string]map[string]sentinel{},
		imports: map[*ast.File]map[string]string{}, fileOf: map[*ast.FuncDecl]*ast.File{}, pkgOf: map[*ast.FuncDecl]string{},
		depMethod: map[string]bool{}, pkgImps: map[string]map[string]bool{}, routes: map[string]handlerRoot{}}
	fset := token.NewFileSet()
	root := filepath.Join("..", "contracts")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("..", filepath.Dir(path))
		pkg := modulePath + filepath.ToSlash(rel)
		s.addFile(pkg, f, filepath.Base(path) == "expected.go")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *source) addFile(pkg string, f *ast.File, expected bool) {
	imps := map[string]string{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := filepath.Base(p)
		if im.Name != nil {
			name = im.Name.Name
		}
		imps[name] = p
	}
	s.imports[f] = imps
	if s.pkgImps[pkg] == nil {
		s.pkgImps[pkg] = map[string]bool{}
	}
	for _, p := range imps {
		s.pkgImps[pkg][p] = true
	}
	if s.funcs[pkg] == nil {
		s.funcs[pkg], s.sentinels[pkg] = map[string][]*ast.FuncDecl{}, map[string]sentinel{}
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			s.funcs[pkg][d.Name.Name] = append(s.funcs[pkg][d.Name.Name], d)
			s.fileOf[d], s.pkgOf[d] = f, pkg
			s.addRoutes(pkg, f, d)
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.ValueSpec:
					for i, n := range sp.Names {
						if strings.HasPrefix(n.Name, "Err") && i < len(sp.Values) {
							s.sentinels[pkg][n.Name] = sentinel{pkg: filepath.Base(pkg), name: n.Name, text: errText(sp.Values[i])}
						}
					}
				case *ast.TypeSpec:
					if it, ok := sp.Type.(*ast.InterfaceType); ok && expected {
						for _, m := range it.Methods.List {
							for _, n := range m.Names {
								s.depMethod[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
}

// errText is the message of errors.New("…") or fmt.Errorf("…", …).
func errText(e ast.Expr) string {
	c, ok := e.(*ast.CallExpr)
	if !ok || len(c.Args) == 0 {
		return ""
	}
	lit, ok := c.Args[0].(*ast.BasicLit)
	if !ok {
		return ""
	}
	v, _ := strconv.Unquote(lit.Value)
	return strings.ReplaceAll(v, "%w: ", "")
}

// handlerRoot is where a route's handler is written: the Handler
// expression of its Routes() literal and the file it is in.
type handlerRoot struct {
	pkg  string
	file *ast.File
	expr ast.Expr
}

// addRoutes records the handler of each {Name: "…", Handler: …} literal
// in d, wherever a module declares its routes. The handler is m.handleX,
// or a decode-then-call wrapper such as core.HandleMsg(m.confirm) or
// core.HandleDecoded(DecodePropose, m.propose), possibly over a function
// literal: refusals walks every function the expression names.
func (s *source) addRoutes(pkg string, f *ast.File, d *ast.FuncDecl) {
	ast.Inspect(d, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok {
			return true
		}
		var name string
		var handler ast.Expr
		for _, e := range cl.Elts {
			kv, ok := e.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			switch k, _ := kv.Key.(*ast.Ident); {
			case k == nil:
			case k.Name == "Name":
				if lit, ok := kv.Value.(*ast.BasicLit); ok {
					name, _ = strconv.Unquote(lit.Value)
				}
			case k.Name == "Handler":
				handler = kv.Value
			}
		}
		if name != "" && handler != nil {
			s.routes[name] = handlerRoot{pkg: pkg, file: f, expr: handler}
		}
		return true
	})
}

// refusals walks a route's handler and its message's ValidateBasic, and
// every function they call in the contracts tree (in their own package by
// name; in another module's package through a qualified name, or a method
// an expected.go declares when the caller imports that package), collecting the sentinel errors named on the
// way. It over-approximates: a sentinel on any path counts.
func (s *source) refusals(t *testing.T, r route) []sentinel {
	t.Helper()
	root, ok := s.routes[r.name]
	if !ok {
		t.Errorf("route %s: no Routes() literal names it in contracts/", r.name)
		return nil
	}
	found := map[string]sentinel{}
	visited := map[*ast.FuncDecl]bool{}
	var visit func(d *ast.FuncDecl)
	follow := func(pkg, name string) {
		for _, d := range s.funcs[pkg][name] {
			visit(d)
		}
	}
	visit = func(d *ast.FuncDecl) {
		if visited[d] || d.Body == nil {
			return
		}
		visited[d] = true
		pkg, imps := s.pkgOf[d], s.imports[s.fileOf[d]]
		ast.Inspect(d.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok {
					if p, ok := imps[x.Name]; ok {
						if e, ok := s.sentinels[p][n.Sel.Name]; ok {
							found[e.pkg+"."+e.name] = e
						}
						return false
					}
				}
			case *ast.Ident:
				if e, ok := s.sentinels[pkg][n.Name]; ok {
					found[e.pkg+"."+e.name] = e
				}
			case *ast.CallExpr:
				fun := n.Fun
				if ix, ok := fun.(*ast.IndexExpr); ok {
					fun = ix.X
				}
				switch f := fun.(type) {
				case *ast.Ident:
					follow(pkg, f.Name)
				case *ast.SelectorExpr:
					name := f.Sel.Name
					if name == "ValidateBasic" {
						// Generic decoders call it on their type
						// parameter; the message's own is a root.
						break
					}
					if x, ok := f.X.(*ast.Ident); ok {
						if p, ok := imps[x.Name]; ok {
							follow(p, name)
							break
						}
					}
					follow(pkg, name)
					if s.depMethod[name] {
						// A method its expected.go asks of another
						// module: follow it into the modules this
						// package imports (adapters such as KYCFrom
						// carry the rest).
						for p := range s.pkgImps[pkg] {
							follow(p, name)
						}
					}
				}
			}
			return true
		})
	}
	// The handler expression: every function it names (the wrapper, a
	// decoder, the method it calls) and the body of any function literal.
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.Ident:
			follow(root.pkg, e.Name)
		case *ast.SelectorExpr:
			if x, ok := e.X.(*ast.Ident); ok {
				if p, ok := s.imports[root.file][x.Name]; ok {
					follow(p, e.Sel.Name)
					return
				}
			}
			follow(root.pkg, e.Sel.Name)
		case *ast.IndexExpr:
			walk(e.X)
		case *ast.IndexListExpr:
			walk(e.X)
		case *ast.CallExpr:
			walk(e.Fun)
			for _, a := range e.Args {
				walk(a)
			}
		case *ast.FuncLit:
			d := &ast.FuncDecl{Name: ast.NewIdent("func"), Type: e.Type, Body: e.Body}
			s.fileOf[d], s.pkgOf[d] = root.file, root.pkg
			visit(d)
		}
	}
	walk(root.expr)
	if len(visited) == 0 {
		t.Errorf("route %s: its handler names no function in contracts/", r.name)
	}
	msgPkg := r.msg.PkgPath()
	for _, d := range s.funcs[msgPkg]["ValidateBasic"] {
		if recvName(d) == r.msg.Name() {
			visit(d)
		}
	}
	var out []sentinel
	for _, e := range found {
		// Corrupt state and bad genesis are bugs or operator errors, not
		// refusals a sender can cause.
		if strings.Contains(e.name, "Corrupt") || strings.Contains(e.name, "Genesis") {
			continue
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].pkg == r.module) != (out[j].pkg == r.module) {
			return out[i].pkg == r.module
		}
		return out[i].pkg+"."+out[i].name < out[j].pkg+"."+out[j].name
	})
	return out
}

func recvName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return ""
	}
	t := d.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func renderMessages(t *testing.T) string {
	routes := appRoutes(t)
	src := parseContracts(t)
	var b strings.Builder
	b.WriteString("| Type (hex) | Type (dec) | Route | Payload: RLP list of |\n|---|---|---|---|\n")
	for _, r := range routes {
		var names []string
		for i := 0; i < r.msg.NumField(); i++ {
			if f := r.msg.Field(i); f.IsExported() && f.Tag.Get("rlp") != "-" {
				names = append(names, f.Name)
			}
		}
		fmt.Fprintf(&b, "| `0x%04x` | %d | [`%s`](#%s) | `[%s]` |\n", uint16(r.typ), uint16(r.typ), r.name,
			anchor(r.name), strings.Join(names, ", "))
	}
	usedNotes := map[string]bool{}
	module := ""
	for _, r := range routes {
		if r.module != module {
			module = r.module
			fmt.Fprintf(&b, "\n### Module `%s` (types `0x%04x`–`0x%04x`)\n", module, uint16(r.typ)&^0xff, uint16(r.typ)|0xff)
		}
		fmt.Fprintf(&b, "\n#### %s\n\n", r.name)
		fmt.Fprintf(&b, "Type `0x%04x` (%d)", uint16(r.typ), uint16(r.typ))
		if r.profile != "" {
			fmt.Fprintf(&b, ", %s chain only", r.profile)
		}
		fmt.Fprintf(&b, ". Payload: `%s.%s`", r.module, r.msg.Name())
		var queue []reflect.Type
		seen := map[reflect.Type]bool{}
		fs := fieldsOf(t, r.msg, &queue, seen, usedNotes)
		if len(fs) == 0 {
			b.WriteString(", the empty list `0xc0`.\n")
		} else {
			b.WriteString(", an RLP list of:\n\n")
			writeFields(&b, fs)
		}
		for i := 0; i < len(queue); i++ {
			st := queue[i]
			fmt.Fprintf(&b, "\n`%s.%s` is an RLP list of:\n\n", pkgName(st), st.Name())
			writeFields(&b, fieldsOf(t, st, &queue, seen, usedNotes))
		}
		refs := src.refusals(t, r)
		if len(refs) > 0 {
			b.WriteString("\nRefusals (the message fails; the receipt's `error` says which, and why):\n\n")
			for _, e := range refs {
				fmt.Fprintf(&b, "- `%s.%s`: %s\n", e.pkg, e.name, e.text)
			}
		}
	}
	checkStaleNotes(t, func(k string) bool { return !strings.HasPrefix(k, "types.Tx.") }, usedNotes)
	return b.String()
}

// checkStaleNotes fails for every note selected by mine that names no field
// a renderer used.
func checkStaleNotes(t *testing.T, mine func(string) bool, used map[string]bool) {
	var stale []string
	for k := range notes {
		if mine(k) && !used[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		t.Errorf("note for %s names no encoded field: remove or rename it", k)
	}
}

func writeFields(b *strings.Builder, fs []field) {
	b.WriteString("| # | Field | Go type | RLP | Meaning, unit |\n|---|---|---|---|---|\n")
	for i, f := range fs {
		note := f.note
		switch f.tag {
		case "nil":
			note = join("the empty list `0xc0` when not set", note)
		case "optional":
			note = join("optional trailing field: left out of the list when not set", note)
		case "nil,optional":
			note = join("optional trailing field: left out of the list when neither it nor a later field is set, else the empty list `0xc0` when not set", note)
		}
		fmt.Fprintf(b, "| %d | `%s` | `%s` | %s | %s |\n", i, f.name, f.goType, f.rlp, note)
	}
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// anchor is GitHub's heading anchor for "#### name".
func anchor(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), ".", "")
}

// renderEnvelope is the table of types.Tx's encoded fields.
func renderEnvelope(t *testing.T) string {
	var b strings.Builder
	var queue []reflect.Type
	used := map[string]bool{}
	fs := fieldsOf(t, reflect.TypeOf(types.Tx{}), &queue, map[reflect.Type]bool{}, used)
	if len(queue) > 0 {
		t.Errorf("the envelope has a nested struct field; document it")
	}
	checkStaleNotes(t, func(k string) bool { return strings.HasPrefix(k, "types.Tx.") }, used)
	// The table is of Tx's exported fields; the encoding must be exactly
	// the list of them, in order.
	tx := &types.Tx{ChainID: "c", Nonce: 7, Type: bank.TypeTransfer, Payload: []byte{1, 2}, Fee: 9, Sig: make([]byte, types.SignatureLength)}
	v := reflect.ValueOf(tx).Elem()
	var list []any
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).IsExported() {
			list = append(list, v.Field(i).Interface())
		}
	}
	want, err := rlp.EncodeToBytes(list)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tx.Encode(), want) {
		t.Errorf("Tx.Encode is not the RLP list of Tx's exported fields: the envelope table is wrong")
	}
	writeFields(&b, fs)
	fmt.Fprintf(&b, "\nThe sender (`From`) is not in the encoding: it is recovered from the signature. An encoded transaction\nis at most %d bytes.\n", types.MaxTxSize)
	return b.String()
}

func renderRoles() string {
	var b strings.Builder
	b.WriteString("| Role | Number |\n|---|---|\n")
	for _, r := range gov.AllRoles() {
		fmt.Fprintf(&b, "| `%s` | %d |\n", r, uint8(r))
	}
	return b.String()
}

// section is a generated part of the document.
type section struct {
	name   string
	render func(t *testing.T) string
}

func sections() []section {
	return []section{
		{"envelope", renderEnvelope},
		{"messages", renderMessages},
		{"roles", func(*testing.T) string { return renderRoles() }},
		{"example", renderExample},
	}
}

func markers(name string) (string, string) {
	return "<!-- BEGIN GENERATED " + name + ": go generate ./docs -->\n", "<!-- END GENERATED " + name + " -->"
}

// TestTransactionsDoc checks that every generated section of
// transactions.md equals what the code produces now; -update rewrites them.
func TestTransactionsDoc(t *testing.T) {
	doc, err := os.ReadFile(docFile)
	if err != nil {
		t.Fatal(err)
	}
	out := doc
	for _, s := range sections() {
		begin, end := markers(s.name)
		i := bytes.Index(out, []byte(begin))
		j := bytes.Index(out, []byte(end))
		if i < 0 || j < i {
			t.Fatalf("%s: no %q … %q markers", docFile, strings.TrimSpace(begin), end)
		}
		want := s.render(t)
		got := string(out[i+len(begin) : j])
		if got == want {
			continue
		}
		if !*update {
			t.Errorf("%s: section %q is out of date with the code; run `go generate ./docs` and review the diff.\n%s",
				docFile, s.name, firstDiff(got, want))
			continue
		}
		out = slices.Concat(out[:i+len(begin)], []byte(want), out[j:])
	}
	if *update && !t.Failed() && !bytes.Equal(out, doc) {
		if err := os.WriteFile(docFile, out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", docFile)
	}
}

// firstDiff shows the first differing line.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d of the section:\n  doc:  %s\n  code: %s", i+1, gl, wl)
		}
	}
	return ""
}

// The envelope's type ranges in the document match contracts/core.
func TestTypeRangesAreCore(t *testing.T) {
	for name, typ := range map[string]types.TxType{"bank": core.TypeBank, "gov": core.TypeGov, "kyc": core.TypeKYC,
		"oracle": core.TypeOracle, "acceptor": core.TypeAcceptor, "order": core.TypeOrder} {
		for _, r := range appRoutes(t) {
			if r.module == name && r.typ&^0xff != typ {
				t.Errorf("route %s is type %#x, outside its module's range %#x", r.name, r.typ, typ)
			}
		}
	}
}
