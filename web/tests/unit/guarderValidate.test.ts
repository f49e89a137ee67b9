import { describe, expect, it } from 'vitest';
import type { GuardRule } from '../../src/api/guarder';
import { emptyForm, errorsFor, ruleToForm, unplacedErrors, type RuleForm } from '../../src/lib/guarder/form';
import { checkForm } from '../../src/lib/guarder/validate';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const form = (over: Partial<RuleForm>): RuleForm => ({ ...emptyForm(), ...over });
const fields = (f: RuleForm) => checkForm(f, NOW).errors.map((e) => e.field);

describe('rule form validation', () => {
  it('builds the Rule JSON of a valid form, omitting empty fields', () => {
    const r = checkForm(form({ src: '203.0.113.0/24', protocol: 'TCP', dport: '22', tcp_flags: 'syn, !ack', comment: 'ssh', priority: '100' }), NOW);
    expect(r.errors).toEqual([]);
    expect(r.rule).toEqual({
      action: 'drop',
      enabled: true,
      shadow: false,
      origin: 'user',
      priority: 100,
      comment: 'ssh',
      match: { src: '203.0.113.0/24', protocol: 'tcp', dport: 22, tcp_flags: 'SYN,!ACK' },
    });
  });

  it('names every problem by its JSON path', () => {
    expect(fields(form({ src: '10.0.0.1/8' }))).toEqual(['match.src']);
    expect(fields(form({ src: '10.0.0.0/8', dst: '2001:db8::/32' }))).toEqual(['match.dst']);
    expect(fields(form({ src: '10.0.0.0/8', family: 'ipv6' }))).toEqual(['match.family']);
    expect(fields(form({ dport: '22' }))).toEqual(['match.dport']);
    expect(fields(form({ protocol: 'udp', sport: '70000' }))).toEqual(['match.sport']);
    expect(fields(form({ protocol: 'udp', tcp_flags: 'SYN' }))).toEqual(['match.tcp_flags']);
    expect(fields(form({ icmp_type: '3' }))).toEqual(['match.icmp']);
    expect(fields(form({ protocol: 'icmp', icmp_code: '4' }))).toEqual(['match.icmp.code']);
    expect(fields(form({ inner_src: '10.0.0.0/8' }))).toEqual(['match.inner']);
    expect(fields(form({ protocol: 'icmp', inner_dport: '53' }))).toEqual(['match.inner.dport']);
    expect(fields(form({ ttl: '300', length: '5-1', vlan: '4096', iface: 'a/b' }))).toEqual(['match.ttl', 'match.length', 'match.iface', 'match.vlan']);
    expect(fields(form({ priority: '1000001' }))).toEqual(['priority']);
    expect(fields(form({ comment: 'é'.repeat(257) }))).toEqual(['comment']);
  });

  it('requires a rate for rate-limit and a sane "every" for log', () => {
    expect(fields(form({ action: 'rate-limit' }))).toEqual(['rate']);
    expect(fields(form({ action: 'rate-limit', rate: '0' }))).toEqual(['rate.pps']);
    expect(fields(form({ action: 'rate-limit', rate: '1000', rate_unit: 'bps', burst: 'x' }))).toEqual(['rate.burst']);
    const ok = checkForm(form({ action: 'rate-limit', rate: '1000', rate_unit: 'bps', burst: '4000', src: '10.0.0.0/8' }), NOW);
    expect(ok.rule?.rate).toEqual({ bps: 1000, burst: 4000 });
    expect(fields(form({ action: 'log', log_every: '0' }))).toEqual(['log.every']);
    expect(checkForm(form({ action: 'log', log_every: '100' }), NOW).rule?.log).toEqual({ every: 100 });
    // A rate typed before switching to drop is not sent.
    expect(checkForm(form({ action: 'drop', rate: '5' }), NOW).rule?.rate).toBeUndefined();
  });

  it('turns the expiry into ttl_s or an RFC 3339 time in the future', () => {
    expect(checkForm(form({ expiry: 'ttl', ttl_s: '1h' }), NOW).rule?.ttl_s).toBe(3600);
    expect(fields(form({ expiry: 'ttl', ttl_s: 'soon' }))).toEqual(['ttl_s']);
    const at = checkForm(form({ expiry: 'at', expires_at: '2025-06-01T14:00:00' }), NOW).rule?.expires_at;
    expect(at).toBe(new Date('2025-06-01T14:00:00').toISOString().replace('.000Z', 'Z'));
    expect(fields(form({ expiry: 'at', expires_at: '2020-01-01T00:00' }))).toEqual(['expires_at']);
    expect(fields(form({ expiry: 'at', expires_at: '' }))).toEqual(['expires_at']);
    // Without a clock (an edit's baseline) a past time is kept as it is.
    expect(checkForm(form({ expiry: 'at', expires_at: '2020-01-01T00:00:00' }), null).errors).toEqual([]);
  });

  it('round-trips a stored rule through the form', () => {
    const stored: GuardRule = {
      id: 7,
      priority: 50,
      enabled: false,
      action: 'rate-limit',
      shadow: true,
      match: { src: '2001:db8::/32', protocol: 'icmpv6', icmp: { type: 1, code: 4 }, inner: { protocol: 'udp', dport: '1-1023' }, ttl: '1-5', vlan: 100 },
      rate: { pps: 1000, burst: 2000 },
      origin: 'analyst',
      comment: 'x',
      created_by: 'cli',
      created_at: '2025-06-01T11:00:00Z',
      updated_at: '2025-06-01T11:00:00Z',
      expires_at: null,
    };
    const f = ruleToForm(stored);
    expect(f).toMatchObject({ rate: '1000', burst: '2000', icmp_type: '1', icmp_code: '4', inner_dport: '1-1023', vlan: '100', enabled: false });
    const r = checkForm(f, NOW);
    expect(r.errors).toEqual([]);
    expect(r.rule?.match).toEqual(stored.match);
    expect(ruleToForm({ ...stored, match: { protocol: 'tcp', tcp_flags: { bits: 2, mask: 18 } } }).tcp_flags).toBe('SYN,!ACK');
    // The family the daemon derived from an address is not shown; one that says more is.
    expect(ruleToForm({ ...stored, match: { src: '2001:db8::/32', family: 'ipv6' } }).family).toBe('');
    expect(ruleToForm({ ...stored, match: { protocol: 'tcp', family: 'ipv6' } }).family).toBe('ipv6');
  });

  it('places problems at inputs and lists the rest', () => {
    const problems = [
      { field: 'match.src', message: 'bad' },
      { field: 'rate.pps', message: 'too big' },
      { field: 'match', message: 'matches every packet' },
    ];
    expect(errorsFor(problems, 'src')).toEqual(['bad']);
    expect(errorsFor(problems, 'rate')).toEqual(['too big']);
    expect(unplacedErrors(problems, ['src', 'rate']).map((p) => p.field)).toEqual(['match']);
    // The rate input is not shown for a drop rule: its problem is listed instead of lost.
    expect(unplacedErrors(problems, ['src']).map((p) => p.field)).toEqual(['rate.pps', 'match']);
  });
});
