#!/usr/bin/env bash
# A short C2C walk with the CLI against a running local testnet (`make
# testnet`, or `VALIDATORS=1 make testnet`), as the dev key of node0: it is
# the testnet's single gov admin and holds the kyc_provider, compliance,
# oracle and arbitrator roles.
#
#   make build && make testnet          # in one terminal
#   testnet/e2e_c2c.sh                  # in another
#
# Arguments: [TESTNET_DIR] (default ./testnet-data). Environment: BIN (the
# accord binary, default ./bin/accord). Each run makes fresh keys, so it can be
# repeated on the same testnet. It exits non-zero at the first failure.
set -euo pipefail

BIN=${BIN:-./bin/accord}
DIR=${1:-./testnet-data}
HOME0=$DIR/node0
PW=$DIR/dev.password
RUN=$(date +%s)-$$
accord() { "$BIN" --home "$HOME0" "$@"; }
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# field NAME reads "NAME": "value" (or a number) from the JSON on stdin.
field() { sed -n "s/^ *\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n1; }
tx() { accord tx "$@" --password-file "$PW" --wait; }

[ -x "$BIN" ] || fail "no accord binary at $BIN (make build)"
[ -f "$PW" ] || fail "no testnet in $DIR (make testnet)"
accord status >/dev/null || fail "node0 of $DIR is not running (make testnet)"
DEV=$(accord keys show dev)

step "keys: a merchant, an acceptor and a compliance officer (run $RUN)"
for k in merchant acceptor officer; do
  accord keys new "$k-$RUN" --password-file "$PW" --light-kdf >/dev/null
done
M=$(accord keys show "merchant-$RUN"); A=$(accord keys show "acceptor-$RUN"); O=$(accord keys show "officer-$RUN")
echo "merchant $M"; echo "acceptor $A"; echo "officer  $O"

step "dev funds them"
tx transfer --from dev --to "$M" --amount 1000 >/dev/null
tx transfer --from dev --to "$A" --amount 10000 >/dev/null
tx transfer --from dev --to "$O" --amount 10 >/dev/null

step "gov: the dev admin grants the officer the compliance role (threshold 1: executes at once)"
tx gov propose --from dev --grant-role "$O=compliance" --memo "e2e $RUN" | grep '^proposal'
accord query roles "$O" | grep -q 'compliance' || fail "officer has no compliance role"

step "kyc: dev (kyc_provider) attests the merchant and the acceptor"
EXP=$(date -u -d '+1 year' +%F 2>/dev/null || date -u -v+1y +%F)
tx kyc attest "$M" --from dev --level 2 --country SG --expires "$EXP" --record-hash "$(printf '0x%064x' "$RANDOM$RANDOM")" >/dev/null
tx kyc attest "$A" --from dev --level 3 --country HK --expires "$EXP" --record-hash "$(printf '0x%064x' "1$RANDOM$RANDOM")" >/dev/null
accord query kyc "$M"

step "oracle: dev posts CNY and USD rates"
tx oracle post-rate --from dev --currency CNY --rate 7.12 --currency USD --rate 1 >/dev/null
accord query rates | grep -E '^(CURRENCY|CNY|USD) '

step "acceptor registers for CNY and USD, deposits float and margin"
DETAILS=$(mktemp); echo "salt-$RUN bank account 12345" >"$DETAILS"
tx acceptor register --from "acceptor-$RUN" --method "CNY:bank_transfer:@$DETAILS" --method "USD:bank_transfer:@$DETAILS" >/dev/null
rm -f "$DETAILS"
tx acceptor deposit --from "acceptor-$RUN" --amount 5000 >/dev/null
tx acceptor deposit-margin --from "acceptor-$RUN" --amount 2000 >/dev/null
accord query acceptor "$A"

# An order may be assigned to an acceptor of an earlier run: find its key.
keyname() { accord keys list | awk -v a="$1" '$2 == a { print $1 }'; }

step "merchant creates an order of 712 CNY (= 100 USDT at 7.12)"
OUT=$(accord tx order create --from "merchant-$RUN" --password-file "$PW" --currency CNY --amount 712 --ref "e2e-$RUN-1" --wait --json)
ID=$(echo "$OUT" | field order_id); ACC=$(echo "$OUT" | field acceptor); STATE=$(echo "$OUT" | field state)
echo "order $ID $STATE, acceptor $ACC"
[ "$STATE" = LOCKED ] || fail "order not locked: $OUT"
ACCKEY=$(keyname "$ACC"); [ -n "$ACCKEY" ] || fail "acceptor $ACC has no key in $HOME0"

step "merchant marks it paid; the acceptor confirms"
tx order mark-paid "$ID" --from "merchant-$RUN" --payment-ref "bank-transfer-$RUN" >/dev/null
tx order confirm "$ID" --from "$ACCKEY" >/dev/null
accord query order "$ID" | grep -E '^(state|amount) '
[ "$(accord query order "$ID" --json | field state)" = COMPLETED ] || fail "order not completed"

step "merchant creates a second order (20 USD) and cancels it"
OUT=$(accord tx order create --from "merchant-$RUN" --password-file "$PW" --currency USD --amount 20 --ref "e2e-$RUN-2" --wait --json)
ID2=$(echo "$OUT" | field order_id)
tx order cancel "$ID2" --from "merchant-$RUN" >/dev/null
[ "$(accord query order "$ID2" --json | field state)" = CANCELLED ] || fail "order 2 not cancelled"
accord query orders --merchant "$M"

step "balances"
# 1000 funded + 100 USDT less 0.5% commission and 0.1% fee (99.4), less four
# fees of 0.01 (create, mark-paid, create, cancel).
BAL=$(accord query account "$M" | field balance)
echo "merchant $BAL USDT"
[ "$BAL" = 1099.36 ] || fail "merchant balance $BAL, want 1099.36"
accord query params order | grep -E 'commission|fee_bps'
echo
echo "OK: C2C walk passed (orders $ID, $ID2)"
