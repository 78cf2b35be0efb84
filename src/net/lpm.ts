/**
 * Longest-prefix match over IPv4 (a binary trie, one bit per level). Route tables
 * are small (a hub holds thousands of prefixes at most) but are asked for every
 * flow on every routing change, so lookups walk at most 32 nodes and allocate
 * nothing.
 */
interface TrieNode<V> {
  zero?: TrieNode<V>;
  one?: TrieNode<V>;
  value?: V;
  hasValue: boolean;
}

export class PrefixTrie<V> {
  private readonly root: TrieNode<V> = { hasValue: false };
  private count = 0;

  get size(): number {
    return this.count;
  }

  set(network: number, length: number, value: V): void {
    let node = this.root;
    for (let depth = 0; depth < length; depth++) {
      const bit = (network >>> (31 - depth)) & 1;
      const next = bit ? node.one : node.zero;
      if (next) node = next;
      else {
        const created: TrieNode<V> = { hasValue: false };
        if (bit) node.one = created;
        else node.zero = created;
        node = created;
      }
    }
    if (!node.hasValue) this.count++;
    node.value = value;
    node.hasValue = true;
  }

  delete(network: number, length: number): boolean {
    const node = this.find(network, length);
    if (!node?.hasValue) return false;
    node.hasValue = false;
    node.value = undefined;
    this.count--;
    return true;
  }

  /** The value stored for exactly this prefix. */
  get(network: number, length: number): V | undefined {
    const node = this.find(network, length);
    return node?.hasValue ? node.value : undefined;
  }

  /** The value of the longest stored prefix containing `address`, with that prefix's length. */
  lookup(address: number): { value: V; length: number } | undefined {
    let node: TrieNode<V> | undefined = this.root;
    let best: { value: V; length: number } | undefined;
    for (let depth = 0; node; depth++) {
      if (node.hasValue) best = { value: node.value as V, length: depth };
      if (depth === 32) break;
      node = (address >>> (31 - depth)) & 1 ? node.one : node.zero;
    }
    return best;
  }

  /**
   * Every stored value whose prefix overlaps network/length: the prefixes that
   * contain it (on the way down) and the ones it contains (its subtree).
   */
  forEachOverlapping(network: number, length: number, visit: (value: V) => void): void {
    let node: TrieNode<V> | undefined = this.root;
    for (let depth = 0; node && depth < length; depth++) {
      if (node.hasValue) visit(node.value as V);
      node = (network >>> (31 - depth)) & 1 ? node.one : node.zero;
    }
    if (!node) return;
    const stack: TrieNode<V>[] = [node];
    for (let next = stack.pop(); next; next = stack.pop()) {
      if (next.hasValue) visit(next.value as V);
      if (next.zero) stack.push(next.zero);
      if (next.one) stack.push(next.one);
    }
  }

  private find(network: number, length: number): TrieNode<V> | undefined {
    let node: TrieNode<V> | undefined = this.root;
    for (let depth = 0; node && depth < length; depth++) {
      node = (network >>> (31 - depth)) & 1 ? node.one : node.zero;
    }
    return node;
  }
}
