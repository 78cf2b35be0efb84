import type { InstanceState } from '../src/gateway/controller.ts';
import type { InstanceId } from '../src/model/index.ts';
import type { TunnelSnapshot, WorldSnapshot } from '../src/scenario/interactive.ts';
import { svg } from './dom.ts';
import { formatPercent } from './format.ts';
import type { InstanceLayout, Layout, Point, TunnelLayout } from './layout.ts';
import { SITE_X, tunnelColor } from './layout.ts';

/**
 * Paints the seed's diagram from a snapshot: the same shapes for the "normal" and
 * the "failure" picture, with the state of the moment. Every element that carries
 * state has data-* attributes (data-state, data-share-to-site, data-carried-by …)
 * so tests and the curious can read the drawing without reading pixels.
 */

const RED = '#c81e1e';
const AMBER = '#b45309';
const GREEN = '#15803d';
const MUTED = '#8a8f98';

const INSTANCE_FILL: Readonly<Record<InstanceState, { fill: string; stroke: string; dash?: string }>> = {
  up: { fill: '#ffffff', stroke: '#0b5cad' },
  draining: { fill: '#fff7e6', stroke: AMBER, dash: '6 4' },
  down: { fill: '#eceef1', stroke: MUTED, dash: '6 4' },
  crashed: { fill: '#fdecec', stroke: RED, dash: '6 4' },
  recovering: { fill: '#eef6ff', stroke: '#2563eb', dash: '3 3' },
};

export type TunnelState = 'up' | 'half' | 'down';

export function tunnelState(t: TunnelSnapshot): TunnelState {
  if (t.dataCapable) return 'up';
  return t.azureUp || t.deviceUp ? 'half' : 'down';
}

export function renderDrawing(
  root: SVGSVGElement,
  layout: Layout,
  snapshot: WorldSnapshot,
  bgpFsm: ReadonlyMap<string, string>,
  label: string,
  /** The id of the drawing's title (its accessible name): unique per drawing on a page with several. */
  titleId = 'drawing-title',
): void {
  root.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
  const layers = [
    svg('title', { id: titleId }, describe(label, snapshot)),
    columnTitles(layout),
    hubLayer(layout, snapshot),
    tunnelsLayer(layout, snapshot, bgpFsm),
    sitesLayer(layout, snapshot),
    legend(layout),
  ];
  root.replaceChildren(...layers);
}

/** The drawing in one sentence, for screen readers (the SVG's accessible name). */
function describe(label: string, snapshot: WorldSnapshot): string {
  const instances = snapshot.instances.map(
    (i) => `${i.id} ${i.state} holding ${i.holdsIps.join(' and ') || 'no public IP'}`,
  );
  const tunnels = snapshot.tunnels.map(
    (t) =>
      `${t.id} ${tunnelState(t)}${t.carriedBy && t.carriedBy !== t.instance ? ` via ${t.carriedBy}` : ''}, ${formatPercent(t.share.toSite)} to site, ${formatPercent(t.share.toAzure)} to Azure`,
  );
  return `${label}: ${instances.join('; ')}. Tunnels: ${tunnels.join('; ')}.`;
}

function text(
  x: number,
  y: number,
  content: string,
  attributes: Record<string, string | number> = {},
): SVGTextElement {
  return svg('text', { x, y, ...attributes }, content);
}

function columnTitles(layout: Layout): SVGGElement {
  return svg(
    'g',
    { class: 'column-titles' },
    text(layout.hub.x + 4, 12, 'AZURE', { class: 'column-title' }),
    text((layout.hub.x + layout.hub.w + SITE_X) / 2, 12, 'INTERNET · IPsec tunnels', {
      class: 'column-title',
      'text-anchor': 'middle',
    }),
    text(layout.width - 16, 12, 'REMOTE VPN SITES', { class: 'column-title', 'text-anchor': 'end' }),
  );
}

function hubLayer(layout: Layout, snapshot: WorldSnapshot): SVGGElement {
  const { hub, gateway } = layout;
  const group = svg('g', { class: 'hub' });
  group.append(
    svg('rect', { x: hub.x, y: hub.y, width: hub.w, height: hub.h, rx: 16, class: 'hub-box' }),
    text(hub.x + 16, hub.y + 24, layout.hubTitle, { class: 'box-title' }),
  );
  for (const vnet of layout.vnets) {
    const { box } = vnet;
    group.append(
      svg('line', {
        x1: box.x + box.w,
        y1: box.y + box.h / 2,
        x2: gateway.x,
        y2: gateway.y + gateway.h / 2,
        class: 'vnet-link',
      }),
      svg(
        'g',
        { 'data-vnet': vnet.name },
        svg('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 8, class: 'vnet-box' }),
        text(box.x + 12, box.y + 20, `VNet ${vnet.name}`, { class: 'label-strong' }),
        text(box.x + 12, box.y + 38, vnet.prefixes, { class: 'label-small' }),
      ),
    );
  }
  group.append(
    svg('rect', {
      x: gateway.x,
      y: gateway.y,
      width: gateway.w,
      height: gateway.h,
      rx: 12,
      class: 'gateway-box',
    }),
    text(gateway.x + 12, gateway.y + 20, 'VPN gateway (active-active)', { class: 'label-strong' }),
    text(gateway.x + 12, gateway.y + 36, layout.gatewayTitle.replace(/^VPN gateway /, ''), {
      class: 'label-small',
    }),
  );
  for (const instance of layout.instances) group.append(instanceGroup(instance, layout, snapshot));
  return group;
}

function instanceGroup(instance: InstanceLayout, layout: Layout, snapshot: WorldSnapshot): SVGGElement {
  const state = snapshot.instances.find((i) => i.id === instance.id);
  const current = state?.state ?? 'up';
  const style = INSTANCE_FILL[current];
  const holds = state?.holdsIps ?? [];
  const { box } = instance;
  const group = svg('g', {
    class: `instance instance-${current}`,
    'data-instance': instance.id,
    'data-state': current,
    'data-hub-usable': String(state?.hubUsable ?? true),
    'data-holds-ips': holds.join(' '),
  });
  group.append(
    svg('rect', {
      x: box.x,
      y: box.y,
      width: box.w,
      height: box.h,
      rx: 10,
      fill: style.fill,
      stroke: style.stroke,
      'stroke-width': 2.5,
      'stroke-dasharray': style.dash,
    }),
    text(box.x + 14, box.y + 26, instance.id, { class: 'instance-name' }),
    statePill(box.x + box.w - 12, box.y + 10, current, style.stroke),
  );
  // Own public IP: here, or visibly gone (moved to the other instance, or released while it moves).
  const ownHeld = holds.includes(instance.publicIp);
  const ownOwner = snapshot.instances.find((i) => i.holdsIps.includes(instance.publicIp))?.id;
  const ipLine = text(box.x + 14, box.y + 50, `public IP ${instance.publicIp}`, {
    class: ownHeld ? 'label' : 'label ip-gone',
    'data-own-ip': instance.publicIp,
    'data-held': String(ownHeld),
  });
  group.append(ipLine);
  if (!ownHeld) {
    group.append(
      text(box.x + 14, box.y + 66, ownOwner ? `→ moved to ${ownOwner}` : '→ released, moving', {
        class: 'label-small ip-away',
      }),
    );
  }
  let y = box.y + (ownHeld ? 70 : 86);
  // Another instance's public IP now answered here: the seed's static single-tunnel failover.
  for (const ip of holds) {
    if (ip === instance.publicIp) continue;
    const from = layout.instances.find((i) => i.publicIp === ip)?.id ?? '?';
    group.append(
      svg(
        'g',
        { class: 'moved-ip', 'data-moved-ip': ip, 'data-moved-from': from },
        svg('rect', {
          x: box.x + 10,
          y: y - 14,
          width: box.w - 20,
          height: 20,
          rx: 10,
          class: 'moved-ip-pill',
        }),
        text(box.x + 20, y, `⇦ ${ip} moved from ${from}`, { class: 'moved-ip-text' }),
      ),
    );
    y += 24;
  }
  group.append(text(box.x + 14, y, `BGP ${instance.bgpIps.join(', ')}`, { class: 'label-small' }));
  const usable = state?.hubUsable ?? true;
  group.append(
    text(
      box.x + 14,
      Math.min(y + 18, box.y + box.h - 8),
      usable ? 'hub next hop ✓' : 'hub next hop ✗ (not used)',
      {
        class: usable ? 'label-small' : 'label-small label-bad',
      },
    ),
  );
  return group;
}

function statePill(right: number, top: number, state: string, color: string): SVGGElement {
  const width = 12 + state.length * 7.5;
  return svg(
    'g',
    { class: 'state-pill' },
    svg('rect', { x: right - width, y: top, width, height: 20, rx: 10, fill: color }),
    text(right - width / 2, top + 14, state, { class: 'pill-text', 'text-anchor': 'middle' }),
  );
}

function along(a: Point, b: Point, t: number): Point {
  return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
}

function tunnelsLayer(
  layout: Layout,
  snapshot: WorldSnapshot,
  bgpFsm: ReadonlyMap<string, string>,
): SVGGElement {
  const group = svg('g', { class: 'tunnels' });
  const labels = svg('g', { class: 'tunnel-labels' });
  for (const tunnel of layout.tunnels) {
    const t = snapshot.tunnels.find((s) => s.id === tunnel.id);
    if (!t) continue;
    const [line, label] = tunnelGroup(tunnel, t, snapshot, bgpFsm);
    group.append(line);
    labels.append(label);
  }
  // Labels above every line, so a thick line never hides another tunnel's numbers.
  group.append(labels);
  return group;
}

function tunnelGroup(
  tunnel: TunnelLayout,
  t: TunnelSnapshot,
  snapshot: WorldSnapshot,
  bgpFsm: ReadonlyMap<string, string>,
): [SVGGElement, SVGGElement] {
  const state = tunnelState(t);
  const carrier: InstanceId = t.carriedBy ?? tunnel.instance;
  const moved = t.carriedBy !== null && t.carriedBy !== tunnel.instance;
  const start = tunnel.from[carrier];
  const end = tunnel.to;
  const dx = end.x - start.x;
  const dy = end.y - start.y;
  const length = Math.hypot(dx, dy) || 1;
  const normal = { x: -dy / length, y: dx / length };
  const color = tunnelColor(tunnel.color);
  const shareToSite = t.share.toSite;
  const shareToAzure = t.share.toAzure;
  const width = (share: number) => (share > 0 ? 2 + 12 * share : 1.2);
  const wSite = width(shareToSite);
  const wAzure = width(shareToAzure);
  const offset = (wSite + wAzure) / 4 + 2;

  const group = svg('g', {
    class: `tunnel tunnel-${state}`,
    'data-tunnel': tunnel.id,
    'data-state': state,
    'data-azure-up': String(t.azureUp),
    'data-device-up': String(t.deviceUp),
    'data-instance': tunnel.instance,
    'data-carried-by': t.carriedBy ?? 'none',
    'data-moved': String(moved),
    'data-generation': t.generation,
    'data-share-to-site': shareToSite.toFixed(4),
    'data-share-to-azure': shareToAzure.toFixed(4),
    'data-losing-to-site': t.flows.toSite.losing,
    'data-losing-to-azure': t.flows.toAzure.losing,
  });
  group.append(
    svg(
      'title',
      {},
      `tunnel ${t.id}: IPsec ${state} (Azure side ${t.azureUp ? 'up' : 'down'}, device side ${t.deviceUp ? 'up' : 'down'}, SA generation ${t.generation}); ` +
        `public IP ${t.azureIp} carried by ${t.carriedBy ?? 'nobody (moving)'}; ` +
        `Azure → site ${t.flows.toSite.routed} flows (${t.flows.toSite.losing} losing), site → Azure ${t.flows.toAzure.routed} flows (${t.flows.toAzure.losing} losing)`,
    ),
    svg('line', {
      x1: start.x,
      y1: start.y,
      x2: end.x,
      y2: end.y,
      class: `tunnel-pipe pipe-${state}`,
      stroke: state === 'up' ? color : undefined,
    }),
  );
  const direction = (sign: number, share: number, w: number, losing: number, name: string) =>
    svg('line', {
      x1: start.x + normal.x * offset * sign,
      y1: start.y + normal.y * offset * sign,
      x2: end.x + normal.x * offset * sign,
      y2: end.y + normal.y * offset * sign,
      stroke: losing > 0 ? RED : share > 0 ? color : MUTED,
      'stroke-width': w,
      'stroke-dasharray': share > 0 && losing === 0 && state === 'up' ? undefined : '7 5',
      'stroke-linecap': 'round',
      class: `flow flow-${name}`,
      'data-direction': name,
    });
  group.append(
    direction(-1, shareToSite, wSite, t.flows.toSite.losing, 'toSite'),
    direction(1, shareToAzure, wAzure, t.flows.toAzure.losing, 'toAzure'),
  );

  const labels = svg('g', { class: 'tunnel-label', 'data-tunnel-label': tunnel.id });
  const mid = along(start, end, 0.7);
  const shareText = (arrow: string, share: number, losing: number) =>
    `${arrow} ${formatPercent(share)}${losing > 0 ? ` · ${losing} losing` : ''}`;
  labels.append(
    halo(
      text(
        mid.x - normal.x * (offset + 12),
        mid.y - normal.y * (offset + 12) + 4,
        shareText('→', shareToSite, t.flows.toSite.losing),
        {
          class: t.flows.toSite.losing > 0 ? 'share share-bad' : 'share',
          'text-anchor': 'middle',
          'data-share-label': 'toSite',
        },
      ),
    ),
    halo(
      text(
        mid.x + normal.x * (offset + 12),
        mid.y + normal.y * (offset + 12) + 4,
        shareText('←', shareToAzure, t.flows.toAzure.losing),
        {
          class: t.flows.toAzure.losing > 0 ? 'share share-bad' : 'share',
          'text-anchor': 'middle',
          'data-share-label': 'toAzure',
        },
      ),
    ),
  );
  const near = along(start, end, 0.14);
  const session = snapshot.sessions.find((s) => s.id === tunnel.id);
  // A BGP tunnel's badge already tells its story; the note is for IP moves and static tunnels.
  if (moved || t.carriedBy === null || (state !== 'up' && !session)) {
    const note =
      t.carriedBy === null
        ? `${t.azureIp} moving…`
        : moved
          ? `via ${t.carriedBy} (IP moved)`
          : state === 'half'
            ? `IPsec half up (${t.azureUp ? 'Azure' : 'device'} side)`
            : 'IPsec down';
    labels.append(
      halo(
        text(
          near.x - normal.x * (offset + wSite / 2 + 10),
          near.y - normal.y * (offset + wSite / 2 + 10),
          note,
          {
            class: state === 'up' ? 'tunnel-note' : 'tunnel-note label-bad',
          },
        ),
      ),
    );
  }
  if (session) labels.append(sessionBadge(session, along(start, end, 0.34), bgpFsm));
  return [group, labels];
}

/** White outline behind text drawn over lines, for legibility. */
function halo(label: SVGTextElement): SVGTextElement {
  label.classList.add('halo');
  return label;
}

function sessionBadge(
  session: WorldSnapshot['sessions'][number],
  at: Point,
  bgpFsm: ReadonlyMap<string, string>,
): SVGGElement {
  // A speaker whose host crashed never leaves Established in its FSM: it is simply gone.
  const sideState = (established: boolean, fsm: string | undefined) =>
    established ? 'Established' : fsm === undefined ? 'Idle' : fsm === 'Established' ? 'down' : fsm;
  const azure = sideState(session.azureEstablished, bgpFsm.get(`${session.id}/azure`));
  const device = sideState(session.deviceEstablished, bgpFsm.get(`${session.id}/device`));
  const both = session.azureEstablished && session.deviceEstablished;
  const none = !session.azureEstablished && !session.deviceEstablished;
  const state = both ? 'established' : none ? 'down' : 'half';
  const color = both ? GREEN : none ? RED : AMBER;
  const label = both
    ? 'BGP Established'
    : azure === device
      ? `BGP ${azure}`
      : `BGP Azure ${azure} · device ${device}`;
  const width = 24 + label.length * 6.6;
  return svg(
    'g',
    {
      class: `session session-${state}`,
      'data-session': session.id,
      'data-state': state,
      'data-azure-state': azure,
      'data-device-state': device,
    },
    svg(
      'title',
      {},
      `BGP ${session.instance} ↔ ${session.device}: Azure side ${azure}, device side ${device}`,
    ),
    svg('rect', {
      x: at.x - width / 2,
      y: at.y - 11,
      width,
      height: 22,
      rx: 11,
      fill: '#ffffff',
      stroke: color,
      'stroke-width': 2,
      'stroke-dasharray': both ? undefined : '4 3',
    }),
    svg('circle', { cx: at.x - width / 2 + 11, cy: at.y, r: 4.5, fill: color }),
    text(at.x + 6, at.y + 4.5, label, { class: 'session-text', 'text-anchor': 'middle', fill: color }),
  );
}

function sitesLayer(layout: Layout, snapshot: WorldSnapshot): SVGGElement {
  const group = svg('g', { class: 'sites' });
  for (const site of layout.sites) {
    const { box } = site;
    group.append(
      svg('rect', { x: box.x, y: box.y, width: box.w, height: box.h, rx: 14, class: 'site-box' }),
      text(box.x + 14, box.y + 20, `VPN site ${site.name}`, { class: 'box-title' }),
      text(box.x + 14, box.y + 36, site.prefixes, { class: 'label-small' }),
    );
    for (const device of site.devices) {
      const alive = snapshot.devices.find((d) => d.name === device.name)?.alive ?? true;
      const d = device.box;
      const deviceGroup = svg(
        'g',
        {
          class: `device ${alive ? '' : 'device-failed'}`,
          'data-device': device.name,
          'data-alive': String(alive),
        },
        svg('rect', { x: d.x, y: d.y, width: d.w, height: d.h, rx: 10, class: 'device-box' }),
        text(d.x + 16, d.y + 20, `VPN device ${device.name}`, { class: 'label-strong' }),
        text(d.x + 16, d.y + 36, device.bgp ?? 'static routes (no BGP)', { class: 'label-small' }),
        text(d.x + 16, d.y + 50, device.details, { class: 'label-small' }),
      );
      if (!alive) {
        deviceGroup.append(
          text(d.x + d.w - 12, d.y + 20, 'FAILED', { class: 'label-bad label-strong', 'text-anchor': 'end' }),
        );
      }
      for (const link of device.links) {
        const up = snapshot.internetPaths.find((p) => p.name === link.name)?.up ?? true;
        deviceGroup.append(
          svg(
            'g',
            { class: `link ${up ? '' : 'link-down'}`, 'data-link': link.name, 'data-up': String(up) },
            svg('rect', {
              x: link.port.x - 6,
              y: link.port.y - link.span / 2,
              width: 12,
              height: link.span,
              rx: 3,
              class: 'link-port',
            }),
            text(
              link.port.x + 16,
              link.port.y + 4,
              `${link.provider ? `${link.provider} · ` : ''}${link.ipAddress} (${link.name})`,
              { class: 'label-small' },
            ),
            up
              ? undefined
              : text(d.x + d.w - 12, link.port.y + 4, 'path down', {
                  class: 'label-bad label-small',
                  'text-anchor': 'end',
                }),
          ),
        );
      }
      group.append(deviceGroup);
    }
  }
  return group;
}

function legend(layout: Layout): SVGGElement {
  const y = layout.height - 22;
  const x = 24;
  return svg(
    'g',
    { class: 'legend' },
    svg('line', { x1: x, y1: y - 4, x2: x + 34, y2: y - 4, stroke: '#0072b2', 'stroke-width': 8 }),
    text(x + 42, y, 'upper line → Azure to site, lower ← site to Azure; thickness = share of flows', {
      class: 'label-small',
    }),
    svg('line', {
      x1: x + 520,
      y1: y - 4,
      x2: x + 554,
      y2: y - 4,
      stroke: RED,
      'stroke-width': 4,
      'stroke-dasharray': '7 5',
    }),
    text(x + 562, y, 'flows losing packets', { class: 'label-small' }),
    svg('line', { x1: x + 700, y1: y - 4, x2: x + 734, y2: y - 4, class: 'tunnel-pipe pipe-down' }),
    text(x + 742, y, 'IPsec tunnel down', { class: 'label-small' }),
    svg('rect', { x: x + 880, y: y - 14, width: 30, height: 18, rx: 9, class: 'moved-ip-pill' }),
    text(x + 918, y, 'public IP moved', { class: 'label-small' }),
  );
}
