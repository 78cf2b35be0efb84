// The model's modules directly, not its index: the index brings the zod schema, which the report's page does without.
import type { InstanceId } from '../src/model/azure-defaults.ts';
import type { Topology } from '../src/model/schema.ts';
import { resolveLinkConnections } from '../src/model/views.ts';

/**
 * Where everything goes in the drawing, computed once per topology: the seed's
 * picture — the virtual hub on the left with its VNets and the VPN gateway's two
 * instances, the VPN sites with their devices on the right, one line per tunnel
 * in between. Pure geometry in SVG user units; drawing.ts paints it from a snapshot.
 */
export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface LinkLayout {
  readonly name: string;
  readonly ipAddress: string;
  readonly provider: string | undefined;
  /** The port on the device's left edge where the link's tunnels end (its centre). */
  readonly port: Point;
  /** Height of the port: its tunnels end side by side on it. */
  readonly span: number;
}

export interface DeviceLayout {
  readonly name: string;
  readonly site: string;
  readonly box: Box;
  readonly bgp: string | undefined;
  readonly details: string;
  readonly links: readonly LinkLayout[];
}

export interface SiteLayout {
  readonly name: string;
  readonly box: Box;
  readonly prefixes: string;
  readonly devices: readonly DeviceLayout[];
}

export interface TunnelLayout {
  /** `<linkConnection>@<instance>`, as the simulator names it. */
  readonly id: string;
  readonly linkConnection: string;
  readonly instance: InstanceId;
  readonly device: string;
  readonly link: string;
  readonly bgp: boolean;
  /** Where the line starts on each instance: a tunnel can be carried by the other one after its IP moves. */
  readonly from: Readonly<Record<InstanceId, Point>>;
  readonly to: Point;
  /** Index into the tunnel palette (shared by the chart). */
  readonly color: number;
}

export interface InstanceLayout {
  readonly id: InstanceId;
  readonly box: Box;
  readonly publicIp: string;
  readonly bgpIps: readonly string[];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly hub: Box;
  readonly hubTitle: string;
  readonly vnets: readonly { readonly name: string; readonly prefixes: string; readonly box: Box }[];
  readonly gateway: Box;
  readonly gatewayTitle: string;
  readonly instances: readonly InstanceLayout[];
  readonly sites: readonly SiteLayout[];
  readonly tunnels: readonly TunnelLayout[];
}

export const WIDTH = 1200;
const MARGIN = 16;
export const SITE_X = 830;
const SITE_W = WIDTH - MARGIN - SITE_X;
const DEVICE_INSET = 22;
const SITE_HEADER = 44;
const DEVICE_HEADER = 58;
const LINK_ROW = 30;
const GAP = 14;
const INSTANCE_H = 128;
const VNET_H = 50;
const LEGEND_H = 34;
/** Vertical distance between the ends of two tunnels on one link's port. */
const TUNNEL_SPACING = 26;

export function layoutTopology(topology: Topology): Layout {
  const resolved = resolveLinkConnections(topology);
  const tunnelsPerLink = new Map<string, number>();
  for (const entry of resolved) {
    const key = `${entry.site.name}/${entry.link.name}`;
    tunnelsPerLink.set(key, (tunnelsPerLink.get(key) ?? 0) + entry.instances.length);
  }
  const rowHeight = (key: string) => Math.max(LINK_ROW, (tunnelsPerLink.get(key) ?? 0) * TUNNEL_SPACING + 10);

  // Right column: sites, each a box of devices, each device a list of links. Laid out from 0, centred below.
  interface Draft {
    site: Topology['vpnSites'][number];
    top: number;
    bottom: number;
    devices: {
      device: Topology['vpnSites'][number]['devices'][number];
      top: number;
      h: number;
      rows: number[];
    }[];
  }
  const drafts: Draft[] = [];
  let y = 0;
  for (const site of topology.vpnSites) {
    const top = y;
    y += SITE_HEADER;
    const devices: Draft['devices'] = [];
    for (const device of site.devices) {
      const rows = device.vpnSiteLinks.map((link) => rowHeight(`${site.name}/${link.name}`));
      const h = DEVICE_HEADER + rows.reduce((a, b) => a + b, 0) + 8;
      devices.push({ device, top: y, h, rows });
      y += h + GAP;
    }
    drafts.push({ site, top, bottom: y, devices });
    y += GAP;
  }
  const rightHeight = y;

  const vnetsHeight = topology.vnets.length * (VNET_H + GAP);
  const contentHeight = Math.max(rightHeight + 24, vnetsHeight + 120, 2 * INSTANCE_H + 150);
  const height = MARGIN + contentHeight + LEGEND_H + MARGIN;
  const shift = MARGIN + 24 + Math.max(0, (contentHeight - 24 - rightHeight) / 2);

  const ports = new Map<string, Point>();
  const sites: SiteLayout[] = drafts.map((draft) => {
    const devices: DeviceLayout[] = draft.devices.map(({ device, top, h, rows }) => {
      let rowTop = shift + top + DEVICE_HEADER;
      const links: LinkLayout[] = device.vpnSiteLinks.map((link, index) => {
        const rowH = rows[index] ?? LINK_ROW;
        const port = { x: SITE_X + DEVICE_INSET, y: rowTop + rowH / 2 };
        rowTop += rowH;
        ports.set(`${draft.site.name}/${link.name}`, port);
        return {
          name: link.name,
          ipAddress: link.ipAddress,
          provider: link.linkProperties?.linkProviderName,
          port,
          span: Math.max(14, (tunnelsPerLink.get(`${draft.site.name}/${link.name}`) ?? 1) * TUNNEL_SPACING),
        };
      });
      const bgpLink = device.vpnSiteLinks.find((l) => l.bgpProperties !== undefined);
      return {
        name: device.name,
        site: draft.site.name,
        box: { x: SITE_X + DEVICE_INSET, y: shift + top, w: SITE_W - 2 * DEVICE_INSET + 8, h },
        bgp: bgpLink?.bgpProperties
          ? `BGP AS ${bgpLink.bgpProperties.asn} · ${bgpLink.bgpProperties.bgpPeeringAddress} (${device.bgpAddressOn})`
          : undefined,
        details: `ECMP ${device.ecmp ? 'on' : 'off'} · IKE ${device.connectionMode}`,
        links,
      };
    });
    const advertised = [...new Set(draft.site.devices.flatMap((d) => d.advertisedPrefixes))];
    const prefixes =
      draft.site.addressSpace.length > 0
        ? `static ${draft.site.addressSpace.join(', ')}`
        : advertised.length > 0
          ? `BGP ${advertised.join(', ')}`
          : 'no prefixes';
    return {
      name: draft.site.name,
      box: { x: SITE_X, y: shift + draft.top, w: SITE_W, h: draft.bottom - draft.top },
      prefixes,
      devices,
    };
  });

  // Left: VNets stacked, the gateway with IN_0 above IN_1.
  const hub: Box = { x: MARGIN, y: MARGIN, w: 500, h: contentHeight };
  const vnetTop = hub.y + 56 + Math.max(0, (hub.h - 56 - vnetsHeight) / 2 - 20);
  const vnets = topology.vnets.map((vnet, index) => ({
    name: vnet.name,
    prefixes: vnet.addressPrefixes.join(', '),
    box: { x: hub.x + 18, y: vnetTop + index * (VNET_H + GAP), w: 170, h: VNET_H },
  }));
  const gateway: Box = { x: hub.x + 212, y: hub.y + 40, w: hub.w - 228, h: hub.h - 60 };
  const slot = (fraction: number) =>
    Math.min(
      Math.max(gateway.y + 46, gateway.y + gateway.h * fraction - INSTANCE_H / 2),
      gateway.y + gateway.h - INSTANCE_H - 12,
    );
  const instanceBox = (index: number): Box => ({
    x: gateway.x + 16,
    y: index === 0 ? slot(0.3) : Math.max(slot(0.72), slot(0.3) + INSTANCE_H + 24),
    w: gateway.w - 32,
    h: INSTANCE_H,
  });
  const instances: InstanceLayout[] = topology.vpnGateway.instances.map((instance, index) => ({
    id: instance.id,
    box: instanceBox(index),
    publicIp: instance.tunnelIpAddress,
    bgpIps: [instance.defaultBgpIpAddress, ...instance.customBgpIpAddresses],
  }));

  // Tunnels: one per (link connection, instance); the tunnels of one link end side by side on its port.
  const seenOnLink = new Map<string, number>();
  const partial = resolved.flatMap((entry) =>
    entry.instances.map((instance) => {
      const key = `${entry.site.name}/${entry.link.name}`;
      const port = ports.get(key) ?? { x: SITE_X, y: MARGIN };
      const index = seenOnLink.get(key) ?? 0;
      seenOnLink.set(key, index + 1);
      const count = tunnelsPerLink.get(key) ?? 1;
      return {
        id: `${entry.linkConnection.name}@${instance}`,
        linkConnection: entry.linkConnection.name,
        instance,
        device: entry.device.name,
        link: entry.link.name,
        bgp: entry.linkConnection.enableBgp,
        to: { x: port.x, y: port.y + (index - (count - 1) / 2) * TUNNEL_SPACING },
      };
    }),
  );
  // Every tunnel has a slot on both instances (it may move); slots follow the far ends' order, so lines do not cross.
  const order = [...partial].sort((a, b) => a.to.y - b.to.y || (a.instance < b.instance ? -1 : 1));
  const fromOf = (instance: InstanceLayout, rank: number): Point => {
    const top = instance.box.y + 30;
    const span = instance.box.h - 48;
    return {
      x: instance.box.x + instance.box.w,
      y: order.length === 1 ? top + span / 2 : top + (span * rank) / (order.length - 1),
    };
  };
  const tunnels: TunnelLayout[] = partial.map((t, index) => {
    const rank = order.indexOf(t);
    const from = {
      IN_0: fromOf(instances[0] as InstanceLayout, rank),
      IN_1: fromOf(instances[1] as InstanceLayout, rank),
    };
    return { ...t, from, color: index };
  });

  return {
    width: WIDTH,
    height,
    hub,
    hubTitle: `Virtual hub ${topology.virtualHub.name} · ${topology.virtualHub.addressPrefix}`,
    vnets,
    gateway,
    gatewayTitle: `VPN gateway ${topology.vpnGateway.name} · AS ${topology.vpnGateway.bgpSettings.asn} · ${topology.vpnGateway.vpnGatewayScaleUnit} scale unit${topology.vpnGateway.vpnGatewayScaleUnit === 1 ? '' : 's'}`,
    instances,
    sites,
    tunnels,
  };
}

/** Tunnel colours, colour-blind safe, none of them the red or green that mean down and up. */
export const TUNNEL_PALETTE: readonly string[] = [
  '#0072b2',
  '#8c6bb1',
  '#e69f00',
  '#56b4e9',
  '#cc79a7',
  '#999933',
  '#882255',
  '#44aa99',
];

export function tunnelColor(index: number): string {
  return TUNNEL_PALETTE[index % TUNNEL_PALETTE.length] as string;
}
