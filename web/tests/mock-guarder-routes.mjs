// Routes of the mock Guarder (docs/guarder.md "API"), over the state made in mock-guarder.mjs.
// ctx: {method, url, body, caller, apiPort, send(status, body), fail(status, code, message, fields)}.
import { safetyCheck } from './mock-guarder-rule.mjs';

const INPUT_KEYS = ['priority', 'enabled', 'action', 'shadow', 'match', 'rate', 'log', 'origin', 'comment', 'expires_at'];

function intParam(url, name, def, lo, hi) {
  const raw = url.searchParams.get(name);
  if (raw === null) return def;
  const v = Number(raw);
  if (!/^\d+$/.test(raw) || v < lo || v > hi) throw new RangeError(`query parameter '${name}' must be a whole number from ${lo} to ${hi}`);
  return v;
}

function mergePatch(target, patch) {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const res = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete res[k];
    else res[k] = mergePatch(res[k], v);
  }
  return res;
}

/** The input fields of a stored rule: what a patch applies to. */
function inputOf(r) {
  const j = {};
  for (const k of INPUT_KEYS) if (r[k] !== undefined && r[k] !== null) j[k] = r[k];
  return j;
}

const prefixed = (prefix, errors) => errors.map((e) => ({ field: e.field ? `${prefix}.${e.field}` : prefix, message: e.message }));

function badRule(ctx, fields) {
  return ctx.fail(400, 'bad_rule', `the rule is not valid: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, fields);
}

function unsafe(ctx, fields) {
  return ctx.fail(409, 'unsafe_rule', `refused for safety (send "force": true to insist): ${fields.map((f) => f.message).join('; ')}`, fields);
}

function bodyObject(ctx) {
  const b = ctx.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? b : null;
}

function listRules(g, ctx) {
  const origin = ctx.url.searchParams.get('origin');
  const en = ctx.url.searchParams.get('enabled');
  const q = (ctx.url.searchParams.get('q') ?? '').toLowerCase();
  if (en !== null && en !== 'true' && en !== 'false') return ctx.fail(400, 'bad_request', "query parameter 'enabled' must be true or false");
  const items = g.ordered().filter(
    (r) => (!origin || r.origin === origin) && (en === null || String(r.enabled) === en) && (!q || `${r.comment} ${r.match.src ?? ''} ${r.match.dst ?? ''}`.toLowerCase().includes(q)),
  );
  return ctx.send(200, { items: items.map(g.out), total: items.length });
}

function createRule(g, ctx) {
  const b = bodyObject(ctx);
  if (!b) return badRule(ctx, [{ field: '', message: 'the body must be a rule object' }]);
  const { force, ...j } = b;
  const { errors, rule } = g.validate(j, {});
  if (errors.length) return badRule(ctx, errors);
  const refusals = force === true ? [] : safetyCheck(rule, ctx.caller, ctx.apiPort);
  if (refusals.length) return unsafe(ctx, refusals);
  const stored = g.store(rule, `api:${ctx.caller}`);
  g.record(`api:${ctx.caller}`, 'rule.add', `rule ${stored.id}`, { ...inputOf(stored), ...(force ? { force: true } : {}) });
  g.applied();
  return ctx.send(201, g.out(stored));
}

function patchRule(g, ctx, r) {
  const b = bodyObject(ctx);
  if (!b) return badRule(ctx, [{ field: '', message: 'the body must be a merge patch object' }]);
  const { force, ...patch } = b;
  const locked = ['id', 'origin', 'created_by', 'created_at'].filter((k) => k in patch && patch[k] !== r[k]).map((k) => ({ field: k, message: `${k} cannot be changed` }));
  if (locked.length) return badRule(ctx, locked);
  const base = inputOf(r);
  if ('ttl_s' in patch) delete base.expires_at;
  // New addresses re-derive the family, unless the patch names it.
  const pm = patch.match;
  if (pm && typeof pm === 'object' && (pm.src || pm.dst) && !('family' in pm)) base.match = { ...base.match, family: undefined };
  const { errors, rule } = g.validate(mergePatch(base, patch), {});
  if (errors.length) return badRule(ctx, errors);
  const refusals = force === true ? [] : safetyCheck(rule, ctx.caller, ctx.apiPort);
  if (refusals.length) return unsafe(ctx, refusals);
  const updated = { id: r.id, ...rule, created_by: r.created_by, created_at: r.created_at, updated_at: new Date().toISOString() };
  g.rules.set(r.id, updated);
  g.record(`api:${ctx.caller}`, 'rule.update', `rule ${r.id}`, patch);
  g.applied();
  return ctx.send(200, g.out(updated));
}

function bulk(g, ctx) {
  const b = bodyObject(ctx);
  const ids = b?.ids;
  if (!b || !['enable', 'disable', 'delete'].includes(b.op)) return ctx.fail(400, 'bad_request', '"op" must be enable, disable or delete');
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => Number.isInteger(i))) return ctx.fail(400, 'bad_request', '"ids" must be a non-empty array of rule ids');
  const missing = ids.filter((i) => !g.rules.has(i));
  if (missing.length) return ctx.fail(404, 'not_found', `no rule ${missing.join(', ')}; nothing was changed`);
  let changed = 0;
  for (const id of new Set(ids)) {
    const r = g.rules.get(id);
    if (b.op === 'delete') {
      g.rules.delete(id);
      g.counters.delete(id);
      changed += 1;
    } else if (r.enabled !== (b.op === 'enable')) {
      g.rules.set(id, { ...r, enabled: b.op === 'enable', updated_at: new Date().toISOString() });
      changed += 1;
    }
  }
  g.record(`api:${ctx.caller}`, `rule.bulk_${b.op}`, `rules ${ids.join(', ')}`, { changed });
  g.applied();
  return ctx.send(200, { changed });
}

function importRules(g, ctx) {
  const b = bodyObject(ctx);
  if (!b || !Array.isArray(b.rules)) return badRule(ctx, [{ field: 'rules', message: 'an array of rules is required' }]);
  const mode = b.mode ?? 'merge';
  if (mode !== 'merge' && mode !== 'replace') return badRule(ctx, [{ field: 'mode', message: 'merge or replace' }]);
  const errors = [];
  const refusals = [];
  const good = b.rules.map((j, i) => {
    const res = g.validate(j, { output: true });
    errors.push(...prefixed(`rules[${i}]`, res.errors));
    if (res.rule && b.force !== true) refusals.push(...prefixed(`rules[${i}]`, safetyCheck(res.rule, ctx.caller, ctx.apiPort)));
    return res.rule ? { rule: res.rule, id: Number.isInteger(j.id) ? j.id : null } : null;
  });
  if (errors.length) return badRule(ctx, errors);
  if (refusals.length) return unsafe(ctx, refusals);
  const replaced = mode === 'replace' ? g.rules.size : 0;
  if (mode === 'replace') {
    g.rules.clear();
    g.counters.clear();
  }
  for (const x of good) g.store(x.rule, `api:${ctx.caller}`, x.id);
  g.record(`api:${ctx.caller}`, 'rule.import', `${good.length} rules`, { mode, imported: good.length, replaced });
  g.applied();
  return ctx.send(200, { imported: good.length, replaced });
}

function dryRun(g, ctx) {
  const b = bodyObject(ctx);
  if (!b) return badRule(ctx, [{ field: 'rule', message: 'the body is {rule, minutes}' }]);
  const minutes = b.minutes ?? 10;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) return badRule(ctx, [{ field: 'minutes', message: '1-1440' }]);
  const { errors, rule } = g.validate(b.rule, {});
  if (errors.length) return badRule(ctx, prefixed('rule', errors));
  const flows = g.flows();
  const hits = flows.filter((f) => g.matchesFlow(rule.match, f));
  const scale = minutes / 10;
  const samples = hits.slice(0, 8).map((f) => ({ source: 'xdp', time: f.last_seen, summary: `${f.protocol} ${f.src}:${f.sport} -> ${f.dst}:${f.dport} ${f.tcp_flags}`.trim() }));
  if (hits.length) samples.push({ source: 'tracer', time: new Date(Date.now() - 4200).toISOString(), summary: `rx ${hits[0].protocol} ${hits[0].src} > ${hits[0].dst} len 60` });
  return ctx.send(200, {
    examined_packets: Math.round(flows.reduce((s, f) => s + f.packets, 0) * scale),
    matched_packets: Math.round(hits.reduce((s, f) => s + f.packets, 0) * scale),
    examined_flows: flows.length,
    matched_flows: hits.length,
    samples,
  });
}

function ruleRoute(g, ctx, id) {
  const r = g.rules.get(id);
  if (!r) return ctx.fail(404, 'not_found', `no rule ${id}`);
  if (ctx.method === 'GET') return ctx.send(200, g.out(r));
  if (ctx.method === 'PATCH') return patchRule(g, ctx, r);
  if (ctx.method === 'DELETE') {
    g.rules.delete(id);
    g.counters.delete(id);
    g.record(`api:${ctx.caller}`, 'rule.delete', `rule ${id}`, inputOf(r));
    g.applied();
    return ctx.send(204, null);
  }
  return ctx.fail(405, 'method_not_allowed', 'GET, PATCH or DELETE');
}

const ROUTES = {
  'GET /rules': listRules,
  'POST /rules': createRule,
  'POST /rules/bulk': bulk,
  'POST /rules/import': importRules,
  'GET /rules/export': (g, ctx) => ctx.send(200, { version: 1, exported_at: new Date().toISOString(), rules: g.ordered().map(g.out) }),
  'POST /dry-run': dryRun,
  'GET /stats': (g, ctx) => ctx.send(200, g.statsBody()),
  'GET /counters': (g, ctx) => ctx.send(200, { ts: new Date().toISOString(), items: Object.fromEntries([...g.counters].map(([id, c]) => [String(id), c])) }),
  'GET /flows': (g, ctx) => {
    const limit = intParam(ctx.url, 'limit', 1000, 1, 5000);
    const q = (ctx.url.searchParams.get('q') ?? '').toLowerCase();
    const items = [...g.flows()]
      .filter((f) => !q || `${f.ifname} ${f.protocol} ${f.src} ${f.dst} ${f.sport} ${f.dport}`.toLowerCase().includes(q))
      .sort((a, b) => b.last_seen.localeCompare(a.last_seen) || b.packets - a.packets);
    return ctx.send(200, { items: items.slice(0, limit).map(({ pps: _pps, ...f }) => f) });
  },
  'GET /log': (g, ctx) => ctx.send(200, { items: g.logSamples.slice(0, intParam(ctx.url, 'limit', 100, 1, 1000)) }),
  'GET /audit': (g, ctx) => {
    const limit = intParam(ctx.url, 'limit', 100, 1, 1000);
    const before = intParam(ctx.url, 'before_id', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
    const older = g.audit.filter((a) => a.id < before).reverse();
    const items = older.slice(0, limit);
    return ctx.send(200, older.length > limit ? { items, next_before_id: items[items.length - 1].id } : { items });
  },
  'GET /interfaces': (g, ctx) => ctx.send(200, { items: g.attachments }),
  'POST /interfaces': attach,
};

function attach(g, ctx) {
  const b = bodyObject(ctx);
  const known = { lo: 1, eth0: 2, eth1: 3, 'veth-lab0': 7 };
  const ifindex = known[b?.ifname];
  if (!ifindex) return ctx.fail(400, 'bad_request', `no interface "${b?.ifname}" (have: ${Object.keys(known).join(', ')})`);
  const mode = b.mode ?? 'auto';
  if (!['auto', 'native', 'generic'].includes(mode)) return ctx.fail(400, 'bad_request', '"mode" must be auto, native or generic');
  const a = { ifname: b.ifname, ifindex, mode: mode === 'auto' ? 'native' : mode };
  const i = g.attachments.findIndex((x) => x.ifname === a.ifname);
  if (i >= 0) g.attachments.splice(i, 1);
  g.attachments.push(a);
  g.record(`api:${ctx.caller}`, 'interface.attach', a.ifname, { mode: a.mode });
  return ctx.send(200, a);
}

function detach(g, ctx, ifname) {
  const i = g.attachments.findIndex((x) => x.ifname === ifname);
  if (i < 0) return ctx.fail(404, 'not_found', `the guarder is not attached to ${ifname}`);
  g.attachments.splice(i, 1);
  g.record(`api:${ctx.caller}`, 'interface.detach', ifname, {});
  return ctx.send(204, null);
}

export function handleGuard(g, ctx) {
  const route = ctx.url.pathname.slice('/api/v1/guard'.length);
  try {
    const fn = ROUTES[`${ctx.method} ${route}`];
    if (fn) return fn(g, ctx);
    const m = /^\/rules\/(\d+)$/.exec(route);
    if (m) return ruleRoute(g, ctx, Number(m[1]));
    const d = /^\/interfaces\/([^/]+)$/.exec(route);
    if (d && ctx.method === 'DELETE') return detach(g, ctx, decodeURIComponent(d[1]));
    if (Object.keys(ROUTES).some((k) => k.endsWith(` ${route}`))) return ctx.fail(405, 'method_not_allowed', `wrong method for ${ctx.url.pathname}`);
  } catch (e) {
    if (e instanceof RangeError) return ctx.fail(400, 'bad_request', e.message);
    throw e;
  }
  return ctx.fail(404, 'not_found', `no route for ${ctx.url.pathname}`);
}

