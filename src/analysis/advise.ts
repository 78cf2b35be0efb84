/**
 * What to change in a design, with what the simulator measured as evidence. The
 * model's validator already says what is suspicious in a file; advise runs the
 * design — the failure sweep plus targeted what-if runs — and says what each
 * suspicion costs in outage, lost packets, re-established sessions and BGP flaps,
 * and what fixes it. Validator errors and warnings are reported too: a file that
 * does not load yields its errors as high findings and nothing is simulated.
 * Platform-free.
 */
import { formatPath, type TopologyIssue } from '../model/issues.ts';
import type { LoadResult } from '../model/load.ts';
import type { Topology } from '../model/schema.ts';
import { summarizeTopology } from '../model/views.ts';
import { ADVICE_RULES } from './advise-rules.ts';
import type { AdviceContext } from './advise-support.ts';
import { enumerateFailures, type SweepOptions, sweepOptions } from './failures.ts';
import { compareStrings, runSweep, type SweepResult } from './sweep.ts';

export type Severity = 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

export interface Finding {
  /** Stable name of the rule that raised it, e.g. "single-tunnel", "bgp-hold-time". */
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  /** The element it is about, e.g. "device branch1-fw1", "link connection branch1-isp1-conn". */
  readonly subject: string;
  /** What the simulator measured (or, when `simulated` is false, the documented fact relied on). */
  readonly evidence: string;
  readonly fix: string;
  readonly simulated: boolean;
  /** The measured numbers behind the evidence, for machines: durations in ms, shares 0–1, counts. */
  readonly measurements: Readonly<Record<string, number>>;
  /** Field paths in the topology file the finding is about. */
  readonly paths: readonly string[];
  /** Validator warnings this finding explains (each is reported once, here). */
  readonly validatorWarnings: readonly string[];
}

/** A finding while it is built: `explains` picks the validator warnings it covers. */
export interface DraftFinding extends Omit<Finding, 'validatorWarnings'> {
  readonly explains?: (issue: TopologyIssue) => boolean;
  /** Sweep failures whose cut-off or loss this finding explains (generic findings skip them). */
  readonly explainsFailures?: readonly string[];
}

export interface AdviceIssue {
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
  readonly line: number | null;
  readonly column: number | null;
}

export interface Advice {
  /** Whether the topology loaded; when false nothing was simulated and findings are the validator's errors. */
  readonly loaded: boolean;
  readonly topologySummary: string | null;
  readonly findings: readonly Finding[];
  readonly counts: Readonly<Record<Severity, number>>;
  readonly validation: { readonly errors: readonly AdviceIssue[]; readonly warnings: readonly AdviceIssue[] };
  /** Scenarios simulated: the sweep (with its baseline) and the targeted runs. */
  readonly scenariosSimulated: number;
  /** The sweep's totals (null when nothing was simulated). */
  readonly sweep: SweepResult['totals'] | null;
}

export interface AdviseOptions extends Partial<SweepOptions> {
  /** A depth-1 sweep already run (e.g. by the CLI's worker pool); run in-process otherwise. */
  readonly sweep?: SweepResult;
  readonly design?: string;
}

export function advise(load: LoadResult, options: AdviseOptions = {}): Advice {
  const validation = {
    errors: load.ok ? [] : load.errors.map(issueOf),
    warnings: load.warnings.map(issueOf),
  };
  if (!load.ok) {
    const findings = [
      ...load.errors.map((issue) => validatorFinding(issue, 'high')),
      ...load.warnings.map((issue) => validatorFinding(issue, 'low')),
    ];
    return finish({ loaded: false, topologySummary: null, findings, validation, scenarios: 0, sweep: null });
  }
  const { sweep: given, design, ...rest } = options;
  const sweepSettings = sweepOptions({ ...rest, depth: 1 });
  const sweep =
    given ??
    runSweep(load.topology, enumerateFailures(load.topology, sweepSettings), {
      ...sweepSettings,
      design: design ?? load.topology.virtualHub.name,
    });
  const context = makeContext(load.topology, sweep, sweepSettings);
  const drafts: DraftFinding[] = [];
  for (const rule of ADVICE_RULES) drafts.push(...rule(context, drafts));
  const findings: Finding[] = [];
  const explained = new Set<TopologyIssue>();
  for (const draft of drafts) {
    const { explains, explainsFailures: _, ...finding } = draft;
    const mine = explains ? load.warnings.filter((w) => !explained.has(w) && explains(w)) : [];
    for (const w of mine) explained.add(w);
    findings.push({ ...finding, validatorWarnings: mine.map((w) => describeIssue(w)) });
  }
  for (const warning of load.warnings) {
    if (!explained.has(warning)) findings.push(validatorFinding(warning, 'low'));
  }
  return finish({
    loaded: true,
    topologySummary: summarizeTopology(load.topology),
    findings,
    validation,
    scenarios: sweep.failures.length + 1 + context.scenariosRun(),
    sweep: sweep.totals,
  });
}

function makeContext(
  topology: Topology,
  sweep: SweepResult,
  options: SweepOptions,
): AdviceContext & {
  scenariosRun: () => number;
} {
  let runs = 0;
  return {
    topology,
    sweep,
    options,
    countRun: () => {
      runs++;
    },
    scenariosRun: () => runs,
  };
}

function finish(input: {
  loaded: boolean;
  topologySummary: string | null;
  findings: Finding[];
  validation: Advice['validation'];
  scenarios: number;
  sweep: SweepResult['totals'] | null;
}): Advice {
  const findings = [...input.findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      compareStrings(a.rule, b.rule) ||
      compareStrings(a.subject, b.subject),
  );
  const counts = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    loaded: input.loaded,
    topologySummary: input.topologySummary,
    findings,
    counts,
    validation: input.validation,
    scenariosSimulated: input.scenarios,
    sweep: input.sweep,
  };
}

function issueOf(issue: TopologyIssue): AdviceIssue {
  return {
    severity: issue.severity,
    path: formatPath(issue.path),
    message: issue.message,
    line: issue.line ?? null,
    column: issue.column ?? null,
  };
}

function describeIssue(issue: TopologyIssue): string {
  const where = issue.line !== undefined ? `line ${issue.line}: ` : '';
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return `${where}${path}${issue.message}`;
}

/** A validator issue as a finding: the validator's words, its advice (after the last ";") as the fix. */
function validatorFinding(issue: TopologyIssue, severity: Severity): Finding {
  const error = issue.severity === 'error';
  const cut = issue.message.lastIndexOf('; ');
  const advice = cut >= 0 ? issue.message.slice(cut + 2) : '';
  return {
    rule: error ? 'validation-error' : 'validation-warning',
    severity,
    title: error
      ? 'the topology does not load: Azure would refuse it, so nothing was simulated'
      : 'the validator warns about this field',
    subject: issue.path.length > 0 ? formatPath(issue.path) : '(the file)',
    evidence: describeIssue(issue),
    fix: advice.length > 0 ? advice : error ? 'correct this field' : 'review this field',
    simulated: false,
    measurements: {},
    paths: issue.path.length > 0 ? [formatPath(issue.path)] : [],
    validatorWarnings: [],
  };
}
