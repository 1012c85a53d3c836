import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, input, output, signal } from '@angular/core';
import type { Category, Department, WorkflowDefinitionProblem } from '@grc/domain';
import { circuitGraph, type CircuitGraph, type WorkflowDefinition } from '@grc/workflows';
import { I18n, type MsgKey } from '../../core/i18n';
import { guardWords } from './condition-text';

const NODE_W = 210;
const NODE_H = 58;

interface PlacedNode {
  id: string;
  kind: string;
  label: string;
  x: number;
  y: number;
  initial: boolean;
  errors: number;
  warnings: number;
}
interface PlacedEdge {
  key: string;
  d: string;
  kind: 'transition' | 'reject';
  guarded: boolean;
  taken: boolean;
  label: string;
  lx: number;
  ly: number;
}

/**
 * The circuit drawn as a graph (layout by dagre, loaded with this screen only), in SVG. Every step
 * is focusable (tab order = reading order; arrow keys move to the next/previous step, Home/End to
 * the first/last); Enter or Space opens its form. Steps at fault show their error count. An ordered
 * text description of steps and transitions follows the drawing.
 */
@Component({
  selector: 'grc-circuit-graph',
  changeDetection: ChangeDetectionStrategy.OnPush,
  styles: `
    .cg-wrap { overflow: auto; border: 1px solid #d0d0d0; border-radius: 4px; background: #fafafa; max-height: 36rem; }
    svg { display: block; }
    .cg-node rect { fill: #ffffff; stroke: #3a3a3a; stroke-width: 1.5; }
    .cg-node.cg-initial rect { stroke: #000091; stroke-width: 2.5; }
    .cg-node.cg-selected rect { fill: #e8f0fb; }
    .cg-node.cg-path rect { fill: #e7f6ec; }
    .cg-node.cg-error rect { stroke: #b60000; stroke-width: 3; stroke-dasharray: 6 3; }
    .cg-node:focus { outline: none; }
    .cg-node:focus rect, .cg-node:focus-visible rect { stroke: #000091; stroke-width: 4; }
    .cg-kind { font-size: 11px; fill: #3a3a3a; font-weight: 600; }
    .cg-label { font-size: 13px; fill: #161616; }
    .cg-badge { font-size: 12px; fill: #b60000; font-weight: 700; }
    .cg-edge { fill: none; stroke: #4a4a4a; stroke-width: 1.5; }
    .cg-edge.cg-reject { stroke: #8a4500; stroke-dasharray: 5 4; }
    .cg-edge.cg-taken { stroke: #18753c; stroke-width: 3; }
    .cg-edge-label { font-size: 11px; fill: #3a3a3a; }
    .cg-text li { margin: 0.2rem 0; }
  `,
  template: `
    <div class="cg-wrap">
      @if (layout(); as l) {
        <svg [attr.width]="l.width" [attr.height]="l.height" [attr.viewBox]="'0 0 ' + l.width + ' ' + l.height"
          role="group" [attr.aria-label]="t('ce.graph.aria', { count: l.nodes.length })" data-testid="ce-graph">
          <defs>
            <marker id="cg-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#4a4a4a" />
            </marker>
          </defs>
          @for (e of l.edges; track e.key) {
            <path [attr.d]="e.d" class="cg-edge" [class.cg-reject]="e.kind === 'reject'" [class.cg-taken]="e.taken" marker-end="url(#cg-arrow)" aria-hidden="true" />
            @if (e.label) { <text class="cg-edge-label" [attr.x]="e.lx" [attr.y]="e.ly" text-anchor="middle" aria-hidden="true">{{ e.label }}</text> }
          }
          @for (n of l.nodes; track n.id; let i = $index) {
            <g class="cg-node" tabindex="0" role="button" [attr.data-step]="n.id" data-testid="ce-node"
              [class.cg-initial]="n.initial" [class.cg-selected]="n.id === selected()" [class.cg-path]="path().includes(n.id)" [class.cg-error]="n.errors > 0"
              [attr.transform]="'translate(' + (n.x - w / 2) + ',' + (n.y - h / 2) + ')'"
              [attr.aria-label]="nodeLabel(n, i, l.nodes.length)" [attr.aria-pressed]="n.id === selected()"
              (keydown)="key($event, i)" (click)="open.emit(n.id)">
              <rect [attr.width]="w" [attr.height]="h" rx="6" />
              <text class="cg-kind" x="10" y="18">{{ kind(n.kind) }}{{ n.initial ? ' · ' + t('ce.graph.start') : '' }}</text>
              <text class="cg-label" x="10" y="40">{{ short(n.label) }}</text>
              @if (n.errors) { <text class="cg-badge" [attr.x]="w - 10" y="18" text-anchor="end">⚠ {{ n.errors }}</text> }
            </g>
          }
        </svg>
      } @else {
        <p class="hint">{{ t('ce.graph.loading') }}</p>
      }
    </div>
    <h5 id="ce-text-h">{{ t('ce.graph.text') }}</h5>
    <ol class="cg-text" aria-labelledby="ce-text-h" data-testid="ce-graph-text">
      @for (line of description(); track $index) { <li>{{ line }}</li> }
    </ol>
  `,
})
export class CircuitGraphView {
  readonly definition = input.required<WorkflowDefinition>();
  readonly problems = input<WorkflowDefinitionProblem[]>([]);
  readonly selected = input<string | null>(null);
  /** the steps of a dry run, in order (highlighted) */
  readonly path = input<string[]>([]);
  readonly categories = input<Category[]>([]);
  readonly departments = input<Department[]>([]);
  readonly open = output<string>();
  private readonly i18n = inject(I18n);
  protected readonly t = this.i18n.t;
  private readonly host = inject(ElementRef<HTMLElement>);
  protected readonly w = NODE_W;
  protected readonly h = NODE_H;

  private readonly graph = computed<CircuitGraph>(() => circuitGraph(this.definition()));
  private readonly dagre = signal<typeof import('@dagrejs/dagre') | null>(null);

  constructor() {
    // the layout library comes with this screen only (its own chunk)
    void import('@dagrejs/dagre').then((m) => this.dagre.set(m));
  }

  private readonly counts = computed(() => {
    const m = new Map<string, { errors: number; warnings: number }>();
    for (const p of this.problems()) {
      const match = /^(?:\[\d+\]\.)?steps\.([a-z][a-z0-9_-]*)/.exec(p.path);
      if (!match) continue;
      const c = m.get(match[1]!) ?? { errors: 0, warnings: 0 };
      if (p.severity === 'error') c.errors++;
      else c.warnings++;
      m.set(match[1]!, c);
    }
    return m;
  });

  protected readonly layout = computed(() => {
    const lib = this.dagre();
    if (!lib) return null;
    const { nodes, edges } = this.graph();
    const g = new lib.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: 60, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) g.setNode(n.id, { width: NODE_W, height: NODE_H });
    const drawn = edges.filter((e) => !e.dangling);
    drawn.forEach((e, i) => g.setEdge(e.from, e.to, { width: 60, height: 14, labelpos: 'c' }, `e${i}`));
    lib.layout(g);
    const path = this.path();
    const taken = new Set(path.slice(1).map((to, i) => `${path[i]}>${to}`));
    const placed: PlacedNode[] = nodes.map((n) => {
      const p = g.node(n.id) as { x: number; y: number };
      const c = this.counts().get(n.id);
      return {
        id: n.id,
        kind: n.kind,
        label: n.label ?? n.id,
        x: p.x,
        y: p.y,
        initial: n.initial,
        errors: c?.errors ?? 0,
        warnings: c?.warnings ?? 0,
      };
    });
    const placedEdges: PlacedEdge[] = drawn.map((e, i) => {
      const label = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: Array<{ x: number; y: number }>; x?: number; y?: number };
      const pts = label.points ?? [];
      return {
        key: `e${i}`,
        d: pts.map((p, j) => `${j === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' '),
        kind: e.kind,
        guarded: e.guarded,
        taken: e.kind === 'transition' && taken.has(`${e.from}>${e.to}`),
        label: e.kind === 'reject' ? this.t('ce.on.rejected') : e.guarded ? `${this.t(`ce.on.${e.on}` as MsgKey)} *` : '',
        lx: label.x ?? 0,
        ly: label.y ?? 0,
      };
    });
    const info = g.graph() as { width?: number; height?: number };
    return {
      nodes: placed,
      edges: placedEdges,
      width: Math.max(info.width ?? 0, NODE_W + 32),
      height: Math.max(info.height ?? 0, NODE_H + 32),
    };
  });

  /** The text alternative: each step in reading order with where it leads. */
  protected readonly description = computed(() => {
    const def = this.definition();
    const { nodes, edges } = this.graph();
    const name = (id: string) => def.steps[id]?.label ?? id;
    return nodes.map((n, i) => {
      const ref = { categories: this.categories(), departments: this.departments() };
      const out = edges
        .filter((e) => e.from === n.id)
        .map((e) => {
          const guard = e.index === null ? null : guardWords(this.i18n, def.steps[e.from]?.transitions?.[e.index]?.guard, ref);
          return this.t(guard ? 'ce.text.edgeIf' : 'ce.text.edge', {
            on: e.kind === 'reject' ? this.t('ce.on.rejected') : this.t(`ce.on.${e.on}` as MsgKey),
            to: e.dangling ? this.t('ce.text.missing', { id: e.to }) : name(e.to),
            guard: guard ?? '',
          });
        });
      const c = this.counts().get(n.id);
      return [
        this.t('ce.text.step', { n: i + 1, label: n.label ?? n.id, kind: this.kind(n.kind) }),
        n.initial ? this.t('ce.graph.start') : null,
        !n.reachable ? this.t('ce.text.unreachable') : null,
        out.length ? out.join(' ; ') : n.kind === 'end' ? null : this.t('ce.text.noExit'),
        c?.errors ? this.t('ce.graph.errors', { count: c.errors }) : null,
      ]
        .filter((x) => x)
        .join(' — ');
    });
  });

  protected kind(k: string): string {
    return this.t(`wf.kind.${k}` as MsgKey);
  }

  protected short(label: string): string {
    return label.length > 28 ? `${label.slice(0, 27)}…` : label;
  }

  protected nodeLabel(n: PlacedNode, i: number, total: number): string {
    return [
      this.t('ce.graph.node', { n: i + 1, total, label: n.label, kind: this.kind(n.kind) }),
      n.initial ? this.t('ce.graph.start') : '',
      n.errors ? this.t('ce.graph.errors', { count: n.errors }) : '',
      this.path().includes(n.id) ? this.t('ce.graph.onPath') : '',
    ]
      .filter((x) => x)
      .join(', ');
  }

  protected key(event: KeyboardEvent, i: number): void {
    const nodes = this.layout()?.nodes ?? [];
    const go = (j: number) => {
      event.preventDefault();
      const n = nodes[Math.max(0, Math.min(nodes.length - 1, j))];
      if (n) this.focusStep(n.id);
    };
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowRight':
        return go(i + 1);
      case 'ArrowUp':
      case 'ArrowLeft':
        return go(i - 1);
      case 'Home':
        return go(0);
      case 'End':
        return go(nodes.length - 1);
      case 'Enter':
      case ' ':
        event.preventDefault();
        this.open.emit(nodes[i]!.id);
    }
  }

  private focusStep(id: string): void {
    (this.host.nativeElement as HTMLElement).querySelector<SVGGElement>(`g[data-step="${CSS.escape(id)}"]`)?.focus();
  }
}
