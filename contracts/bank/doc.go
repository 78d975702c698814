// Package bank holds USDT balances (in micro-USDT, 6 decimals) and account
// nonces, moves funds with checked arithmetic, charges transaction fees into
// the treasury, and tracks total supply so every test can check that no block
// creates or destroys USDT except through Mint and Burn.
//
// Other modules hold funds in module accounts (ModuleAddress("order"), ...)
// and move them through the Keeper, never by writing balances themselves.
package bank
