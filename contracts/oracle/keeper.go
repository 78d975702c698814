package oracle

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is oracle's key in the genesis document and its parameter module.
const ModuleName = "oracle"

// Parameters (module "oracle", read through gov).
const (
	ParamMaxRateAge = "max_rate_age_ms" // a post older than this (block time) is stale
	ParamMinPosts   = "min_posts"       // fresh posts needed for a rate

	DefaultMaxRateAge uint64 = 10 * 60 * 1000 // 10 minutes
	DefaultMinPosts   uint64 = 1
)

// ParamSpecs declares oracle's parameters to gov (gov.Module.Specs).
func ParamSpecs() []gov.ParamSpec {
	return []gov.ParamSpec{
		gov.Uint64Spec(ModuleName, ParamMaxRateAge, 1_000, 7*24*3600*1000),
		gov.Uint64Spec(ModuleName, ParamMinPosts, 1, 100),
	}
}

var prefixPost = []byte("oracle/post/") // + currency code + "/" + oracle -> RLP Post

// Post is one oracle's latest rate for one currency.
type Post struct {
	Oracle   types.Address `rlp:"-"` // from the key; filled on read
	Currency string        `rlp:"-"` // from the key; filled on read
	Rate     RateE8
	PostedAt uint64 // block time, ms
}

// Keeper reads and writes rate posts. Gov defaults to gov.Keeper{}, so the
// zero value is ready to use.
type Keeper struct {
	Gov Gov
}

func (k Keeper) gov() Gov {
	if k.Gov == nil {
		return gov.Keeper{}
	}
	return k.Gov
}

func currencyPrefix(code string) []byte {
	return append(append([]byte(nil), prefixPost...), code+"/"...)
}

func postKey(code string, o types.Address) []byte { return append(currencyPrefix(code), o[:]...) }

// MaxRateAge is the age, in block-time ms, at which a post goes stale.
func (k Keeper) MaxRateAge(st state.Store) uint64 {
	return k.gov().ParamUint64(st, ModuleName, ParamMaxRateAge, DefaultMaxRateAge)
}

// MinPosts is the number of fresh posts a rate needs.
func (k Keeper) MinPosts(st state.Store) uint64 {
	return k.gov().ParamUint64(st, ModuleName, ParamMinPosts, DefaultMinPosts)
}

// Posts returns every stored post for a currency in oracle address order,
// fresh or stale, including posts of accounts that lost the oracle role.
func (Keeper) Posts(st state.Store, currency string) []Post {
	p := currencyPrefix(currency)
	var out []Post
	st.Iterate(p, state.PrefixEnd(p), false, func(k, v []byte) bool {
		var post Post
		if len(k) != len(p)+len(post.Oracle) || core.Decode(v, &post) != nil {
			return true
		}
		copy(post.Oracle[:], k[len(p):])
		post.Currency = currency
		out = append(out, post)
		return true
	})
	return out
}

// SetPost writes a post (genesis and tests; transactions use MsgPostRates).
func (Keeper) SetPost(st state.Store, p Post) {
	st.Set(postKey(p.Currency, p.Oracle), core.Encode(&p))
}

// Rate returns the rate to use for currency at nowMs (block time): the
// median of the posts that are younger than max_rate_age_ms and were made by
// accounts that still hold the oracle role. With an even number of fresh
// posts it is the mean of the two middle ones, rounded down (see Median).
// Errors: ErrUnknownCurrency; ErrNoRate if no current oracle ever posted
// for it; ErrStaleRate if fewer than min_posts posts are fresh.
func (k Keeper) Rate(st state.Store, currency string, nowMs uint64) (RateE8, error) {
	if _, err := LookupCurrency(currency); err != nil {
		return 0, err
	}
	maxAge, minPosts := k.MaxRateAge(st), k.MinPosts(st)
	g := k.gov()
	var fresh []RateE8
	posts := 0
	for _, p := range k.Posts(st, currency) {
		if !g.HasRole(st, p.Oracle, gov.RoleOracle) {
			continue
		}
		posts++
		// Block time only grows, so PostedAt <= nowMs; guard anyway.
		if p.PostedAt >= nowMs || nowMs-p.PostedAt < maxAge {
			fresh = append(fresh, p.Rate)
		}
	}
	if posts == 0 {
		return 0, fmt.Errorf("%s: %w", currency, ErrNoRate)
	}
	if uint64(len(fresh)) < minPosts {
		return 0, fmt.Errorf("%s: %d of %d posts younger than %d ms, need %d: %w",
			currency, len(fresh), posts, maxAge, minPosts, ErrStaleRate)
	}
	return Median(fresh), nil
}

// FiatToMicroUSDT converts amountMinor (an integer in the currency's minor
// unit, see Currency) to micro-USDT at the current rate, rounding down, and
// returns the rate used. Errors as Rate and ConvertFiatToMicroUSDT.
func (k Keeper) FiatToMicroUSDT(st state.Store, currency string, amountMinor, nowMs uint64) (uint64, RateE8, error) {
	return k.atRate(st, currency, amountMinor, nowMs, ConvertFiatToMicroUSDT)
}

// MicroUSDTToFiat converts micro-USDT to the currency's minor unit at the
// current rate, rounding down, and returns the rate used.
func (k Keeper) MicroUSDTToFiat(st state.Store, currency string, micro, nowMs uint64) (uint64, RateE8, error) {
	return k.atRate(st, currency, micro, nowMs, ConvertMicroUSDTToFiat)
}

// atRate converts amount with conv at the currency's current rate.
func (k Keeper) atRate(st state.Store, currency string, amount, nowMs uint64,
	conv func(Currency, uint64, RateE8) (uint64, error)) (uint64, RateE8, error) {
	c, err := LookupCurrency(currency)
	if err != nil {
		return 0, 0, err
	}
	r, err := k.Rate(st, currency, nowMs)
	if err != nil {
		return 0, 0, err
	}
	out, err := conv(c, amount, r)
	return out, r, err
}

// Module is oracle as a contract module. Register it after gov.
type Module struct{ Keeper }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{{Type: TypePostRates, Name: "oracle.post_rates", Handler: core.HandleDecoded(DecodePostRates, m.handlePostRates)}}
}

func (m Module) handlePostRates(ctx *core.Context, msg *MsgPostRates) error {
	if !m.gov().HasRole(ctx.Store, ctx.Sender, gov.RoleOracle) {
		return fmt.Errorf("post by %s: %w", ctx.Sender.Hex(), ErrNotOracle)
	}
	for _, p := range msg.Rates {
		m.SetPost(ctx.Store, Post{Oracle: ctx.Sender, Currency: p.Currency, Rate: p.Rate, PostedAt: ctx.Block.Time})
		ctx.EmitEvent(RatePostedEvent{Oracle: ctx.Sender, Currency: p.Currency, Rate: p.Rate.String(), RateE8: uint64(p.Rate)})
	}
	return nil
}

// Genesis is oracle's section of the genesis document. Parameters given
// here must not also be in gov's "params" section.
type Genesis struct {
	MaxRateAgeMs uint64        `json:"max_rate_age_ms,omitempty"`
	MinPosts     uint64        `json:"min_posts,omitempty"`
	Rates        []GenesisRate `json:"rates,omitempty"`
}

// GenesisRate is an initial post, stamped with the genesis time, by an
// account that holds the oracle role in gov's genesis.
type GenesisRate struct {
	Oracle   string `json:"oracle"`
	Currency string `json:"currency"`
	Rate     string `json:"rate"` // decimal fiat per USDT, e.g. "7.1234"
}

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
	}
	st, gk := ctx.Store, m.gov()
	for _, p := range []struct {
		key string
		v   uint64
	}{{ParamMaxRateAge, g.MaxRateAgeMs}, {ParamMinPosts, g.MinPosts}} {
		if p.v == 0 {
			continue
		}
		if _, dup := gk.Param(st, ModuleName, p.key); dup {
			return fmt.Errorf("%w: %s set both here and in gov params", ErrBadGenesis, p.key)
		}
		v := gov.FormatUint64Param(p.v)
		for _, s := range ParamSpecs() {
			if s.Key == p.key {
				if err := s.Validate(v); err != nil {
					return fmt.Errorf("%w: %s: %w", ErrBadGenesis, p.key, err)
				}
			}
		}
		if err := gk.SetParam(st, ModuleName, p.key, v); err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
	}
	for i, gr := range g.Rates {
		o, err := types.ParseAddress(gr.Oracle)
		if err != nil {
			return fmt.Errorf("%w: rate %d: %w", ErrBadGenesis, i, err)
		}
		if !gk.HasRole(st, o, gov.RoleOracle) {
			return fmt.Errorf("%w: rate %d by %s: %w", ErrBadGenesis, i, o.Hex(), ErrNotOracle)
		}
		if _, err := LookupCurrency(gr.Currency); err != nil {
			return fmt.Errorf("%w: rate %d: %w", ErrBadGenesis, i, err)
		}
		r, err := ParseRateE8(gr.Rate)
		if err != nil {
			return fmt.Errorf("%w: rate %d: %w", ErrBadGenesis, i, err)
		}
		if st.Has(postKey(gr.Currency, o)) {
			return fmt.Errorf("%w: %s posted twice by %s", ErrBadGenesis, gr.Currency, o.Hex())
		}
		m.SetPost(st, Post{Oracle: o, Currency: gr.Currency, Rate: r, PostedAt: ctx.Block.Time})
	}
	return nil
}
