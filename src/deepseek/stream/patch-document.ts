import { isRecord, type JsonRecord } from './json-value';
import { joinPath, parsePath, resolveIndex, type PatchPath } from './patch-path';

/** Told about every effect of a patch, so the owner can emit deltas without diffing the document. */
export interface PatchListener {
  /** A string grew by APPEND: the hot path of every stream. `holder` is the object or array holding it. */
  textAppended(path: PatchPath, holder: object, before: string, after: string, delta: string): void;
  /** Anything else changed. */
  changed(path: PatchPath): void;
  /** The patch could not be applied and was dropped. */
  ignored(path: PatchPath, reason: string): void;
}

interface SubPatch extends JsonRecord {
  p: string;
}

const MAX_BATCH_DEPTH = 8;

/** `v` is a non-empty array of `{p, o?, v}` objects. Fragment arrays never carry `p`, so this is unambiguous. */
export function isPatchArray(value: unknown): value is SubPatch[] {
  return (
    Array.isArray(value) && value.length > 0 && value.every((item) => isRecord(item) && typeof item.p === 'string')
  );
}

/** The per-stream JSON document and the SET / APPEND / BATCH operations on it (§7.4). */
export class PatchDocument {
  private root: JsonRecord = {};

  constructor(private readonly listener: PatchListener) {}

  get response(): unknown {
    return this.root.response;
  }

  reset(): void {
    this.root = {};
  }

  apply(path: PatchPath, op: string, value: unknown, depth = 0): void {
    if (!path.isSafe) return this.listener.ignored(path, 'unsafe path');
    if (op === 'APPEND') return path.isStatus ? this.set(path, value) : this.append(path, value);
    if (op === 'SET') return this.set(path, value);
    if (op === 'BATCH') return this.batch(path, value, depth);
    this.listener.ignored(path, `unknown op ${op}`);
  }

  private set(path: PatchPath, value: unknown): void {
    const keys = path.keys;
    if (keys.length === 0 || (keys.length === 1 && keys[0] === 'response')) {
      // Replacing the root or `response` with anything but an object would wipe the message.
      if (!isRecord(value)) return this.listener.ignored(path, 'SET of a non-object over the message');
      if (keys.length === 0) this.root = value;
      else this.root.response = value;
      return this.listener.changed(path);
    }
    const parent = this.parentOf(path);
    if (parent === undefined || !write(parent, path, value)) return this.listener.ignored(path, 'SET target missing');
    this.listener.changed(path);
  }

  private append(path: PatchPath, value: unknown): void {
    const parent = path.keys.length === 0 ? undefined : this.parentOf(path);
    if (parent === undefined) return this.listener.ignored(path, 'APPEND target missing');
    const current = read(parent, path, path.keys.length - 1);
    if (typeof current === 'string') {
      const delta = typeof value === 'string' ? value : textOf(value);
      if (delta === null) return this.listener.ignored(path, 'APPEND of a non-text value to text');
      const after = current + delta;
      write(parent, path, after);
      return this.listener.textAppended(path, parent, current, after, delta);
    }
    if (Array.isArray(current)) {
      if (Array.isArray(value)) for (const item of value) current.push(item);
      else current.push(value);
      return this.listener.changed(path);
    }
    if (current == null || typeof current === 'number' || typeof current === 'boolean') {
      if (!write(parent, path, value)) return this.listener.ignored(path, 'APPEND target missing');
      return this.listener.changed(path);
    }
    this.listener.ignored(path, 'APPEND to an object');
  }

  private batch(path: PatchPath, value: unknown, depth: number): void {
    if (!isPatchArray(value) || depth >= MAX_BATCH_DEPTH) return this.listener.ignored(path, 'BATCH without patches');
    for (const sub of value) {
      if (!('v' in sub)) continue;
      const op = typeof sub.o === 'string' ? sub.o.toUpperCase() : 'SET';
      this.apply(this.subPath(path, sub.p), op, sub.v, depth + 1);
    }
  }

  /** A root BATCH addresses the message: `{"v":[{"p":"status",…}]}` means `response/status` (§7.7). */
  private subPath(base: PatchPath, relative: string): PatchPath {
    if (base.keys.length === 0 && isRecord(this.root.response) && parsePath(relative).keys[0] !== 'response') {
      return joinPath(parsePath('response'), relative);
    }
    return joinPath(base, relative);
  }

  /** Walks to the container of the last segment, creating missing objects on the way. */
  private parentOf(path: PatchPath): object | undefined {
    const last = path.keys.length - 1;
    let node: unknown = this.root;
    for (let i = 0; i < last; i++) {
      let next = read(node, path, i);
      if (next === undefined) {
        if (!isRecord(node)) return undefined;
        next = {};
        node[path.keys[i]] = next;
      }
      node = next;
    }
    return typeof node === 'object' && node !== null ? node : undefined;
  }
}

function read(node: unknown, path: PatchPath, segment: number): unknown {
  if (Array.isArray(node)) {
    const index = resolveIndex(path.indexes[segment], node.length, false);
    return index === -1 ? undefined : (node[index] as unknown);
  }
  return isRecord(node) ? node[path.keys[segment]] : undefined;
}

function write(parent: object, path: PatchPath, value: unknown): boolean {
  const segment = path.keys.length - 1;
  if (Array.isArray(parent)) {
    const index = resolveIndex(path.indexes[segment], parent.length, true);
    if (index === -1) return false;
    parent[index] = value;
    return true;
  }
  (parent as JsonRecord)[path.keys[segment]] = value;
  return true;
}

/** `{"text":"…"}` / `{"content":"…"}` appended to a string means that string. */
function textOf(value: unknown): string | null {
  if (!isRecord(value)) return null;
  if (typeof value.text === 'string') return value.text;
  return typeof value.content === 'string' ? value.content : null;
}
