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

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new ExpressionError('a quoted string is not closed');
        const d = source[i] as string;
        if (d === "'") {
          // '' inside a string is one quote.
          if (source[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += d;
        i++;
      }
      tokens.push({ kind: 'string', text });
    } else if (/[0-9-]/.test(c)) {
      const match = /^-?[0-9]+/.exec(source.slice(i));
      if (match === null) throw new ExpressionError(`unexpected ${JSON.stringify(c)}`);
      tokens.push({ kind: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
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

  constructor(
    private readonly tokens: Token[],
    private readonly scope: TemplateScope,
    private readonly depth: number,
  ) {}

  run(): Json {
    const value = this.expression();
    if (this.position < this.tokens.length) throw new ExpressionError('unexpected text after the expression');
    return value;
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
        value = property(value, name.text);
      } else if (this.punct('[')) {
        const index = this.expression();
        this.expect(']');
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
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return token.value;
    if (token.kind !== 'name') throw new ExpressionError(`unexpected "${token.text}"`);
    this.expect('(');
    const args: Json[] = [];
    if (!this.punct(')')) {
      do args.push(this.expression());
      while (this.punct(','));
      this.expect(')');
    }
    return this.call(token.text, args);
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
          return args.flatMap((arg) => arg as readonly Json[]);
        }
        return args.map((arg) => scalarText(name, arg)).join('');
      case 'format': {
        const format = textArg(name, args, 0);
        return format.replace(/\{(\d+)(:[^}]*)?\}/g, (_, index: string) => {
          const arg = args[Number(index) + 1];
          if (arg === undefined) throw new ExpressionError(`format() has no argument {${index}}`);
          return scalarText(name, arg);
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
        if (!Number.isInteger(value))
          throw new ExpressionError(`int() cannot convert ${JSON.stringify(args[0])}`);
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
          `${name}() is not evaluated by vwan-ha (it needs a deployment, or is not supported); vwan-ha evaluates ${SUPPORTED_FUNCTIONS.map((f) => `${f}()`).join(', ')}: replace the expression with its value`,
        );
    }
  }

  private parameter(name: string): Json {
    const given = this.scope.parameterValues?.[name];
    if (given !== undefined) return given;
    const key = Object.keys(this.scope.parameters).find((k) => k.toLowerCase() === name.toLowerCase());
    const declared = key === undefined ? undefined : this.scope.parameters[key];
    if (declared === undefined) throw new ExpressionError(`the template declares no parameter "${name}"`);
    if (!isJsonObject(declared) || declared.defaultValue === undefined) {
      throw new ExpressionError(
        `parameter "${name}" has no defaultValue, and vwan-ha does not deploy templates to ask for one: add "defaultValue" to parameters.${name}`,
      );
    }
    return this.nested(declared.defaultValue);
  }

  private variable(name: string): Json {
    const key = Object.keys(this.scope.variables).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined) throw new ExpressionError(`the template declares no variable "${name}"`);
    return this.nested(this.scope.variables[key] as Json);
  }

  /** Parameter defaults and variables may themselves hold expressions. */
  private nested(value: Json): Json {
    if (this.depth > 20) throw new ExpressionError('parameters and variables refer to each other in a loop');
    if (typeof value === 'string') return evaluateString(value, this.scope, this.depth + 1);
    if (Array.isArray(value)) return value.map((item: Json) => this.nested(item));
    if (isJsonObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.nested(v)]));
    }
    return value;
  }
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
  if (!isJsonObject(value)) throw new ExpressionError(`.${name} of something that is not an object`);
  const key = Object.keys(value).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw new ExpressionError(`the object has no property "${name}"`);
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
      `resourceId() for ${args[typeIndex]} needs ${types.length} name(s), got ${names.length}`,
    );
  }
  const parts = types.flatMap((type, i) => [type, names[i] as string]);
  return `/providers/${namespace}/${parts.join('/')}`;
}

function evaluateString(text: string, scope: TemplateScope, depth: number): Json {
  if (text.startsWith('[[')) return text.slice(1);
  if (!(text.startsWith('[') && text.endsWith(']'))) return text;
  return new Evaluator(tokenize(text.slice(1, -1)), scope, depth).run();
}

/** Evaluates one template string (`[...]`; other strings come back unchanged). */
export function evaluateTemplateString(
  text: string,
  scope: TemplateScope,
): { ok: true; value: Json } | { ok: false; error: string } {
  try {
    return { ok: true, value: evaluateString(text, scope, 0) };
  } catch (thrown) {
    if (thrown instanceof ExpressionError) {
      const shown = text.length > 100 ? `${text.slice(0, 97)}...` : text;
      return { ok: false, error: `cannot evaluate the template expression ${shown}: ${thrown.message}` };
    }
    throw thrown;
  }
}
