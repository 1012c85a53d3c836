import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/** A Kubernetes object as rendered. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

interface Op {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/**
 * The subset of kustomize that deploy/kubernetes uses, to render an overlay in CI without the binary
 * (`kubectl apply -k` renders it in a cluster): `resources` (files and folders), `namespace`, `images`
 * and `patches` (RFC 6902 JSON patches with a kind/name target). Any other field fails, so the manifests
 * cannot use a feature this renderer would silently skip.
 */
export function kustomize(dir: string): K8sObject[] {
  const file = join(dir, 'kustomization.yaml');
  const k = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const known = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
  for (const key of Object.keys(k)) if (!known.has(key)) throw new Error(`${file}: "${key}" is not supported by the CI renderer`);
  let objects: K8sObject[] = [];
  for (const r of (k['resources'] as string[]) ?? []) {
    const path = resolve(dir, r);
    if (statSync(path).isDirectory()) objects.push(...kustomize(path));
    else
      objects.push(
        ...parseAllDocuments(readFileSync(path, 'utf8'))
          .map((d) => {
            if (d.errors.length) throw new Error(`${path}: ${d.errors[0]!.message}`);
            return d.toJS() as K8sObject;
          })
          .filter(Boolean),
      );
  }
  for (const p of (k['patches'] as Array<{ target: { kind: string; name?: string }; patch?: string; path?: string }>) ?? []) {
    const ops = parse(p.patch ?? readFileSync(resolve(dir, p.path!), 'utf8')) as Op[];
    if (!Array.isArray(ops)) throw new Error(`${file}: only JSON 6902 patches (a list of operations) are supported`);
    const targets = objects.filter((o) => o.kind === p.target.kind && (!p.target.name || o.metadata.name === p.target.name));
    if (!targets.length) throw new Error(`${file}: patch target ${p.target.kind}/${p.target.name} matches nothing`);
    objects = objects.map((o) => (targets.includes(o) ? applyPatch(o, ops, `${file} → ${o.kind}/${o.metadata.name}`) : o));
  }
  for (const img of (k['images'] as Array<{ name: string; newName?: string; newTag?: string }>) ?? [])
    for (const c of objects.flatMap(containersOf))
      if (c.image.split(':')[0] === img.name) c.image = `${img.newName ?? img.name}${img.newTag ? `:${img.newTag}` : ''}`;
  if (k['namespace']) for (const o of objects) o.metadata.namespace = k['namespace'] as string;
  return objects;
}

/** The containers (init containers too) of a workload's pod template. */
export function containersOf(o: K8sObject): Array<{ name: string; image: string; [k: string]: unknown }> {
  const spec = (o['spec'] ?? {}) as {
    template?: { spec?: Record<string, unknown> };
    jobTemplate?: { spec?: { template?: { spec?: Record<string, unknown> } } };
  };
  const pod = spec.template?.spec ?? spec.jobTemplate?.spec?.template?.spec;
  if (!pod) return [];
  return [...((pod['initContainers'] as []) ?? []), ...((pod['containers'] as []) ?? [])];
}

function applyPatch(doc: K8sObject, ops: Op[], where: string): K8sObject {
  const out = structuredClone(doc);
  for (const op of ops) {
    const parts = op.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error(`${where}: empty path`);
    let parent: Record<string, unknown> | unknown[] = out as unknown as Record<string, unknown>;
    for (const p of parts) {
      const next: unknown = Array.isArray(parent) ? parent[Number(p)] : parent[p];
      if (next === undefined || next === null || typeof next !== 'object') throw new Error(`${where}: ${op.path} does not exist`);
      parent = next as Record<string, unknown>;
    }
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error(`${where}: ${op.path}: bad index`);
      if (op.op === 'add') parent.splice(i, 0, op.value);
      else if (i >= parent.length) throw new Error(`${where}: ${op.path} does not exist`);
      else if (op.op === 'replace') parent[i] = op.value;
      else if (op.op === 'remove') parent.splice(i, 1);
      else if (JSON.stringify(parent[i]) !== JSON.stringify(op.value)) throw new Error(`${where}: test ${op.path} failed`);
    } else {
      if (op.op !== 'add' && !(last in parent)) throw new Error(`${where}: ${op.path} does not exist`);
      if (op.op === 'add' || op.op === 'replace') parent[last] = op.value;
      else if (op.op === 'remove') delete parent[last];
      else if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new Error(`${where}: test ${op.path} failed`);
    }
  }
  return out;
}

export const overlayDir = (root: string, name: string) => join(root, 'deploy/kubernetes/overlays', name);
