import { describe, expect, it } from 'vitest';
import type { GuardFlow } from '../../src/api/guarder';
import { blockSourceForm, flowDestination, flowSource } from '../../src/lib/guarder/flows';
import { exportFileName, groupImportErrors, parseImportFile } from '../../src/lib/guarder/importExport';
import { applyMergePatch, mergePatch } from '../../src/lib/guarder/patch';

describe('mergePatch', () => {
  it('sends only what changed, nulls for what went away', () => {
    const before = { priority: 100, enabled: true, comment: 'a', match: { src: '10.0.0.0/8', protocol: 'tcp', dport: 22 } };
    const after = { priority: 100, enabled: false, match: { src: '10.0.0.0/8', protocol: 'tcp', dport: '22-23' } };
    const p = mergePatch(before, after);
    expect(p).toEqual({ enabled: false, comment: null, match: { dport: '22-23' } });
    expect(applyMergePatch(before, p)).toEqual(after);
  });

  it('is empty when nothing changed and replaces arrays and new objects whole', () => {
    expect(mergePatch({ a: 1, m: { x: [1, 2] } }, { a: 1, m: { x: [1, 2] } })).toEqual({});
    expect(mergePatch({ m: { x: [1, 2] } }, { m: { x: [1] } })).toEqual({ m: { x: [1] } });
    expect(mergePatch({}, { rate: { pps: 5 } })).toEqual({ rate: { pps: 5 } });
    expect(mergePatch({ rate: { pps: 5 } }, { rate: { bps: 9 } })).toEqual({ rate: { pps: null, bps: 9 } });
    expect(mergePatch({ a: 1 }, { a: undefined })).toEqual({ a: null });
  });
});

describe('import files', () => {
  it('accepts the export format and bare arrays', () => {
    expect(parseImportFile('{"version":1,"rules":[{"action":"drop"}]}')).toEqual({ ok: true, value: [{ action: 'drop' }] });
    expect(parseImportFile('[{"action":"pass"}]')).toEqual({ ok: true, value: [{ action: 'pass' }] });
    expect(parseImportFile('{"rules":[]}').ok).toBe(false);
    expect(parseImportFile('{"rule":[1]}').ok).toBe(false);
    expect(parseImportFile('nope').ok).toBe(false);
  });

  it('groups the daemon errors by rule', () => {
    const g = groupImportErrors([
      { field: 'rules[3].match.src', message: 'host bits' },
      { field: 'mode', message: 'merge or replace' },
      { field: 'rules[0]', message: 'not an object' },
      { field: 'rules[3].rate', message: 'missing' },
    ]);
    expect(g).toEqual([
      { index: null, problems: [{ field: 'mode', message: 'merge or replace' }] },
      { index: 0, problems: [{ field: '(rule)', message: 'not an object' }] },
      {
        index: 3,
        problems: [
          { field: 'match.src', message: 'host bits' },
          { field: 'rate', message: 'missing' },
        ],
      },
    ]);
  });

  it('names export files by local time', () => {
    expect(exportFileName(new Date(2025, 0, 2, 3, 4, 5))).toBe('packetscope-guard-rules-20250102-030405.json');
  });
});

describe('flows', () => {
  const flow: GuardFlow = {
    ifindex: 3,
    ifname: 'eth1',
    family: 6,
    protocol: 'tcp',
    src: '2001:db8:1::5',
    sport: 33000,
    dst: '2001:db8::1',
    dport: 80,
    packets: 1,
    bytes: 60,
    dropped: 0,
    tcp_flags: 'SYN',
    first_seen: '2025-06-01T12:00:00Z',
    last_seen: '2025-06-01T12:00:01Z',
  };

  it('formats endpoints, bare addresses for protocols without ports', () => {
    expect(flowSource(flow)).toBe('[2001:db8:1::5]:33000');
    expect(flowDestination({ ...flow, protocol: 'icmpv6', dport: 0 })).toBe('2001:db8::1');
  });

  it('prefills "Block source" with the /128 or /32', () => {
    expect(blockSourceForm(flow)).toMatchObject({ action: 'drop', src: '2001:db8:1::5/128', comment: 'blocked from connections view' });
    expect(blockSourceForm({ ...flow, family: 4, src: '198.51.100.23' }).src).toBe('198.51.100.23/32');
  });
});
