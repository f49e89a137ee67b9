import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../src/api/client';
import { GuardApi } from '../../src/api/guarder';

function api(status: number, body: string | null) {
  const fetcher = vi.fn(async (_url: string, _init?: RequestInit) => new Response(body, { status }));
  return { guard: new GuardApi(new ApiClient({ token: 'tok', fetcher })), fetcher };
}

describe('GuardApi', () => {
  it('sends JSON bodies with the method, token and content type', async () => {
    const { guard, fetcher } = api(200, '{"changed":2}');
    expect(await guard.bulk('disable', [1, 2])).toEqual({ changed: 2 });
    const [url, init] = fetcher.mock.calls[0]!;
    expect(url).toBe('/api/v1/guard/rules/bulk');
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ op: 'disable', ids: [1, 2] });
    const h = init?.headers as Record<string, string>;
    expect(h.Authorization).toBe('Bearer tok');
    expect(h['Content-Type']).toBe('application/json');
  });

  it('adds force only when asked, and reads a 204 as null', async () => {
    const { guard, fetcher } = api(204, null);
    expect(await guard.remove(3)).toBeNull();
    expect(fetcher.mock.calls[0]![1]?.method).toBe('DELETE');
    expect(fetcher.mock.calls[0]![1]?.body).toBeUndefined();
    await guard.patch(3, { enabled: false }, true).catch(() => {});
    expect(JSON.parse(String(fetcher.mock.calls[1]![1]?.body))).toEqual({ enabled: false, force: true });
  });

  it('carries fields[] from inside or beside the error object', async () => {
    for (const body of [
      '{"error":{"code":"bad_rule","message":"m","fields":[{"field":"match.src","message":"host bits"},{"bad":1}]}}',
      '{"error":{"code":"bad_rule","message":"m"},"fields":[{"field":"match.src","message":"host bits"}]}',
    ]) {
      const { guard } = api(400, body);
      const e = await guard.create({ action: 'drop' }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).fields).toEqual([{ field: 'match.src', message: 'host bits' }]);
    }
  });

  it('builds the audit and flow queries', async () => {
    const { guard, fetcher } = api(200, '{"items":[]}');
    await guard.audit(50, 120);
    await guard.flows(5000);
    expect(fetcher.mock.calls.map((c) => c[0])).toEqual(['/api/v1/guard/audit?limit=50&before_id=120', '/api/v1/guard/flows?limit=5000']);
  });
});
