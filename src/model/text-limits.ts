/**
 * Limits checked on the raw text before a YAML/JSON parser sees it. A topology or
 * scenario file is a design document of kilobytes; refusing the pathological ones
 * early keeps a loader that takes files from anywhere (and the local web server
 * that takes uploads) from running out of memory or stack.
 */

/**
 * 8 MiB: the largest topology Azure's limits allow (1,000 connections × 4 links,
 * hundreds of VNets) is about 2 MB written out; four times that is generous.
 */
export const MAX_TEXT_BYTES = 8 * 1024 * 1024;

/**
 * Nesting deeper than this is no topology: the real ones are 6–8 levels deep.
 * Past a few thousand levels the yaml parser exhausts V8's stack in a way that
 * aborts the process instead of throwing, so the depth is measured first.
 */
export const MAX_NESTING = 64;

/** Why the text is refused before parsing, or undefined when it may be parsed. */
export function textLimitProblem(text: string): string | undefined {
  const depth = nestingDepth(text);
  if (depth > MAX_NESTING) {
    return `the file nests too deeply (${depth > 10_000 ? 'more than 10,000' : depth} levels); at most ${MAX_NESTING} are accepted (a topology needs under 10)`;
  }
  if (text.length > MAX_TEXT_BYTES) {
    return `the file is ${(text.length / 2 ** 20).toFixed(1)} MiB; files over ${MAX_TEXT_BYTES / 2 ** 20} MiB are refused (a full-size hub is about 2 MB)`;
  }
  return undefined;
}

/**
 * An upper estimate of nesting: flow brackets outside quotes, plus block
 * indentation (one level per two columns) and `- ` sequence indicators on a line.
 * Linear in the text, no regular expressions, stops counting past 10,001.
 */
export function nestingDepth(text: string): number {
  let max = 0;
  let flow = 0;
  let quote: '"' | "'" | undefined;
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let i = 0; i < text.length && max <= 10_000; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      else if (c === '\n') lineStart = true;
      continue;
    }
    if (c === '\n') {
      lineStart = true;
      indent = 0;
      dashes = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ') {
        indent++;
        continue;
      }
      if (c === '-' && text[i + 1] === ' ') {
        dashes++;
        indent += 2;
        i++;
        continue;
      }
      lineStart = false;
      max = Math.max(max, Math.ceil(indent / 2) + dashes + flow);
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      i--;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') max = Math.max(max, ++flow + Math.ceil(indent / 2) + dashes);
    else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
  return max;
}
