#!/usr/bin/env bash
# A dispute walked through the CLI against a running local testnet (`make
# testnet`, or `VALIDATORS=1 make testnet`), sibling of e2e_c2c.sh: an order
# is paid and disputed by its merchant (which opens the dispute and draws
# its panel), both parties attach evidence, two of the three panel
# arbitrators vote the same 70/30 split and the second vote resolves it;
# the third member's late vote is refused. Balances are then checked to
# the micro-USDT.
#
#   make build && make testnet          # in one terminal
#   testnet/e2e_dispute.sh              # in another
#
# Arguments: [TESTNET_DIR] (default ./testnet-data). Environment: BIN (the
# accord binary, default ./bin/accord). Each run makes fresh keys (three
# new arbitrators among them), so it can be repeated on the same testnet:
# the panel is drawn from every arbitrator, and the keys of earlier runs'
# arbitrators and acceptors are in node0's keyring too. It exits non-zero
# at the first failure.
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
# keyname ADDR is the name of ADDR's key in node0's keyring.
keyname() { accord keys list | awk -v a="$1" 'tolower($2) == tolower(a) { print $1 }'; }
# micro USDT_AMOUNT prints the micro-USDT of a query's "balance_micro".
micro() { accord query account "$1" --json | field balance_micro; }

[ -x "$BIN" ] || fail "no accord binary at $BIN (make build)"
[ -f "$PW" ] || fail "no testnet in $DIR (make testnet)"
accord status >/dev/null || fail "node0 of $DIR is not running (make testnet)"

step "keys: a merchant, an acceptor and three arbitrators (run $RUN)"
for k in merchant acceptor arb1 arb2 arb3; do
  accord keys new "$k-$RUN" --password-file "$PW" --light-kdf >/dev/null
done
M=$(accord keys show "merchant-$RUN"); A=$(accord keys show "acceptor-$RUN")
echo "merchant $M"; echo "acceptor $A"

step "dev funds them"
tx transfer --from dev --to "$M" --amount 1000 >/dev/null
tx transfer --from dev --to "$A" --amount 10000 >/dev/null
GRANTS=()
for k in arb1 arb2 arb3; do
  X=$(accord keys show "$k-$RUN"); echo "arbitrator $X"
  tx transfer --from dev --to "$X" --amount 1 >/dev/null
  GRANTS+=(--grant-role "$X=arbitrator")
done

step "gov: the dev admin makes them arbitrators (threshold 1: executes at once)"
tx gov propose --from dev "${GRANTS[@]}" --memo "dispute e2e $RUN" | grep '^proposal'

step "kyc, a USD rate, the acceptor registers and deposits"
EXP=$(date -u -d '+1 year' +%F 2>/dev/null || date -u -v+1y +%F)
tx kyc attest "$M" --from dev --level 2 --country SG --expires "$EXP" --record-hash "$(printf '0x%064x' "$RANDOM$RANDOM")" >/dev/null
tx kyc attest "$A" --from dev --level 3 --country HK --expires "$EXP" --record-hash "$(printf '0x%064x' "1$RANDOM$RANDOM")" >/dev/null
tx oracle post-rate --from dev --currency USD --rate 1 >/dev/null
DETAILS=$(mktemp); echo "salt-$RUN bank account 67890" >"$DETAILS"
tx acceptor register --from "acceptor-$RUN" --method "USD:bank_transfer:@$DETAILS" >/dev/null
rm -f "$DETAILS"
tx acceptor deposit --from "acceptor-$RUN" --amount 5000 >/dev/null
tx acceptor deposit-margin --from "acceptor-$RUN" --amount 2000 >/dev/null

step "merchant creates an order of 100 USD, marks it paid"
OUT=$(accord tx order create --from "merchant-$RUN" --password-file "$PW" --currency USD --amount 100 --ref "dispute-$RUN" --wait --json)
ID=$(echo "$OUT" | field order_id); ACC=$(echo "$OUT" | field acceptor); STATE=$(echo "$OUT" | field state)
echo "order $ID $STATE, acceptor $ACC"
[ "$STATE" = LOCKED ] || fail "order not locked: $OUT"
ACCKEY=$(keyname "$ACC"); [ -n "$ACCKEY" ] || fail "acceptor $ACC has no key in $HOME0"
tx order mark-paid "$ID" --from "merchant-$RUN" --payment-ref "wire-$RUN" >/dev/null
ACC_BEFORE=$(accord query acceptor "$ACC" --json)
FLOAT0=$(echo "$ACC_BEFORE" | field float_micro); MARGIN0=$(echo "$ACC_BEFORE" | field margin_micro)
M0=$(micro "$M")

step "merchant disputes it: the dispute opens in the same transaction"
OUT=$(tx order dispute "$ID" --from "merchant-$RUN" --evidence "merchant's bank statement $RUN" --json)
[ "$(echo "$OUT" | field status)" = ok ] || fail "dispute refused: $OUT"
# The receipt's arbitration.opened event names the dispute.
DISPUTE=$(echo "$OUT" | awk '/"arbitration\.opened"/ { found = 1 } found && /"id":/ { gsub(/[",]/, "", $2); print $2; exit }')
[ -n "$DISPUTE" ] || fail "no arbitration.opened event: $OUT"
echo "dispute $DISPUTE"
[ "$(accord query order "$ID" --json | field state)" = DISPUTED ] || fail "order not disputed"
DJSON=$(accord query arbitration show "$DISPUTE" --json 2>/dev/null) || fail "no dispute $DISPUTE"
echo "$DJSON" | grep -E '"(phase|threshold|deadline_ms|evidence_until_ms)"'
mapfile -t PANEL < <(echo "$DJSON" | sed -n '/"panel": \[/,/\]/p' | grep -o '0x[0-9a-fA-F]\{40\}')
[ "${#PANEL[@]}" = 3 ] || fail "panel of ${#PANEL[@]}: $DJSON"
echo "panel ${PANEL[*]}"

step "both parties attach evidence"
tx arbitration evidence --from "merchant-$RUN" --dispute "$DISPUTE" --hash "$(printf '0x%064x' "2$RANDOM$RANDOM")" >/dev/null
tx arbitration evidence --from "$ACCKEY" --dispute "$DISPUTE" --hash "$(printf '0x%064x' "3$RANDOM$RANDOM")" >/dev/null
[ "$(accord query arbitration show "$DISPUTE" --json | grep -c '"party"')" = 2 ] || fail "evidence not recorded"

step "two panel members vote 70/30 for the merchant; the second vote decides"
VOTE=(--dispute "$DISPUTE" --winner a --reason payment_not_confirmed --to-a 70 --to-b 30)
for i in 0 1; do
  K=$(keyname "${PANEL[$i]}"); [ -n "$K" ] || fail "panel member ${PANEL[$i]} has no key in $HOME0"
  tx arbitration vote --from "$K" "${VOTE[@]}" | grep -E '^(status|event +arbitration\.(voted|resolved)|event +order\.resolved_split)'
done
DJSON=$(accord query arbitration show "$DISPUTE" --json)
[ "$(echo "$DJSON" | field phase)" = RESOLVED ] || fail "dispute not resolved: $DJSON"
[ "$(echo "$DJSON" | field by)" = panel ] || fail "not decided by the panel: $DJSON"
[ "$(accord query order "$ID" --json | field state)" = RESOLVED_SPLIT ] || fail "order not RESOLVED_SPLIT"

step "the third member's vote comes too late"
K=$(keyname "${PANEL[2]}"); [ -n "$K" ] || fail "panel member ${PANEL[2]} has no key in $HOME0"
if OUT=$(tx arbitration vote --from "$K" "${VOTE[@]}" 2>&1); then
  echo "$OUT" | grep -q '^status  failed' || fail "late vote accepted: $OUT"
fi
echo "$OUT" | grep -q 'resolved' || fail "late vote not refused as resolved: $OUT"
echo "refused: the dispute is resolved"

step "balances"
# The merchant gets 70 USDT less the 0.1% platform fee (0.07) plus 10% of
# the order slashed from the acceptor's margin (10), and paid the fees of
# its dispute and evidence transactions (0.02); the acceptor's float gets
# its 30 back of the 100 locked, its margin loses the 10.
WANT_M=$((M0 + 70000000 - 70000 + 10000000 - 20000))
GOT_M=$(micro "$M")
echo "merchant $GOT_M micro-USDT"
[ "$GOT_M" = "$WANT_M" ] || fail "merchant balance $GOT_M, want $WANT_M"
ACC_AFTER=$(accord query acceptor "$ACC" --json)
FLOAT1=$(echo "$ACC_AFTER" | field float_micro); MARGIN1=$(echo "$ACC_AFTER" | field margin_micro)
echo "acceptor float $FLOAT0 -> $FLOAT1, margin $MARGIN0 -> $MARGIN1 micro-USDT"
[ "$FLOAT1" = "$((FLOAT0 + 30000000))" ] || fail "acceptor float $FLOAT1, want $((FLOAT0 + 30000000))"
[ "$MARGIN1" = "$((MARGIN0 - 10000000))" ] || fail "acceptor margin $MARGIN1, want $((MARGIN0 - 10000000))"
echo
echo "OK: dispute walk passed (order $ID, dispute $DISPUTE)"
