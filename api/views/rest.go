package views

// OrderPage is a page of GET /v1/merchants/{addr}/orders. NextCursor, when
// set, is the cursor parameter of the next page (a page may be short, even
// empty, when the filters match little of what it looked at).
type OrderPage struct {
	Orders     []Order `json:"orders"`
	NextCursor string  `json:"next_cursor,omitempty"`
}
