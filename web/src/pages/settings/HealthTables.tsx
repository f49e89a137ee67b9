import type { Feature, ModuleStatus } from '../../api/types';
import { StateBadge, YesNo } from '../../components/StateBadge';

export function FeaturesTable({ features }: { features: Feature[] }) {
  if (features.length === 0) return <p class="empty">The daemon reported no kernel features.</p>;
  return (
    <table class="table" data-testid="features-table">
      <thead>
        <tr>
          <th scope="col">Feature</th>
          <th scope="col">Available</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {features.map((f) => (
          <tr key={f.name}>
            <td class="mono">{f.name}</td>
            <td>
              <YesNo value={f.available} />
            </td>
            <td class="detail">{f.detail || <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ModulesTable({ modules }: { modules: ModuleStatus[] }) {
  if (modules.length === 0) return <p class="empty">The daemon reported no modules.</p>;
  return (
    <table class="table" data-testid="modules-table">
      <thead>
        <tr>
          <th scope="col">Module</th>
          <th scope="col">State</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {modules.map((m) => (
          <tr key={m.name}>
            <td class="mono">{m.name}</td>
            <td>
              <StateBadge state={m.state} />
            </td>
            <td class="detail">{m.detail || <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
