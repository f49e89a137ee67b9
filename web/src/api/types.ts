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

// ---- Sockets (GET /api/v1/sockets) ----

export type SocketProto = 'tcp' | 'udp' | 'raw' | (string & {});

export interface SocketOwner {
  pid: number;
  comm: string;
}

/** The part of tcp_info the daemon reports (INET_DIAG_INFO); 0 where the kernel does not say. */
export interface SocketTcpInfo {
  srtt_us: number;
  rttvar_us: number;
  /** segments */
  snd_cwnd: number;
  /** current consecutive retransmissions */
  retransmits: number;
  total_retrans: number;
  lost?: number;
  unacked?: number;
  rto_us?: number;
  /** bytes per second */
  delivery_rate: number;
  bytes_acked: number;
  bytes_received: number;
  /** bytes per second; null: unlimited */
  pacing_rate?: number | null;
  snd_mss?: number;
  rcv_space?: number;
}

export interface SocketItem {
  /** 64-bit socket cookie; a JSON number can lose precision above 2^53, so cookie_hex is preferred */
  cookie: number | string;
  /** the cookie in hex (with or without "0x"): exact */
  cookie_hex?: string;
  proto: SocketProto;
  family: 4 | 6 | number;
  state: string;
  local_addr: string;
  local_port: number;
  remote_addr: string;
  remote_port: number;
  rx_queue: number;
  tx_queue: number;
  inode: number;
  uid: number;
  /** bound device, 0: none */
  ifindex?: number;
  owners: SocketOwner[];
  congestion?: string;
  tcp: SocketTcpInfo | null;
}

export interface SocketList {
  items: SocketItem[];
  total: number;
}

// ---- Packet paths (GET /api/v1/tracer/packets[/{id}]) ----

export type PacketDirection = 'rx' | 'tx' | 'fwd' | (string & {});

export interface PacketSummary {
  id: number;
  time: string;
  direction: PacketDirection;
  protocol: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  length: number;
  hops: number;
  latency_ns: number;
  dropped: boolean;
  reason: string | null;
  comm: string;
  tgid: number;
}

export interface PacketList {
  items: PacketSummary[];
  next_before_id?: number;
}

export type HopLayer = 'link' | 'network' | 'transport' | 'socket' | (string & {});

export interface Hop {
  hook: string;
  layer: HopLayer;
  ifindex: number;
  netns: number;
  cpu: number;
  /** ns since the first hop */
  t_ns: number;
  /** ns since the previous hop */
  dt_ns: number;
  aux: number;
}

export type HeaderValue = string | number | boolean | null | HeaderValue[];
export type HeaderGroup = { [field: string]: HeaderValue };

export interface PacketDetail extends Omit<PacketSummary, 'hops' | 'latency_ns'> {
  latency_ns?: number;
  location: string;
  flags: string[];
  hops: Hop[];
  headers: { [layer: string]: HeaderGroup | null };
  bytes_hex: string;
}

export interface PacketQuery {
  limit?: number;
  beforeId?: number;
  filter?: string;
  /** socket cookie, decimal */
  socket?: string;
}

export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [key: string]: ConfigValue };
export type Config = { [key: string]: ConfigValue };

export interface ErrorBody {
  error: { code: string; message: string };
}

export type StreamMessage =
  | { type: 'hello'; data: { version: string } }
  | { type: 'tracer.stats'; ts?: string; data: TracerStats }
  | { type: 'tracer.path'; ts?: string; data: PacketSummary }
  | { type: string; ts?: string; data?: unknown };

/** Client -> server: subscribe to "tracer.path" frames for packets matching expr ("" = all). */
export interface StreamFilterRequest {
  type: 'filter';
  topic: 'tracer.path';
  expr: string;
}

/** Client -> server: stop "tracer.path" frames. */
export interface StreamUnsubscribeRequest {
  type: 'unsubscribe';
  topic: 'tracer.path';
}
