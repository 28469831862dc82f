import { exec, type JsonValue } from 'jsonpath-rfc9535';

/** One Overlay 1.0 action: a JSONPath target and either an update merged into it or its removal. */
export interface OverlayActionBody {
  readonly target: string;
  readonly update?: unknown;
  readonly remove?: boolean;
}

type Key = string | number;
type Container = Record<string, unknown> | unknown[];

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isContainer = (value: unknown): value is Container => value !== null && typeof value === 'object';

/** Overlay 1.0 §4.4.3: objects merge key by key, arrays concatenate, anything else replaces. */
function merge(target: Record<string, unknown>, update: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(update)) {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) merge(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value))
      target[key] = [...(existing as unknown[]), ...structuredClone(value as unknown[])];
    else target[key] = structuredClone(value);
  }
}

function nodeAt(root: unknown, keys: readonly Key[]): unknown {
  let node = root;
  for (const key of keys) node = isContainer(node) ? (node as Record<Key, unknown>)[key] : undefined;
  return node;
}

/**
 * Applies one Overlay 1.0 action to a plain JSON document in place and returns how many nodes
 * its target selected (zero is allowed: the action then changes nothing). `remove: true` deletes
 * every selected node; otherwise `update` is merged into each selected object, appended to each
 * selected array, or replaces a selected primitive. Throws on a malformed JSONPath.
 */
export function applyOverlayAction(document: object, action: OverlayActionBody): number {
  const selected: Key[][] = [];
  exec(document as JsonValue, action.target, (_value, path) => selected.push([...path]));
  if (action.remove === true) {
    // From the highest array index down, so one removal does not shift the next.
    const index = (keys: readonly Key[]): number => {
      const last = keys.at(-1);
      return typeof last === 'number' ? last : -1;
    };
    const ordered = [...selected].sort((a, b) => index(b) - index(a));
    for (const keys of ordered) {
      const parent = nodeAt(document, keys.slice(0, -1));
      const key = keys.at(-1);
      if (key === undefined || !isContainer(parent)) continue;
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[String(key)];
    }
    return selected.length;
  }
  for (const keys of selected) {
    const node = nodeAt(document, keys);
    if (Array.isArray(node))
      node.push(
        ...(Array.isArray(action.update)
          ? structuredClone(action.update as unknown[])
          : [structuredClone(action.update)]),
      );
    else if (isObject(node) && isObject(action.update)) merge(node, action.update);
    else {
      const parent = nodeAt(document, keys.slice(0, -1));
      const key = keys.at(-1);
      if (key !== undefined && isContainer(parent))
        (parent as Record<Key, unknown>)[key] = structuredClone(action.update);
    }
  }
  return selected.length;
}
