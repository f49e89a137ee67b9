// "What would this rule have matched?": POST /guard/dry-run over the last N minutes of the
// Tracer's stored packets and the XDP flow table, with the daemon's sample matches.
import { useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/client';
import type { DryRunResult, GuardApi, RuleInput } from '../../api/guarder';
import { formatClock, formatCount, formatDateTime } from '../../lib/format';
import type { FieldProblem } from '../../lib/guarder/form';

interface Props {
  guard: GuardApi;
  /** the form's rule; null while it has errors */
  rule: RuleInput | null;
  onInvalid: () => void;
  /** the daemon's field errors, paths relative to the rule */
  onServerErrors: (p: FieldProblem[]) => void;
}

const MINUTES = [5, 15, 60, 360, 1440];

function share(n: number, of: number): string {
  if (!(of > 0)) return '';
  const pct = (100 * n) / of;
  return ` (${pct < 0.1 && n > 0 ? '<0.1' : pct.toFixed(pct < 10 ? 1 : 0)} %)`;
}

export function DryRunPanel({ guard, rule, onInvalid, onServerErrors }: Props) {
  const [minutes, setMinutes] = useState(15);
  const [result, setResult] = useState<{ res: DryRunResult; minutes: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    if (!rule) return onInvalid();
    setBusy(true);
    setError(null);
    try {
      setResult({ res: await guard.dryRun(rule, minutes), minutes });
    } catch (e) {
      if (e instanceof ApiError && e.fields.length > 0) {
        onServerErrors(e.fields.map((p) => ({ field: p.field.replace(/^rule\./, ''), message: p.message })));
        setError('The daemon found problems in the rule (shown at the fields).');
      } else setError(describeError(e));
    } finally {
      setBusy(false);
    }
    return undefined;
  };

  const r = result?.res;
  return (
    <section class="gr-dryrun" aria-label="Dry run" data-testid="dryrun">
      <div class="toolbar">
        <button type="button" class="btn btn--small" disabled={busy} onClick={() => void run()} data-testid="dryrun-go">
          {busy ? 'Looking…' : 'Dry run'}
        </button>
        <label class="small muted" for="dryrun-minutes">
          what it would have matched in the last
        </label>
        <select id="dryrun-minutes" class="input" value={minutes} onChange={(e) => setMinutes(Number((e.currentTarget as HTMLSelectElement).value))}>
          {MINUTES.map((m) => (
            <option key={m} value={m}>
              {m < 60 ? `${m} min` : `${m / 60} h`}
            </option>
          ))}
        </select>
      </div>
      {error && <p class="note note--error">{error}</p>}
      {r && (
        <div data-testid="dryrun-result">
          <p class="gr-dryrun__summary">
            In the last {result.minutes < 60 ? `${result.minutes} minutes` : `${result.minutes / 60} h`}: <strong data-testid="dryrun-packets">{formatCount(r.matched_packets)}</strong> of{' '}
            {formatCount(r.examined_packets)} stored packets{share(r.matched_packets, r.examined_packets)} and <strong data-testid="dryrun-flows">{formatCount(r.matched_flows)}</strong> of{' '}
            {formatCount(r.examined_flows)} XDP flows{share(r.matched_flows, r.examined_flows)} match.
          </p>
          {Array.isArray(r.notes) &&
            r.notes.map((n, i) => (
              <p key={i} class="muted small">
                {String(n)}
              </p>
            ))}
          {r.truncated && <p class="muted small">The search stopped after {formatCount(r.cap ?? 0)} items: the figures are a lower bound.</p>}
          {Array.isArray(r.samples) && r.samples.length > 0 && (
            <table class="table gr-dryrun__samples">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">From</th>
                  <th scope="col">Sample</th>
                </tr>
              </thead>
              <tbody>
                {r.samples.map((s, i) => (
                  <tr key={i} data-testid="dryrun-sample">
                    <td class="mono nowrap" title={formatDateTime(s.time)}>
                      {formatClock(s.time)}
                    </td>
                    <td>{s.source === 'xdp' ? 'XDP flow' : 'Tracer'}</td>
                    <td class="mono">{s.summary}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
