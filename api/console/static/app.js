// Accord console: plain script, no build step. It talks JSON-RPC to the
// node that served it, over the WebSocket at /ws when it can (calls and
// accord_subscribe streams, resumed from the last cursor after a
// reconnect) and over HTTP POST / otherwise, polling while no WebSocket is
// up. Everything shown is built with textContent: nothing from the chain
// is ever parsed as HTML.
'use strict';

const MAX_BLOCKS = 15;        // rows in the latest-blocks table
const MAX_RISK = 50;          // rows in the risk events table
const HISTORY_BLOCKS = 10000; // how far back disputes and risk events are read

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) {
    if (k === null || k === undefined) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

const short = (s) => (s && s.length > 18 ? s.slice(0, 10) + '…' + s.slice(-6) : s || '');
const msTime = (ms) => (ms ? new Date(Number(ms)).toISOString().replace('T', ' ').replace('Z', '') : '');

// link shows a hash or address that opens its detail view.
function link(kind, id, text) {
  return el('a', { href: '#' + kind + '/' + id, title: id, class: 'hash' }, text || short(id));
}

// --- JSON-RPC over WebSocket, or HTTP ---------------------------------

const rpc = {
  ws: null,
  open: false,
  nextID: 1,
  pending: new Map(), // request id -> {resolve, reject}
  subs: [],           // logical subscriptions, resubscribed on reconnect
  byServerID: new Map(),
  retry: 500,
};

async function httpCall(method, params) {
  const resp = await fetch('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: rpc.nextID++, method, params }),
  });
  const r = await resp.json();
  if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.result;
}

function call(method, params = []) {
  if (!rpc.open) return httpCall(method, params);
  return new Promise((resolve, reject) => {
    const id = rpc.nextID++;
    rpc.pending.set(id, { resolve, reject });
    rpc.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  });
}

// subscribe follows a topic from `from` (a cursor; null: from the next
// block). onResult gets each notification's result; the cursor is kept so
// that a reconnect resumes right after the last one seen.
function subscribe(params, onResult) {
  const s = { params, onResult, cursor: params.from || null, serverID: null, closed: false };
  rpc.subs.push(s);
  if (rpc.open) startSub(s);
  return () => {
    s.closed = true;
    rpc.subs = rpc.subs.filter((x) => x !== s);
    if (s.serverID && rpc.open) call('accord_unsubscribe', [s.serverID]).catch(() => {});
  };
}

async function startSub(s) {
  const p = Object.assign({}, s.params);
  if (s.cursor) p.from = s.cursor; else delete p.from;
  try {
    const id = await call('accord_subscribe', [p]);
    if (s.closed) { call('accord_unsubscribe', [id]).catch(() => {}); return; }
    s.serverID = id;
    rpc.byServerID.set(id, s);
  } catch (e) {
    console.warn('subscribe', p, e);
  }
}

function setLive(mode) {
  const b = $('#live');
  b.textContent = mode;
  b.className = 'badge ' + mode;
}

function connect() {
  let ws;
  try {
    ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  } catch (e) {
    return fallback();
  }
  ws.onopen = () => {
    rpc.ws = ws;
    rpc.open = true;
    rpc.retry = 500;
    setLive('websocket');
    stopPolling();
    rpc.byServerID.clear();
    for (const s of rpc.subs) startSub(s);
  };
  ws.onmessage = (ev) => {
    let m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.method === 'accord_subscription' && m.params) {
      const s = rpc.byServerID.get(m.params.subscription);
      if (!s) return;
      if (m.params.error) { // dropped (we fell behind): resubscribe from the cursor
        rpc.byServerID.delete(m.params.subscription);
        startSub(s);
        return;
      }
      const r = m.params.result;
      if (r && r.cursor) s.cursor = r.cursor;
      s.onResult(r);
      return;
    }
    const p = rpc.pending.get(m.id);
    if (!p) return;
    rpc.pending.delete(m.id);
    if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    else p.resolve(m.result);
  };
  ws.onclose = () => {
    const was = rpc.open;
    rpc.open = false;
    rpc.ws = null;
    for (const p of rpc.pending.values()) p.reject(new Error('connection closed'));
    rpc.pending.clear();
    if (was || !polling) fallback();
    setTimeout(connect, rpc.retry);
    rpc.retry = Math.min(rpc.retry * 2, 10000);
  };
}

// --- polling while no WebSocket is up ----------------------------------

let polling = null;

function fallback() {
  setLive('polling');
  if (!polling) polling = setInterval(pollOnce, 1000);
}

function stopPolling() {
  if (polling) clearInterval(polling);
  polling = null;
}

async function pollOnce() {
  try {
    const st = await httpCall('accord_status', []);
    showStatus(st);
    const top = state.topHeight || st.height - 1;
    for (let h = Math.max(top + 1, st.height - MAX_BLOCKS + 1); h <= st.height; h++) {
      addBlock(await httpCall('accord_getBlockByHeight', [h]), true);
    }
  } catch (e) { /* the node may be restarting */ }
}

// --- chain status and blocks --------------------------------------------

const state = { topHeight: 0, status: null };

function showStatus(st) {
  state.status = st;
  $('#chain').textContent = st.chain_id;
  $('#height').textContent = st.height;
  $('#block-time').textContent = msTime(st.block_time_ms);
  $('#validators').textContent = st.validators + (st.voting ? ' (this node votes)' : '');
  $('#peers').textContent = st.peers;
  $('#mempool').textContent = st.mempool_size;
  $('#min-fee').textContent = st.min_fee + ' USDT';
  $('#version').textContent = st.version + (st.catching_up ? ' — catching up' : '');
}

function addBlock(b, live) {
  if (!b || document.querySelector('#blocks tr[data-height="' + b.height + '"]')) return;
  const tbody = $('#blocks tbody');
  const row = el('tr', { 'data-height': String(b.height), class: live ? 'new' : '' },
    el('td', {}, String(b.height)), el('td', {}, msTime(b.time_ms)),
    el('td', {}, String(b.tx_count)),
    el('td', { class: 'hash' }, short(b.proposer)), el('td', { class: 'hash', title: b.hash }, short(b.hash)));
  // Newest first, whatever order they arrive in.
  let before = null;
  for (const r of tbody.rows) {
    if (Number(r.dataset.height) < b.height) { before = r; break; }
  }
  tbody.insertBefore(row, before);
  while (tbody.rows.length > MAX_BLOCKS) tbody.deleteRow(tbody.rows.length - 1);
  if (b.height > state.topHeight) {
    state.topHeight = b.height;
    $('#height').textContent = b.height;
    $('#block-time').textContent = msTime(b.time_ms);
  }
}

async function loadBlocks() {
  const st = await call('accord_status');
  showStatus(st);
  for (let h = st.height; h > Math.max(0, st.height - MAX_BLOCKS); h--) {
    addBlock(await call('accord_getBlockByHeight', [h]), false);
  }
  subscribe({ topic: 'newBlocks', from: { height: st.height, index: 0 } }, (r) => {
    addBlock(r.block, true);
    // Status (peers, mempool) follows the blocks, at most once a second.
    if (!state.statusTimer) {
      state.statusTimer = setTimeout(() => {
        state.statusTimer = null;
        call('accord_status').then(showStatus).catch(() => {});
      }, 1000);
    }
  });
}

// --- detail views: transaction, order, acceptor/account -----------------

let closeDetail = () => {};

function showError(box, e) {
  box.replaceChildren(el('p', { class: 'error' }, e.message || String(e)));
}

function attrsText(attrs) {
  return Object.entries(attrs || {}).map(([k, v]) => k + '=' + v).join('  ');
}

async function showTx(hash, box) {
  const [tx, rc] = await Promise.all([call('accord_getTransaction', [hash]), call('accord_getTransactionReceipt', [hash])]);
  if (!tx) { box.replaceChildren(el('p', {}, 'Transaction ' + hash + ' is not in a committed block (pending or unknown).')); return; }
  const tl = el('ol', { class: 'timeline', id: 'tx-timeline' },
    el('li', { 'data-step': 'signed' }, el('span', { class: 'when' }, 'nonce ' + tx.nonce), 'signed by ', link('account', tx.from), ' — ' + tx.type + ', fee ' + tx.fee + ' USDT'),
    el('li', { 'data-step': 'committed' }, el('span', { class: 'when' }, msTime(rc.block_time_ms)),
      'committed in block ' + rc.height + ' (index ' + rc.index + '): ' + rc.status + (rc.error ? ' — ' + rc.error : '')));
  for (const e of rc.events || []) {
    tl.append(el('li', { 'data-type': e.type }, el('span', { class: 'when' }, 'event'), e.type + ' ', el('span', { class: 'attrs' }, attrsText(e.attrs))));
  }
  box.replaceChildren(el('h3', {}, 'Transaction ', el('code', {}, hash)), tl);
}

async function showOrder(id, box) {
  const o = await call('accord_getOrder', [id]);
  const tl = el('ol', { class: 'timeline', id: 'order-timeline' });
  const info = el('dl', {},
    el('dt', {}, 'state'), el('dd', { id: 'order-state' }, o.state),
    el('dt', {}, 'merchant'), el('dd', {}, link('account', o.merchant)),
    el('dt', {}, 'acceptor'), el('dd', {}, o.acceptor ? link('acceptor', o.acceptor) : '—'),
    el('dt', {}, 'amount'), el('dd', {}, o.fiat_amount + ' ' + o.currency + ' = ' + o.amount + ' USDT'),
    el('dt', {}, 'reference'), el('dd', {}, o.merchant_ref),
    el('dt', {}, 'deadline'), el('dd', {}, o.deadline_ms ? msTime(o.deadline_ms) : '—'));
  box.replaceChildren(el('h3', {}, 'Order ', el('code', {}, id)), info, el('h3', {}, 'Timeline'), tl);
  // The order's events, from its creation on and live after that: the
  // merchant's order stream from the block the order was created in.
  const seen = new Set();
  const add = (n) => {
    if (!n || !n.attrs || n.attrs.id !== id) return;
    const key = n.cursor.height + '/' + n.cursor.index;
    if (seen.has(key)) return;
    seen.add(key);
    const li = el('li', { 'data-type': n.type, 'data-height': String(n.cursor.height) },
      el('span', { class: 'when' }, msTime(n.time_ms)), n.type + ' ',
      n.tx_hash ? link('tx', n.tx_hash, 'tx ' + short(n.tx_hash)) : el('span', { class: 'attrs' }, '(block timer)'), ' ',
      el('span', { class: 'attrs' }, attrsText(n.attrs)));
    tl.append(li);
    if (n.attrs.state) $('#order-state').textContent = n.attrs.state;
  };
  if (rpc.open) {
    closeDetail = subscribe({ topic: 'orders', merchant: o.merchant, from: { height: o.created_height, index: -1 } }, add);
  } else {
    // No stream: the timeline from the order's own record.
    tl.append(el('li', { 'data-type': 'order.created' }, el('span', { class: 'when' }, msTime(o.created_at_ms)), 'created at height ' + o.created_height));
    if (o.acceptor) tl.append(el('li', { 'data-type': 'order.locked' }, 'assigned to ', link('acceptor', o.acceptor), ', escrow locked'));
    if (o.paid_at_ms) tl.append(el('li', { 'data-type': 'order.paid' }, el('span', { class: 'when' }, msTime(o.paid_at_ms)), 'marked paid, reference ' + short(o.payment_ref)));
    if (o.closed_at_ms) tl.append(el('li', { 'data-type': 'order.' + o.state.toLowerCase() }, el('span', { class: 'when' }, msTime(o.closed_at_ms)), o.state));
  }
}

async function showAccount(addr, box) {
  const [acc, risk, bal] = await Promise.all([
    call('accord_getAcceptor', [addr]).catch((e) => (e.code === -32001 ? null : Promise.reject(e))),
    call('accord_getRiskAccount', [addr]).catch(() => null),
    call('accord_getAccount', [addr]),
  ]);
  const kids = [el('h3', {}, 'Account ', el('code', {}, addr)),
    el('dl', {}, el('dt', {}, 'balance'), el('dd', {}, bal.balance + ' USDT'), el('dt', {}, 'nonce'), el('dd', {}, String(bal.nonce)),
      el('dt', {}, 'risk'), el('dd', { id: 'risk-status' }, risk ? (risk.frozen ? 'FROZEN' : 'not frozen') : '—'))];
  if (acc) {
    const L = acc.limits || {};
    kids.push(el('h3', {}, 'Acceptor'), el('dl', { id: 'acceptor' },
      el('dt', {}, 'status'), el('dd', {}, acc.status + (acc.kyc_valid ? ', KYC valid' : ', KYC not valid')),
      el('dt', {}, 'reputation'), el('dd', { id: 'reputation' }, acc.reputation + ' / 1000'),
      el('dt', {}, 'free float'), el('dd', {}, acc.float + ' USDT (' + acc.locked + ' in escrow)'),
      el('dt', {}, 'margin'), el('dd', { id: 'margin' }, acc.margin + ' USDT (required ' + L.margin_required + ')'),
      el('dt', {}, 'order limit'), el('dd', { id: 'order-limit' }, L.order + ' USDT'),
      el('dt', {}, 'daily limit'), el('dd', {}, L.daily + ' USDT (' + L.volume_24h + ' used)'),
      el('dt', {}, 'currencies'), el('dd', {}, (acc.currencies || []).join(', ')),
      el('dt', {}, 'completed'), el('dd', {}, String(acc.stats.completed) + ', expired ' + acc.stats.expired +
        ', disputes won ' + acc.stats.disputes_won + ' lost ' + acc.stats.disputes_lost)));
  }
  box.replaceChildren(...kids);
}

async function showDispute(id, box) {
  const d = await call('accord_getDispute', [id]);
  const dl = el('dl', { id: 'dispute' });
  for (const [k, v] of Object.entries(d)) {
    dl.append(el('dt', {}, k), el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)));
  }
  box.replaceChildren(el('h3', {}, 'Dispute ', el('code', {}, id)), dl);
}

async function route() {
  closeDetail();
  closeDetail = () => {};
  const box = $('#detail');
  const m = location.hash.match(/^#(tx|order|acceptor|account|dispute)\/(0x[0-9a-fA-F]+)$/);
  if (!m) { box.replaceChildren(); return; }
  $('#lookup-input').value = m[2];
  box.replaceChildren(el('p', {}, 'loading…'));
  try {
    if (m[1] === 'tx') await showTx(m[2], box);
    else if (m[1] === 'order') await showOrder(m[2], box);
    else if (m[1] === 'dispute') await showDispute(m[2], box);
    else await showAccount(m[2], box);
  } catch (e) { showError(box, e); }
}

async function lookup(q) {
  q = q.trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(q)) { location.hash = '#account/' + q; return; }
  if (!/^0x[0-9a-fA-F]{64}$/.test(q)) { showError($('#detail'), new Error('want 0x + 64 hex (order or transaction) or 0x + 40 hex (account)')); return; }
  // A 32-byte hash is an order ID or a transaction hash: ask for the order.
  try {
    await call('accord_getOrder', [q]);
    location.hash = '#order/' + q;
  } catch (e) {
    location.hash = '#tx/' + q;
  }
}

// --- disputes and risk, from recent history and live --------------------

const disputes = new Map(); // id -> {opened attrs, last type}
const frozen = new Map();   // account -> rule

function renderDisputes() {
  const rows = [];
  for (const [id, d] of disputes) {
    if (d.closed) continue;
    const o = d.opened || {};
    rows.push(el('tr', { 'data-id': id }, el('td', {}, link('dispute', id)), el('td', {}, o.kind || ''),
      el('td', { class: 'hash' }, o.subject ? link('order', o.subject) : ''),
      el('td', {}, o.party_a ? link('account', o.party_a) : '', ' / ', o.party_b ? link('account', o.party_b) : ''),
      el('td', {}, o.deadline ? msTime(o.deadline) : ''), el('td', {}, d.last)));
  }
  $('#disputes tbody').replaceChildren(...rows);
}

function onDispute(n) {
  const id = n.attrs && n.attrs.id;
  if (!id || !n.type.startsWith('arbitration.')) return;
  const d = disputes.get(id) || { last: '' };
  if (n.type === 'arbitration.opened') d.opened = n.attrs;
  if (n.type === 'arbitration.resolved') d.closed = true;
  d.last = n.type.replace('arbitration.', '') + ' at ' + n.cursor.height;
  disputes.set(id, d);
  renderDisputes();
}

function onRisk(n) {
  const a = n.attrs || {};
  if (n.type === 'risk.frozen') frozen.set(a.account, a.rule);
  if (n.type === 'risk.unfrozen') frozen.delete(a.account);
  $('#frozen').replaceChildren(...[...frozen].map(([acct, rule]) => el('li', { 'data-account': acct }, link('account', acct, acct), ' — ' + rule)));
  if ($('#frozen').children.length === 0) $('#frozen').append(el('li', { class: 'note' }, 'none'));
  const tbody = $('#risk tbody');
  const details = Object.entries(a).filter(([k]) => k !== 'account' && k !== 'rule').map(([k, v]) => k + '=' + v).join(' ');
  tbody.insertBefore(el('tr', { class: 'new' }, el('td', {}, String(n.cursor.height)), el('td', {}, n.type),
    el('td', {}, a.account ? link('account', a.account) : ''), el('td', {}, a.rule || ''), el('td', { class: 'attrs' }, details)), tbody.firstChild);
  while (tbody.rows.length > MAX_RISK) tbody.deleteRow(tbody.rows.length - 1);
}

function followHistory(head) {
  for (const w of document.querySelectorAll('.window')) w.textContent = String(HISTORY_BLOCKS);
  const from = { height: Math.max(1, head - HISTORY_BLOCKS + 1), index: -1 };
  $('#frozen').replaceChildren(el('li', { class: 'note' }, 'none'));
  subscribe({ topic: 'disputes', from }, onDispute);
  subscribe({ topic: 'risk', from }, onRisk);
}

// --- start ----------------------------------------------------------------

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', async () => {
  $('#lookup').addEventListener('submit', (ev) => { ev.preventDefault(); lookup($('#lookup-input').value); });
  connect();
  // Wait briefly for the WebSocket so the first calls and subscriptions
  // go over it; HTTP works meanwhile if it never comes.
  await new Promise((resolve) => {
    const t0 = Date.now();
    const tick = () => (rpc.open || Date.now() - t0 > 1500 ? resolve() : setTimeout(tick, 50));
    tick();
  });
  try {
    await loadBlocks();
    followHistory(state.status ? state.status.height : 1);
  } catch (e) {
    showError($('#detail'), e);
  }
  route();
});
