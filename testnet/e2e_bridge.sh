#!/usr/bin/env bash
# e2e_bridge.sh walks USDT through the two-chain system from the CLI,
# against a running `make testnet` (accord testnet up; VALIDATORS=1 works
# too): 1,000 USDT sent to the vault on the external chain are minted on
# main; 600 locked on main are minted on the side chain to a new acceptor,
# who takes a C2C order there that completes; 200 the acceptor burns on
# side are released on main once a checkpoint covering the burn is
# anchored; 300 withdrawn from main arrive on the external chain, where the
# ERC-20 balance shows them. At every quiescent point it checks the supply
# relation: what the vault gained since the start equals what the chains
# gained (main's supply outside the bridge escrow, plus side's supply,
# plus withdrawals not yet paid out).
#
#   testnet/e2e_bridge.sh [DIR]     (DIR as given to testnet up; ./testnet-data)
#
# Environment: ACCORD (the accord binary, default ./bin/accord). Each run
# makes fresh keys, so it can be repeated on the same system. It exits
# non-zero at the first failure.
set -euo pipefail
A=${ACCORD:-./bin/accord}
D=${1:-./testnet-data}
[ -f "$D/endpoints.env" ] || { echo "FAIL: no $D/endpoints.env: is the system running (make testnet)?" >&2; exit 1; }
# shellcheck disable=SC1091
. "$D/endpoints.env"
PW=$DEV_PASSWORD
RUN=$(date +%s)-$$
EXT=0x00000000000000000000000000000000000e2e01

fail() { echo "FAIL: $*" >&2; exit 1; }
# field NAME reads "NAME": "value" (or a number) from the JSON on stdin.
field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n1; }
balance() { # node, address: micro-USDT
	"$A" query account "$2" --node "$1" --json | field balance_micro
}
supply() { "$A" query params bank --node "$1" --json | field supply_micro; }
ext_balance() { "$A" devchain balance --eth "$ETH" --token "$TOKEN" "$1"; }
micro() { # USDT decimal -> micro-USDT
	local i=${1%%.*} f=
	[ "$i" != "$1" ] && f=${1#*.}
	f=${f}000000
	echo $((10#$i * 1000000 + 10#${f:0:6}))
}
await() { # what, command that succeeds when done
	local what=$1
	shift
	for _ in $(seq 1 600); do
		if "$@"; then return 0; fi
		sleep 0.5
	done
	fail "timed out waiting for $what"
}
grew() { [ "$(balance "$1" "$2")" -ge "$3" ]; }
ext_is() { [ "$(micro "$(ext_balance "$EXT")")" -eq "$1" ]; }
paid() { [ "$("$A" query bridge withdrawal "$1" --node "$MAIN" --json | field state)" = PAID ]; }
side() { "$A" --home "$SIDE_DEV_HOME" --node "$SIDE" "$@"; }
sidetx() { side tx "$@" --password-file "$PW" --wait; }

# The supply relation. The geneses fund accounts the vault does not back
# (the dev key, fee payers), so the relation is about changes: offset is
# vault - (main supply - escrow + side supply + pending), and every
# quiescent point must see the offset of the start. PENDING is what this
# run withdrew and the signers have not attested paid.
PENDING=0
offset() {
	local vault main escrow side
	vault=$(micro "$(ext_balance "$VAULT")")
	main=$(supply "$MAIN")
	escrow=$(balance "$MAIN" "$ESCROW")
	side=$(supply "$SIDE")
	echo $((vault - (main - escrow + side + PENDING)))
}
OFFSET=$(offset)
relation() { # where
	local o
	o=$(offset)
	[ "$o" = "$OFFSET" ] || fail "supply relation broken $1: offset $o, was $OFFSET (vault $(ext_balance "$VAULT"), main supply $(supply "$MAIN"), escrow $(balance "$MAIN" "$ESCROW"), side supply $(supply "$SIDE"), pending $PENDING)"
	echo "   supply relation holds: vault $(ext_balance "$VAULT") USDT = bridged main + side + pending"
}

m0=$(balance "$MAIN" "$DEV")
echo "1. 1000 USDT from the dev key to the vault on the external chain"
"$A" devchain send --eth "$ETH" --token "$TOKEN" --home "$MAIN_DEV_HOME" --from dev --password-file "$PW" --to "$VAULT" --amount 1000
await "the deposit minted on main" grew "$MAIN" "$DEV" $((m0 + 1000000000))
echo "   attested and minted on main: dev balance $(balance "$MAIN" "$DEV")"
relation "after the deposit"

echo "2. lock 600 USDT on main for a new acceptor on the side chain"
for k in acceptor merchant; do side keys new "$k-$RUN" --password-file "$PW" --light-kdf >/dev/null; done
ACC=$(side keys show "acceptor-$RUN")
MER=$(side keys show "merchant-$RUN")
"$A" tx bridge lock --node "$MAIN" --home "$MAIN_DEV_HOME" --from dev --password-file "$PW" --chain "$SIDE_ID" --to "$ACC" --amount 600 --wait >/dev/null
await "the lock minted on side" grew "$SIDE" "$ACC" 600000000
echo "   minted on side: acceptor $ACC holds $(balance "$SIDE" "$ACC")"
relation "after the lock"

echo "3. a C2C order on the side chain, filled from the bridged USDT"
EXP=$(date -u -d '+1 year' +%F 2>/dev/null || date -u -v+1y +%F)
sidetx transfer --from dev --to "$MER" --amount 1 >/dev/null # the merchant's fees
sidetx kyc attest "$ACC" --from dev --level 3 --country HK --expires "$EXP" --record-hash "$(printf '0x%064x' "1$RANDOM$RANDOM")" >/dev/null
sidetx kyc attest "$MER" --from dev --level 2 --country SG --expires "$EXP" --record-hash "$(printf '0x%064x' "2$RANDOM$RANDOM")" >/dev/null
sidetx oracle post-rate --from dev --currency CNY --rate 7.12 >/dev/null
DETAILS=$(mktemp)
echo "salt-$RUN bank account 6222 0000 1234" >"$DETAILS"
sidetx acceptor register --from "acceptor-$RUN" --method "CNY:bank_transfer:@$DETAILS" >/dev/null
rm -f "$DETAILS"
sidetx acceptor deposit --from "acceptor-$RUN" --amount 250 >/dev/null
sidetx acceptor deposit-margin --from "acceptor-$RUN" --amount 100 >/dev/null
OUT=$(side tx order create --from "merchant-$RUN" --password-file "$PW" --currency CNY --amount 712 --ref "bridge-$RUN" --wait --json)
ID=$(echo "$OUT" | field order_id)
ASSIGNED=$(echo "$OUT" | field acceptor)
[ "$(echo "$OUT" | field state)" = LOCKED ] || fail "order not locked: $OUT"
# Another run's acceptor may be assigned: confirm with its key.
ACCKEY=$(side keys list | awk -v a="$ASSIGNED" '$2 == a { print $1 }')
[ -n "$ACCKEY" ] || fail "order $ID went to acceptor $ASSIGNED, whose key is not in $SIDE_DEV_HOME"
sidetx order mark-paid "$ID" --from "merchant-$RUN" --payment-ref "bank-transfer-$RUN" >/dev/null
sidetx order confirm "$ID" --from "$ACCKEY" >/dev/null
[ "$(side query order "$ID" --json | field state)" = COMPLETED ] || fail "order $ID not completed"
# 1 funded + 100 USDT less 0.5% commission and 0.1% fee, less two fees.
[ "$(balance "$SIDE" "$MER")" = 100380000 ] || fail "merchant balance $(balance "$SIDE" "$MER"), want 100380000"
echo "   order $ID (712 CNY = 100 USDT) COMPLETED by acceptor $ASSIGNED; merchant holds 100.38"
relation "after the order"

m1=$(balance "$MAIN" "$DEV")
echo "4. the acceptor burns 200 USDT on side for the dev key on main"
t0=$(date +%s.%N)
BURN=$(sidetx bridge burn --from "acceptor-$RUN" --to "$DEV" --amount 200)
BH=$(echo "$BURN" | sed -n 's/^block *\([0-9]*\) .*/\1/p')
[ -n "$BH" ] || fail "burn: $BURN"
await "the burn released on main" grew "$MAIN" "$DEV" $((m1 + 200000000))
t1=$(date +%s.%N)
CP=$("$A" query checkpoint latest --chain "$SIDE_ID" --node "$MAIN" --json)
[ "$(echo "$CP" | field end)" -ge "$BH" ] || fail "released before a checkpoint covering side block $BH was anchored: $CP"
echo "   burned in side block $BH; checkpoint $(echo "$CP" | field number) (side blocks $(echo "$CP" | field start)-$(echo "$CP" | field end)) anchored on main"
echo "   released on main: dev balance $(balance "$MAIN" "$DEV") ($(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s from burn to release)"
relation "after the release"

e0=$(micro "$(ext_balance "$EXT")")
echo "5. withdraw 300 USDT from main to $EXT on the external chain"
W=$("$A" tx bridge withdraw --node "$MAIN" --home "$MAIN_DEV_HOME" --from dev --password-file "$PW" --to "$EXT" --amount 300 --wait)
WID=$(echo "$W" | sed -n 's/.* id=\([0-9]*\).*/\1/p')
[ -n "$WID" ] || fail "withdraw: $W"
PENDING=300000000
await "the payout on the external chain" ext_is $((e0 + 300000000))
await "the payout attested on main" paid "$WID"
PENDING=0
echo "   withdrawal $WID PAID; ERC-20 balance of $EXT: $(ext_balance "$EXT") USDT; vault $(ext_balance "$VAULT")"
relation "after the withdrawal"
echo "OK: bridge walk passed (order $ID, withdrawal $WID)"
