#!/usr/bin/env bash
# e2e_bridge.sh walks USDT through the two-chain system from the CLI,
# against a running testnet/bridge_up.sh (make testnet): 1,000 USDT sent to
# the vault on the external chain are minted on main, 600 locked to the
# side chain are minted there, 200 burned on side are released on main
# once a checkpoint covers the burn, and 300 withdrawn from main arrive on
# the external chain, where the ERC-20 balance shows them.
#
#   testnet/e2e_bridge.sh [DIR]     (DIR as given to bridge_up.sh; ./testnet-data)
set -euo pipefail
A=${ACCORD:-./bin/accord}
D=${1:-./testnet-data}
# shellcheck disable=SC1091
. "$D/endpoints.env"
PW=$DEV_PASSWORD
EXT=0x00000000000000000000000000000000000e2e01

balance() { # node, address: micro-USDT
	"$A" query account "$2" --node "$1" --json | sed -n 's/.*"balance_micro": *\([0-9]*\).*/\1/p'
}
await() { # what, command that succeeds when done
	local what=$1
	shift
	for _ in $(seq 1 600); do
		if "$@"; then return 0; fi
		sleep 0.5
	done
	echo "FAIL: timed out waiting for $what" >&2
	exit 1
}
grew() { [ "$(balance "$1" "$DEV")" -ge "$2" ]; }
ext_is() { [ "$("$A" devchain balance --eth "$ETH" --token "$TOKEN" "$EXT")" = "$1" ]; }

m0=$(balance "$MAIN" "$DEV")
echo "1. 1000 USDT from the dev key to the vault on the external chain"
"$A" devchain send --eth "$ETH" --token "$TOKEN" --home "$MAIN_DEV_HOME" --from dev --password-file "$PW" --to "$VAULT" --amount 1000
await "the deposit minted on main" grew "$MAIN" $((m0 + 1000000000))
echo "   minted on main: balance $(balance "$MAIN" "$DEV")"

s0=$(balance "$SIDE" "$DEV")
echo "2. lock 600 USDT on main for the side chain"
"$A" tx bridge lock --node "$MAIN" --home "$MAIN_DEV_HOME" --from dev --password-file "$PW" --chain "$SIDE_ID" --to "$DEV" --amount 600 --wait >/dev/null
await "the lock minted on side" grew "$SIDE" $((s0 + 600000000))
echo "   minted on side: balance $(balance "$SIDE" "$DEV")"

m1=$(balance "$MAIN" "$DEV")
echo "3. burn 200 USDT on side for main"
t0=$(date +%s.%N)
"$A" tx bridge burn --node "$SIDE" --home "$SIDE_DEV_HOME" --from dev --password-file "$PW" --to "$DEV" --amount 200 --wait >/dev/null
await "the burn released on main" grew "$MAIN" $((m1 + 200000000 - 10000))
t1=$(date +%s.%N)
echo "   released on main: balance $(balance "$MAIN" "$DEV") ($(echo "$t1 - $t0" | bc) s from burn to release)"

echo "4. withdraw 300 USDT from main to $EXT on the external chain"
"$A" tx bridge withdraw --node "$MAIN" --home "$MAIN_DEV_HOME" --from dev --password-file "$PW" --to "$EXT" --amount 300 --wait >/dev/null
await "the payout on the external chain" ext_is 300
echo "   external balance of $EXT: $("$A" devchain balance --eth "$ETH" --token "$TOKEN" "$EXT") USDT; vault $("$A" devchain balance --eth "$ETH" --token "$TOKEN" "$VAULT")"
echo "OK"
