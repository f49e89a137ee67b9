// Connection-state reducer for the live stream indicator.
//   live         socket open and a message arrived in the last FRESH_MS
//   reconnecting connecting, waiting to retry, or open but silent
//   offline      stopped, or OFFLINE_AFTER consecutive attempts failed (retries go on)

export const FRESH_MS = 5000;
export const OFFLINE_AFTER = 3;

export type SocketPhase = 'idle' | 'connecting' | 'open' | 'closed';
export type ConnectionStatus = 'live' | 'reconnecting' | 'offline';

export interface ConnState {
  phase: SocketPhase;
  lastMessageAt: number | null;
  failures: number; // consecutive attempts that ended without a message
  gotMessageThisAttempt: boolean;
  now: number;
}

export type ConnEvent =
  | { type: 'connect'; now: number }
  | { type: 'open'; now: number }
  | { type: 'message'; now: number }
  | { type: 'close'; now: number }
  | { type: 'tick'; now: number }
  | { type: 'stop'; now: number };

export function initialConnState(now = 0): ConnState {
  return { phase: 'idle', lastMessageAt: null, failures: 0, gotMessageThisAttempt: false, now };
}

export function connReducer(s: ConnState, e: ConnEvent): ConnState {
  switch (e.type) {
    case 'connect':
      return { ...s, phase: 'connecting', gotMessageThisAttempt: false, now: e.now };
    case 'open':
      return { ...s, phase: 'open', now: e.now };
    case 'message':
      return { ...s, phase: 'open', lastMessageAt: e.now, failures: 0, gotMessageThisAttempt: true, now: e.now };
    case 'close':
      if (s.phase === 'idle') return { ...s, now: e.now };
      return {
        ...s,
        phase: 'closed',
        failures: s.gotMessageThisAttempt ? 1 : s.failures + 1,
        gotMessageThisAttempt: false,
        now: e.now,
      };
    case 'tick':
      return e.now === s.now ? s : { ...s, now: e.now };
    case 'stop':
      return initialConnState(e.now);
    default:
      return s;
  }
}

export function connStatus(s: ConnState): ConnectionStatus {
  if (s.phase === 'idle') return 'offline';
  if (s.phase === 'open' && s.lastMessageAt !== null && s.now - s.lastMessageAt <= FRESH_MS) return 'live';
  if (s.failures >= OFFLINE_AFTER) return 'offline';
  return 'reconnecting';
}
