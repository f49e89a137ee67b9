// The decoded headers of one packet, one definition list per protocol layer.
import { Fragment } from 'preact';
import type { HeaderGroup } from '../../api/types';
import { headerSections, headerValueText } from '../../lib/headers';

export function HeaderFields({ headers }: { headers: { [layer: string]: HeaderGroup | null } | null | undefined }) {
  const sections = headerSections(headers);
  if (sections.length === 0) return <p class="empty">No headers decoded.</p>;
  return (
    <div class="hdrs" data-testid="packet-headers">
      {sections.map((s) => (
        <section key={s.layer} class="hdr" data-layer={s.layer}>
          <h3 class="hdr__name">{s.title}</h3>
          <dl class="hdr__fields">
            {s.fields.map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd class="mono">{headerValueText(v)}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}
