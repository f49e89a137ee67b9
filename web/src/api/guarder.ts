// Wire types and calls of the Guarder API (docs/guarder.md "Rule JSON" and "API"). The client
// is a thin layer over ApiClient.request: validation (400 bad_rule) and safety (409 unsafe_rule)
// refusals arrive as ApiError with `fields`.
import type { ApiClient } from './client';

export const ACTIONS = ['drop', 'pass', 'rate-limit', 'log'] as const;
export type GuardAction = (typeof ACTIONS)[number];
export const ORIGINS = ['user', 'detector', 'analyst', 'llm'] as const;
export type GuardOrigin = (typeof ORIGINS)[number];

/** A port, TTL or length: one number, or "A-B". */
export type RangeValue = number | string;
export type TcpFlagsValue = string | { bits: number; mask: number };

export interface InnerMatch {
  src?: string;
  dst?: string;
  protocol?: string | number;
  sport?: RangeValue;
  dport?: RangeValue;
}

export interface GuardMatch {
  src?: string;
  dst?: string;
  family?: 'ipv4' | 'ipv6';
  protocol?: string | number;
  sport?: RangeValue;
  dport?: RangeValue;
  tcp_flags?: TcpFlagsValue;
  icmp?: { type: number; code?: number };
  inner?: InnerMatch;
  ttl?: RangeValue;
  length?: RangeValue;
  iface?: string;
  vlan?: number;
  malformed?: boolean;
}

export interface GuardRate {
  pps?: number;
  bps?: number;
  burst?: number;
}

/** What a client sends (POST body, import entries): every field but `action` optional. */
export interface RuleInput {
  priority?: number;
  enabled?: boolean;
  action: GuardAction;
  shadow?: boolean;
  match?: GuardMatch;
  rate?: GuardRate | null;
  log?: { every: number } | null;
  origin?: GuardOrigin;
  comment?: string;
  ttl_s?: number;
  expires_at?: string | null;
}

export interface RuleCounters {
  packets: number;
  bytes: number;
  rate_dropped: number;
  last_hit: string | null;
}

/** A stored rule as the daemon answers it. */
export interface GuardRule extends RuleInput {
  id: number;
  priority: number;
  enabled: boolean;
  shadow: boolean;
  match: GuardMatch;
  origin: GuardOrigin;
  comment: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  counters?: RuleCounters;
}

export interface RuleList {
  items: GuardRule[];
  total: number;
}

export interface Attachment {
  ifname: string;
  ifindex: number;
  mode: string;
}

export interface GuardStats {
  packets: number;
  bytes: number;
  passed: number;
  dropped: number;
  rate_dropped: number;
  malformed: number;
  non_ip: number;
  log_sent: number;
  log_lost: number;
  hits_overflow: number;
  flows_full: number;
  live_rules: number;
  generation: number;
  attachments: Attachment[];
  last_apply?: unknown;
}

export interface CountersBody {
  ts: string;
  items: Record<string, RuleCounters>;
}

/** The "guard.counters" stream frame's data: the /guard/counters body plus the stats. */
export interface CountersFrame extends CountersBody {
  stats?: GuardStats;
}

export interface GuardFlow {
  ifindex: number;
  ifname: string;
  family: number | string;
  protocol: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  packets: number;
  bytes: number;
  dropped: number;
  tcp_flags: string;
  first_seen: string;
  last_seen: string;
}

export interface DryRunSample {
  source: 'tracer' | 'xdp';
  time: string;
  summary: string;
}

export interface DryRunResult {
  examined_packets: number;
  matched_packets: number;
  examined_flows: number;
  matched_flows: number;
  samples: DryRunSample[];
  /** the search stopped at `cap` items */
  truncated?: boolean;
  cap?: number;
  /** limits of the answer, as sentences */
  notes?: string[];
}

export interface AuditEntry {
  id: number;
  /** RFC 3339; older daemons may send ts_ns instead */
  time?: string;
  ts_ns?: number;
  actor: string;
  action: string;
  object: string;
  /** JSON written by the daemon (the rule, the patch, ...), or plain text */
  detail: unknown;
}

export interface AuditPage {
  items: AuditEntry[];
  next_before_id?: number;
}

export interface ExportFile {
  version: number;
  exported_at: string;
  rules: GuardRule[];
}

export type BulkOp = 'enable' | 'disable' | 'delete';

const BASE = '/api/v1/guard';

export function isCountersBody(v: unknown): v is CountersBody {
  return typeof v === 'object' && v !== null && typeof (v as CountersBody).items === 'object' && (v as CountersBody).items !== null;
}

export class GuardApi {
  constructor(private readonly api: ApiClient) {}

  rules(): Promise<RuleList> {
    return this.api.get<RuleList>(`${BASE}/rules`);
  }

  create(rule: RuleInput, force = false): Promise<GuardRule> {
    return this.api.request<GuardRule>('POST', `${BASE}/rules`, force ? { ...rule, force: true } : rule);
  }

  /** RFC 7396 merge patch: only the changed fields. */
  patch(id: number, patch: Record<string, unknown>, force = false): Promise<GuardRule> {
    return this.api.request<GuardRule>('PATCH', `${BASE}/rules/${id}`, force ? { ...patch, force: true } : patch);
  }

  remove(id: number): Promise<null> {
    return this.api.request<null>('DELETE', `${BASE}/rules/${id}`);
  }

  bulk(op: BulkOp, ids: number[]): Promise<{ changed: number }> {
    return this.api.request('POST', `${BASE}/rules/bulk`, { op, ids });
  }

  import(rules: unknown[], mode: 'merge' | 'replace', force = false): Promise<{ imported: number; replaced: number }> {
    return this.api.request('POST', `${BASE}/rules/import`, { rules, mode, force });
  }

  export(): Promise<ExportFile> {
    return this.api.get<ExportFile>(`${BASE}/rules/export`);
  }

  dryRun(rule: RuleInput, minutes: number): Promise<DryRunResult> {
    return this.api.request<DryRunResult>('POST', `${BASE}/dry-run`, { rule, minutes });
  }

  stats(): Promise<GuardStats> {
    return this.api.get<GuardStats>(`${BASE}/stats`);
  }

  counters(): Promise<CountersBody> {
    return this.api.get<CountersBody>(`${BASE}/counters`);
  }

  flows(limit: number): Promise<{ items: GuardFlow[] }> {
    return this.api.get(`${BASE}/flows?limit=${encodeURIComponent(String(limit))}`);
  }

  audit(limit: number, beforeId?: number): Promise<AuditPage> {
    const before = beforeId !== undefined ? `&before_id=${encodeURIComponent(String(beforeId))}` : '';
    return this.api.get<AuditPage>(`${BASE}/audit?limit=${encodeURIComponent(String(limit))}${before}`);
  }
}
