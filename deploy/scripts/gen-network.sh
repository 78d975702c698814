#!/bin/sh
# gen-network.sh: write the homes of a new multi-validator Accord network for
# containers (docker compose) or Kubernetes.
#
# It runs `accord testnet init`, which generates one key per node, a genesis
# naming the validators and a dev key (gov admin, threshold 1, holding the
# kyc_provider, compliance, oracle and arbitrator roles), then rewrites each
# node's network settings for the target: RPC on 0.0.0.0:26657, p2p on
# /ip4/0.0.0.0/tcp/26656, and peers by DNS name instead of 127.0.0.1 ports.
# Validators peer with every other validator; RPC full nodes peer with the
# validators and are on every node's p2p_allow.
#
#   --target compose   OUT/validatorI and OUT/rpcJ are complete node homes
#                      (compose mounts each on its node's volume); the dev
#                      key is in validator0's keyring, password beside it
#   --target k8s       OUT/config/{genesis.json,validator-I.json,rpc-J.json}
#                      and OUT/keys/{validator-I.key,rpc-J.key}, the contents
#                      of the Secrets accord-config and accord-keys
# In both, OUT/dev holds the dev key's keystore and dev.password.
#
# The dev key is a development convenience: a consortium genesis names the
# members' own admin keys instead (see deploy/README.md).
set -eu

usage() {
	cat >&2 <<'EOF'
usage: gen-network.sh --out DIR [--target compose|k8s] [--validators N] [--rpc-nodes M]
                      [--chain-id ID] [--bench-accounts K] [--owner UID:GID] [--keep-existing]
EOF
	exit 2
}

out='' target=compose validators=4 rpcnodes=0 chain=accord-net bench=0 owner='' keep=''
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=$2; shift 2 ;;
	--target) target=$2; shift 2 ;;
	--validators) validators=$2; shift 2 ;;
	--rpc-nodes) rpcnodes=$2; shift 2 ;;
	--chain-id) chain=$2; shift 2 ;;
	--bench-accounts) bench=$2; shift 2 ;;
	--owner) owner=$2; shift 2 ;;
	--keep-existing) keep=1; shift ;;
	-h|--help) usage ;;
	*) echo "gen-network: unknown argument $1" >&2; usage ;;
	esac
done
[ -n "$out" ] || usage
case $target in compose|k8s) ;; *) echo "gen-network: --target must be compose or k8s" >&2; exit 2 ;; esac
case $validators$rpcnodes in *[!0-9]*) echo "gen-network: --validators and --rpc-nodes are numbers" >&2; exit 2 ;; esac
if [ "$validators" -lt 2 ] || [ $((validators + rpcnodes)) -gt 99 ]; then
	echo "gen-network: need 2 or more validators and at most 99 nodes" >&2
	exit 2
fi
accord=${ACCORD_BIN:-accord}

# The marker is written last, so a run that failed half-way is redone; a
# home with a genesis counts too (compose mounts homes on volumes that
# outlive the init container, which holds the marker).
existing=
[ -e "$out/.accord-network" ] && existing=1
for g in "$out"/*/config/genesis.json; do
	[ -e "$g" ] && existing=1
done
if [ -n "$existing" ]; then
	if [ -n "$keep" ]; then
		echo "gen-network: $out already holds a network; keeping it"
		exit 0
	fi
	echo "gen-network: $out already holds a network; delete it or pass --keep-existing" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Node i gets p2p port base+100+i on 127.0.0.1; the port names the node
# below, when its peer ID is read back from the generated peer lists.
base=20000
"$accord" testnet init --dir "$tmp/net" --validators "$validators" --full-nodes "$rpcnodes" \
	--chain-id "$chain" --base-port "$base" --bench-accounts "$bench" >/dev/null

nodes=$((validators + rpcnodes))

# peer_id I: node I's libp2p ID, from another node's p2p_peers (testnet
# init lists every node in every other node's peers).
peer_id() {
	other=0
	[ "$1" -eq 0 ] && other=1
	grep -o "/ip4/127.0.0.1/tcp/$((base + 100 + $1))/p2p/[A-Za-z0-9]*" "$tmp/net/node$other/config/config.json" |
		head -n 1 | sed 's#.*/p2p/##'
}

# host I: the DNS name other nodes dial validator I by.
host() {
	case $target in
	compose) echo "validator$1" ;;
	k8s) echo "accord-validator-$1.accord-validator" ;;
	esac
}

# name I: node I's name in the output.
name() {
	if [ "$1" -lt "$validators" ]; then
		case $target in compose) echo "validator$1" ;; k8s) echo "validator-$1" ;; esac
	else
		case $target in compose) echo "rpc$(($1 - validators))" ;; k8s) echo "rpc-$(($1 - validators))" ;; esac
	fi
}

i=0
while [ $i -lt "$validators" ]; do
	id=$(peer_id $i)
	[ -n "$id" ] || { echo "gen-network: no peer ID for validator $i in the generated configs" >&2; exit 1; }
	echo "/dns4/$(host $i)/tcp/26656/p2p/$id" >"$tmp/addr$i"
	i=$((i + 1))
done

# rewrite I: node I's config with container addresses and its peer list.
rewrite() {
	peers=
	j=0
	while [ $j -lt "$validators" ]; do
		if [ $j -ne "$1" ]; then
			peers="$peers${peers:+, }\"$(cat "$tmp/addr$j")\""
		fi
		j=$((j + 1))
	done
	sed -e 's#"rpc_addr": "[^"]*"#"rpc_addr": "0.0.0.0:26657"#' \
		-e 's#"p2p_listen": "[^"]*"#"p2p_listen": "/ip4/0.0.0.0/tcp/26656"#' \
		-e "s#\"moniker\": \"[^\"]*\"#\"moniker\": \"$(name "$1")\"#" \
		-e "/\"p2p_peers\": \\[/,/\\]/c\\
  \"p2p_peers\": [$peers]," \
		"$tmp/net/node$1/config/config.json"
}

mkdir -p "$out"
i=0
while [ $i -lt "$nodes" ]; do
	rewrite $i >"$tmp/config$i.json"
	i=$((i + 1))
done

case $target in
compose)
	i=0
	while [ $i -lt "$nodes" ]; do
		home="$out/$(name $i)"
		mkdir -p "$home"
		cp -R "$tmp/net/node$i/." "$home/"
		cp "$tmp/config$i.json" "$home/config/config.json"
		i=$((i + 1))
	done
	# The dev key is in validator0's keyring; its password beside it lets
	# `docker compose exec validator0 accord tx ... --from dev` sign.
	cp "$tmp/net/dev.password" "$out/$(name 0)/dev.password"
	chmod 600 "$out/$(name 0)/dev.password"
	;;
k8s)
	mkdir -p "$out/config" "$out/keys"
	cp "$tmp/net/node0/config/genesis.json" "$out/config/genesis.json"
	i=0
	while [ $i -lt "$nodes" ]; do
		cp "$tmp/config$i.json" "$out/config/$(name $i).json"
		cp "$tmp/net/node$i/config/validator.key" "$out/keys/$(name $i).key"
		i=$((i + 1))
	done
	;;
esac
mkdir -p "$out/dev"
cp -R "$tmp/net/node0/keys/." "$out/dev/"
cp "$tmp/net/dev.password" "$out/dev/dev.password"
chmod -R go-rwx "$out/dev"
[ "$target" = k8s ] && chmod -R go-rwx "$out/keys"
echo "$chain" >"$out/.accord-network"
if [ -n "$owner" ]; then
	chown -R "$owner" "$out"
fi
echo "gen-network: wrote $validators validators and $rpcnodes RPC nodes of chain $chain ($target) in $out"
