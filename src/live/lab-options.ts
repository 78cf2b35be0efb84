/** What `lab up` leaves in the lab directory for the lab controller daemon (lab-controller-main.ts). */
import { z } from 'zod';

export const LAB_OPTIONS_FILE = 'lab-options.json';
export const LAB_TOPOLOGY_FILE = 'topology.txt';
export const CONTROLLER_STATUS_FILE = 'controller.status.json';

export const labOptionsSchema = z.strictObject({
  timers: z.enum(['azure', 'fast']),
  frrDevices: z.union([z.literal('all'), z.array(z.string())]),
  pollIntervalMs: z.number().int().min(50).max(10_000).optional(),
});
export type LabOptionsFile = z.infer<typeof labOptionsSchema>;
