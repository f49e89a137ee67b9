// Import (file picker -> POST /rules/import, merge or replace, the daemon's errors listed per
// rules[i]) and export (GET /rules/export, saved as a JSON download).
import { useRef, useState } from 'preact/hooks';
import { ApiError, describeError } from '../../api/client';
import type { GuardApi } from '../../api/guarder';
import { exportFileName, groupImportErrors, parseImportFile, type RuleProblems } from '../../lib/guarder/importExport';

interface Pending {
  name: string;
  rules: unknown[];
  mode: 'merge' | 'replace';
}

interface Outcome {
  error: boolean;
  text: string;
  groups?: RuleProblems[];
  /** 409: the refusal may be overridden */
  forceable?: boolean;
}

function ruleLabel(rules: unknown[], index: number): string {
  const r = rules[index] as { id?: unknown; comment?: unknown } | undefined;
  const bits = [`Rule ${index + 1}`];
  if (typeof r?.id === 'number') bits.push(`#${r.id}`);
  if (typeof r?.comment === 'string' && r.comment) bits.push(`“${r.comment}”`);
  return bits.join(' ');
}

export function ImportExport({ guard, onImported }: { guard: GuardApi; onImported: () => void }) {
  const picker = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);

  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const parsed = parseImportFile(await file.text());
    if (!parsed.ok) {
      setPending(null);
      setOutcome({ error: true, text: `${file.name}: ${parsed.error}` });
      return;
    }
    setOutcome(null);
    setPending({ name: file.name, rules: parsed.value, mode: 'merge' });
  };

  const submit = async (force: boolean) => {
    if (!pending) return;
    setBusy(true);
    try {
      const res = await guard.import(pending.rules, pending.mode, force);
      setOutcome({ error: false, text: `Imported ${res.imported} rules${res.replaced ? `, replacing ${res.replaced}` : ''}.` });
      setPending(null);
      onImported();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length > 0) {
        const unsafe = err.code === 'unsafe_rule';
        setOutcome({ error: true, text: unsafe ? 'Refused for safety:' : 'Nothing was imported; fix these rules in the file:', groups: groupImportErrors(err.fields), forceable: unsafe });
      } else setOutcome({ error: true, text: describeError(err) });
    } finally {
      setBusy(false);
    }
  };

  const doExport = async () => {
    try {
      const file = await guard.export();
      const blob = new Blob([`${JSON.stringify(file, null, 2)}\n`], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = exportFileName(new Date());
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setOutcome({ error: false, text: `Exported ${Array.isArray(file.rules) ? file.rules.length : 0} rules.` });
    } catch (err) {
      setOutcome({ error: true, text: describeError(err) });
    }
  };

  return (
    <>
      <input ref={picker} type="file" accept=".json,application/json" hidden onChange={(e) => void onFile(e)} data-testid="import-file" />
      <button type="button" class="btn btn--small" onClick={() => picker.current?.click()} data-testid="rules-import">
        Import…
      </button>
      <button type="button" class="btn btn--small" onClick={() => void doExport()} data-testid="rules-export">
        Export
      </button>
      {(pending || outcome) && (
        <div class="gr-import" data-testid="import-panel">
          {pending && (
            <div class="gr-import__row">
              <span>
                <strong>{pending.name}</strong>: {pending.rules.length} rules.
              </span>
              <select class="input" aria-label="Import mode" value={pending.mode} onChange={(e) => setPending({ ...pending, mode: (e.currentTarget as HTMLSelectElement).value as Pending['mode'] })} data-testid="import-mode">
                <option value="merge">add to the current rules</option>
                <option value="replace">replace all current rules</option>
              </select>
              <button type="button" class="btn btn--small btn--primary" disabled={busy} onClick={() => void submit(false)} data-testid="import-go">
                Import
              </button>
              {outcome?.forceable && (
                <button type="button" class="btn btn--small gr-danger" disabled={busy} onClick={() => void submit(true)} data-testid="import-force">
                  Import anyway
                </button>
              )}
              <button type="button" class="btn btn--small btn--ghost" onClick={() => (setPending(null), setOutcome(null))}>
                Cancel
              </button>
            </div>
          )}
          {outcome && (
            <div class={`note ${outcome.error ? 'note--error' : 'note--ok'}`} role={outcome.error ? 'alert' : 'status'} data-testid="import-outcome">
              {outcome.text}
              {outcome.groups && (
                <ul class="gr-import__errors">
                  {outcome.groups.map((g) => (
                    <li key={String(g.index)} data-testid="import-error">
                      <strong>{g.index === null ? 'File' : ruleLabel(pending?.rules ?? [], g.index)}</strong>
                      <ul>
                        {g.problems.map((p, i) => (
                          <li key={i}>
                            <code>{p.field}</code>: {p.message}
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              )}
              {!pending && (
                <button type="button" class="btn btn--small btn--ghost" onClick={() => setOutcome(null)} aria-label="Dismiss">
                  ×
                </button>
              )}
            </div>
          )}
        </div>
      )}
    </>
  );
}
