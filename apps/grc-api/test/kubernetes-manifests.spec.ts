import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// kubernetes-models: the Kubernetes API's own OpenAPI schemas, compiled (no download at test time)
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ROUTE_ACCESS } from '../src/access/route-access';
import { checkEnvironment, ENVIRONMENT } from '../src/config/environment';
import { MetricsServer, PROBE_PATHS } from '../src/modules/metrics/metrics.server';
import { containersOf, kustomize, type K8sObject } from './support/kustomize';
import { startTestApp, type TestContext } from './support/test-app';

const ROOT = join(__dirname, '../../..');
const OVERLAYS = readdirSync(join(ROOT, 'deploy/kubernetes/overlays'));

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Every environment variable the app reads: the configuration schema (src/config/environment.ts). */
const namesTheAppReads = (): Set<string> => new Set(Object.keys(ENVIRONMENT));
/** Read by Node.js and the libraries, not by the app's code. */
const RUNTIME_NAMES = ['NODE_ENV', 'TZ', 'NODE_OPTIONS', 'MALLOC_MMAP_THRESHOLD_'];

/** The GRC workloads (PostgreSQL and Redis of the demo overlay are not the app). */
const isGrc = (o: K8sObject) => ['api', 'worker', 'migrate'].includes(o.metadata.labels?.['app.kubernetes.io/component'] ?? '');

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  ports?: Array<{ name: string; containerPort: number }>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}

// one app for every overlay's probes: the API's port and the operations port
let ctx: TestContext;
let metricsUrl: string;
beforeAll(async () => {
  ctx = await startTestApp({ GRC_METRICS_PORT: '0', GRC_METRICS_HOST: '127.0.0.1' });
  metricsUrl = `http://127.0.0.1:${ctx.app.get(MetricsServer).port()}`;
});
afterAll(() => ctx?.close());

describe.each(OVERLAYS)('deploy/kubernetes/overlays/%s', (overlay) => {
  const objects = kustomize(join(ROOT, 'deploy/kubernetes/overlays', overlay));
  const find = (kind: string, name: string) => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) throw new Error(`${kind}/${name} missing`);
    return o;
  };
  const config = () => find('ConfigMap', 'grc-config')['data'] as Record<string, string>;
  const secret = () => find('Secret', 'grc-secrets')['stringData'] as Record<string, string>;
  const grcContainers = () => objects.filter(isGrc).flatMap((o) => containersOf(o).map((c) => ({ o, c: c as unknown as Container })));

  it('renders objects that are valid against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      if (!Model) throw new Error(`${o.apiVersion}/${o.kind} has no schema in this test: add it to MODELS`);
      expect(() => new Model(o as never).validate()).not.toThrow();
    }
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has an api and a worker Deployment with HPAs and PDBs that point at them, and a migration Job', () => {
    for (const [name, role] of [
      ['grc-api', 'api'],
      ['grc-worker', 'worker'],
    ] as const) {
      const d = find('Deployment', name) as unknown as {
        spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> } } };
      };
      const [c] = containersOf(d as unknown as K8sObject) as unknown as Container[];
      expect(c!.env?.find((e) => e.name === 'GRC_ROLE')?.value).toBe(role);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      const hpa = find('HorizontalPodAutoscaler', name) as unknown as { spec: { scaleTargetRef: { kind: string; name: string } } };
      expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name });
      const pdb = find('PodDisruptionBudget', name) as unknown as { spec: { selector: { matchLabels: Record<string, string> } } };
      expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
    }
    const [migrate] = containersOf(find('Job', 'grc-migrate')) as unknown as Container[];
    expect(migrate!.command?.slice(0, 3)).toEqual(expect.arrayContaining(['node', 'dist/apps/grc-api/main.js']));
    // the Services select pods that exist and target their named ports
    for (const s of objects.filter((o) => o.kind === 'Service')) {
      const spec = s['spec'] as { selector: Record<string, string>; ports: Array<{ targetPort: string }> };
      const pods = objects.filter((o) => {
        const labels = (o['spec'] as { template?: { metadata?: { labels?: Record<string, string> } } })?.template?.metadata?.labels ?? {};
        return o.kind !== 'Job' && Object.entries(spec.selector).every(([k, v]) => labels[k] === v);
      });
      expect(pods.length).toBe(1);
      const ports = containersOf(pods[0]!).flatMap((c) => ((c as unknown as Container).ports ?? []).map((p) => p.name));
      for (const p of spec.ports) expect(ports).toContain(p.targetPort);
    }
  });

  it('sets only environment variables the app reads, documented, from the ConfigMap and Secret it defines', () => {
    const read = namesTheAppReads();
    const docs = ['install', 'configuration', 'mail'].map((d) => readFileSync(join(ROOT, `docs/${d}.md`), 'utf8')).join('\n');
    const set = new Set<string>();
    for (const { c } of grcContainers()) {
      for (const e of c.env ?? []) {
        set.add(e.name);
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) expect(Object.keys(find('Secret', ref.name)['stringData'] as object)).toContain(ref.key);
      }
      for (const f of c.envFrom ?? []) {
        if (f.configMapRef) Object.keys(find('ConfigMap', f.configMapRef.name)['data'] as object).forEach((k) => set.add(k));
        if (f.secretRef) Object.keys(find('Secret', f.secretRef.name)['stringData'] as object).forEach((k) => set.add(k));
      }
    }
    const unknown = [...set].filter((n) => !read.has(n) && !RUNTIME_NAMES.includes(n));
    expect(unknown).toEqual([]);
    // and every value is one the schema accepts (the process would refuse to start otherwise)
    for (const { o, c } of grcContainers()) {
      const env: Record<string, string> = {};
      for (const f of c.envFrom ?? []) {
        if (f.configMapRef) Object.assign(env, find('ConfigMap', f.configMapRef.name)['data']);
        if (f.secretRef) Object.assign(env, find('Secret', f.secretRef.name)['stringData']);
      }
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        env[e.name] = e.value ?? (ref ? (find('Secret', ref.name)['stringData'] as Record<string, string>)[ref.key]! : '');
      }
      expect([`${o.kind}/${o.metadata.name}`, checkEnvironment(env).issues]).toEqual([`${o.kind}/${o.metadata.name}`, []]);
    }
    const undocumented = [...set].filter((n) => !docs.includes(`\`${n}\``));
    expect(undocumented).toEqual([]);
    // what a pod cannot run without
    for (const n of ['DATABASE_URL', 'REDIS_URL', 'GRC_SECRET_KEY', 'GRC_DATA_DIR', 'PUBLIC_URL']) expect(set).toContain(n);
  });

  it('runs one image, the Dockerfile build, with commands main.js knows, as its unprivileged user', () => {
    const dockerfile = readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8');
    // the CLI's commands (apps/grc-api/src/cli/commands, commander)
    const commandsDir = join(ROOT, 'apps/grc-api/src/cli/commands');
    const main = readdirSync(commandsDir)
      .map((f) => readFileSync(join(commandsDir, f), 'utf8'))
      .join('\n');
    expect(dockerfile).toMatch(/WORKDIR \/app[\s\S]*COPY --from=builder .* \/app\/dist\/apps\/grc-api \.\/dist\/apps\/grc-api/);
    expect(dockerfile).toContain('USER node');
    const images = new Set(grcContainers().map(({ c }) => c.image));
    expect(images.size).toBe(1);
    for (const { o, c } of grcContainers()) {
      const [node, script, command] = c.command ?? [];
      expect([node, script]).toEqual(['node', 'dist/apps/grc-api/main.js']);
      expect(main).toContain(`new Command('${command}')`);
      const pod = (o['spec'] as { template: { spec: { securityContext: Record<string, unknown> } } }).template.spec;
      // uid 1000 is the node image's "node" user; GRC_DATA_DIR is the volume's mount
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      const mounts = ((c as unknown as { volumeMounts?: Array<{ mountPath: string }> }).volumeMounts ?? []).map((v) => v.mountPath);
      if (o.kind === 'Deployment') expect(mounts).toContain(config()['GRC_DATA_DIR']);
    }
    expect(secret()['DATABASE_URL']).toMatch(/^postgres:\/\//);
    expect(secret()['REDIS_URL']).toMatch(/^rediss?:\/\//);
  });

  describe('probes', () => {
    it('probe routes and ports the app really serves, on the ports the settings give it', async () => {
      const probes: Array<[string, string, Probe | undefined]> = [];
      for (const { o, c } of grcContainers().filter(({ o }) => o.kind === 'Deployment')) {
        for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const)
          probes.push([`${o.metadata.name} ${kind}`, kind, c[kind]]);
        const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
        expect(ports['metrics']).toBe(Number(config()['GRC_METRICS_PORT']));
        if (ports['http'] !== undefined) expect(ports['http']).toBe(Number(config()['PORT']));
        for (const [what, , probe] of probes.filter(([w]) => w.startsWith(o.metadata.name))) {
          expect([what, probe?.httpGet]).toEqual([what, expect.objectContaining({ path: expect.any(String) })]);
          const { path, port } = probe!.httpGet!;
          expect(['http', 'metrics']).toContain(port);
          if (port === 'http') expect(Object.keys(ROUTE_ACCESS)).toContain(`GET ${path}`);
          else expect(Object.values(PROBE_PATHS)).toContain(path);
          const res = await fetch(`${port === 'http' ? ctx.url : metricsUrl}${path}`);
          expect([what, res.status]).toEqual([what, 200]);
        }
      }
      expect(probes.length).toBe(6);
    });
  });
});
