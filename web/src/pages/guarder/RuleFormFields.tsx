// The rule editor's inputs, one per Rule JSON field (docs/guarder.md), grouped: the rule, what it
// matches (common fields first, the rest folded), its action's parameters and its expiry.
import { useState } from 'preact/hooks';
import { ACTIONS, ORIGINS } from '../../api/guarder';
import { PROTOCOLS } from '../../lib/guarder/fields';
import type { FormKey, RuleForm } from '../../lib/guarder/form';
import { CheckField, Field, SelectField, TextField, type FieldApi } from './FormBits';

const MORE_KEYS: FormKey[] = ['icmp_type', 'icmp_code', 'inner_src', 'inner_dst', 'inner_protocol', 'inner_sport', 'inner_dport', 'ttl', 'length', 'iface', 'vlan', 'malformed'];

/** The inputs on screen for this form (the others' problems are listed above the form). */
export function shownKeys(form: RuleForm): FormKey[] {
  const keys: FormKey[] = ['priority', 'enabled', 'action', 'shadow', 'origin', 'comment', 'src', 'dst', 'family', 'protocol', 'sport', 'dport', 'tcp_flags', ...MORE_KEYS];
  if (form.action === 'rate-limit') keys.push('rate', 'burst');
  if (form.action === 'log') keys.push('log_every');
  if (form.expiry === 'ttl') keys.push('ttl_s');
  if (form.expiry === 'at') keys.push('expires_at');
  return keys;
}

function moreIsUseful(f: FieldApi): boolean {
  return MORE_KEYS.some((k) => (typeof f.form[k] === 'string' ? f.form[k] !== '' : f.form[k] === true) || f.errors(k).length > 0);
}

export function RuleFormFields({ f, editing }: { f: FieldApi; editing: boolean }) {
  const form = f.form;
  const [moreOpen, setMoreOpen] = useState(false);
  return (
    <>
      <fieldset class="gr-group">
        <legend>Rule</legend>
        <SelectField f={f} k="action" label="Action" options={ACTIONS} hint="drop and pass decide; rate-limit and log go on to later rules" />
        <TextField f={f} k="priority" label="Priority" placeholder="1000" hint="0–1,000,000; lower is evaluated first" />
        <SelectField f={f} k="origin" label="Origin" options={ORIGINS} disabled={editing} hint={editing ? 'set when the rule was created' : undefined} />
        <CheckField f={f} k="enabled" label="Enabled" />
        <CheckField f={f} k="shadow" label="Shadow (count only)" hint="A shadow rule only counts what it matches: it never changes a verdict" />
        {form.action === 'rate-limit' && (
          <>
            <Field f={f} k="rate" label="Rate">
              {({ id, invalid, describedBy }) => (
                <div class="gr-inline">
                  <input
                    id={id}
                    class="input mono"
                    value={form.rate}
                    placeholder="1000"
                    aria-invalid={invalid ? 'true' : undefined}
                    aria-describedby={describedBy}
                    onInput={(e) => f.set('rate', (e.currentTarget as HTMLInputElement).value)}
                    onBlur={() => f.touch('rate')}
                    data-testid={id}
                  />
                  <select class="input" aria-label="Rate unit" value={form.rate_unit} onChange={(e) => f.set('rate_unit', (e.currentTarget as HTMLSelectElement).value as RuleForm['rate_unit'])} data-testid="rf-rate_unit">
                    <option value="pps">packets/s</option>
                    <option value="bps">bytes/s</option>
                  </select>
                </div>
              )}
            </Field>
            <TextField f={f} k="burst" label="Burst" placeholder="= the rate" hint="bucket depth, per source address" />
          </>
        )}
        {form.action === 'log' && <TextField f={f} k="log_every" label="Log 1 in every" placeholder="1" hint="hits (1–1,000,000)" />}
        <TextField f={f} k="comment" label="Comment" placeholder="why this rule exists" wide />
      </fieldset>

      <fieldset class="gr-group">
        <legend>Match</legend>
        <TextField f={f} k="src" label="Source" placeholder="203.0.113.0/24 or 2001:db8::/32" />
        <TextField f={f} k="dst" label="Destination" placeholder="any" />
        <SelectField f={f} k="family" label="Family" options={[['', 'any (or from the addresses)'], ['ipv4', 'IPv4'], ['ipv6', 'IPv6']]} />
        <TextField f={f} k="protocol" label="Protocol" placeholder="any" list="gr-protocols" />
        <TextField f={f} k="sport" label="Source port" placeholder="any, 53 or 1000-2000" />
        <TextField f={f} k="dport" label="Destination port" placeholder="any, 22 or 1000-2000" />
        <TextField f={f} k="tcp_flags" label="TCP flags" placeholder="SYN,!ACK" hint="named flags set, ! = clear, others ignored" />
        <datalist id="gr-protocols">
          {Object.keys(PROTOCOLS).map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <details class="gr-more" open={moreOpen || moreIsUseful(f)} onToggle={(e) => setMoreOpen((e.currentTarget as HTMLDetailsElement).open)}>
          <summary>ICMP, quoted header, TTL, length, interface, VLAN, malformed</summary>
          <div class="gr-grid">
            <TextField f={f} k="icmp_type" label="ICMP type" placeholder="0–255" />
            <TextField f={f} k="icmp_code" label="ICMP code" placeholder="any" />
            <TextField f={f} k="inner_src" label="Quoted source" placeholder="in an ICMP error" />
            <TextField f={f} k="inner_dst" label="Quoted destination" />
            <TextField f={f} k="inner_protocol" label="Quoted protocol" list="gr-protocols" />
            <TextField f={f} k="inner_sport" label="Quoted source port" />
            <TextField f={f} k="inner_dport" label="Quoted destination port" />
            <TextField f={f} k="ttl" label="TTL / hop limit" placeholder="1-5" />
            <TextField f={f} k="length" label="IP length" placeholder="0-100" />
            <TextField f={f} k="iface" label="Interface" placeholder="eth1" />
            <TextField f={f} k="vlan" label="VLAN" placeholder="0–4095" />
            <CheckField f={f} k="malformed" label="Malformed packets only" />
          </div>
        </details>
      </fieldset>

      <fieldset class="gr-group">
        <legend>Expiry</legend>
        <div class="gr-field gr-field--wide">
          <div class="seg" role="radiogroup" aria-label="Expiry">
            {(
              [
                ['none', 'Never'],
                ['ttl', 'After'],
                ['at', 'At'],
              ] as const
            ).map(([v, text]) => (
              <button key={v} type="button" role="radio" aria-checked={form.expiry === v} class={`seg__btn${form.expiry === v ? ' is-active' : ''}`} onClick={() => f.set('expiry', v)} data-testid={`rf-expiry-${v}`}>
                {text}
              </button>
            ))}
          </div>
        </div>
        {form.expiry === 'ttl' && <TextField f={f} k="ttl_s" label="Expires after" placeholder="10m" hint="600, 90s, 10m, 1h30m, 2d" />}
        {form.expiry === 'at' && <TextField f={f} k="expires_at" label="Expires at (local time)" type="datetime-local" />}
      </fieldset>
    </>
  );
}
