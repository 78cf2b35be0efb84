/**
 * The simple end of ARM template expressions, as `az group export` and the portal's
 * "Export template" write them: `[parameters('vpnSites_branch1_name')]`,
 * `[concat(parameters('gw'), '/conn1')]`, `[resourceId('Microsoft.Network/vpnSites',
 * parameters('site'))]`. Anything else (reference(), list*(), copyIndex() …) needs a
 * deployment to evaluate, so it is reported with the function's name rather than
 * guessed. Platform-free.
 *
 * Grammar (ARM template functions reference, learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions):
 *   expression := primary ( '.' name | '[' expression ']' )*
 *   primary    := 'string' | number | name '(' [ expression ( ',' expression )* ] ')'
 */
import { isJsonObject, type Json, type JsonObject } from './reader.ts';

export const SUPPORTED_FUNCTIONS = [
  'parameters',
  'variables',
  'concat',
  'format',
  'resourceId',
  'toLower',
  'toUpper',
  'string',
  'int',
  'createArray',
  'true',
  'false',
] as const;

export interface TemplateScope {
  /** The template's `parameters` section: `{ name: { type, defaultValue } }`. */
  readonly parameters: JsonObject;
  readonly variables: JsonObject;
  /** Values given for parameters, overriding their defaultValue. */
  readonly parameterValues?: Readonly<Record<string, Json>>;
}

type Token =
  | { kind: 'string'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'name'; text: string }
  | { kind: 'punct'; text: '(' | ')' | ',' | '.' | '[' | ']' };

class ExpressionError extends Error {}

/**
 * Bounds on evaluating one template, whatever it holds: expressions (with the
 * variables they use) nest at most `depth` deep; a value is at most
 * `valueCharacters` of text or `listItems` items; and evaluation stops after
 * `steps` function calls and property steps, or `characters` of text built, in
 * all. Real exports stay far below (names of 80 characters, ids of a few
 * hundred, a handful of calls per expression); past them a template would take
 * exponential time or exhaust the stack (variables built from variables,
 * `concat(concat(…))`). Parameters and variables are evaluated once each.
 */
export const EXPRESSION_LIMITS = {
  depth: 48,
  valueCharacters: 65_536,
  listItems: 10_000,
  steps: 2_000_000,
  characters: 64 * 2 ** 20,
};

/** Per-template state: the work budget and the values of parameters and variables, each evaluated once. */
interface TemplateState {
  steps: number;
  characters: number;
  /** Calls, indices, variables and nested values open right now, across the variables an expression uses. */
  active: number;
  readonly values: Map<string, { value: Json } | { error: string } | 'evaluating'>;
}

const states = new WeakMap<TemplateScope, TemplateState>();

function stateOf(scope: TemplateScope): TemplateState {
  let state = states.get(scope);
  if (state === undefined) {
    state = { steps: 0, characters: 0, active: 0, values: new Map() };
    states.set(scope, state);
  }
  return state;
}

/** A name from the input, as an error message quotes it. */
function named(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

const NUMBER = /-?[0-9]+/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const parts: string[] = [];
      let from = i + 1;
      i++;
      for (;;) {
        const quote = source.indexOf("'", i);
        if (quote < 0) throw new ExpressionError('a quoted string is not closed');
        // '' inside a string is one quote.
        if (source[quote + 1] === "'") {
          parts.push(source.slice(from, quote + 1));
          i = quote + 2;
          from = i;
          continue;
        }
        parts.push(source.slice(from, quote));
        i = quote + 1;
        break;
      }
      tokens.push({ kind: 'string', text: parts.join('') });
    } else if (/[0-9-]/.test(c)) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(source);
      if (match === null) throw new ExpressionError(`unexpected ${JSON.stringify(c)}`);
      tokens.push({ kind: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      NAME.lastIndex = i;
      const match = NAME.exec(source) as RegExpExecArray;
      tokens.push({ kind: 'name', text: match[0] });
      i += match[0].length;
    } else if ('(),.[]'.includes(c)) {
      tokens.push({ kind: 'punct', text: c as '(' | ')' | ',' | '.' | '[' | ']' });
      i++;
    } else {
      throw new ExpressionError(`unexpected ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

class Evaluator {
  private position = 0;
  private readonly state: TemplateState;

  constructor(
    private readonly tokens: Token[],
    private readonly scope: TemplateScope,
  ) {
    this.state = stateOf(scope);
  }

  run(): Json {
    const value = this.expression();
    if (this.position < this.tokens.length) throw new ExpressionError('unexpected text after the expression');
    return value;
  }

  /** One unit of work from the template's budget. */
  private step(): void {
    if (++this.state.steps > EXPRESSION_LIMITS.steps) {
      throw new ExpressionError(
        `the template's expressions take more than ${EXPRESSION_LIMITS.steps.toLocaleString('en-US')} steps to evaluate (variables built from variables?); replace them with their values`,
      );
    }
  }

  /** Text built, from the template's budget. */
  private built(characters: number): void {
    this.state.characters += characters;
    if (this.state.characters > EXPRESSION_LIMITS.characters) {
      throw new ExpressionError(
        `the template's expressions build more than ${EXPRESSION_LIMITS.characters / 2 ** 20} MiB of text; replace them with their values`,
      );
    }
  }

  private enter(): void {
    if (++this.state.active > EXPRESSION_LIMITS.depth) {
      throw new ExpressionError(
        `the expression nests more than ${EXPRESSION_LIMITS.depth} calls, indices and variables deep; replace it with its value`,
      );
    }
  }

  private leave(): void {
    this.state.active--;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private punct(text: string): boolean {
    const token = this.peek();
    if (token?.kind === 'punct' && token.text === text) {
      this.position++;
      return true;
    }
    return false;
  }

  private expect(text: string): void {
    if (!this.punct(text)) throw new ExpressionError(`expected "${text}"`);
  }

  private expression(): Json {
    let value = this.primary();
    for (;;) {
      if (this.punct('.')) {
        const name = this.peek();
        if (name?.kind !== 'name') throw new ExpressionError('expected a property name after "."');
        this.position++;
        this.step();
        value = property(value, name.text);
      } else if (this.punct('[')) {
        this.enter();
        const index = this.expression();
        this.leave();
        this.expect(']');
        this.step();
        value = typeof index === 'number' ? element(value, index) : property(value, String(index));
      } else {
        return value;
      }
    }
  }

  private primary(): Json {
    const token = this.peek();
    if (token === undefined) throw new ExpressionError('the expression ends too early');
    this.position++;
    if (token.kind === 'string') return bounded(token.text);
    if (token.kind === 'number') return token.value;
    if (token.kind !== 'name') throw new ExpressionError(`unexpected "${token.text}"`);
    this.expect('(');
    this.enter();
    const args: Json[] = [];
    if (!this.punct(')')) {
      do {
        args.push(this.expression());
        if (args.length > EXPRESSION_LIMITS.listItems)
          throw new ExpressionError(`${token.text}() has too many arguments`);
      } while (this.punct(','));
      this.expect(')');
    }
    this.leave();
    this.step();
    const value = bounded(this.call(token.text, args));
    if (typeof value === 'string') this.built(value.length);
    return value;
  }

  private call(name: string, args: readonly Json[]): Json {
    const supported = SUPPORTED_FUNCTIONS.find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    switch (supported) {
      case 'parameters':
        return this.parameter(textArg(name, args, 0));
      case 'variables':
        return this.variable(textArg(name, args, 0));
      case 'concat':
        if (args.length > 0 && args.every((arg) => Array.isArray(arg))) {
          let items = 0;
          for (const arg of args) items += (arg as readonly Json[]).length;
          if (items > EXPRESSION_LIMITS.listItems) throw tooLarge('list', items);
          return args.flatMap((arg) => arg as readonly Json[]);
        }
        return joined(args.map((arg) => scalarText(name, arg)));
      case 'format': {
        const format = textArg(name, args, 0);
        let length = format.length;
        return format.replace(/\{(\d+)(:[^}]*)?\}/g, (_, index: string) => {
          const arg = args[Number(index) + 1];
          if (arg === undefined)
            throw new ExpressionError(`format() has no argument {${index.slice(0, 10)}}`);
          const text = scalarText(name, arg);
          length += text.length;
          if (length > EXPRESSION_LIMITS.valueCharacters) throw tooLarge('text', length);
          return text;
        });
      }
      case 'resourceId':
        return resourceId(args.map((arg) => scalarText(name, arg)));
      case 'toLower':
        return textArg(name, args, 0).toLowerCase();
      case 'toUpper':
        return textArg(name, args, 0).toUpperCase();
      case 'string':
        return typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0] ?? null);
      case 'int': {
        const value = Number(args[0]);
        if (!Number.isSafeInteger(value))
          throw new ExpressionError(
            `int() cannot convert ${typeof args[0] === 'string' ? named(args[0]) : describe(args[0])}`,
          );
        return value;
      }
      case 'createArray':
        return [...args];
      case 'true':
        return true;
      case 'false':
        return false;
      case undefined:
        throw new ExpressionError(
          `${named(name).slice(1, -1)}() is not evaluated by vwan-ha (it needs a deployment, or is not supported); vwan-ha evaluates ${SUPPORTED_FUNCTIONS.map((f) => `${f}()`).join(', ')}: replace the expression with its value`,
        );
    }
  }

  private parameter(name: string): Json {
    const given = this.scope.parameterValues?.[name];
    if (given !== undefined) return given;
    const key = Object.keys(this.scope.parameters).find((k) => k.toLowerCase() === name.toLowerCase());
    const declared = key === undefined ? undefined : this.scope.parameters[key];
    if (declared === undefined || key === undefined)
      throw new ExpressionError(
        `the template declares no parameter ${named(name)}: add it, with a defaultValue, to the template's parameters`,
      );
    if (!isJsonObject(declared) || declared.defaultValue === undefined) {
      throw new ExpressionError(
        `parameter ${named(name)} has no defaultValue, and vwan-ha does not deploy templates to ask for one: add "defaultValue" to it in the template's parameters`,
      );
    }
    return this.once(`parameter ${key}`, declared.defaultValue);
  }

  private variable(name: string): Json {
    const key = Object.keys(this.scope.variables).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined)
      throw new ExpressionError(
        `the template declares no variable ${named(name)}: add it to the template's variables`,
      );
    return this.once(`variable ${key}`, this.scope.variables[key] as Json);
  }

  /**
   * A parameter's default or a variable, evaluated once per template however
   * often it is used (variables built from variables stay linear), with loops
   * found when a value is needed while it is being evaluated.
   */
  private once(id: string, raw: Json): Json {
    const known = this.state.values.get(id);
    if (known === 'evaluating') {
      const [kind, ...name] = id.split(' ');
      throw new ExpressionError(
        `${kind}s refer to each other in a loop (through ${named(name.join(' '))}): replace one of them with its value`,
      );
    }
    if (known !== undefined) {
      if ('error' in known) throw new ExpressionError(known.error);
      return known.value;
    }
    this.state.values.set(id, 'evaluating');
    try {
      const value = this.nested(raw);
      this.state.values.set(id, { value });
      return value;
    } catch (thrown) {
      if (thrown instanceof ExpressionError) this.state.values.set(id, { error: thrown.message });
      else this.state.values.delete(id);
      throw thrown;
    }
  }

  /** Parameter defaults and variables may themselves hold expressions, in strings at any depth. */
  private nested(value: Json): Json {
    this.step();
    this.enter();
    let result: Json;
    if (typeof value === 'string') result = evaluateString(value, this.scope);
    else if (Array.isArray(value)) result = value.map((item: Json) => this.nested(item));
    else if (isJsonObject(value))
      result = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.nested(v)]));
    else result = value;
    this.leave();
    return result;
  }
}

function tooLarge(what: 'text' | 'list', size: number): ExpressionError {
  const limit = what === 'text' ? EXPRESSION_LIMITS.valueCharacters : EXPRESSION_LIMITS.listItems;
  return new ExpressionError(
    `the expression builds a ${what} of ${size.toLocaleString('en-US')} ${what === 'text' ? 'characters' : 'items'}, over vwan-ha's ${limit.toLocaleString('en-US')}; replace it with its value`,
  );
}

/** Text and lists an expression produces stay within the limits. */
function bounded(value: Json): Json {
  if (typeof value === 'string' && value.length > EXPRESSION_LIMITS.valueCharacters)
    throw tooLarge('text', value.length);
  if (Array.isArray(value) && value.length > EXPRESSION_LIMITS.listItems)
    throw tooLarge('list', value.length);
  return value;
}

function joined(parts: readonly string[]): string {
  let length = 0;
  for (const part of parts) length += part.length;
  if (length > EXPRESSION_LIMITS.valueCharacters) throw tooLarge('text', length);
  return parts.join('');
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

function textArg(name: string, args: readonly Json[], index: number): string {
  const value = args[index];
  if (typeof value !== 'string') throw new ExpressionError(`${name}() expects text as argument ${index + 1}`);
  return value;
}

function scalarText(name: string, value: Json): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ExpressionError(
    `${name}() cannot join ${Array.isArray(value) ? 'a list' : 'an object'} into text`,
  );
}

function property(value: Json, name: string): Json {
  if (!isJsonObject(value))
    throw new ExpressionError(`.${named(name).slice(1, -1)} of something that is not an object`);
  const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw new ExpressionError(`the object has no property ${named(name)}`);
  return value[key] as Json;
}

function element(value: Json, index: number): Json {
  if (!Array.isArray(value)) throw new ExpressionError(`[${index}] of something that is not a list`);
  const list: readonly Json[] = value;
  const item = list[index];
  if (item === undefined) throw new ExpressionError(`[${index}] is past the end of the list`);
  return item;
}

/**
 * resourceId([subscriptionId,] [resourceGroupName,] type, name1, name2 …) as a
 * provider-relative id, `/providers/Microsoft.Network/vpnSites/s1/vpnSiteLinks/l1`
 * (subscription and group are not needed to tell this file's resources apart).
 */
function resourceId(args: readonly string[]): string {
  const typeIndex = args.findIndex((arg) => /^[A-Za-z0-9]+\.[A-Za-z0-9.]+\/[A-Za-z0-9/]+$/.test(arg));
  if (typeIndex < 0)
    throw new ExpressionError('resourceId() has no resource type such as Microsoft.Network/vpnSites');
  const [namespace, ...types] = (args[typeIndex] as string).split('/');
  const names = args.slice(typeIndex + 1).flatMap((name) => name.split('/'));
  if (names.length !== types.length) {
    throw new ExpressionError(
      `resourceId() for ${named(args[typeIndex] as string)} needs ${types.length} name(s), got ${names.length}`,
    );
  }
  const parts = types.flatMap((type, i) => [type, names[i] as string]);
  return `/providers/${namespace}/${parts.join('/')}`;
}

function evaluateString(text: string, scope: TemplateScope): Json {
  if (text.startsWith('[[')) return text.slice(1);
  if (!(text.startsWith('[') && text.endsWith(']'))) return text;
  if (text.length > EXPRESSION_LIMITS.valueCharacters) {
    throw new ExpressionError(
      `the expression is ${text.length.toLocaleString('en-US')} characters long, over vwan-ha's ${EXPRESSION_LIMITS.valueCharacters.toLocaleString('en-US')}; replace it with its value`,
    );
  }
  return new Evaluator(tokenize(text.slice(1, -1)), scope).run();
}

/** Evaluates one template string (`[...]`; other strings come back unchanged). */
export function evaluateTemplateString(
  text: string,
  scope: TemplateScope,
): { ok: true; value: Json } | { ok: false; error: string } {
  // An expression that failed half-way left its nesting count behind: each evaluation starts at zero.
  stateOf(scope).active = 0;
  try {
    return { ok: true, value: evaluateString(text, scope) };
  } catch (thrown) {
    if (thrown instanceof ExpressionError) {
      const shown = text.length > 100 ? `${text.slice(0, 97)}...` : text;
      // Every reason ends in what to do; the parser's own ("expected ")"") get the general advice.
      const advice = /: (add|replace)|; replace/.test(thrown.message)
        ? ''
        : '; correct it, or replace it with its value';
      return {
        ok: false,
        error: `cannot evaluate the template expression ${shown}: ${thrown.message}${advice}`,
      };
    }
    throw thrown;
  }
}
