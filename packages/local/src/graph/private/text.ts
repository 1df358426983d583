import type { FlowEdge, FlowNode } from '../model.js';

/** Font size of node labels, in px. */
export const FONT_SIZE = 12;
/** Height of a line of label text. */
export const LINE_HEIGHT = 15;
/** Width of a node box. */
export const NODE_WIDTH = 200;
/** Width of the kind badge on the left of a node box. */
export const BADGE_WIDTH = 34;
/** Characters that fit on one line of a node, at an average glyph width. */
const LINE_CHARS = 22;
const MAX_LINES = 3;

/** Average advance of a glyph of the sans-serif font, as a share of the font size. */
const GLYPH = 0.58;

/** Estimated width of `text` at `size` px: there is no font metrics library, and a small margin covers it. */
export function textWidth(text: string, size = FONT_SIZE): number {
  return Math.ceil(text.length * size * GLYPH);
}

/**
 * The lines a node's label is drawn on: a logical id split into words at case changes, a route at its
 * slashes, wrapped to the box and cut with an ellipsis after three lines.
 */
export function labelLines(node: FlowNode): string[] {
  const words =
    node.kind === 'route'
      ? node.label.replace(/^\S+ /, '').split(/(?=\/)/)
      : node.label
          .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
          .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
          .split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words.filter((w) => w.length > 0)) {
    const joiner = node.kind === 'route' || line === '' ? '' : ' ';
    if (line !== '' && (line + joiner + word).length > LINE_CHARS) {
      lines.push(line);
      line = word;
    } else line += joiner + word;
  }
  if (line !== '') lines.push(line);
  if (lines.length <= MAX_LINES) return lines;
  const kept = lines.slice(0, MAX_LINES);
  kept[MAX_LINES - 1] = `${(kept[MAX_LINES - 1] ?? '').slice(0, LINE_CHARS - 1)}…`;
  return kept;
}

/** Height of a node box with its label lines. */
export function nodeHeight(node: FlowNode): number {
  return Math.max(36, labelLines(node).length * LINE_HEIGHT + 14);
}

/** XML-escaped text. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

const LABEL_CHARS = 40;

/**
 * The label drawn on an edge, if any: filter policies, states, notifications, service actions and
 * authorizers / transforms, cut to one short line; the actions of a function's own reads and writes and
 * the redrive counts are left to the model, or the picture drowns in them.
 */
export function shownLabel(edge: FlowEdge, from: FlowNode | undefined): string | undefined {
  if (!edge.label) return undefined;
  if (edge.kind === 'dead-letter' || edge.kind === 'on-failure') return undefined;
  if (
    (edge.kind === 'writes' || edge.kind === 'reads' || edge.kind === 'invoke') &&
    from?.kind === 'function'
  )
    return undefined;
  return edge.label.length > LABEL_CHARS ? `${edge.label.slice(0, LABEL_CHARS - 1)}…` : edge.label;
}
