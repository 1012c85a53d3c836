/** Layout of the SLA editors (component styles: each editor includes them for its own template). */
export const SLA_EDITOR_STYLES = `
  .sla-editor { border-left: 6px solid var(--c-primary); }
  .sla-editor h3:focus { outline-offset: 4px; }
  .muted { color: var(--c-muted); }
  .sla-week td, .sla-week th { vertical-align: middle; }
  .sla-range { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.5rem; margin: 0.2rem 0; }
  .sla-range label { font-weight: 600; }
  .sla-closed { margin: 0; font-style: italic; }
  .sla-closure, .sla-ladder-step { background: #fff; }
  .sla-closure-fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0 1rem; }
  .sla-closure-fields input { width: 100%; }
  .sla-closure-label { grid-column: span 2; }
  .sla-holidays { max-width: 36rem; margin-top: 0.75rem; }
  .sla-checks { border-style: dashed; }
  .sla-check-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 0 1rem; }
  .sla-targets { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 0 1rem; }
  .sla-num { width: 7rem; }
  .sla-step { align-items: flex-end; margin-bottom: 0.5rem; }
  .sla-active { justify-content: flex-end; }
  .sla-wide { grid-column: span 2; }
  .check input[type='checkbox'] { flex: none; width: 1.15rem; }
`;
