// Typed client for the daemon's REST API. Every call carries the bearer token;
// a 401 anywhere calls onUnauthorized (the app drops the token and shows login).
import { packetQueryString } from '../lib/packets';
import type { FlowDetail, FlowList, FlowSort, MetricList, Series, Snapshot } from './analyzer';
import type { Config, DropList, ErrorBody, Health, PacketDetail, PacketList, PacketQuery, SocketList, TracerStats } from './types';

/** One field's problem, as validation (400) and safety (409) errors list them. */
export interface ApiFieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** per-field problems (the Guarder's bad_rule / unsafe_rule answers); empty otherwise */
  readonly fields: ApiFieldError[];

  constructor(status: number, code: string, message: string, fields: ApiFieldError[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

/** `fields` of an error body, inside `error` or beside it; malformed entries are skipped. */
function fieldsOf(body: unknown): ApiFieldError[] {
  const b = body as { fields?: unknown; error?: { fields?: unknown } } | null;
  const raw = b?.error?.fields ?? b?.fields;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((f): f is ApiFieldError => typeof f === 'object' && f !== null && typeof f.field === 'string' && typeof f.message === 'string')
    .map((f) => ({ field: f.field, message: f.message }));
}

export function isUnauthorized(e: unknown): boolean {
  return e instanceof ApiError && e.status === 401;
}

/** A short, human-readable line for any error thrown by the client. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return `Cannot reach the PacketScope daemon (${e.message})`;
    return `${e.message} (HTTP ${e.status}, ${e.code})`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const err = (v as { error: unknown }).error;
  return typeof err === 'object' && err !== null && 'message' in err;
}

export type Fetcher = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  token: string;
  baseUrl?: string;
  onUnauthorized?: (e: ApiError) => void;
  fetcher?: Fetcher;
}

export class ApiClient {
  private readonly token: string;
  private readonly baseUrl: string;
  private readonly onUnauthorized: ((e: ApiError) => void) | undefined;
  private readonly fetcher: Fetcher;

  constructor(opts: ApiClientOptions) {
    this.token = opts.token;
    this.baseUrl = opts.baseUrl ?? '';
    this.onUnauthorized = opts.onUnauthorized;
    this.fetcher = opts.fetcher ?? ((input, init) => fetch(input, init));
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Any method; `payload` is sent as JSON. A 204 (or any empty body) resolves to null. */
  async request<T>(method: string, path: string, payload?: unknown): Promise<T> {
    let res: Response;
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    try {
      res = await this.fetcher(this.baseUrl + path, {
        method,
        headers,
        cache: 'no-store',
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
      });
    } catch (e) {
      throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
    }
    let body: unknown = null;
    const text = await res.text();
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) throw new ApiError(res.status, 'bad_response', `Invalid JSON from ${path}`);
      }
    }
    if (!res.ok) {
      const err = isErrorBody(body)
        ? new ApiError(res.status, body.error.code ?? 'error', body.error.message, fieldsOf(body))
        : new ApiError(res.status, 'http_error', res.statusText || `HTTP ${res.status}`);
      if (res.status === 401) this.onUnauthorized?.(err);
      throw err;
    }
    return body as T;
  }

  health(): Promise<Health> {
    return this.get<Health>('/api/v1/health');
  }

  config(): Promise<Config> {
    return this.get<Config>('/api/v1/config');
  }

  tracerStats(): Promise<TracerStats> {
    return this.get<TracerStats>('/api/v1/tracer/stats');
  }

  tracerDrops(limit = 50): Promise<DropList> {
    return this.get<DropList>(`/api/v1/tracer/drops?limit=${encodeURIComponent(String(limit))}`);
  }

  /** Live sockets; proto narrows to one protocol on the server. */
  sockets(proto?: string): Promise<SocketList> {
    const q = proto ? `?proto=${encodeURIComponent(proto)}` : '';
    return this.get<SocketList>(`/api/v1/sockets${q}`);
  }

  /** Recent packet paths, newest first. A bad filter is a 400 with code "bad_filter". */
  tracerPackets(q: PacketQuery = {}): Promise<PacketList> {
    return this.get<PacketList>(`/api/v1/tracer/packets?${packetQueryString(q)}`);
  }

  /** One packet's full path, decoded headers and captured bytes. */
  tracerPacket(id: number): Promise<PacketDetail> {
    return this.get<PacketDetail>(`/api/v1/tracer/packets/${encodeURIComponent(String(id))}`);
  }

  // ---- Analyzer (docs/analyzer.md). A disabled analyzer answers 503 with the reason. ----

  analyzerSnapshot(top = 20): Promise<Snapshot> {
    return this.get<Snapshot>(`/api/v1/analyzer/snapshot?top=${encodeURIComponent(String(top))}`);
  }

  /** Names of the stored series. */
  analyzerMetrics(): Promise<MetricList> {
    return this.get<MetricList>('/api/v1/analyzer/metrics');
  }

  /** One stored series over [fromMs, toMs] (wall-clock ms); `flow` selects a flow's series. */
  analyzerSeries(metric: string, fromMs: number, toMs: number, flow?: string): Promise<Series> {
    const q = new URLSearchParams({ metric, from: String(Math.floor(fromMs)), to: String(Math.ceil(toMs)) });
    if (flow !== undefined) q.set('flow', flow);
    return this.get<Series>(`/api/v1/analyzer/series?${q.toString()}`);
  }

  /** The top flows by `sort` over the last interval. */
  analyzerFlows(sort: FlowSort = 'bytes', limit = 100): Promise<FlowList> {
    return this.get<FlowList>(`/api/v1/analyzer/flows?sort=${encodeURIComponent(sort)}&limit=${encodeURIComponent(String(limit))}`);
  }

  /** One flow and its recent series; 404 when the flow is not (or no longer) tracked. */
  analyzerFlow(key: string): Promise<FlowDetail> {
    return this.get<FlowDetail>(`/api/v1/analyzer/flows/${encodeURIComponent(key)}`);
  }
}
