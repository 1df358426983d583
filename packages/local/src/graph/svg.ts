/**
 * Draws a {@link LaidOutGraph} as SVG (stack groups, nodes with a badge per kind, edges styled per kind —
 * dead letters and on-failure destinations in dashed red, cross-stack edges over a yellow underlay — and
 * a legend), and rasterizes that SVG to PNG with resvg. The SVG holds no timestamp or random id, so the
 * same graph always gives the same bytes.
 */
import { Resvg } from '@resvg/resvg-js';
import type { LaidOutGraph } from './layout.js';
import type { FlowEdgeKind, FlowNodeKind } from './model.js';
import {
  CROSS_STACK,
  EDGE_STYLES,
  METHOD_COLORS,
  NODE_STYLES,
  routeBadge,
  type EdgeStyle,
} from './private/style.js';
import { BADGE_WIDTH, FONT_SIZE, LINE_HEIGHT, escapeXml, labelLines } from './private/text.js';

/** Options of {@link renderSvg}. */
export interface SvgOptions {
  /**
   * A heading above the graph.
   * @default no heading
   */
  readonly title?: string;
}

const FONT = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif";
const TITLE_HEIGHT = 36;
const LEGEND_ROW = 20;
const LEGEND_COLUMN = 230;

/** The SVG document of a laid-out graph. */
export function renderSvg(laid: LaidOutGraph, options: SvgOptions = {}): string {
  const top = options.title ? TITLE_HEIGHT : 0;
  const legend = legendSvg(laid.width);
  const width = Math.max(laid.width, legend.width);
  const height = top + laid.height + legend.height;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" font-family="${FONT}" font-size="${String(FONT_SIZE)}">`,
    `<defs>${markers()}</defs>`,
    `<rect width="100%" height="100%" fill="#FFFFFF"/>`,
  ];
  if (options.title)
    out.push(
      `<text x="20" y="25" font-size="18" font-weight="bold" fill="#0F172A">${escapeXml(options.title)}</text>`,
    );
  out.push(`<g transform="translate(0 ${num(top)})">`);
  for (const group of laid.groups) {
    out.push(
      `<g class="stack"><rect x="${num(group.x)}" y="${num(group.y)}" width="${num(group.width)}" height="${num(group.height)}" rx="10" fill="#F8FAFC" stroke="#94A3B8" stroke-width="1.2"/>`,
      `<text x="${num(group.x + 14)}" y="${num(group.y + 24)}" font-size="15" font-weight="bold" fill="#334155">stack ${escapeXml(group.stack)}</text></g>`,
    );
  }
  for (const edge of laid.edges) {
    if (!edge.crossStack || edge.points.length < 2) continue;
    out.push(
      `<polyline points="${points(edge.points)}" fill="none" stroke="${CROSS_STACK.color}" stroke-width="${String(CROSS_STACK.width)}" stroke-opacity="${String(CROSS_STACK.opacity)}" stroke-linejoin="round"/>`,
    );
  }
  for (const edge of laid.edges) {
    if (edge.points.length < 2) continue;
    out.push(
      `<polyline class="edge ${edge.kind}" points="${points(edge.points)}" ${strokeOf(EDGE_STYLES[edge.kind])} fill="none" marker-end="url(#arrow-${edge.kind})"><title>${escapeXml(edge.id)}${edge.label ? `: ${escapeXml(edge.label)}` : ''}</title></polyline>`,
    );
  }
  for (const node of laid.nodes) out.push(nodeSvg(node));
  for (const edge of laid.edges) {
    if (!edge.labelBox || !edge.shownLabel) continue;
    const b = edge.labelBox;
    out.push(
      `<rect x="${num(b.x)}" y="${num(b.y)}" width="${num(b.width)}" height="${num(b.height)}" rx="3" fill="#FFFFFF" fill-opacity="0.9"/>`,
      `<text x="${num(b.x + 3)}" y="${num(b.y + b.height - 4)}" font-size="${String(FONT_SIZE - 2)}" fill="${EDGE_STYLES[edge.kind].color}">${escapeXml(edge.shownLabel)}</text>`,
    );
  }
  out.push('</g>', `<g transform="translate(0 ${num(top + laid.height)})">${legend.svg}</g>`, '</svg>');
  return `${out.join('\n')}\n`;
}

/** The PNG of an SVG from {@link renderSvg}, drawn with the system's fonts. */
export function renderPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: '#FFFFFF',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

function nodeSvg(node: LaidOutGraph['nodes'][number]): string {
  const style = NODE_STYLES[node.kind];
  const badge = node.kind === 'route' ? routeBadge(node.label) : style.badge;
  const badgeColor = node.kind === 'route' ? (METHOD_COLORS[badge] ?? style.color) : style.color;
  const lines = labelLines(node);
  const textTop = node.y + (node.height - lines.length * LINE_HEIGHT) / 2 + LINE_HEIGHT - 3;
  const outline =
    node.kind === 'dlq'
      ? `stroke="${style.color}" stroke-width="2.2" stroke-dasharray="5 2"`
      : `stroke="${style.color}" stroke-width="1.4"`;
  const badgeSize = badge.length > 3 ? 9 : badge.length > 2 ? 10 : 12;
  return [
    `<g class="node ${node.kind}"><title>${escapeXml(node.id)} (${escapeXml(node.type)})</title>`,
    `<rect x="${num(node.x)}" y="${num(node.y)}" width="${num(node.width)}" height="${num(node.height)}" rx="5" fill="${node.kind === 'dlq' ? '#FEF2F2' : '#FFFFFF'}" ${outline}/>`,
    `<rect x="${num(node.x)}" y="${num(node.y)}" width="${String(BADGE_WIDTH)}" height="${num(node.height)}" rx="5" fill="${badgeColor}"/>`,
    `<text x="${num(node.x + BADGE_WIDTH / 2)}" y="${num(node.y + node.height / 2 + 4)}" text-anchor="middle" font-size="${String(badgeSize)}" font-weight="bold" fill="#FFFFFF">${escapeXml(badge)}</text>`,
    ...lines.map(
      (line, i) =>
        `<text x="${num(node.x + BADGE_WIDTH + 7)}" y="${num(textTop + i * LINE_HEIGHT)}" fill="#0F172A">${escapeXml(line)}</text>`,
    ),
    '</g>',
  ].join('');
}

function legendSvg(graphWidth: number): { svg: string; width: number; height: number } {
  const nodeKinds = Object.keys(NODE_STYLES) as FlowNodeKind[];
  const edgeKinds = Object.keys(EDGE_STYLES) as FlowEdgeKind[];
  const columns = Math.max(2, Math.floor((Math.max(graphWidth, 900) - 40) / LEGEND_COLUMN));
  const cell = (i: number) => ({
    x: 20 + (i % columns) * LEGEND_COLUMN,
    y: Math.floor(i / columns) * LEGEND_ROW,
  });
  const out: string[] = [
    `<text x="20" y="16" font-size="14" font-weight="bold" fill="#0F172A">Legend</text>`,
  ];
  let y = 28;
  nodeKinds.forEach((kind, i) => {
    const { x, y: dy } = cell(i);
    const style = NODE_STYLES[kind];
    const outline = kind === 'dlq' ? ` stroke="${style.color}" stroke-width="2" stroke-dasharray="5 2"` : '';
    out.push(
      `<rect x="${num(x)}" y="${num(y + dy)}" width="34" height="16" rx="3" fill="${style.color}"${outline}/>`,
      `<text x="${num(x + 17)}" y="${num(y + dy + 12)}" text-anchor="middle" font-size="9" font-weight="bold" fill="#FFFFFF">${escapeXml(style.badge)}</text>`,
      `<text x="${num(x + 42)}" y="${num(y + dy + 12)}" fill="#334155">${escapeXml(style.name)}</text>`,
    );
  });
  y += Math.ceil(nodeKinds.length / columns) * LEGEND_ROW + 8;
  const edgeEntries: { style: EdgeStyle; kind?: FlowEdgeKind; cross?: boolean }[] = [
    ...edgeKinds.map((kind) => ({ style: EDGE_STYLES[kind], kind })),
    { style: { ...EDGE_STYLES.invoke, name: 'crosses stacks' }, kind: 'invoke' as const, cross: true },
  ];
  edgeEntries.forEach(({ style, kind, cross }, i) => {
    const { x, y: dy } = cell(i);
    const ly = y + dy + 8;
    if (cross)
      out.push(
        `<line x1="${num(x)}" y1="${num(ly)}" x2="${num(x + 34)}" y2="${num(ly)}" stroke="${CROSS_STACK.color}" stroke-width="${String(CROSS_STACK.width)}" stroke-opacity="${String(CROSS_STACK.opacity)}"/>`,
      );
    out.push(
      `<line x1="${num(x)}" y1="${num(ly)}" x2="${num(x + 34)}" y2="${num(ly)}" ${strokeOf(style)}${kind ? ` marker-end="url(#arrow-${kind})"` : ''}/>`,
      `<text x="${num(x + 42)}" y="${num(ly + 4)}" fill="#334155">${escapeXml(style.name)}</text>`,
    );
  });
  y += Math.ceil(edgeEntries.length / columns) * LEGEND_ROW + 10;
  return { svg: out.join('\n'), width: 40 + columns * LEGEND_COLUMN, height: y };
}

function markers(): string {
  return (Object.entries(EDGE_STYLES) as [FlowEdgeKind, EdgeStyle][])
    .map(
      ([kind, style]) =>
        `<marker id="arrow-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${style.color}"/></marker>`,
    )
    .join('');
}

function strokeOf(style: EdgeStyle): string {
  return `stroke="${style.color}" stroke-width="${String(style.width)}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}`;
}

function points(list: readonly { x: number; y: number }[]): string {
  return list.map((p) => `${num(p.x)},${num(p.y)}`).join(' ');
}

/** A coordinate as text: at most one decimal, no `-0`. */
function num(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
