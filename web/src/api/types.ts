// Wire types of the PacketScope daemon API (v1). Field names follow the JSON exactly.

export type ModuleState =
  | 'running'
  | 'starting'
  | 'disabled'
  | 'stopped'
  | 'failed'
  | 'not_implemented'
  | (string & {});

export interface Feature {
  name: string;
  available: boolean;
  detail?: string;
}

export interface ModuleStatus {
  name: string;
  state: ModuleState;
  detail?: string;
}

export interface Health {
  status: string;
  version: string;
  uptime_s: number;
  started_at?: string;
  features: Feature[];
  modules: ModuleStatus[];
}

export interface TracerStats {
  packets_rx: number;
  packets_tx: number;
  drops: number;
  consumed: number;
  ringbuf_lost: number;
}

export const TRACER_COUNTERS = ['packets_rx', 'packets_tx', 'drops', 'consumed', 'ringbuf_lost'] as const;
export type TracerCounter = (typeof TRACER_COUNTERS)[number];

export interface DropEvent {
  time: string;
  reason: string;
  location: string;
  ifindex: number;
  netns?: number;
  protocol?: string;
  src?: string;
  dst?: string;
}

export interface DropList {
  items: DropEvent[];
}

export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [key: string]: ConfigValue };
export type Config = { [key: string]: ConfigValue };

export interface ErrorBody {
  error: { code: string; message: string };
}

export type StreamMessage =
  | { type: 'hello'; data: { version: string } }
  | { type: 'tracer.stats'; ts?: string; data: TracerStats }
  | { type: string; ts?: string; data?: unknown };
