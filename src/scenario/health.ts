import type { World } from './world.ts';

/**
 * What is up in a world at one moment, and why what is down is down — taken when
 * the warm-up ends, so a design that never converges (a prefix limit exceeded,
 * ResponderOnly facing ResponderOnly, a wrong ASN) says so before any failure is
 * blamed for its losses.
 */
export interface Health {
  readonly tunnels: { readonly up: number; readonly total: number; readonly down: readonly string[] };
  readonly bgpSessions: {
    readonly established: number;
    readonly total: number;
    readonly down: readonly { readonly session: string; readonly reason: string }[];
  };
}

export function healthOf(world: World): Health {
  const tunnelsDown = world.tunnels.filter((t) => !t.link.dataCapable).map((t) => t.id);
  const sessionsDown = world.sessions
    .filter((s) => !s.azure.established)
    .map((s) => ({ session: s.id, reason: s.lastAzureDown ?? `never established (${s.azure.fsmState})` }));
  return {
    tunnels: {
      up: world.tunnels.length - tunnelsDown.length,
      total: world.tunnels.length,
      down: tunnelsDown,
    },
    bgpSessions: {
      established: world.sessions.length - sessionsDown.length,
      total: world.sessions.length,
      down: sessionsDown,
    },
  };
}
