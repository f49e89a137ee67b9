import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../src/api/client';
import { GuardApi, type GuardRule } from '../../src/api/guarder';
import { RuleEditor } from '../../src/pages/guarder/RuleEditor';

type Answer = { status: number; body: unknown };

function guardWith(answers: Answer[]) {
  const calls: { method: string; url: string; body: unknown }[] = [];
  const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ method: init?.method ?? 'GET', url, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const a = answers.shift() ?? { status: 500, body: { error: { code: 'x', message: 'no answer' } } };
    return new Response(a.status === 204 ? null : JSON.stringify(a.body), { status: a.status });
  });
  return { guard: new GuardApi(new ApiClient({ token: 't', fetcher })), calls };
}

const stored: GuardRule = {
  id: 4,
  priority: 100,
  enabled: true,
  action: 'drop',
  shadow: false,
  match: { src: '198.51.100.0/24', protocol: 'tcp', dport: 22 },
  origin: 'detector',
  comment: 'ssh',
  created_by: 'detector:x',
  created_at: '2025-06-01T11:00:00Z',
  updated_at: '2025-06-01T11:00:00Z',
  expires_at: null,
};

const settle = () => act(() => new Promise<void>((r) => setTimeout(r, 10)));

function type(root: HTMLElement, id: string, value: string) {
  const el = root.querySelector<HTMLInputElement>(`[data-testid="${id}"]`)!;
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('blur'));
}

function click(root: HTMLElement, id: string) {
  root.querySelector<HTMLElement>(`[data-testid="${id}"]`)!.click();
}

describe('RuleEditor', () => {
  let root: HTMLElement;
  beforeEach(() => {
    root = document.createElement('div');
    document.body.appendChild(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
  });

  it('shows a client-side error and sends nothing until it is fixed', async () => {
    const { guard, calls } = guardWith([{ status: 201, body: { ...stored, id: 9 } }]);
    const onSaved = vi.fn();
    render(<RuleEditor guard={guard} target={{}} onClose={() => {}} onSaved={onSaved} />, root);
    type(root, 'rf-src', '10.0.0.1/8');
    await settle();
    expect(root.querySelector('[data-testid="error-src"]')?.textContent).toContain('did you mean 10.0.0.0/8');
    click(root, 'editor-save');
    await settle();
    expect(calls).toHaveLength(0);
    type(root, 'rf-src', '10.0.0.0/8');
    await settle();
    click(root, 'editor-save');
    await settle();
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/guard/rules', body: { action: 'drop', match: { src: '10.0.0.0/8' } } });
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ id: 9 }), 'Rule #9 added.');
  });

  it('puts the daemon fields[] next to the right input', async () => {
    const { guard } = guardWith([{ status: 400, body: { error: { code: 'bad_rule', message: 'bad', fields: [{ field: 'match.iface', message: 'no interface "eth9"' }, { field: 'match', message: 'odd' }] } } }]);
    render(<RuleEditor guard={guard} target={{}} onClose={() => {}} onSaved={() => {}} />, root);
    type(root, 'rf-src', '10.0.0.0/8');
    type(root, 'rf-iface', 'eth9');
    await settle();
    click(root, 'editor-save');
    await settle();
    expect(root.querySelector('[data-testid="error-iface"]')?.textContent).toBe('no interface "eth9"');
    expect(root.querySelector('[data-testid="editor-errors"]')?.textContent).toContain('odd');
    // Editing the field clears the daemon's word on it.
    type(root, 'rf-iface', 'eth1');
    await settle();
    expect(root.querySelector('[data-testid="error-iface"]')).toBeNull();
  });

  it('offers "Save anyway" after a 409 and sends force', async () => {
    const { guard, calls } = guardWith([
      { status: 409, body: { error: { code: 'unsafe_rule', message: 'unsafe', fields: [{ field: 'match', message: 'would drop all traffic' }] } } },
      { status: 201, body: { ...stored, id: 10 } },
    ]);
    render(<RuleEditor guard={guard} target={{}} onClose={() => {}} onSaved={() => {}} />, root);
    click(root, 'editor-save');
    await settle();
    expect(root.querySelector('[data-testid="editor-unsafe"]')?.textContent).toContain('would drop all traffic');
    click(root, 'editor-force');
    await settle();
    expect(calls[1]!.body).toMatchObject({ action: 'drop', force: true });
  });

  it('edits with a PATCH of the changed fields only', async () => {
    const { guard, calls } = guardWith([{ status: 200, body: stored }]);
    const onSaved = vi.fn();
    render(<RuleEditor guard={guard} target={{ rule: stored }} onClose={() => {}} onSaved={onSaved} />, root);
    type(root, 'rf-dport', '22-23');
    type(root, 'rf-comment', '');
    await settle();
    click(root, 'editor-save');
    await settle();
    expect(calls[0]).toEqual({ method: 'PATCH', url: '/api/v1/guard/rules/4', body: { match: { dport: '22-23' }, comment: null } });
    expect(onSaved).toHaveBeenCalled();
  });

  it('says so when an edit changes nothing', async () => {
    const { guard, calls } = guardWith([]);
    const onSaved = vi.fn();
    render(<RuleEditor guard={guard} target={{ rule: stored }} onClose={() => {}} onSaved={onSaved} />, root);
    click(root, 'editor-save');
    await settle();
    expect(calls).toHaveLength(0);
    expect(onSaved).toHaveBeenCalledWith(null, 'Rule #4: nothing changed.');
  });
});
