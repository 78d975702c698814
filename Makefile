# Accord — see README.md.
GO        ?= go
BIN       := bin/accord
PKGS      := ./...
# Packages with goroutines of their own run under the race detector.
RACE_PKGS := ./mempool/... ./sigcache/... ./node/... ./api/... ./consensus/... ./ledger/kv/... ./p2p/...

export CGO_ENABLED := 1

.PHONY: build test test-race testnet testnet-bridge bench lint fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/node

test: build lint
	$(GO) test -count=1 -timeout 15m $(PKGS)
	$(GO) test -count=1 -race -timeout 15m $(RACE_PKGS)
	$(GO) test -count=1 -race -short -timeout 15m ./ledger/ ./ledger/state/

# make testnet [VALIDATORS=n] [BASE_PORT=p]: node i serves RPC on p+i and
# p2p on p+100+i (p = 26657 unless set). A resumed testnet keeps the ports
# it was created with.
VALIDATORS := $(or $(VALIDATORS),4)
testnet: build
	./$(BIN) testnet up --validators $(VALIDATORS) --dir ./testnet-data $(if $(BASE_PORT),--base-port $(BASE_PORT))

# make testnet-bridge [VALIDATORS=n] [BASE_PORT=p]: the whole two-chain
# system (testnet/bridge_up.sh): the external dev chain with TestUSDT, main
# and side testnets of n validators, bridge signers, checkpointers and a
# relayer, every endpoint printed. testnet/e2e_bridge.sh walks USDT through it.
testnet-bridge: build
	VALIDATORS=$(VALIDATORS) $(if $(BASE_PORT),BASE_PORT=$(BASE_PORT)) ./testnet/bridge_up.sh ./testnet-data/bridge

bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./mempool/ ./ledger/ ./sigcache/ ./consensus/

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# A short run of every fuzz target (FUZZTIME per target).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin testnet-data
