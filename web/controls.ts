import type { WorldSnapshot } from '../src/scenario/interactive.ts';
import type { ScenarioEvent } from '../src/scenario/schema.ts';
import { html } from './dom.ts';
import type { Layout } from './layout.ts';

/**
 * The failures the seed talks about, one button each: an instance out of service
 * (planned or unplanned) and back, a remote device, an internet path (site link),
 * a tunnel reset. Buttons that cannot apply now (failing a failed instance) are
 * disabled; what the gateway still refuses shows in the event log.
 */
interface Bound {
  readonly button: HTMLButtonElement;
  readonly enabled: (snapshot: WorldSnapshot) => boolean;
}

export class Controls {
  private readonly bound: Bound[] = [];
  private readonly stateLabels = new Map<string, HTMLElement>();

  constructor(
    container: HTMLElement,
    layout: Layout,
    private readonly onEvent: (event: ScenarioEvent) => void,
  ) {
    const instanceRows = layout.instances.map((instance) => {
      const other = layout.instances.find((i) => i.id !== instance.id)?.id;
      const state = html('span', { class: 'control-state', 'data-state-of': instance.id }, '');
      this.stateLabels.set(instance.id, state);
      const stateOf = (s: WorldSnapshot, id: string | undefined) =>
        s.instances.find((i) => i.id === id)?.state;
      return this.row(
        `${instance.id} · ${instance.publicIp}`,
        state,
        this.button(
          'fail unplanned',
          'fail-unplanned',
          instance.id,
          { instance: instance.id, action: 'fail', mode: 'unplanned', at: 0 },
          (s) => stateOf(s, instance.id) === 'up',
        ),
        this.button(
          'fail planned',
          'fail-planned',
          instance.id,
          { instance: instance.id, action: 'fail', mode: 'planned', at: 0 },
          (s) => {
            const otherState = stateOf(s, other);
            return stateOf(s, instance.id) === 'up' && otherState !== 'draining' && otherState !== 'down';
          },
        ),
        this.button(
          'recover',
          'recover',
          instance.id,
          { instance: instance.id, action: 'recover', mode: 'unplanned', at: 0 },
          (s) => {
            const current = stateOf(s, instance.id);
            return current === 'down' || current === 'crashed';
          },
        ),
      );
    });
    const devices = layout.sites.flatMap((site) => site.devices);
    const deviceRows = devices.map((device) => {
      const alive = (s: WorldSnapshot) => s.devices.find((d) => d.name === device.name)?.alive ?? true;
      return this.row(
        device.name,
        undefined,
        this.button(
          'fail',
          'device-fail',
          device.name,
          { device: device.name, action: 'fail', at: 0 },
          alive,
        ),
        this.button(
          'recover',
          'device-recover',
          device.name,
          { device: device.name, action: 'recover', at: 0 },
          (s) => !alive(s),
        ),
      );
    });
    const linkRows = devices.flatMap((device) =>
      device.links.map((link) => {
        const up = (s: WorldSnapshot) => s.internetPaths.find((p) => p.name === link.name)?.up ?? true;
        return this.row(
          `${link.name} · ${link.ipAddress}`,
          undefined,
          this.button('down', 'path-down', link.name, { link: link.name, action: 'down', at: 0 }, up),
          this.button('up', 'path-up', link.name, { link: link.name, action: 'up', at: 0 }, (s) => !up(s)),
        );
      }),
    );
    const tunnelRows = layout.tunnels.map((tunnel) =>
      this.row(
        tunnel.id,
        undefined,
        this.button(
          'reset',
          'tunnel-reset',
          tunnel.id,
          {
            tunnel: { linkConnection: tunnel.linkConnection, instance: tunnel.instance },
            action: 'reset',
            at: 0,
          },
          () => true,
        ),
      ),
    );
    container.replaceChildren(
      this.section('Gateway instances', instanceRows),
      this.section('VPN devices', deviceRows),
      this.section('Internet paths (site links)', linkRows),
      this.section('Tunnels (reset from Azure)', tunnelRows),
    );
  }

  update(snapshot: WorldSnapshot): void {
    for (const { button, enabled } of this.bound) button.disabled = !enabled(snapshot);
    for (const instance of snapshot.instances) {
      const label = this.stateLabels.get(instance.id);
      if (label) {
        label.textContent = instance.state;
        label.dataset.state = instance.state;
      }
    }
  }

  private section(title: string, rows: readonly HTMLElement[]): HTMLElement {
    return html('fieldset', { class: 'control-group' }, html('legend', {}, title), ...rows);
  }

  private row(label: string, state: HTMLElement | undefined, ...buttons: HTMLButtonElement[]): HTMLElement {
    return html(
      'div',
      { class: 'control-row' },
      html('span', { class: 'control-label', title: label }, label),
      state,
      html('span', { class: 'control-buttons' }, ...buttons),
    );
  }

  private button(
    text: string,
    action: string,
    target: string,
    event: ScenarioEvent,
    enabled: (snapshot: WorldSnapshot) => boolean,
  ): HTMLButtonElement {
    const button = html(
      'button',
      { type: 'button', 'data-action': action, 'data-target': target, title: `${text}: ${target}` },
      text,
    );
    button.addEventListener('click', () => this.onEvent(event));
    this.bound.push({ button, enabled });
    return button;
  }
}
