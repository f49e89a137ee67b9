// One card per layer: receive and transmit packet and bit rates of the latest snapshot.
import { LAYERS, type LayerName, type Snapshot } from '../../api/analyzer';
import { LAYER_COLORS } from '../../lib/analyzer/colors';
import { formatBits, formatPerSecond, formatPercent } from '../../lib/analyzer/units';
import { formatCount } from '../../lib/format';

const HINT: Record<LayerName, string> = {
  link: 'Every frame at net:netif_receive_skb (rx) and net:net_dev_queue (tx)',
  network: 'IPv4/IPv6 frames among those',
  transport: 'TCP, UDP, ICMP and ICMPv6 segments among those',
  socket: 'Bytes handed to (rx) or taken from (tx) applications: sock:sock_recv_length / sock_send_length',
};

export function LayerCards({ snapshot }: { snapshot: Snapshot }) {
  return (
    <div class="layers" data-testid="layer-cards">
      {LAYERS.map((layer) => {
        const v = snapshot.volume?.[layer];
        const ratio = snapshot.loss?.ratio_by_layer?.[layer];
        return (
          <div key={layer} class="layer-card" style={{ borderLeftColor: LAYER_COLORS[layer] }} title={HINT[layer]} data-testid={`layer-card-${layer}`}>
            <div class="layer-card__head">
              <span class="stat__label">{layer}</span>
              {typeof ratio === 'number' && ratio > 0 && <span class="badge badge--danger">drops {formatPercent(ratio)}</span>}
            </div>
            <table class="layer-card__rates">
              <tbody>
                {(['rx', 'tx'] as const).map((dir) => (
                  <tr key={dir}>
                    <th scope="row">{dir}</th>
                    <td class="mono num" data-testid={`layer-${layer}-${dir}-pps`} data-value={v?.[dir]?.pps ?? ''}>
                      {formatPerSecond(v?.[dir]?.pps)}
                      <span class="muted"> pps</span>
                    </td>
                    <td class="mono num" data-testid={`layer-${layer}-${dir}-bps`} data-value={v?.[dir]?.bps ?? ''}>
                      {formatBits(v?.[dir]?.bps)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div class="layer-card__total muted small">
              total {formatCount((v?.rx?.packets ?? 0) + (v?.tx?.packets ?? 0))} packets
            </div>
          </div>
        );
      })}
    </div>
  );
}
