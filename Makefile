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

# make testnet [VALIDATORS=n] [BASE_PORT=p]: the whole two-chain system in
# ./testnet-data until Ctrl-C (accord testnet up): the external dev chain
# with TestUSDT, a main and a side chain of n validators each, a bridge
# signer per main validator, a checkpointer per side validator and a
# relayer; every endpoint is printed and written to
# ./testnet-data/endpoints.env. Ports (p = 26657 unless set): side node i
# (the C2C chain) RPC p+i, p2p p+100+i; main node i RPC p+200+i, p2p
# p+300+i; the dev chain p+400; checkpointer i p+500+i. A resumed system
# keeps the ports it was created with. testnet-bridge is the same target.
VALIDATORS := $(or $(VALIDATORS),4)
testnet testnet-bridge: build
	./$(BIN) testnet up --validators $(VALIDATORS) --dir ./testnet-data $(if $(BASE_PORT),--base-port $(BASE_PORT))

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
