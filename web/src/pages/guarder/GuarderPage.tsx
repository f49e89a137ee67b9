// Guarder (docs/guarder.md): the stats strip, then Rules | Connections | Audit (hash routes
// #/guarder/rules, /connections, /audit). The rule editor lives here so both Rules (add, edit)
// and Connections ("Block source") open it.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { GuardApi, type GuardFlow, type GuardRule } from '../../api/guarder';
import { ErrorNote } from '../../components/ErrorNote';
import { StateBadge } from '../../components/StateBadge';
import { blockSourceForm } from '../../lib/guarder/flows';
import { hrefForSub } from '../../lib/routes';
import { useApi, useHealth, useStreamBus } from '../../state/contexts';
import { useGuardLive } from '../../state/useGuardLive';
import { useHashSub } from '../../state/useHashSub';
import { AuditView } from './AuditView';
import { ConnectionsView } from './ConnectionsView';
import { RuleEditor, type EditorTarget } from './RuleEditor';
import { RulesView } from './RulesView';
import { StatsStrip } from './StatsStrip';

const VIEWS = [
  { id: 'rules', label: 'Rules' },
  { id: 'connections', label: 'Connections' },
  { id: 'audit', label: 'Audit' },
] as const;
type ViewId = (typeof VIEWS)[number]['id'];

export function GuarderPage() {
  const api = useApi();
  const guard = useMemo(() => new GuardApi(api), [api]);
  const bus = useStreamBus();
  const health = useHealth();
  const module = health.data?.modules?.find((m) => m.name === 'guarder') ?? null;
  const sub = useHashSub();
  const view: ViewId = VIEWS.some((v) => v.id === sub) ? (sub as ViewId) : 'rules';
  const live = useGuardLive(guard, bus);
  const [editor, setEditor] = useState<EditorTarget | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [saved, setSaved] = useState<string | null>(null);

  // A note about a save belongs to the view it was made in.
  useEffect(() => setSaved(null), [view]);
  const close = useCallback(() => setEditor(null), []);
  const onSaved = (_r: GuardRule | null, message: string) => {
    setEditor(null);
    setSaved(message);
    setReloadKey((k) => k + 1);
  };
  const onBlock = useCallback((f: GuardFlow) => setEditor({ form: blockSourceForm(f), title: `Block ${f.src}` }), []);

  return (
    <div class="page guarder">
      <header class="page__head">
        <h1>Guarder</h1>
        <p class="page__sub">
          XDP rules: drop, pass, rate-limit and log at the driver {module && <StateBadge state={module.state} />}
          {module?.detail && <span class="muted"> {module.detail}</span>}
        </p>
      </header>
      {live.error && !live.stats && <ErrorNote context="Guarder" message={live.error} />}
      <StatsStrip stats={live.stats} source={live.source} />
      <nav class="gr-tabs" aria-label="Guarder views">
        {VIEWS.map((v) => (
          <a key={v.id} href={hrefForSub('guarder', v.id)} class={`gr-tab${v.id === view ? ' is-active' : ''}`} aria-current={v.id === view ? 'page' : undefined} data-testid={`guarder-tab-${v.id}`}>
            {v.label}
          </a>
        ))}
      </nav>
      {saved && (
        <div class="note note--ok gr-notice" role="status" data-testid="guarder-saved">
          <span>{saved}</span>
          <button type="button" class="btn btn--small btn--ghost" onClick={() => setSaved(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}
      {view === 'rules' && <RulesView guard={guard} live={live} reloadKey={reloadKey} onAdd={() => setEditor({})} onEdit={(r) => setEditor({ rule: r })} />}
      {view === 'connections' && <ConnectionsView guard={guard} onBlock={onBlock} />}
      {view === 'audit' && <AuditView guard={guard} />}
      {editor && <RuleEditor guard={guard} target={editor} onClose={close} onSaved={onSaved} />}
    </div>
  );
}
