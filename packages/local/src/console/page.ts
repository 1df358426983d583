import { CONSOLE_SCRIPT } from './page-script.js';
import { CONSOLE_STYLE } from './page-style.js';

/** The console's one page: markup, style and script inline, so it loads nothing from anywhere else. */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conflux local console</title>
<style>${CONSOLE_STYLE}</style>
</head>
<body>
<header>
  <h1>Conflux <span>local console</span></h1>
  <span class="pill" id="title"></span>
  <div class="stats" id="stats"></div>
  <div class="spacer"></div>
  <div class="live" id="live"><i></i><span>connecting…</span></div>
</header>
<main>
  <div id="canvas">
    <svg id="graph" role="img" aria-label="The application's data-flow graph"></svg>
    <div class="legend" id="legend"></div>
    <div class="tools"><button id="fit" title="Fit the graph to the window">Fit</button></div>
  </div>
  <aside id="panel"></aside>
</main>
<script>${CONSOLE_SCRIPT}</script>
</body>
</html>
`;
