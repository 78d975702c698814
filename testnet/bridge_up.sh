#!/usr/bin/env bash
# bridge_up.sh runs the whole two-chain system locally until Ctrl-C:
# the external dev chain with TestUSDT, main and side testnets of
# $VALIDATORS validators each (profile keys, so they name each other), one
# bridge signer per main validator (node0's key also holds the vault and
# pays withdrawals), one checkpointer per side validator, and a relayer.
# Every endpoint is printed and written to $DIR/endpoints.env.
#
#   testnet/bridge_up.sh [DIR]      (make testnet runs it; DIR defaults to ./testnet-data)
#   env: VALIDATORS (4), BASE_PORT (26657), ACCORD (./bin/accord),
#        CHECKPOINT_INTERVAL (side blocks per checkpoint, 16)
#
# Ports: main node i RPC BASE+i (p2p BASE+100+i), side node i RPC BASE+300+i
# (p2p BASE+400+i), devchain BASE+600, checkpointer i BASE+700+i.
# Everything is local-only: the dev and validator keys are public.
set -euo pipefail

A=${ACCORD:-./bin/accord}
N=${VALIDATORS:-4}
D=${1:-./testnet-data}
P=${BASE_PORT:-26657}
CPI=${CHECKPOINT_INTERVAL:-16}
MAIN_ID=accord-main
SIDE_ID=accord-side-1
MAIN_P=$P
SIDE_P=$((P + 300))
ETH_P=$((P + 600))
CP_P=$((P + 700))
MAIN=http://127.0.0.1:$MAIN_P
SIDE=http://127.0.0.1:$SIDE_P
ETH=http://127.0.0.1:$ETH_P
LOGS=$D/logs
mkdir -p "$D" "$LOGS"

pids=()
stop() {
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop EXIT INT TERM

start() { # name, command...
	local name=$1
	shift
	"$@" >>"$LOGS/$name.log" 2>&1 &
	pids+=($!)
}

wait_rpc() { # url
	for _ in $(seq 1 300); do
		if "$A" status --node "$1" >/dev/null 2>&1; then return 0; fi
		sleep 0.2
	done
	echo "no node answering at $1 (see $LOGS)" >&2
	exit 1
}

json() { # url, field: a field of accord status --json
	"$A" status --node "$1" --json | sed -n "s/.*\"$2\": *\"\\{0,1\\}\\([^\",]*\\)\"\\{0,1\\}.*/\\1/p" | head -1
}

start main "$A" testnet up --profile main --validators "$N" --dir "$D/main" --base-port "$MAIN_P" --side-chain "$SIDE_ID:$N"
start side "$A" testnet up --profile side --validators "$N" --dir "$D/side" --base-port "$SIDE_P" --main-chain "$MAIN_ID:$N"
for i in $(seq 0 $((N - 1))); do
	wait_rpc "http://127.0.0.1:$((MAIN_P + i))"
	wait_rpc "http://127.0.0.1:$((SIDE_P + i))"
done

# The vault is main node0's validator key: it pays withdrawals and needs
# ETH. The dev key (on main and side) also gets ETH and USDT there.
VAULT=$(json "$MAIN" validator)
DEVADDR=$("$A" keys show dev --home "$D/main/node0")
start devchain "$A" devchain --home "$D/devchain" --listen "127.0.0.1:$ETH_P" --fund "$VAULT" --fund-usdt "$DEVADDR" --block-interval 2s
for _ in $(seq 1 300); do [ -s "$D/devchain/devchain.json" ] && break; sleep 0.2; done
TOKEN=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$D/devchain/devchain.json")

DEVPW=$D/main/dev.password
DEVHOME=$D/main/node0
SIDEDEVHOME=$D/side/node0
# Fees: the signers (main validators) and the relayer get USDT from the dev key.
fund() { # node, dev home, address, amount
	"$A" tx transfer --node "$1" --home "$2" --from dev --password-file "$DEVPW" --to "$3" --amount "$4" --wait >/dev/null
}
if [ ! -e "$D/relayer/keys" ]; then
	mkdir -p "$D/relayer"
	printf 'relayer\n' >"$D/relayer/password"
	"$A" keys new relayer --home "$D/relayer" --password-file "$D/relayer/password" --light-kdf >/dev/null
	RELAYER=$("$A" keys show relayer --home "$D/relayer")
	fund "$MAIN" "$DEVHOME" "$RELAYER" 1000
	fund "$SIDE" "$SIDEDEVHOME" "$RELAYER" 1000
	for i in $(seq 0 $((N - 1))); do
		fund "$MAIN" "$DEVHOME" "$(json "http://127.0.0.1:$((MAIN_P + i))" validator)" 100
	done
fi

CPS=()
for i in $(seq 0 $((N - 1))); do CPS+=("http://127.0.0.1:$((CP_P + i))"); done
for i in $(seq 0 $((N - 1))); do
	vault=(--vault "$VAULT")
	if [ "$i" = 0 ]; then vault=(--vault-from "validator:$D/main/node0"); fi
	start "signer$i" "$A" bridge-signer --home "$D/signer$i" --eth "$ETH" --main "http://127.0.0.1:$((MAIN_P + i))" \
		--from "validator:$D/main/node$i" "${vault[@]}" --token "$TOKEN" --confirmations 2 --interval 1s
	peers=$(printf '%s\n' "${CPS[@]}" | { grep -v ":$((CP_P + i))$" || true; } | paste -sd, -)
	start "checkpointer$i" "$A" checkpointer --home "$D/checkpointer$i" --side "http://127.0.0.1:$((SIDE_P + i))" --main "$MAIN" \
		--from "validator:$D/side/node$i" --listen "127.0.0.1:$((CP_P + i))" ${peers:+--peers "$peers"} \
		--checkpoint-interval "$CPI" --interval 1s
done
start relayer "$A" relayer --home "$D/relayer" --main "$MAIN" --side "$SIDE" --from relayer --password-file "$D/relayer/password" \
	--checkpointers "$(IFS=,; echo "${CPS[*]}")" --interval 1s

cat >"$D/endpoints.env" <<EOF
MAIN=$MAIN
SIDE=$SIDE
ETH=$ETH
TOKEN=$TOKEN
VAULT=$VAULT
DEV=$DEVADDR
SIDE_ID=$SIDE_ID
MAIN_DEV_HOME=$DEVHOME
SIDE_DEV_HOME=$SIDEDEVHOME
DEV_PASSWORD=$DEVPW
CHECKPOINTERS=$(IFS=,; echo "${CPS[*]}")
LOGS=$LOGS
EOF
echo "== Accord two-chain testnet ($N validators per chain; logs in $LOGS)"
for i in $(seq 0 $((N - 1))); do echo "main node$i   http://127.0.0.1:$((MAIN_P + i))"; done
for i in $(seq 0 $((N - 1))); do echo "side node$i   http://127.0.0.1:$((SIDE_P + i))"; done
echo "devchain     $ETH (chain 1337), TestUSDT $TOKEN, vault $VAULT"
echo "dev accounts $(sed -n 's/.*"address": *"\([^"]*\)".*/\1/p' "$D/devchain/devchain.json" | paste -sd' ' -) (keys in $D/devchain/devchain.json)"
echo "dev key      'dev' in $DEVHOME (main) and $SIDEDEVHOME (side), password file $DEVPW"
for i in $(seq 0 $((N - 1))); do echo "checkpointer ${CPS[$i]}"; done
echo "endpoints    $D/endpoints.env; Ctrl-C stops everything"
wait
