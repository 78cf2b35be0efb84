import { z } from 'zod';
import { parseDuration } from './duration.ts';

/**
 * A scenario: what happens to a topology over a run. Events are written either as
 * objects or as one line of plain words, the way an engineer would say them:
 *   - fail IN_0 unplanned at 30s
 *   - recover IN_0 at 5m
 *   - fail device branch1-fw1 at 60s
 *   - down link branch1-isp1 at 2m      (the device's internet path)
 *   - reset tunnel branch1-isp1-conn@IN_0 at 90s
 */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.ms;
});

const instanceId = z
  .string()
  .transform((s) => (s === 'Instance0' ? 'IN_0' : s === 'Instance1' ? 'IN_1' : s))
  .pipe(
    z.enum(['IN_0', 'IN_1'], { message: 'an instance is IN_0 or IN_1 (Instance0/Instance1 also accepted)' }),
  );

const instanceEvent = z.strictObject({
  at: duration,
  instance: instanceId,
  action: z.enum(['fail', 'recover']),
  mode: z.enum(['planned', 'unplanned']).default('unplanned'),
});
const deviceEvent = z.strictObject({
  at: duration,
  device: z.string().min(1),
  action: z.enum(['fail', 'recover']),
});
const linkEvent = z.strictObject({ at: duration, link: z.string().min(1), action: z.enum(['down', 'up']) });
const tunnelEvent = z.strictObject({
  at: duration,
  tunnel: z.strictObject({ linkConnection: z.string().min(1), instance: instanceId }),
  action: z.literal('reset'),
});

export type ScenarioEvent =
  | z.output<typeof instanceEvent>
  | z.output<typeof deviceEvent>
  | z.output<typeof linkEvent>
  | z.output<typeof tunnelEvent>;

const LINE_FORMS = [
  'fail IN_0 planned|unplanned at 30s',
  'recover IN_0 at 5m',
  'fail|recover device <name> at 60s',
  'down|up link <name> at 2m',
  'reset tunnel <linkConnection>@IN_0 at 90s',
];

/** Parses one plain-words event line; errors list the accepted forms. */
export function parseEventLine(line: string): { ok: true; event: unknown } | { ok: false; error: string } {
  const words = line.trim().split(/\s+/);
  const atIndex = words.lastIndexOf('at');
  const fail = (why: string) => ({
    ok: false as const,
    error: `${why}; write one of: ${LINE_FORMS.join('; ')}`,
  });
  if (atIndex < 0 || atIndex !== words.length - 2) return fail(`"${line}" has no "at <time>" at the end`);
  const at = words[atIndex + 1];
  const head = words.slice(0, atIndex);
  const [verb, a, b] = head;
  if ((verb === 'fail' || verb === 'recover') && a === 'device' && b && head.length === 3) {
    return { ok: true, event: { at, device: b, action: verb } };
  }
  if ((verb === 'down' || verb === 'up') && a === 'link' && b && head.length === 3) {
    return { ok: true, event: { at, link: b, action: verb } };
  }
  if (verb === 'reset' && a === 'tunnel' && b && head.length === 3) {
    const [linkConnection, instance] = b.split('@');
    if (!linkConnection || !instance) return fail(`"${b}" should be <linkConnection>@<instance>`);
    return { ok: true, event: { at, tunnel: { linkConnection, instance }, action: 'reset' } };
  }
  if (verb === 'fail' && a && (head.length === 2 || head.length === 3)) {
    return { ok: true, event: { at, instance: a, action: 'fail', ...(b ? { mode: b } : {}) } };
  }
  if (verb === 'recover' && a && head.length === 2)
    return { ok: true, event: { at, instance: a, action: 'recover' } };
  return fail(`"${line}" is not an event`);
}

const eventSchema = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    const parsed = parseEventLine(value);
    if (parsed.ok) return parsed.event;
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  },
  z.union([instanceEvent, deviceEvent, linkEvent, tunnelEvent], {
    message: `not an event; write one of: ${LINE_FORMS.join('; ')}`,
  }),
);

export const trafficSchema = z.strictObject({
  /** Flows per (VNet, site) pair and direction. */
  flowsPerPair: z.number().int().min(1).max(1_000_000).default(20),
  /** Packets per second of each flow: the loss resolution (10 pps → 100 ms). */
  ratePps: z.number().int().min(1).max(100_000).default(10),
  directions: z.enum(['both', 'toSite', 'toAzure']).default('both'),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
});

export const scenarioSchema = z.strictObject({
  name: z.string().default('scenario'),
  description: z.string().optional(),
  duration: duration.default(600_000),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /** How long before the first event the world runs to converge (tunnels and BGP up). */
  warmup: duration.default(120_000),
  traffic: trafficSchema.default({ flowsPerPair: 20, ratePps: 10, directions: 'both', protocol: 'tcp' }),
  events: z.array(eventSchema).default([]),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type TrafficProfile = z.output<typeof trafficSchema>;
