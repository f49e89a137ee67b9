import { describe, expect, it } from 'vitest';
import { backoffDelay, streamProtocols, streamUrl } from '../../src/lib/wsurl';

describe('streamUrl', () => {
  it('uses ws: for http pages and keeps host:port', () => {
    expect(streamUrl({ protocol: 'http:', host: '127.0.0.1:9470' })).toBe('ws://127.0.0.1:9470/api/v1/stream');
  });
  it('uses wss: for https pages', () => {
    expect(streamUrl({ protocol: 'https:', host: 'scope.example' })).toBe('wss://scope.example/api/v1/stream');
  });
  it('handles IPv6 hosts as given by location.host', () => {
    expect(streamUrl({ protocol: 'http:', host: '[::1]:9470' })).toBe('ws://[::1]:9470/api/v1/stream');
  });
});

describe('streamProtocols', () => {
  it('offers the API protocol first and the token second', () => {
    expect(streamProtocols('abc')).toEqual(['packetscope.v1', 'bearer.abc']);
  });
});

describe('backoffDelay', () => {
  it('doubles from 1 s and caps at 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n))).toEqual([
      1000, 1000, 2000, 4000, 8000, 10000, 10000, 10000,
    ]);
  });
});
