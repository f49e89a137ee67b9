import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, describeError, isUnauthorized } from '../../src/api/client';

function fakeFetch(status: number, body: string) {
  return vi.fn(async (_url: string, _init?: RequestInit) => new Response(body, { status }));
}

describe('ApiClient', () => {
  it('sends the bearer token and parses JSON', async () => {
    const f = fakeFetch(200, '{"packets_rx":1,"packets_tx":2,"drops":3,"consumed":4,"ringbuf_lost":5}');
    const api = new ApiClient({ token: 'abc', fetcher: f });
    const s = await api.tracerStats();
    expect(s.drops).toBe(3);
    const [url, init] = f.mock.calls[0]!;
    expect(url).toBe('/api/v1/tracer/stats');
    expect((init?.headers as Record<string, string>).Authorization).toBe('Bearer abc');
  });

  it('builds the drops query', async () => {
    const f = fakeFetch(200, '{"items":[]}');
    await new ApiClient({ token: 't', fetcher: f }).tracerDrops(25);
    expect(f.mock.calls[0]![0]).toBe('/api/v1/tracer/drops?limit=25');
  });

  it('turns the error shape into an ApiError and reports 401s', async () => {
    const onUnauthorized = vi.fn();
    const f = fakeFetch(401, '{"error":{"code":"unauthorized","message":"bad token"}}');
    const api = new ApiClient({ token: 't', fetcher: f, onUnauthorized });
    const err = await api.health().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isUnauthorized(err)).toBe(true);
    expect((err as ApiError).code).toBe('unauthorized');
    expect((err as ApiError).message).toBe('bad token');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('copes with non-JSON error bodies', async () => {
    const api = new ApiClient({ token: 't', fetcher: fakeFetch(502, '<html>bad gateway</html>') });
    const err = (await api.config().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(err.code).toBe('http_error');
    expect(isUnauthorized(err)).toBe(false);
  });

  it('maps network failures to status 0 with a readable message', async () => {
    const f = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await new ApiClient({ token: 't', fetcher: f }).health().catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(0);
    expect(describeError(err)).toContain('Cannot reach the PacketScope daemon');
  });
});
