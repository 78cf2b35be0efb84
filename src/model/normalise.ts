/**
 * The last step of loading: one canonical form for what the file may spell
 * several ways, so later layers never branch on spelling. Instances come in
 * IN_0, IN_1 order everywhere; a DPD timeout of 0 (Azure exports' "unset") becomes
 * Azure's default. Runs only on a topology that passed crossCheck. Platform-free.
 */
import type { z } from 'zod';
import { AZURE, INSTANCE_IDS, type InstanceId } from './azure-defaults.ts';
import type { Topology, TopologySchema } from './schema.ts';

const byInstance = (a: InstanceId, b: InstanceId) => INSTANCE_IDS.indexOf(a) - INSTANCE_IDS.indexOf(b);

export function normaliseTopology(parsed: z.output<typeof TopologySchema>): Topology {
  const dpd = AZURE.ipsec.dpdTimeoutSeconds;
  return {
    ...parsed,
    vpnGateway: {
      ...parsed.vpnGateway,
      instances: [...parsed.vpnGateway.instances].sort((a, b) => byInstance(a.id, b.id)),
    },
    vpnConnections: parsed.vpnConnections.map((connection) => ({
      ...connection,
      vpnLinkConnections: connection.vpnLinkConnections.map((linkConnection) => ({
        ...linkConnection,
        dpdTimeoutSeconds:
          linkConnection.dpdTimeoutSeconds === dpd.unsetInExports
            ? dpd.default
            : linkConnection.dpdTimeoutSeconds,
        instances: [...linkConnection.instances].sort(byInstance),
        vpnGatewayCustomBgpAddresses: [...linkConnection.vpnGatewayCustomBgpAddresses].sort((a, b) =>
          byInstance(a.ipConfigurationId, b.ipConfigurationId),
        ),
      })),
    })),
  };
}
