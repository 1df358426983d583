/**
 * The console page's script: plain browser JavaScript, inline (no framework, nothing loaded from elsewhere).
 * It draws the laid-out graph as SVG, opens a side panel per resource, and follows `/_console/events`.
 * Written without template literals, so that it sits in this raw string as is.
 */
export const CONSOLE_SCRIPT = String.raw`'use strict';
(function () {
  var BASE = location.pathname.replace(/\/+$/, '');
  var API = BASE + '/api';
  var NS = 'http://www.w3.org/2000/svg';
  var KINDS = {
    api: ['API', '#58a6ff'], route: ['Route', '#79c0ff'], 'function': ['Lambda', '#f0883e'],
    queue: ['Queue', '#d29922'], dlq: ['DLQ', '#f85149'], topic: ['Topic', '#db61a2'],
    stream: ['Stream', '#a371f7'], table: ['Table', '#3fb950'], 'state-machine': ['State machine', '#bc8cff'],
    bucket: ['Bucket', '#56d364'], 'event-bus': ['Event bus', '#ff7b72'], rule: ['Rule', '#ffa657'],
    schedule: ['Schedule', '#e3b341'], 'delivery-stream': ['Firehose', '#8957e5']
  };
  var state = {
    graph: null, resources: {}, byPhysical: {}, badges: {}, selected: null, view: null,
    view2: null, activity: [], scale: 1, tx: 0, ty: 0, connected: false
  };
  window.__console = { updates: 0, lastUpdateAt: 0, graphReadyAt: 0, badgeAt: {}, redriveClickedAt: 0 };

  // ---- little DOM helpers ----
  function h(tag, attrs) {
    var el = document.createElement(tag);
    var kids = Array.prototype.slice.call(arguments, 2);
    setAttrs(el, attrs);
    append(el, kids);
    return el;
  }
  function s(tag, attrs) {
    var el = document.createElementNS(NS, tag);
    var kids = Array.prototype.slice.call(arguments, 2);
    setAttrs(el, attrs);
    append(el, kids);
    return el;
  }
  function setAttrs(el, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'onclick') el.addEventListener('click', v);
      else if (k === 'text') el.textContent = String(v);
      else el.setAttribute(k, String(v));
    });
  }
  function append(el, kids) {
    kids.forEach(function (k) {
      if (k === null || k === undefined || k === false) return;
      if (Array.isArray(k)) append(el, k);
      else el.appendChild(typeof k === 'object' ? k : document.createTextNode(String(k)));
    });
  }
  function $(id) { return document.getElementById(id); }
  function fmtTime(t) {
    if (!t) return '—';
    var d = new Date(t);
    return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  }
  function pretty(text) {
    if (typeof text !== 'string') return JSON.stringify(text, null, 2);
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  /** A node's label (its logical id without the hash) when the graph has it, else its logical id. */
  function short(id) {
    var n = state.graph && state.graph.nodes.find(function (x) { return x.id === id; });
    return n ? n.label : id.split('/').slice(1).join('/') || id;
  }
  /** A Lambda error's cause as a line: its errorType and errorMessage, not its trace. */
  function causeLine(cause) {
    try {
      var c = JSON.parse(cause);
      if (c && c.errorMessage !== undefined) return (c.errorType ? c.errorType + ': ' : '') + c.errorMessage;
    } catch (e) { /* a plain text cause */ }
    return cause;
  }
  function toast(msg, err) {
    var t = h('div', { 'class': 'toast' + (err ? ' err' : ''), role: 'status', text: msg });
    document.body.appendChild(t);
    setTimeout(function () { t.style.opacity = '0'; }, 2600);
    setTimeout(function () { t.remove(); }, 3000);
  }
  function api(path, options) {
    return fetch(API + path, options).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error((body && body.error && body.error.message) || res.statusText);
        return body;
      });
    });
  }
  function post(path, body) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body || {}) });
  }
  function idPath(id) { return id.split('/').map(encodeURIComponent).join('/'); }
  function stat(v, l, cls) { return h('div', { 'class': 'stat ' + (cls || '') }, h('div', { 'class': 'v', text: v }), h('div', { 'class': 'l', text: l })); }
  function kv(pairs) {
    var el = h('div', { 'class': 'kv' });
    pairs.forEach(function (p) { if (p[1] !== undefined && p[1] !== null && p[1] !== '') append(el, [h('div', { text: p[0] }), h('div', { text: p[1] })]); });
    return el;
  }
  function outcomePill(o) {
    var cls = { ok: 'ok', SUCCEEDED: 'ok', succeeded: 'ok', error: 'bad', FAILED: 'bad', failed: 'bad', timeout: 'warn',
      caught: 'warn', RUNNING: 'run', running: 'run', ABORTED: 'warn' }[o] || '';
    return h('span', { 'class': 'pill ' + cls, text: o });
  }

  // ---- the graph ----
  function badgeParts(node) {
    var b = state.badges[node.id];
    if (!b) return [];
    var out = [];
    var k = node.kind;
    if (k === 'queue' || k === 'dlq') {
      out.push([String(b.depth) + (b.dlq || k === 'dlq' ? ' dead' : ' msgs'), (b.dlq || k === 'dlq') ? (b.depth > 0 ? '#f85149' : '#6e7681') : (b.depth > 0 ? '#d29922' : '#6e7681')]);
      if (b.inFlight) out.push([b.inFlight + ' in flight', '#79c0ff']);
      if (b.dlqDepth) out.push(['DLQ ' + b.dlqDepth, '#f85149']);
    } else if (k === 'function') {
      out.push([b.invocations + ' inv', '#f0883e']);
      if (b.errors) out.push([b.errors + ' err', '#f85149']);
    } else if (k === 'state-machine') {
      if (b.running) out.push([b.running + ' running', '#58a6ff']);
      out.push([b.succeeded + ' ok', '#3fb950']);
      if (b.failed) out.push([b.failed + ' failed', '#f85149']);
    } else if (k === 'table') {
      out.push([b.items + ' items', '#3fb950']);
    } else if ((k === 'schedule' || k === 'rule') && b.next) {
      out.push(['next ' + new Date(b.next).toLocaleTimeString([], { hour12: false }), '#e3b341']);
    }
    return out;
  }
  function drawBadges(node, g) {
    var old = g.querySelector('.badges');
    if (old) old.remove();
    var parts = badgeParts(node);
    var group = s('g', { 'class': 'badges' });
    var x = node.x + node.width - 4;
    parts.slice().reverse().forEach(function (p) {
      var w = p[0].length * 6 + 12;
      x -= w;
      group.appendChild(s('g', { 'class': 'badge', 'data-badge': p[0] },
        s('rect', { x: x, y: node.y - 11, width: w, height: 16, fill: p[1] }),
        s('text', { x: x + w / 2, y: node.y + 0.5, 'text-anchor': 'middle', text: p[0] })));
      x -= 4;
    });
    g.appendChild(group);
  }
  function kindOf(node) {
    var b = state.badges[node.id];
    return node.kind === 'queue' && b && b.dlq ? 'dlq' : node.kind;
  }
  function drawGraph() {
    var g = state.graph;
    var svg = $('graph');
    svg.textContent = '';
    var defs = s('defs');
    [['arrow', '#5b6878'], ['arrow-red', '#f85149'], ['arrow-purple', '#a371f7'], ['arrow-light', '#c9d1d9'], ['arrow-amber', '#d29922']].forEach(function (m) {
      defs.appendChild(s('marker', { id: m[0], viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        s('path', { d: 'M0,0 L10,5 L0,10 z', fill: m[1] })));
    });
    svg.appendChild(defs);
    var world = s('g', { id: 'world' });
    svg.appendChild(world);
    (g.groups || []).forEach(function (gr) {
      world.appendChild(s('g', { 'class': 'group' },
        s('rect', { x: gr.x, y: gr.y, width: gr.width, height: gr.height }),
        s('text', { x: gr.x + 14, y: gr.y + 21, text: gr.label || gr.stack })));
    });
    g.edges.forEach(function (e) {
      if (!e.points || e.points.length < 2) return;
      var d = e.points.map(function (p, i) { return (i ? 'L' : 'M') + p.x + ',' + p.y; }).join(' ');
      var red = e.kind === 'dead-letter' || e.kind === 'on-failure';
      var cls = 'edge ' + e.kind + (e.crossStack ? ' cross' : '');
      var marker = red ? 'arrow-red' : e.crossStack ? 'arrow-purple' : 'arrow';
      var title = s('title', { text: e.kind + (e.label ? ': ' + e.label : '') });
      world.appendChild(s('g', { 'class': cls, 'data-edge': e.id }, s('path', { d: d, 'marker-end': 'url(#' + marker + ')' }), title));
    });
    g.nodes.forEach(function (n) {
      var k = KINDS[kindOf(n)] || [n.kind, '#8b98a8'];
      var live = state.resources[n.id];
      var node = s('g', { 'class': 'node ' + kindOf(n) + (live ? ' live' : ''), 'data-node': n.id, tabindex: 0 },
        s('title', { text: n.type + ' ' + n.id }),
        s('rect', { 'class': 'box', x: n.x, y: n.y, width: n.width, height: n.height }),
        s('rect', { 'class': 'stripe', x: n.x, y: n.y + 6, width: 4, height: n.height - 12, fill: k[1] }),
        s('text', { 'class': 'kind', x: n.x + 14, y: n.y + 16, text: k[0] }),
        s('text', { 'class': 'label', x: n.x + 14, y: n.y + 33, text: clip(n.label, n.width) }));
      node.addEventListener('click', function (ev) { ev.stopPropagation(); select(n.id); });
      world.appendChild(node);
      drawBadges(n, node);
    });
    applyTransform();
  }
  function clip(label, width) {
    var max = Math.floor((width - 22) / 7);
    return label.length > max ? label.slice(0, max - 1) + '…' : label;
  }
  function nodeEl(id) { return document.querySelector('[data-node="' + CSS.escape(id) + '"]'); }
  function refreshBadges(ids) {
    if (!state.graph) return;
    state.graph.nodes.forEach(function (n) {
      if (ids.indexOf(n.id) < 0) return;
      var el = nodeEl(n.id);
      if (!el) return;
      el.setAttribute('class', 'node ' + kindOf(n) + (n.id === state.selected ? ' selected' : ''));
      drawBadges(n, el);
      pulse(n.id);
    });
  }
  function pulse(id) {
    var el = nodeEl(id);
    if (!el) return;
    el.classList.remove('pulse');
    void el.getBoundingClientRect();
    el.classList.add('pulse');
  }
  function fit() {
    var g = state.graph;
    var box = $('canvas').getBoundingClientRect();
    if (!g || !g.width) return;
    state.scale = Math.min(1.4, (box.width - 40) / g.width, (box.height - 70) / g.height);
    state.tx = (box.width - g.width * state.scale) / 2;
    state.ty = Math.max(50, (box.height - g.height * state.scale) / 2);
    applyTransform();
  }
  function applyTransform() {
    var w = $('world');
    if (w) w.setAttribute('transform', 'translate(' + state.tx + ',' + state.ty + ') scale(' + state.scale + ')');
  }
  function panZoom() {
    var c = $('canvas');
    var drag = null;
    c.addEventListener('mousedown', function (e) { drag = { x: e.clientX, y: e.clientY, tx: state.tx, ty: state.ty }; c.classList.add('dragging'); });
    window.addEventListener('mouseup', function () { drag = null; c.classList.remove('dragging'); });
    window.addEventListener('mousemove', function (e) {
      if (!drag) return;
      state.tx = drag.tx + e.clientX - drag.x;
      state.ty = drag.ty + e.clientY - drag.y;
      applyTransform();
    });
    c.addEventListener('wheel', function (e) {
      e.preventDefault();
      var r = c.getBoundingClientRect();
      var f = Math.exp(-e.deltaY * 0.0015);
      var ns = Math.max(0.2, Math.min(3, state.scale * f));
      var px = e.clientX - r.left, py = e.clientY - r.top;
      state.tx = px - (px - state.tx) * ns / state.scale;
      state.ty = py - (py - state.ty) * ns / state.scale;
      state.scale = ns;
      applyTransform();
    }, { passive: false });
  }

  // ---- the side panel ----
  function panel(kind, title, sub, body) {
    var p = $('panel');
    p.textContent = '';
    append(p, [h('div', { 'class': 'head' }, h('div', { 'class': 'kind', text: kind }), h('h2', { text: title }), sub ? h('div', { 'class': 'sub', text: sub }) : null),
      h('div', { 'class': 'body', id: 'panel-body' }, body)]);
  }
  function select(id) {
    state.selected = id;
    state.view = { type: 'resource', id: id };
    document.querySelectorAll('.node.selected').forEach(function (el) { el.classList.remove('selected'); });
    var el = nodeEl(id);
    if (el) el.classList.add('selected');
    renderView();
  }
  function renderView() {
    var v = state.view;
    if (!v) return renderActivity();
    if (v.type === 'execution') return renderExecution(v.arn);
    var node = state.graph && state.graph.nodes.find(function (n) { return n.id === v.id; });
    if (!state.resources[v.id]) {
      var k = node ? (KINDS[node.kind] || [node.kind])[0] : 'Resource';
      panel(k, node ? node.label : v.id, node ? node.type : '', h('div', { 'class': 'empty', text: 'No live state for this node: it is drawn from the templates.' }));
      return;
    }
    return api('/resources/' + idPath(v.id)).then(function (d) {
      if (state.view !== v) return;
      var render = RENDER[d.kind] || renderGeneric;
      render(d, node);
    }).catch(function (err) { panel('Error', v.id, '', h('div', { 'class': 'empty', text: err.message })); });
  }
  function renderGeneric(d) { panel(d.kind, short(d.id), d.physical, h('pre', { text: JSON.stringify(d, null, 2) })); }

  var RENDER = {
    queue: function (d) {
      var isDlq = d.sources && d.sources.length > 0;
      var body = [h('div', { 'class': 'grid' }, stat(d.depth, isDlq ? 'dead messages' : 'messages', isDlq && d.depth > 0 ? 'bad' : ''),
        stat(d.inFlight, 'in flight'), stat(d.deadLetterQueue ? d.deadLetterQueue.depth : d.delayed, d.deadLetterQueue ? 'in its DLQ' : 'delayed', d.deadLetterQueue && d.deadLetterQueue.depth ? 'bad' : ''))];
      body.push(h('h3', { text: 'Queue' }), kv([['URL', d.url], ['ARN', d.arn],
        ['Redrive policy', d.redrivePolicy ? 'after ' + d.redrivePolicy.maxReceiveCount + ' receives → ' + (d.deadLetterQueue ? short(d.deadLetterQueue.id) : d.redrivePolicy.deadLetterTargetArn) : undefined],
        ['Consumers', (d.consumers || []).map(short).join(', ')],
        ['DLQ of', isDlq ? d.sources.map(short).join(', ') : undefined]]));
      if (d.deadLetterQueue) body.push(h('div', { 'class': 'row' }, h('button', { onclick: function () { select(d.deadLetterQueue.id); }, text: 'Open its DLQ' })));
      var msgs = h('div', { 'class': 'list', id: 'messages' });
      var actions = h('div', { 'class': 'row' },
        h('button', { 'data-action': 'peek', onclick: function () { peekInto(d.id, msgs); }, text: 'Peek messages' }),
        isDlq ? h('button', { 'class': 'primary', 'data-action': 'redrive', disabled: d.depth === 0, onclick: function (ev) { redrive(d, ev.target); },
          text: 'Redrive ' + d.depth + ' to ' + short(d.sources[0]) }) : null);
      body.push(h('h3', { text: 'Messages' }), actions, msgs);
      panel(isDlq ? 'Dead-letter queue' : 'Queue', short(d.id), d.physical, body);
      if (isDlq && d.depth > 0) peekInto(d.id, msgs);
    },
    'function': function (d) {
      var body = [h('div', { 'class': 'grid' }, stat(d.stats.invocations, 'invocations'), stat(d.stats.coldStarts, 'cold starts'),
        stat(d.invocations.filter(function (i) { return i.outcome !== 'ok'; }).length, 'errors (recent)', 'bad'))];
      body.push(h('h3', { text: 'Function' }), kv([['Runtime', d.runtime], ['Handler', d.handler], ['Memory', d.memorySize + ' MB'], ['Timeout', d.timeoutSeconds + ' s']]));
      body.push(h('h3', { text: 'Recent invocations' }));
      var list = h('div', { 'class': 'list' });
      if (!d.invocations.length) list.appendChild(h('div', { 'class': 'empty', text: 'No invocation yet.' }));
      d.invocations.slice(0, 40).forEach(function (i) {
        var logs = h('pre', { text: (i.logs.join('\n') || '(no output)') + (i.error ? '\n' + i.error : '') });
        logs.style.display = 'none';
        list.appendChild(h('div', { 'class': 'item click', 'data-invocation': i.requestId, onclick: function () { logs.style.display = logs.style.display === 'none' ? '' : 'none'; } },
          h('div', { 'class': 'top' }, h('span', { 'class': 'name', text: fmtTime(i.startedAt) }),
            h('span', null, i.coldStart ? h('span', { 'class': 'pill run', text: 'cold' }) : null, ' ', outcomePill(i.outcome), ' ', h('span', { 'class': 'pill', text: i.durationMs + ' ms' }))),
          i.error ? h('div', { 'class': 'meta', text: i.error }) : null, logs));
      });
      body.push(list);
      panel('Lambda function', short(d.id), d.physical, body);
    },
    'state-machine': function (d) {
      var body = [h('div', { 'class': 'grid' },
        stat(d.executions.filter(function (e) { return e.status === 'SUCCEEDED'; }).length, 'succeeded', 'ok'),
        stat(d.executions.filter(function (e) { return e.status === 'FAILED'; }).length, 'failed', 'bad'),
        stat(d.executions.filter(function (e) { return e.compensated; }).length, 'compensated', 'warn'))];
      body.push(h('h3', { text: 'Definition' }), h('div', { 'class': 'sm' }, stateSvg(d.graph, null)));
      body.push(h('h3', { text: 'Executions' }), executionList(d.executions));
      panel('State machine · ' + d.machineType, short(d.id), d.physical, body);
    },
    table: function (d) {
      var body = [h('div', { 'class': 'grid' }, stat(d.itemCount, 'items'), stat(d.keySchema.length, 'key attributes'), stat(d.stream ? 'on' : 'off', 'stream'))];
      body.push(h('h3', { text: 'Table' }), kv([['Keys', d.keySchema.map(function (k) { return k.name + ' (' + k.type + ')'; }).join(', ')],
        ['Indexes', d.indexes.join(', ')], ['Stream', d.stream ? d.stream.viewType : undefined]]));
      var items = h('div', { id: 'items' });
      body.push(h('h3', { text: 'Items' }), items);
      panel('DynamoDB table', short(d.id), d.physical, body);
      loadItems(d.id, items, null);
    },
    topic: function (d) {
      var rows = d.subscriptions.map(function (sub) {
        return h('tr', null, h('td', { text: sub.protocol }), h('td', null, h('code', { text: short(sub.endpoint) })),
          h('td', null, sub.filterPolicy ? h('pre', { text: JSON.stringify(sub.filterPolicy, null, 1) }) : h('span', { 'class': 'meta', text: 'all messages' }),
            sub.filterPolicy ? h('div', { 'class': 'meta', text: 'on ' + sub.filterPolicyScope }) : null));
      });
      panel('SNS topic', short(d.id), d.physical, [h('h3', { text: 'Subscriptions' }),
        rows.length ? h('table', null, h('tr', null, h('th', { text: 'Protocol' }), h('th', { text: 'Endpoint' }), h('th', { text: 'Filter policy' })), rows) : h('div', { 'class': 'empty', text: 'No subscription.' })]);
    },
    stream: function (d) {
      var rows = d.shards.map(function (sh) {
        return h('tr', null, h('td', null, h('code', { text: sh.shardId })), h('td', { text: sh.records }), h('td', null, h('code', { text: sh.latestSequenceNumber || '—' })), h('td', { text: sh.latestArrival ? fmtTime(sh.latestArrival) : '—' }));
      });
      panel('Kinesis stream', short(d.id), d.physical, [h('div', { 'class': 'grid' }, stat(d.shards.length, 'shards'), stat(d.shards.reduce(function (a, sh) { return a + sh.records; }, 0), 'records'), stat(d.retentionHours + ' h', 'retention')),
        h('h3', { text: 'Shards' }), h('table', null, h('tr', null, h('th', { text: 'Shard' }), h('th', { text: 'Records' }), h('th', { text: 'Latest sequence number' }), h('th', { text: 'Latest' })), rows),
        h('h3', { text: 'Consumers (iterator positions and lag)' }), consumerTable(d)]);
    },
    schedule: function (d) { renderFireable(d, d.schedule, 'Schedule', d.schedule && d.schedule.scheduleExpression); },
    rule: function (d) { renderFireable(d, d.rule, 'EventBridge rule', d.rule && (d.rule.scheduleExpression || JSON.stringify(d.rule.eventPattern))); },
    api: function (d) { renderPlans(d, 'REST API'); },
    'usage-plan': function (d) { renderPlans(d, 'Usage plan'); },
    bucket: function (d) {
      var rows = d.objects.map(function (o) { return h('tr', null, h('td', null, h('code', { text: o.key })), h('td', { text: o.size }), h('td', { text: fmtTime(o.lastModified) })); });
      panel('S3 bucket', short(d.id), d.physical, [h('h3', { text: 'Objects' + (d.truncated ? ' (first 50)' : '') }),
        rows.length ? h('table', null, h('tr', null, h('th', { text: 'Key' }), h('th', { text: 'Bytes' }), h('th', { text: 'Modified' })), rows) : h('div', { 'class': 'empty', text: 'Empty.' })]);
    }
  };
  function renderFireable(d, listing, kind, expression) {
    var body = [];
    if (listing) {
      body.push(h('div', { 'class': 'grid' }, stat(listing.state === 'ENABLED' ? 'on' : 'off', 'state', listing.state === 'ENABLED' ? 'ok' : 'warn'),
        stat(listing.nextFireTime ? new Date(listing.nextFireTime).toLocaleTimeString([], { hour12: false }) : '—', 'next fire'),
        stat((listing.targets || [listing.target]).length, 'targets')));
      body.push(h('h3', { text: kind }), kv([['Expression', expression], ['Next fire', listing.nextFireTime], ['Time zone', listing.scheduleExpressionTimezone],
        ['Targets', (listing.targets || [listing.target]).map(function (t) { return t.arn; }).join('\n')]]));
    }
    body.push(h('div', { 'class': 'row' }, h('button', { 'class': 'primary', 'data-action': 'fire', onclick: function (ev) {
      ev.target.disabled = true;
      post('/fire/' + idPath(d.id)).then(function () { toast('Fired ' + short(d.id)); }).catch(function (e) { toast(e.message, true); })
        .then(function () { ev.target.disabled = false; });
    }, text: 'Fire now' })));
    panel(kind, short(d.id), d.physical, body);
  }
  function consumerTable(d) {
    var rows = [];
    d.shards.forEach(function (sh) {
      sh.consumers.forEach(function (c) {
        var fn = state.byPhysical[c.functionName];
        rows.push(h('tr', { 'data-consumer': c.mapping }, h('td', { text: fn ? short(fn) : c.functionName }), h('td', null, h('code', { text: sh.shardId.replace(/^shardId-0*(?=\d)/, '#') })),
          h('td', null, h('code', { text: c.position })), h('td', null, h('span', { 'class': 'pill ' + (c.behind ? 'warn' : 'ok'), text: c.behind + ' behind' })),
          h('td', { text: c.lagMs !== undefined ? c.lagMs + ' ms' : '—' })));
      });
    });
    if (!rows.length) return h('div', { 'class': 'empty', text: 'No event source mapping reads this stream.' });
    return h('table', null, h('tr', null, h('th', { text: 'Function' }), h('th', { text: 'Shard' }), h('th', { text: 'Position' }), h('th', { text: 'Lag' }), h('th', { text: 'Age' })), rows);
  }
  function renderPlans(d, kind) {
    var body = [h('h3', { text: 'Usage plans' })];
    if (!d.usagePlans.length) body.push(h('div', { 'class': 'empty', text: 'No usage plan.' }));
    d.usagePlans.forEach(function (p) {
      var u = p.usage;
      body.push(h('div', { 'class': 'grid' }, stat(u.requests, 'requests'), stat(u.throttled, 'throttled (429)', u.throttled ? 'warn' : ''), stat(u.overQuota, 'over quota', u.overQuota ? 'bad' : '')));
      body.push(h('div', { 'class': 'item', style: 'margin-top:8px' }, h('div', { 'class': 'name', text: p.name }),
        kv([['Throttle', p.throttle ? p.throttle.rate + ' req/s, burst ' + p.throttle.burst : 'none'],
          ['Quota', p.quota ? p.quota.limit + ' per ' + p.quota.period.toLowerCase() : 'none'],
          ['Keys', p.keys.map(function (k) { return k.name + (k.enabled ? '' : ' (disabled)') + (p.quota ? ': ' + (u.quotaUsed[k.name] || 0) + ' / ' + p.quota.limit + ' used' : ''); }).join(', ')]])));
    });
    panel(kind, short(d.id), d.physical, body);
  }
  function peekInto(id, el) {
    el.textContent = '';
    el.appendChild(h('div', { 'class': 'empty', text: 'Peeking…' }));
    api('/queues/' + idPath(id) + '/messages?limit=20').then(function (r) {
      el.textContent = '';
      if (!r.messages.length) el.appendChild(h('div', { 'class': 'empty', text: 'No message.' }));
      r.messages.forEach(function (m) {
        el.appendChild(h('div', { 'class': 'item message', 'data-message': m.messageId },
          h('div', { 'class': 'top' }, h('span', { 'class': 'meta', text: m.messageId }), h('span', { 'class': 'pill', text: 'received ' + m.receiveCount + '×' })),
          h('pre', { text: pretty(m.body) })));
      });
    }).catch(function (e) { el.textContent = ''; el.appendChild(h('div', { 'class': 'empty', text: e.message })); });
  }
  function redrive(d, button) {
    button.disabled = true;
    window.__console.redriveClickedAt = performance.now();
    post('/queues/' + idPath(d.id) + '/redrive').then(function (r) {
      toast('Moved ' + r.moved + ' message' + (r.moved === 1 ? '' : 's') + ' to ' + short(r.to));
    }).catch(function (e) { toast(e.message, true); button.disabled = false; });
  }
  function loadItems(id, el, cursor) {
    api('/tables/' + idPath(id) + '/items' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : '')).then(function (r) {
      el.textContent = '';
      if (!r.items.length) { el.appendChild(h('div', { 'class': 'empty', text: 'No item.' })); return; }
      r.items.forEach(function (item) { el.appendChild(h('pre', { 'class': 'table-item', text: JSON.stringify(item, null, 2) })); });
      if (r.next) el.appendChild(h('div', { 'class': 'row' }, h('button', { onclick: function () { loadItems(id, el, r.next); }, text: 'Next page' })));
    }).catch(function (e) { el.textContent = e.message; });
  }

  // ---- executions ----
  function executionList(executions) {
    var list = h('div', { 'class': 'list' });
    if (!executions.length) list.appendChild(h('div', { 'class': 'empty', text: 'No execution yet.' }));
    executions.forEach(function (e) {
      list.appendChild(h('div', { 'class': 'item click', 'data-execution': e.executionArn, onclick: function () { openExecution(e.executionArn); } },
        h('div', { 'class': 'top' }, h('span', { 'class': 'name', text: e.name }),
          h('span', null, e.compensated ? h('span', { 'class': 'pill comp', text: 'compensated' }) : null, ' ', outcomePill(e.status))),
        h('div', { 'class': 'meta', text: fmtTime(e.startDate) + (e.stopDate ? ' · ' + (new Date(e.stopDate) - new Date(e.startDate)) + ' ms' : '') + (e.error ? ' · ' + e.error : '') })));
    });
    return list;
  }
  function openExecution(arn) {
    state.view = { type: 'execution', arn: arn };
    renderExecution(arn);
  }
  function stateSvg(g, exec) {
    var outcomes = {};
    var comp = {};
    var taken = {};
    if (exec) {
      exec.path.forEach(function (p) { outcomes[p.state] = p.outcome; if (p.compensation) comp[p.state] = true; });
      exec.taken.forEach(function (t) { taken[t.from + '>' + t.to] = true; });
    }
    var svg = s('svg', { width: g.width, height: g.height + 30, viewBox: '0 0 ' + g.width + ' ' + (g.height + 30), 'class': 'state-graph' });
    var defs = s('defs', null, s('marker', { id: 'sarrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8b98a8' })));
    svg.appendChild(defs);
    var world = s('g', { transform: 'translate(0,24)' });
    svg.appendChild(world);
    var start = g.states.find(function (st) { return st.name === g.startAt; });
    if (start) world.appendChild(s('text', { x: start.x + start.width / 2, y: start.y - 8, 'text-anchor': 'middle', fill: '#8b98a8', 'font-size': 10, text: '▼ start' }));
    g.edges.forEach(function (e) {
      if (e.points.length < 2) return;
      var d = e.points.map(function (p, i) { return (i ? 'L' : 'M') + p.x + ',' + p.y; }).join(' ');
      var cls = 'sedge ' + e.kind + (taken[e.from + '>' + e.to] ? ' taken' : '');
      world.appendChild(s('g', { 'class': cls }, s('path', { d: d, 'marker-end': 'url(#sarrow)' }), s('title', { text: e.kind + (e.label ? ': ' + e.label : '') })));
    });
    g.states.forEach(function (st) {
      var o = outcomes[st.name];
      var cls = 'state' + (o ? ' ' + o : '') + (comp[st.name] ? ' comp' : '');
      world.appendChild(s('g', { 'class': cls, 'data-state': st.name, 'data-outcome': o || 'not-run' },
        s('title', { text: st.type + ' ' + st.name + (o ? ': ' + o : '') }),
        s('rect', { x: st.x, y: st.y, width: st.width, height: st.height }),
        s('text', { 'class': 't', x: st.x + 10, y: st.y + 12, text: st.type }),
        s('text', { x: st.x + 10, y: st.y + 26, text: st.name.length > 32 ? st.name.slice(0, 31) + '…' : st.name })));
    });
    return svg;
  }
  function renderExecution(arn) {
    var v = state.view;
    return api('/executions/' + encodeURIComponent(arn)).then(function (e) {
      if (state.view !== v) return;
      var body = [h('span', { 'class': 'back', onclick: function () { select(e.machine); }, text: '← ' + short(e.machine) })];
      body.push(h('div', { 'class': 'row' }, outcomePill(e.status), e.compensated ? h('span', { 'class': 'pill comp', text: 'compensated' }) : null,
        h('span', { 'class': 'meta', text: fmtTime(e.startDate) + (e.stopDate ? ' · ' + (new Date(e.stopDate) - new Date(e.startDate)) + ' ms' : '') })));
      if (e.error) body.push(h('div', { 'class': 'item' }, h('div', { 'class': 'name', text: e.error }), h('div', { 'class': 'meta', text: e.cause ? causeLine(e.cause) : '' })));
      body.push(h('h3', { text: 'Path through the state machine' }), h('div', { 'class': 'sm' }, stateSvg(e.graph, e)));
      var steps = h('div', { 'class': 'list', id: 'path' });
      e.path.forEach(function (p, i) {
        steps.appendChild(h('div', { 'class': 'item', 'data-step': p.state, 'data-outcome': p.outcome },
          h('div', { 'class': 'top' }, h('span', { 'class': 'name', text: (i + 1) + '. ' + p.state }),
            h('span', null, p.compensation ? h('span', { 'class': 'pill comp', text: 'compensation' }) : null, ' ', outcomePill(p.outcome))),
          h('div', { 'class': 'meta', text: p.type + ' · ' + fmtTime(p.enteredAt) + (p.error ? ' · ' + p.error + (p.cause ? ' — ' + causeLine(p.cause) : '') : '') })));
      });
      body.push(h('h3', { text: 'Steps' }), steps);
      body.push(h('h3', { text: 'Input' }), h('pre', { text: pretty(e.input) }));
      if (e.output !== undefined) body.push(h('h3', { text: 'Output' }), h('pre', { text: pretty(e.output) }));
      panel('Execution', e.name, e.executionArn, body);
    }).catch(function (err) { panel('Execution', arn, '', h('div', { 'class': 'empty', text: err.message })); });
  }

  // ---- activity (nothing selected) ----
  function renderActivity() {
    var body = [h('h3', { text: 'Recent activity' })];
    var list = h('div', { 'class': 'list', id: 'activity' });
    if (!state.activity.length) list.appendChild(h('div', { 'class': 'empty', text: 'Invocations and executions show here as they happen. Click a node for its state.' }));
    state.activity.slice(0, 60).forEach(function (a) { list.appendChild(activityItem(a)); });
    body.push(list);
    panel('Local console', 'Live', location.host, body);
  }
  function activityItem(a) {
    if (a.type === 'invocation') {
      var r = a.data;
      var id = state.byPhysical[r.functionName];
      return h('div', { 'class': 'item click', onclick: function () { if (id) select(id); } },
        h('div', { 'class': 'top' }, h('span', { 'class': 'name', text: 'λ ' + (id ? short(id) : r.functionName) }),
          h('span', null, r.coldStart ? h('span', { 'class': 'pill run', text: 'cold' }) : null, ' ', outcomePill(r.outcome), ' ', h('span', { 'class': 'pill', text: r.durationMs + ' ms' }))),
        h('div', { 'class': 'meta', text: fmtTime(r.startedAt) + (r.error ? ' · ' + r.error : '') }));
    }
    var e = a.data;
    return h('div', { 'class': 'item click', onclick: function () { openExecution(e.executionArn); } },
      h('div', { 'class': 'top' }, h('span', { 'class': 'name', text: '⇶ ' + e.name }), h('span', null, e.compensated ? h('span', { 'class': 'pill comp', text: 'compensated' }) : null, ' ', outcomePill(e.status))),
      h('div', { 'class': 'meta', text: fmtTime(e.startDate) + ' · ' + (state.byPhysical[e.stateMachineArn] ? short(state.byPhysical[e.stateMachineArn]) : e.stateMachineArn.split(':').pop()) }));
  }
  function addActivity(a) {
    state.activity.unshift(a);
    if (state.activity.length > 200) state.activity.length = 200;
    if (!state.view) renderActivity();
  }

  // ---- live updates ----
  var refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(renderView, 120);
  }
  function connect() {
    var es = new EventSource(BASE + '/events');
    es.onopen = function () { setLive(true); };
    es.onerror = function () { setLive(false); };
    es.addEventListener('badges', function (ev) {
      var changed = JSON.parse(ev.data);
      var ids = Object.keys(changed);
      ids.forEach(function (id) { state.badges[id] = changed[id]; window.__console.badgeAt[id] = performance.now(); });
      refreshBadges(ids);
      updateHeader();
      window.__console.updates += 1;
      window.__console.lastUpdateAt = performance.now();
      if (state.view && state.view.type === 'resource' && ids.indexOf(state.view.id) >= 0) refreshSoon();
    });
    es.addEventListener('execution', function (ev) {
      var e = JSON.parse(ev.data);
      var existing = state.activity.findIndex(function (a) { return a.type === 'execution' && a.data.executionArn === e.executionArn; });
      if (existing >= 0) state.activity.splice(existing, 1);
      addActivity({ type: 'execution', data: e });
      var v = state.view;
      if (v && ((v.type === 'execution' && v.arn === e.executionArn) || (v.type === 'resource' && state.resources[v.id] && state.resources[v.id].physical === e.stateMachineArn))) refreshSoon();
    });
    es.addEventListener('invocation', function (ev) {
      var r = JSON.parse(ev.data);
      addActivity({ type: 'invocation', data: r });
      var id = state.byPhysical[r.functionName];
      if (id) pulse(id);
      if (state.view && state.view.id === id) refreshSoon();
    });
  }
  function setLive(on) {
    var el = $('live');
    el.className = 'live ' + (on ? 'on' : 'off');
    el.lastChild.textContent = on ? 'live' : 'reconnecting…';
  }
  function updateHeader() {
    var queues = 0, dead = 0, running = 0;
    Object.keys(state.badges).forEach(function (id) {
      var b = state.badges[id];
      if (b.depth !== undefined && !b.dlq) queues += b.depth;
      if (b.dlq) dead += b.depth;
      if (b.running) running += b.running;
    });
    var stats = $('stats');
    stats.textContent = '';
    append(stats, [h('span', { 'class': 'pill', text: queues + ' queued' }), h('span', { 'class': 'pill ' + (dead ? 'bad' : ''), id: 'dead-total', text: dead + ' dead-lettered' }),
      h('span', { 'class': 'pill ' + (running ? 'run' : ''), text: running + ' running' })]);
  }
  function legend() {
    var el = $('legend');
    var kinds = {};
    state.graph.nodes.forEach(function (n) { kinds[kindOf(n)] = true; });
    Object.keys(KINDS).forEach(function (k) { if (kinds[k]) append(el, [h('span', null, h('b', { style: 'background:' + KINDS[k][1] }), KINDS[k][0])]); });
  }

  // ---- start ----
  function start() {
    panZoom();
    $('fit').addEventListener('click', fit);
    function deselect() {
      state.view = null;
      state.selected = null;
      document.querySelectorAll('.node.selected').forEach(function (el) { el.classList.remove('selected'); });
      renderActivity();
    }
    var down = null;
    $('canvas').addEventListener('mousedown', function (e) { down = { x: e.clientX, y: e.clientY }; });
    $('canvas').addEventListener('click', function (e) {
      var moved = down && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4;
      if (!moved && e.target.closest && !e.target.closest('.node') && !e.target.closest('button')) deselect();
    });
    window.addEventListener('keydown', function (e) { if (e.key === 'Escape') deselect(); });
    renderActivity();
    Promise.all([api('/graph'), api('/snapshot'), api('/executions')]).then(function (r) {
      state.graph = r[0];
      r[1].resources.forEach(function (res) { state.resources[res.id] = res; state.byPhysical[res.physical] = res.id; });
      state.badges = r[1].badges;
      r[2].executions.slice(0, 30).reverse().forEach(function (e) { state.activity.unshift({ type: 'execution', data: e }); });
      $('title').textContent = (r[0].groups || []).map(function (g) { return g.label || g.stack; }).join(' · ');
      drawGraph();
      fit();
      legend();
      updateHeader();
      renderActivity();
      document.body.setAttribute('data-graph', 'ready');
      window.__console.graphReadyAt = performance.now();
      connect();
    }).catch(function (e) {
      panel('Error', 'The console could not load', '', h('div', { 'class': 'empty', text: e.message }));
    });
  }
  start();
})();
`;
