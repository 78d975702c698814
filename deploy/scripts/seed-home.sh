#!/bin/sh
# seed-home.sh: copy a StatefulSet pod's genesis, config and key from the
# mounted Secrets into its home (the pod's persistent volume). The pod's
# ordinal, the number after the last '-' of its hostname, picks
# $NODE_KIND-ORDINAL.json from $SEED_CONFIG and $NODE_KIND-ORDINAL.key from
# $SEED_KEYS, as deploy/scripts/gen-network.sh --target k8s names them.
#
# The config is replaced at every start, so an edited Secret takes effect
# on restart; a home whose genesis or key differs from the Secret's is
# refused rather than overwritten, since the ledger in it belongs to them.
set -eu
: "${NODE_KIND:?NODE_KIND is validator or rpc}" "${SEED_CONFIG:?}" "${SEED_KEYS:?}" "${ACCORD_HOME:?}"
# Kubernetes puts HOSTNAME (the pod name) in every container's environment.
# shellcheck disable=SC3028
host=${HOSTNAME:-$(hostname)}
ord=${host##*-}
case $ord in '' | *[!0-9]*) echo "seed-home: hostname $host has no ordinal" >&2; exit 1 ;; esac
name=$NODE_KIND-$ord
cfg=$SEED_CONFIG/$name.json
key=$SEED_KEYS/$name.key
gen=$SEED_CONFIG/genesis.json
for f in "$cfg" "$key" "$gen"; do
	if [ ! -f "$f" ]; then
		echo "seed-home: $f missing: the Secrets hold fewer nodes than replica $ord needs (regenerate with more --validators/--rpc-nodes, or scale down)" >&2
		exit 1
	fi
done
mkdir -p "$ACCORD_HOME/config"
for pair in "$gen:genesis.json" "$key:validator.key"; do
	src=${pair%%:*}
	dst=$ACCORD_HOME/config/${pair#*:}
	if [ -f "$dst" ] && ! cmp -s "$src" "$dst"; then
		echo "seed-home: $dst differs from $src; refusing to replace it under an existing ledger" >&2
		exit 1
	fi
done
cp "$gen" "$ACCORD_HOME/config/genesis.json"
cp "$cfg" "$ACCORD_HOME/config/config.json"
cp "$key" "$ACCORD_HOME/config/validator.key"
chmod 600 "$ACCORD_HOME/config/validator.key"
echo "seed-home: $ACCORD_HOME is $name"
