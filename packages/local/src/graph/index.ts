/** The architecture and data-flow diagram of a cloud assembly: model, layout, SVG and PNG, and the `conflux diagram` command. */
export {
  buildGraph,
  type FlowEdge,
  type FlowEdgeKind,
  type FlowGraph,
  type FlowNode,
  type FlowNodeKind,
} from './model.js';
export { layoutGraph, type Box, type LaidOutGraph, type Point } from './layout.js';
export { renderPng, renderSvg, type SvgOptions } from './svg.js';
